package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Stage 2: the device signal collection policy itself, created INACTIVE.
func newStage2(f *dscFlow) *dscStage {
	d := &f.draft
	return newDSCStage(f, flows.StageDSCPolicy, []page{{
		group: func() *huh.Group {
			return huh.NewGroup(
				huh.NewInput().Title("Signal collection policy name").
					Placeholder("e.g. Workforce device signals").
					Validate(keepOr(&d.Name, f.validateDSCName)).
					CharLimit(flows.MaxNameLength+10).
					Value(&d.Name),
				huh.NewInput().Title("Description (optional)").
					Validate(flows.ValidateDescription("Signal collection policy description")).
					Value(&d.Description),
			).Description("It is created INACTIVE: it collects nothing until it is activated,\n" +
				"the last request of the review, after its mapping and rule exist.")
		},
	}})
}

// validateDSCName refuses a name another signal collection policy has (read with stage 1).
func (f *dscFlow) validateDSCName(name string) error {
	if err := flows.ValidateName("Signal collection policy name")(name); err != nil {
		return err
	}
	if _, taken := f.org.dscOrg().PolicyNameTaken(okta.TypeDeviceSignalCollection, name); taken {
		return fmt.Errorf("a signal collection policy named “%s” exists: choose another name", strings.TrimSpace(name))
	}
	return nil
}
