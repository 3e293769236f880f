package ui

import (
	"context"
	"io"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/protect"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

// signInFirst is where Try a sign-in starts after a run: on the first app it protected.
func signInFirst(apps []flows.AppProtection) *signin.Options {
	o := signin.Options{}
	if len(apps) > 0 {
		o.AppID = apps[0].AppID
	}
	return &o
}

// askProtectAccessible is the protect step as plain prompts, after stage 1.
func askProtectAccessible(ctx context.Context, f *dscFlow, in io.Reader, out io.Writer) error {
	apps, err := f.protectStep().AskPlain(ctx, out, func(g *huh.Group) error { return accessibleForm(in, out, g) })
	if err != nil {
		return err
	}
	f.draft.ProtectApps = apps
	return nil
}

// protectStep is the optional step between stage 1 and stage 2: apps to protect with the
// stage 1 policy. It is built afresh each time (the policy may have changed) with the picks of
// the last visit.
func (f *dscFlow) protectStep() *protect.Step {
	picked := make([]string, len(f.draft.ProtectApps))
	for i, a := range f.draft.ProtectApps {
		picked[i] = a.AppID
	}
	return protect.New(f.c, protect.Options{
		PolicyID:   f.draft.AppPolicy.ExistingID,
		PolicyName: f.appPolicyLabel(),
		Title:      "Device signal collection",
		Stage:      flows.StageAppPolicy,
		StageNames: flows.DSCStageNames,
		Picked:     picked,
		OnDone: func(apps []flows.AppProtection) tea.Cmd {
			f.draft.ProtectApps = apps
			return push(f.stage(flows.StageDSCPolicy))
		},
	})
}
