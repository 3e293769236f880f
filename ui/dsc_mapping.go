package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Stage 3: map app sign-in policies to the signal collection policy.
func newStage3(f *dscFlow) *dscStage {
	d := &f.draft
	return newDSCStage(f, flows.StageMapping, []page{{
		needs: "dsc",
		load:  f.loadMappings,
		group: func() *huh.Group {
			var fields []huh.Field
			var opts []huh.Option[string]
			for _, p := range f.org.accessPolicies {
				if p.ID == d.AppPolicy.ExistingID {
					continue
				}
				label := p.Name
				if dsc, mapped := f.org.dscOrg().MappedTo(p.ID); mapped {
					label += " · mapped to “" + dsc.Name + "”: can't be mapped"
				}
				opts = append(opts, huh.NewOption(label, p.ID))
			}
			if len(opts) == 0 {
				fields = append(fields, huh.NewConfirm().Title("No other app sign-in policy to map. Continue?").
					Affirmative("Continue").Negative("").Value(new(bool)))
			} else {
				fields = append(fields, huh.NewMultiSelect[string]().
					Title("Also map these app sign-in policies (optional)").
					Description("x toggles, / filters, enter continues.").
					Options(opts...).
					Filterable(true).
					Height(min(len(opts)+2, 9)).
					Validate(f.validateExtraMappings).
					Value(&d.ExtraMappings))
			}
			return huh.NewGroup(fields...)
		},
		info: f.mappingSummary,
		done: func() {
			d.ExtraMappingNames = map[string]string{}
			for _, id := range d.ExtraMappings {
				d.ExtraMappingNames[id] = f.policyName(id)
			}
		},
	}})
}

// loadMappings reads the org's signal collection policies and what each maps, so the stage
// shows what is mapped already.
func (f *dscFlow) loadMappings(ctx context.Context) (func(*orgData), error) {
	api := f.c.API
	dsc, mappings, err := readDSCMappings(ctx, api)
	if err != nil {
		return nil, err
	}
	var access []okta.Policy
	if f.org.accessPolicies == nil {
		if access, err = api.ListPolicies(ctx, okta.TypeAccessPolicy); err != nil {
			return nil, fmt.Errorf("listing app sign-in policies: %w", err)
		}
	}
	return func(o *orgData) {
		o.dscPolicies, o.mappings = dsc, mappings
		if access != nil {
			o.accessPolicies = access
		}
	}, nil
}

// readDSCMappings lists the signal collection policies and the mappings of each.
func readDSCMappings(ctx context.Context, api okta.API) ([]okta.Policy, map[string][]okta.PolicyMapping, error) {
	dsc, err := api.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	if err != nil {
		return nil, nil, fmt.Errorf("listing signal collection policies: %w", err)
	}
	mappings := map[string][]okta.PolicyMapping{}
	for _, p := range dsc {
		ms, err := api.ListMappings(ctx, p.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("listing the mappings of “%s”: %w", p.Name, err)
		}
		mappings[p.ID] = ms
	}
	return dsc, mappings, nil
}

// validateExtraMappings refuses policies another signal collection policy maps (Okta would
// answer E0000001 after the other objects were made).
func (f *dscFlow) validateExtraMappings(ids []string) error {
	for _, id := range ids {
		if why := f.org.dscOrg().MappedElsewhereReason(id); why != "" {
			return fmt.Errorf("“%s” can't be mapped: %s. Unselect it (x)", f.policyName(id), why)
		}
	}
	return nil
}

// mappingSummary says what the flow maps and what the org maps already.
func (f *dscFlow) mappingSummary() string {
	d := f.draft
	var b strings.Builder
	app := d.AppPolicy.Name
	if !d.AppPolicy.IsNew() {
		app = d.AppPolicy.ExistingName
	}
	fmt.Fprintf(&b, "This flow maps “%s” → “%s”.", app, d.Name)
	var existing []string
	for _, p := range f.org.dscPolicies {
		var names []string
		for _, m := range f.org.mappings[p.ID] {
			names = append(names, "“"+f.policyName(flows.MappingTarget(m, p.ID))+"”")
		}
		status := strings.ToLower(p.Status)
		if len(names) == 0 {
			existing = append(existing, fmt.Sprintf("“%s” (%s) maps nothing", p.Name, status))
			continue
		}
		existing = append(existing, fmt.Sprintf("“%s” (%s) maps %s", p.Name, status, strings.Join(names, ", ")))
	}
	if len(existing) == 0 {
		b.WriteString("\nThe org has no signal collection policy yet.")
	} else {
		b.WriteString("\nAlready in the org:")
		for _, e := range existing {
			b.WriteString("\n  " + e)
		}
	}
	return b.String()
}
