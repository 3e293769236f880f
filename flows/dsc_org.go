package flows

import (
	"fmt"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// DSCOrg is what the org already has that a device signal collection walk can collide with:
// Okta refuses a policy name used by another policy of the same type, a rule name used in the
// same policy, and mapping an app sign-in policy that another DSC policy maps (E0000001). Known
// beforehand, these are refused at their stage instead of half-way through a run.
type DSCOrg struct {
	AccessPolicies []okta.Policy
	DSCPolicies    []okta.Policy
	// Mappings: DSC policy id -> its mappings.
	Mappings map[string][]okta.PolicyMapping
	// Rules: ACCESS_POLICY id -> its rules (only the picked policy's need be known).
	Rules map[string][]okta.Rule
}

// MappedTo returns the DSC policy that maps the app sign-in policy id, if any.
func (o DSCOrg) MappedTo(accessPolicyID string) (okta.Policy, bool) {
	for _, p := range o.DSCPolicies {
		for _, m := range o.Mappings[p.ID] {
			if MappingTarget(m, p.ID) == accessPolicyID {
				return p, true
			}
		}
	}
	return okta.Policy{}, false
}

// MappedElsewhereReason says why an app sign-in policy cannot be mapped to a new DSC policy,
// or "" when it can.
func (o DSCOrg) MappedElsewhereReason(accessPolicyID string) string {
	p, ok := o.MappedTo(accessPolicyID)
	if !ok {
		return ""
	}
	return fmt.Sprintf("“%s” maps it already (a policy takes one)", p.Name)
}

// PolicyNameTaken returns the policy of type t named name (trimmed, as Okta compares), if any.
func (o DSCOrg) PolicyNameTaken(t okta.PolicyType, name string) (okta.Policy, bool) {
	list := o.AccessPolicies
	if t == okta.TypeDeviceSignalCollection {
		list = o.DSCPolicies
	}
	name = strings.TrimSpace(name)
	for _, p := range list {
		if name != "" && strings.TrimSpace(p.Name) == name {
			return p, true
		}
	}
	return okta.Policy{}, false
}

// CheckDSCOrg refuses the answers the org would refuse: each error names the field (so
// DSCFieldStage sends the user to its stage) and the fix.
func CheckDSCOrg(d DSCDraft, o DSCOrg) []FieldError {
	var errs fieldErrors
	if d.AppPolicy.IsNew() {
		if _, taken := o.PolicyNameTaken(okta.TypeAccessPolicy, d.AppPolicy.Name); taken {
			errs.add("appPolicy.name", "an app sign-in policy named “%s” exists: pick it from the list or choose another name", strings.TrimSpace(d.AppPolicy.Name))
		}
	} else if why := o.MappedElsewhereReason(d.AppPolicy.ExistingID); why != "" {
		errs.add("appPolicy.existingId", "“%s” can't be picked: %s. Pick another or create one", d.appPolicyName(), why)
	}
	if !d.AppPolicy.IsNew() && d.AppRule.ReuseID == "" {
		name := strings.TrimSpace(d.AppRule.Name)
		for _, r := range o.Rules[d.AppPolicy.ExistingID] {
			if name != "" && strings.TrimSpace(r.Name) == name {
				errs.add("appRule.name", "“%s” already has a rule named “%s”: choose another rule name", d.appPolicyName(), name)
				break
			}
		}
	}
	if _, taken := o.PolicyNameTaken(okta.TypeDeviceSignalCollection, d.Name); taken {
		errs.add("name", "a signal collection policy named “%s” exists: choose another name", strings.TrimSpace(d.Name))
	}
	for i, id := range d.ExtraMappings {
		if why := o.MappedElsewhereReason(id); why != "" {
			name := d.ExtraMappingNames[id]
			if name == "" {
				name = id
			}
			errs.add(fmt.Sprintf("extraMappings[%d]", i), "“%s” can't be mapped: %s. Unselect it (x)", name, why)
		}
	}
	return errs
}

// CheckDSCOrgStage is CheckDSCOrg limited to the fields of one stage.
func CheckDSCOrgStage(d DSCDraft, o DSCOrg, stage int) []FieldError {
	var out []FieldError
	for _, fe := range CheckDSCOrg(d, o) {
		if DSCFieldStage(fe.Field) == stage {
			out = append(out, fe)
		}
	}
	return out
}
