package cmd

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// TestWizardCtrlCAfterFailedRunExits130: ctrl+c on a run that stopped on an error (its journal
// kept) ends the wizard with exit 130 and says the journal is kept and how to go on; a quit
// with nothing unfinished exits 0.
func TestWizardCtrlCAfterFailedRunExits130(t *testing.T) {
	e := newCmdEnv(t)
	e.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}})
	d := newUIDriver(t, e.api)
	d.dscToReview("Quit app", "Quit signals")
	d.Key(tea.KeyEnter)
	d.RequireFlat("E0000001")
	d.Key(tea.KeyCtrlC)
	if !d.Quit() {
		t.Fatal("ctrl+c did not quit")
	}
	err := quitError(d.Model())
	if code := exitCode(err); code != ExitInterrupted {
		t.Fatalf("exit %d (%v), want %d", code, err, ExitInterrupted)
	}
	if msg := err.Error(); !strings.Contains(msg, "“Quit signals” unfinished; its journal is kept") || !strings.Contains(msg, "resume or roll back") {
		t.Errorf("message %q", msg)
	}

	clean := newUIDriver(t, e.api)
	clean.Key(tea.KeyCtrlC)
	if err := quitError(clean.Model()); err != nil {
		t.Errorf("a quit with nothing unfinished: %v", err)
	}
}
