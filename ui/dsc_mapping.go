package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
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
				if dsc := f.mappedTo(p.ID); dsc != "" {
					label += " (now mapped to “" + dsc + "”)"
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
	dsc, err := api.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	if err != nil {
		return nil, fmt.Errorf("listing signal collection policies: %w", err)
	}
	mappings := map[string][]okta.PolicyMapping{}
	for _, p := range dsc {
		ms, err := api.ListMappings(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("listing the mappings of “%s”: %w", p.Name, err)
		}
		mappings[p.ID] = ms
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

// mappedPolicyID is the ACCESS_POLICY a mapping maps: named by its "policy" link when present,
// else by its id (Okta gives a mapping the id of the mapped policy).
func mappedPolicyID(m okta.PolicyMapping) string {
	if raw, ok := m.Links["policy"]; ok {
		if href := linkHref(raw); href != "" {
			return path.Base(href)
		}
	}
	return m.ID
}

// mappedTo names the signal collection policy that maps the app sign-in policy id, if any.
func (f *dscFlow) mappedTo(id string) string {
	for _, p := range f.org.dscPolicies {
		for _, m := range f.org.mappings[p.ID] {
			if mappedPolicyID(m) == id {
				return p.Name
			}
		}
	}
	return ""
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
	if !d.AppPolicy.IsNew() {
		if other := f.mappedTo(d.AppPolicy.ExistingID); other != "" {
			fmt.Fprintf(&b, "\nnote: it is mapped to “%s” today", other)
		}
	}
	var existing []string
	for _, p := range f.org.dscPolicies {
		var names []string
		for _, m := range f.org.mappings[p.ID] {
			names = append(names, "“"+f.policyName(mappedPolicyID(m))+"”")
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

// linkHref reads the href of a _links member (a Link object; a list yields nothing).
func linkHref(raw []byte) string {
	var l okta.Link
	if err := json.Unmarshal(raw, &l); err != nil {
		return ""
	}
	return l.Href
}
