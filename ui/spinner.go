package ui

import (
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// tickSpinner advances sp by one tick while active; once idle it returns no command, so the
// spinner's tick chain stops instead of redrawing an idle screen forever.
func tickSpinner(sp *spinner.Model, active bool, msg spinner.TickMsg) tea.Cmd {
	if !active {
		return nil
	}
	var cmd tea.Cmd
	*sp, cmd = sp.Update(msg)
	return cmd
}
