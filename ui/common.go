// Package ui is the Bubble Tea wizard: a root model with a state enum routes between screens,
// one file per screen; screens talk to the root and to okta/ only through messages and commands.
package ui

import (
	"log/slog"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

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

// Shell contracts (ui/app.go, home.go, review.go, submit.go):
//   - A flow appears on the home screen by calling RegisterFlow(FlowEntry{Order, Title,
//     Description, Start}) from an init func in its own file (10 DSC, 20 assurance, 30 inspect).
//   - Optional screen interfaces the root honours: Titled (header title), Staged (stepper),
//     Explainer (ctrl+e text), Revealer (called when on top again after a pop), InputCapturer.
//   - NewReview(c, plan, ReviewOptions{...}) and NewSubmit(c, plan, onDone) are Screens to push;
//     (*Submit).OnFix(func(stage int) tea.Cmd) and Continue(plan) give fix-and-continue.
//   - Extra navigation: PopToMsg{Target} and ReplaceMsg{Screen}.

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
