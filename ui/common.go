// Package ui is the Bubble Tea wizard: a root model with a state enum routes between screens,
// one file per screen; screens talk to the root and to okta/ only through messages and commands.
// What screens share lives in ui/common; the names below keep the screens of this package
// reading as before while screen families move into packages of their own.
package ui

import (
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

type (
	Common  = common.Common
	Screen  = common.Screen
	KeyMap  = common.KeyMap
	Styles  = common.Styles
	BackMsg = common.BackMsg
	HomeMsg = common.HomeMsg
	PushMsg = common.PushMsg
	BusyMsg = common.BusyMsg

	PopToMsg   = common.PopToMsg
	ReplaceMsg = common.ReplaceMsg

	Titled        = common.Titled
	Staged        = common.Staged
	Explainer     = common.Explainer
	Revealer      = common.Revealer
	InputCapturer = common.InputCapturer
	Stopper       = common.Stopper
	AnswerHolder  = common.AnswerHolder
	JournalKeeper = common.JournalKeeper
)

// DefaultKeyMap and DefaultStyles are the wizard's keymap and style sheet.
func DefaultKeyMap() KeyMap { return common.DefaultKeyMap() }
func DefaultStyles() Styles { return common.DefaultStyles() }

func tickSpinner(sp *spinner.Model, active bool, msg spinner.TickMsg) tea.Cmd {
	return common.TickSpinner(sp, active, msg)
}

func clipLine(s string, width int) string { return common.ClipLine(s, width) }
func indent(text, prefix string) string   { return common.Indent(text, prefix) }
func plural(n int) string                 { return common.Plural(n) }
