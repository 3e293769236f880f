package common

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// UpdateForm passes msg to a screen's huh form and reports whether the form is now complete.
func UpdateForm(f *huh.Form, msg tea.Msg) (*huh.Form, tea.Cmd, bool) {
	m, cmd := f.Update(msg)
	if nf, ok := m.(*huh.Form); ok {
		f = nf
	}
	return f, cmd, f.State == huh.StateCompleted
}

// FormFiltering reports whether the focused field of f is a list being filtered (esc then
// clears the filter instead of leaving the screen; printable keys are text).
func FormFiltering(f *huh.Form) bool {
	if f == nil {
		return false
	}
	field, ok := f.GetFocusedField().(interface{ GetFiltering() bool })
	return ok && field.GetFiltering()
}
