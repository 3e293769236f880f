package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// headerView is the app name, the screen title, the org badge and, for staged screens, the stepper.
func (a *App) headerView() string {
	s := a.c.Styles
	left := s.Title.Render("okta-device-wizard")
	if t, ok := a.top().(Titled); ok && t.Title() != "" {
		left += s.Subtle.Render(" · ") + t.Title()
	}
	right := orgBadge(a.c)
	// The org badge always shows; a long title gives way.
	left = ansi.Truncate(left, max(a.c.Width-lipgloss.Width(right)-1, 1), "…")
	gap := a.c.Width - lipgloss.Width(left) - lipgloss.Width(right)
	line := left + strings.Repeat(" ", max(gap, 1)) + right
	line = ansi.Truncate(line, a.c.Width, "…")
	lines := []string{line}
	if st, ok := a.top().(Staged); ok {
		cur, names := st.Stage()
		lines = append(lines, stepperView(s, cur, names, a.c.Width)...)
	}
	lines = append(lines, s.Subtle.Render(strings.Repeat("─", max(a.c.Width, 1))))
	return strings.Join(lines, "\n")
}

// orgBadge shows which org requests go to: a plain SANDBOX badge or the org URL.
func orgBadge(c *Common) string {
	if c.Sandbox {
		return c.Styles.Sandbox.Render("SANDBOX")
	}
	if c.OrgLabel == "" {
		return c.Styles.Warn.Render("no org")
	}
	return c.Styles.Subtle.Render(c.OrgLabel)
}

// stepperView renders "Stage 2 of 5 · Signal collection policy" and the row of stage names,
// marking done stages with a check and the current one with brackets. When the names do not
// fit the width, only numbers are shown.
func stepperView(s Styles, current int, names []string, width int) []string {
	if current < 1 || current > len(names) {
		return nil
	}
	head := s.Title.Render(fmt.Sprintf("Stage %d of %d", current, len(names))) +
		s.Subtle.Render(" · ") + names[current-1]
	row := func(withNames bool) string {
		parts := make([]string, len(names))
		for i, n := range names {
			label := fmt.Sprintf("%d", i+1)
			if withNames {
				label += " " + n
			}
			switch {
			case i+1 == current:
				parts[i] = s.Selected.Render("[" + label + "]")
			case i+1 < current:
				parts[i] = s.OK.Render("✓" + label)
			default:
				parts[i] = s.Subtle.Render(" " + label)
			}
		}
		return strings.Join(parts, " ")
	}
	r := row(true)
	if lipgloss.Width(r) > width {
		r = row(false)
	}
	return []string{ansi.Truncate(head, width, "…"), r}
}
