package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/protect"
)

// protectStep is the optional step between stage 1 and stage 2: apps to protect with the
// stage 1 policy. It is built afresh each time (the policy may have changed) with the picks of
// the last visit.
func (f *dscFlow) protectStep() *protect.Step {
	picked := make([]string, len(f.protected))
	for i, a := range f.protected {
		picked[i] = a.ID
	}
	return protect.New(f.c, protect.Options{
		PolicyID:   f.draft.AppPolicy.ExistingID,
		PolicyName: f.appPolicyLabel(),
		Title:      "Device signal collection",
		Stage:      flows.StageAppPolicy,
		StageNames: flows.DSCStageNames,
		Picked:     picked,
		OnDone: func(apps []okta.App) tea.Cmd {
			f.protected = apps
			return push(f.stage(flows.StageDSCPolicy))
		},
	})
}
