// Package common holds what every screen of the wizard shares: the Common struct (size, org,
// styles, keys, logger), the Screen contract and its optional interfaces, the navigation
// messages, the keymap and the style sheet. Screen packages under ui/ import it; ui aliases it.
package common

import (
	"log/slog"

	"github.com/charmbracelet/bubbles/spinner"

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

// Shell contracts (ui/app.go, home.go; the run screens in ui/run):
//   - A flow appears on the home screen by calling RegisterFlow(FlowEntry{Order, Title,
//     Description, Start}) from an init func in its own file (10 DSC, 20 assurance, 30 inspect).
//   - Optional screen interfaces the root honours: Titled (header title), Staged (stepper),
//     Explainer (ctrl+e text), Revealer (called when on top again after a pop), InputCapturer.
//   - run.NewReview(c, plan, run.ReviewOptions{...}) and run.NewSubmit(c, plan, onDone) are Screens to push;
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

// Optional interfaces a Screen may implement; the root asks for them with type assertions so
// screens stay small.
type (
	// Titled screens name themselves in the header.
	Titled interface{ Title() string }
	// Staged screens belong to a multi-stage flow: the header draws a stepper.
	Staged interface {
		// Stage returns the 1-based current stage and the names of all stages.
		Stage() (current int, names []string)
	}
	// Explainer screens carry a short explanation (what this does in Okta and why now),
	// toggled with ctrl+e (or "?" when the screen is not taking text).
	Explainer interface{ Explanation() string }
	// Revealer screens are told when they are on top again after the screen above was closed,
	// e.g. to rebuild a finished form from the answers they keep.
	Revealer interface{ Reveal() tea.Cmd }
	// InputCapturer screens report whether printable keys ("?") are text for them right now.
	InputCapturer interface{ CapturingInput() bool }
	// Stopper screens have background work to stop when the user quits (a run in flight:
	// its journal stays on disk for resume or roll back).
	Stopper interface{ Stop() }
	// AnswerHolder screens hold answers that going home (ctrl+g) would discard; the root asks
	// before it discards them.
	AnswerHolder interface{ HasUnsavedAnswers() bool }
	// JournalKeeper screens hold a run that did not finish and whose journal stays on disk;
	// KeptJournal names the run ("" when there is none), so quitting can say it is kept.
	JournalKeeper interface{ KeptJournal() string }
)

// PopToMsg closes every screen above Target (which must be on the stack) and reveals it.
type PopToMsg struct{ Target Screen }

// ReplaceMsg replaces the screen on top of the stack (the new screen is initialised).
type ReplaceMsg struct{ Screen Screen }

// TickSpinner advances sp by one tick while active; once idle it returns no command, so the
// spinner's tick chain stops instead of redrawing an idle screen forever.
func TickSpinner(sp *spinner.Model, active bool, msg spinner.TickMsg) tea.Cmd {
	if !active {
		return nil
	}
	var cmd tea.Cmd
	*sp, cmd = sp.Update(msg)
	return cmd
}
