package uitest

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// CheckScreenSize fails t when view is wider or taller than a w x h terminal.
func CheckScreenSize(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("screen has %d lines, more than %d:\n%s", len(lines), h, view)
	}
	for i, l := range lines {
		if n := lipgloss.Width(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, w, l)
		}
	}
}
