package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// ClipLine cuts a line to width cells (an ellipsis marks the cut); width <= 0 keeps it whole.
func ClipLine(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// Indent prefixes every line of text, which always ends in one newline afterwards.
func Indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Plural is "s" unless n is 1 ("1 request", "3 requests").
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
