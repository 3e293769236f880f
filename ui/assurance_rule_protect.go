package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/protect"
)

// protectStep is the optional step before the review: apps to protect with the rule's policy,
// so the requirement applies to them. The picks of the last visit are picked again.
func (f *AssuranceRuleFlow) protectStep() *protect.Step {
	picked := make([]string, len(f.draft.ProtectApps))
	for i, a := range f.draft.ProtectApps {
		picked[i] = a.AppID
	}
	return protect.New(f.c, protect.Options{
		PolicyID:   f.draft.PolicyID,
		PolicyName: f.draft.PolicyName,
		Title:      f.Title(),
		Picked:     picked,
		OnDone: func(apps []flows.AppProtection) tea.Cmd {
			f.draft.ProtectApps = apps
			return f.openReview()
		},
	})
}
