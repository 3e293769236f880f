// Package ui is the Bubble Tea wizard: a root model with a state enum routes between screens,
// one file per screen; screens talk to the root and to okta/ only through messages and commands.
package ui

import (
	"log/slog"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/bubbles/key"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Common is what every screen shares: size, org, styles, keys, logger. One instance, passed by
// pointer; never a global.
type Common struct {
	Width, Height int
	API           okta.API
	// OrgLabel is the org URL, or "SANDBOX" when talking to the in-process sandbox.
	OrgLabel   string
	Sandbox    bool
	Accessible bool
	// JournalDir is where run journals live (resume / roll back).
	JournalDir string
	Styles     Styles
	Keys       KeyMap
	Log        *slog.Logger
}

// Screen is one page of the wizard (soft-serve's component shape).
type Screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	// ShortHelp lists the bindings the footer shows for this screen.
	ShortHelp() []key.Binding
}

// Navigation messages a screen sends to the root model.
type (
	// BackMsg asks the root to go back one screen (answers are kept).
	BackMsg struct{}
	// HomeMsg returns to the home screen.
	HomeMsg struct{}
	// PushMsg opens a screen on top of the current one.
	PushMsg struct{ Screen Screen }
	// BusyMsg tells the root whether a submit is in flight (Ctrl+C then asks before quitting).
	BusyMsg struct{ Busy bool }
)
