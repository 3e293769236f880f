package common

import "github.com/charmbracelet/lipgloss"

// Styles is the one style sheet of the wizard.
type Styles struct {
	Title, Subtle, Error, Warn, OK, Sandbox, Selected, Method, Path, Box lipgloss.Style
	// JSON colouring of request bodies, placeholders and diffs in the review screen.
	JSONKey, JSONString, JSONLiteral, Placeholder, DiffAdd, DiffDel lipgloss.Style
}

// DefaultStyles returns the wizard's styles; with NO_COLOR lipgloss renders them plain.
func DefaultStyles() Styles {
	return Styles{
		Title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12")),
		Subtle:   lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Error:    lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true),
		Warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		OK:       lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		Sandbox:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11")).Padding(0, 1),
		Selected: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("13")),
		Method:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		Path:     lipgloss.NewStyle().Foreground(lipgloss.Color("12")),
		Box:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),

		JSONKey:     lipgloss.NewStyle().Foreground(lipgloss.Color("12")),
		JSONString:  lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		JSONLiteral: lipgloss.NewStyle().Foreground(lipgloss.Color("13")),
		Placeholder: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11")),
		DiffAdd:     lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		DiffDel:     lipgloss.NewStyle().Foreground(lipgloss.Color("9")),
	}
}
