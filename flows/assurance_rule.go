package flows

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// StepAssuranceRule is the id of the single step of an assurance rule plan.
const StepAssuranceRule = "assurance-rule"

// Validate checks the answers; an empty result means Plan will not refuse them.
func (d AssuranceRuleDraft) Validate() []FieldError {
	var errs fieldErrors
	errs.check("policyId", ValidateID("App sign-in policy")(d.PolicyID))
	errs.check("name", ValidateName("Rule name")(d.Name))
	if d.Existing != nil {
		if d.Existing.ID == "" {
			errs.add("existing", "the rule being edited has no id: pick it again from the list")
		}
		if d.Existing.Type != "" && d.Existing.Type != okta.TypeAccessPolicy {
			errs.add("existing", "rule type %s is not an app sign-in rule: pick a rule of an app sign-in policy", d.Existing.Type)
		}
		if d.Existing.System {
			errs.add("existing", "the catch-all rule can't take device conditions: pick another rule or add a new one")
		}
	}
	// An existing rule keeps its access when none is chosen; a new one needs a choice.
	if (d.Existing == nil || d.Access != "") && !oneOf(d.Access, AccessAllow, AccessDeny) {
		errs.add("access", "access %q is not a choice: choose ALLOW or DENY", d.Access)
	}
	if len(d.AssuranceIDs) == 0 {
		errs.add("assuranceIds", "no device assurance policy chosen: choose at least one (several are ORed)")
	}
	checkIDList(&errs, "assuranceIds", "Device assurance policy", d.AssuranceIDs)
	checkProtectApps(&errs, "protectApps", d.ProtectApps)
	if d.Priority < 0 || (d.Existing == nil && d.Priority < 1) {
		errs.add("priority", "priority %d is not a position: choose 1 or more (1 is the first rule)", d.Priority)
	}
	return errs
}

// Plan validates the draft and returns its one request: create the rule, or replace the picked
// rule with its whole self changed only where the user changed it.
func (d AssuranceRuleDraft) Plan() (Plan, error) {
	if err := asError(d.Validate()); err != nil {
		return Plan{}, err
	}
	body, err := d.Body()
	if err != nil {
		return Plan{}, err
	}
	policy := d.PolicyName
	if policy == "" {
		policy = d.PolicyID
	}
	name := strings.TrimSpace(d.Name)
	step := Step{ID: StepAssuranceRule, Stage: 1, PolicyID: d.PolicyID, Body: body}
	if d.Existing == nil {
		step.Title = fmt.Sprintf("Add rule “%s” requiring device assurance to “%s”", name, policy)
		step.Action = ActCreateRule
		step.Activate = true
	} else {
		before, err := cloneRule(*d.Existing)
		if err != nil {
			return Plan{}, err
		}
		step.Title = fmt.Sprintf("Update rule “%s” of “%s” to require device assurance", name, policy)
		step.Action = ActReplaceRule
		step.ObjectID = d.Existing.ID
		step.Before = &before
	}
	steps := append([]Step{step}, protectSteps(d.ProtectApps, 1, d.PolicyID, policy, []string{StepAssuranceRule})...)
	return Plan{Flow: FlowAssuranceRule, Title: step.Title, Steps: steps}, nil
}

// Body is the request body of the draft (it does not validate; Plan does).
func (d AssuranceRuleDraft) Body() (*okta.Rule, error) {
	if d.Existing == nil {
		priority := d.Priority
		device := &okta.DeviceCondition{
			Registered: boolPtr(true),
			Assurance:  &okta.AssuranceIDList{Include: append([]string(nil), d.AssuranceIDs...)},
		}
		if d.Managed {
			device.Managed = boolPtr(true)
		}
		return &okta.Rule{
			Type:       okta.TypeAccessPolicy,
			Name:       strings.TrimSpace(d.Name),
			Priority:   &priority,
			Conditions: &okta.RuleConditions{Device: device},
			Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: d.Access}},
		}, nil
	}
	r, err := cloneRule(*d.Existing)
	if err != nil {
		return nil, err
	}
	// Read-only and lifecycle members are not sent; status changes through lifecycle calls.
	r.ID, r.Status, r.Created, r.LastUpdated, r.Links = "", "", nil, nil, nil
	r.Name = strings.TrimSpace(d.Name)
	if d.Priority > 0 {
		r.Priority = intPtr(d.Priority)
	}
	if r.Conditions == nil {
		r.Conditions = &okta.RuleConditions{}
	}
	if r.Conditions.Device == nil {
		r.Conditions.Device = &okta.DeviceCondition{}
	}
	dev := r.Conditions.Device
	dev.Registered = boolPtr(true) // assurance needs registered devices
	switch {
	case d.Managed:
		dev.Managed = boolPtr(true)
	case dev.Managed != nil && *dev.Managed:
		dev.Managed = nil // the user dropped the managed requirement
	}
	dev.Assurance = &okta.AssuranceIDList{Include: append([]string(nil), d.AssuranceIDs...)}
	if d.Access != "" {
		if r.Actions == nil {
			r.Actions = &okta.RuleActions{}
		}
		if r.Actions.AppSignOn == nil {
			r.Actions.AppSignOn = &okta.AppSignOn{}
		}
		r.Actions.AppSignOn.Access = d.Access
	}
	return &r, nil
}

// DraftFromRule fills the form from an existing rule of policy policyID.
func DraftFromRule(policyID, policyName string, r okta.Rule) AssuranceRuleDraft {
	existing, err := cloneRule(r)
	if err != nil {
		existing = r
	}
	d := AssuranceRuleDraft{PolicyID: policyID, PolicyName: policyName, Existing: &existing, Name: r.Name}
	if r.Priority != nil {
		d.Priority = *r.Priority
	}
	if r.Actions != nil && r.Actions.AppSignOn != nil {
		d.Access = r.Actions.AppSignOn.Access
	}
	if r.Conditions != nil && r.Conditions.Device != nil {
		dev := r.Conditions.Device
		d.Managed = derefBool(dev.Managed)
		if dev.Assurance != nil {
			d.AssuranceIDs = append([]string(nil), dev.Assurance.Include...)
		}
	}
	return d
}

// cloneRule deep-copies a rule, unknown members included.
func cloneRule(r okta.Rule) (okta.Rule, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return okta.Rule{}, err
	}
	var out okta.Rule
	err = json.Unmarshal(b, &out)
	return out, err
}
