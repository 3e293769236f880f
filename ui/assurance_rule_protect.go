package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/protect"
)

// protectStep is the optional step before the review: apps to protect with the rule's policy,
// so the requirement applies to them. The picks of the last visit are picked again.
func (f *AssuranceRuleFlow) protectStep() *protect.Step {
	picked := make([]string, len(f.protected))
	for i, a := range f.protected {
		picked[i] = a.ID
	}
	return protect.New(f.c, protect.Options{
		PolicyID:   f.draft.PolicyID,
		PolicyName: f.draft.PolicyName,
		Title:      f.Title(),
		Picked:     picked,
		OnDone: func(apps []okta.App) tea.Cmd {
			f.protected = apps
			return f.openReview()
		},
	})
}
