package common

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is the one keymap of the wizard; screens pick the bindings they use.
type KeyMap struct {
	Up, Down, Enter, Back, Quit, Help, Explain, Filter, Refresh key.Binding
	// Home goes back to the home screen from anywhere (asking first when answers would be lost).
	Home key.Binding
	// SavePlan saves the plan under review as a file for `okta-device-wizard apply`.
	SavePlan key.Binding
	// TrySignIn opens the Try a sign-in screen (end of a flow, review, inspect).
	TrySignIn key.Binding
}

// DefaultKeyMap returns the wizard's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Explain:  key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "explain")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Refresh:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
		Home:     key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "home")),
		SavePlan: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),

		TrySignIn: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "try a sign-in")),
	}
}

// DigitKeys is the binding of the digit shortcuts 1 to n of a numbered list, for the footer.
func DigitKeys(n int, what string) key.Binding {
	n = min(n, 9)
	keys := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		keys = append(keys, fmt.Sprint(i))
	}
	help := "1"
	if n > 1 {
		help = fmt.Sprintf("1-%d", n)
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, what))
}
