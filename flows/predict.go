package flows

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/simulate"
)

// PredictionLabel says plainly what a Prediction is, for screens and JSON.
const PredictionLabel = "the wizard's prediction: the plan applied to a copy of the org as read, evaluated here; not Okta's answer"

// OrgSnapshot is the part of an org a prediction reads: apps, app sign-in policies and their
// rules, the groups of the users a query may name, and the Everyone group.
type OrgSnapshot = simulate.Org

// Prediction is what the wizard expects Okta to decide once the plan is sent.
type Prediction struct {
	Label  string                 `json:"label"`
	Result *okta.SimulationResult `json:"result"`
	// Rule is the deciding rule as the copy holds it after the plan (nil when none decides).
	Rule *okta.Rule `json:"rule,omitempty"`
}

// predictedID stands in for the id Okta will give the object step stepID creates.
func predictedID(stepID string) string { return "predicted-" + stepID }

// Predict applies plan to a copy of org and evaluates q there (see okta/simulate). Ids the plan
// has not created yet (placeholders) may appear in q and are resolved like the plan's own.
func Predict(plan Plan, org OrgSnapshot, q okta.SimulationRequest) (*Prediction, error) {
	if causes := simulate.Validate(q); len(causes) > 0 {
		return nil, &simulate.InvalidError{Causes: causes}
	}
	copyOrg, created, err := applyPlan(plan, org)
	if err != nil {
		return nil, err
	}
	q.AppInstance = resolveID(q.AppInstance, created)
	if d := q.PolicyContext.Device; d != nil {
		dc := *d
		dc.AssuranceID = resolveID(dc.AssuranceID, created)
		q.PolicyContext.Device = &dc
	}
	res, err := simulate.Evaluate(copyOrg, q)
	if err != nil {
		return nil, err
	}
	out := &Prediction{Label: PredictionLabel, Result: res}
	if p, r, ok := res.Decision(string(okta.TypeAccessPolicy)); ok {
		for _, rule := range copyOrg.Rules[p.ID] {
			if rule.ID == r.ID {
				rule := rule
				out.Rule = &rule
			}
		}
	}
	return out, nil
}

func resolveID(id string, created map[string]string) string {
	s, err := Step{PolicyID: id}.Resolve(created)
	if err != nil {
		return id
	}
	return s.PolicyID
}

// applyPlan returns a deep enough copy of org with the plan's effects on apps, app sign-in
// policies and their rules; steps on other objects (DSC policies, mappings, assurance
// policies) change nothing an evaluation reads, but their ids are predicted too.
func applyPlan(plan Plan, org OrgSnapshot) (OrgSnapshot, map[string]string, error) {
	out := org
	out.Apps = slices.Clone(org.Apps)
	out.Policies = slices.Clone(org.Policies)
	out.Rules = make(map[string][]okta.Rule, len(org.Rules))
	for id, rs := range org.Rules {
		out.Rules[id] = slices.Clone(rs)
	}
	created := map[string]string{}
	for i, s := range plan.Steps {
		if createsObject(s.Action) {
			created[s.ID] = predictedID(s.ID)
		}
		step, err := s.Resolve(created)
		if err != nil {
			return out, nil, fmt.Errorf("%s: %w", s.Label(i), err)
		}
		if err := applyStep(&out, step); err != nil {
			return out, nil, fmt.Errorf("%s: %w", s.Label(i), err)
		}
	}
	return out, created, nil
}

func lifecycleStatus(active bool) string {
	if active {
		return okta.StatusActive
	}
	return okta.StatusInactive
}

func applyStep(org *OrgSnapshot, s Step) error {
	policyAt := slices.IndexFunc(org.Policies, func(p okta.Policy) bool { return p.ID == s.PolicyID })
	ruleAt := slices.IndexFunc(org.Rules[s.PolicyID], func(r okta.Rule) bool { return r.ID == s.ObjectID })
	switch s.Action {
	case ActCreatePolicy:
		p, err := bodyAs[okta.Policy](s)
		if err != nil || p.Type != okta.TypeAccessPolicy {
			return err
		}
		p.ID, p.Status = predictedID(s.ID), lifecycleStatus(s.Activate)
		org.Policies = append(org.Policies, p)
		// Okta gives every new app sign-in policy its catch-all rule.
		org.Rules[p.ID] = []okta.Rule{{ID: predictedID(s.ID) + "-catch-all", Name: "Catch-all Rule", Type: okta.TypeAccessPolicy,
			Status: okta.StatusActive, System: true, Priority: intPtr(99)}}
	case ActReplacePolicy:
		if policyAt >= 0 {
			p, err := bodyAs[okta.Policy](s)
			if err != nil {
				return err
			}
			p.ID = s.PolicyID
			if p.Status == "" {
				p.Status = org.Policies[policyAt].Status
			}
			org.Policies[policyAt] = p
		}
	case ActActivatePolicy, ActDeactivatePolicy:
		if policyAt >= 0 {
			org.Policies[policyAt].Status = lifecycleStatus(s.Action == ActActivatePolicy)
		}
	case ActDeletePolicy:
		if policyAt >= 0 {
			org.Policies = slices.Delete(org.Policies, policyAt, policyAt+1)
			delete(org.Rules, s.PolicyID)
		}
	case ActCreateRule, ActReplaceRule:
		if policyAt < 0 {
			return nil // a rule of a policy the evaluation does not read (e.g. a DSC policy)
		}
		r, err := bodyAs[okta.Rule](s)
		if err != nil {
			return err
		}
		rules := org.Rules[s.PolicyID]
		if s.Action == ActCreateRule {
			r.ID, r.Status = predictedID(s.ID), lifecycleStatus(s.Activate)
		} else {
			if ruleAt < 0 {
				return fmt.Errorf("rule %s is not in the copy of policy %s", s.ObjectID, s.PolicyID)
			}
			r.ID = s.ObjectID
			if r.Status == "" {
				r.Status = rules[ruleAt].Status
			}
			r.System = rules[ruleAt].System
			rules = slices.Delete(rules, ruleAt, ruleAt+1)
		}
		org.Rules[s.PolicyID] = placeRule(rules, r)
	case ActActivateRule:
		if ruleAt >= 0 {
			org.Rules[s.PolicyID][ruleAt].Status = okta.StatusActive
		}
	case ActDeleteRule:
		if ruleAt >= 0 {
			org.Rules[s.PolicyID] = slices.Delete(org.Rules[s.PolicyID], ruleAt, ruleAt+1)
		}
	case ActAssignAppPolicy:
		for i := range org.Apps {
			if org.Apps[i].ID == s.ObjectID {
				org.Apps[i].AccessPolicyID = s.PolicyID
			}
		}
	}
	return nil
}

// placeRule inserts r among the ordinary rules at its priority (absent or too large = last)
// and renumbers them, the catch-all kept last, as Okta does.
func placeRule(rules []okta.Rule, r okta.Rule) []okta.Rule {
	var normal, system []okta.Rule
	for _, x := range rules {
		if x.System {
			system = append(system, x)
		} else {
			normal = append(normal, x)
		}
	}
	slices.SortStableFunc(normal, func(a, b okta.Rule) int { return rulePriority(a) - rulePriority(b) })
	pos := len(normal)
	if r.Priority != nil && *r.Priority >= 1 && *r.Priority-1 < len(normal) {
		pos = *r.Priority - 1
	}
	normal = slices.Insert(normal, pos, r)
	for i := range normal {
		normal[i].Priority = intPtr(i + 1)
	}
	return append(normal, system...)
}

// LoadSnapshot reads what Predict needs for q after plan: the app, every app sign-in policy
// the app may use (its own and those the plan assigns or changes) with their rules, the
// user's groups and the Everyone group.
func LoadSnapshot(ctx context.Context, api okta.API, plan Plan, q okta.SimulationRequest) (OrgSnapshot, error) {
	org := OrgSnapshot{Rules: map[string][]okta.Rule{}, UserGroups: map[string][]string{}}
	policyIDs := map[string]bool{}
	if !isPlaceholder(q.AppInstance) {
		app, err := api.GetApp(ctx, q.AppInstance)
		if err != nil {
			return org, fmt.Errorf("reading app %s: %w", q.AppInstance, err)
		}
		org.Apps = append(org.Apps, *app)
		if app.AccessPolicyID != "" {
			policyIDs[app.AccessPolicyID] = true
		}
	}
	for _, s := range plan.Steps {
		if s.PolicyID != "" && !isPlaceholder(s.PolicyID) && s.Action != ActMapResource && s.Action != ActDeleteMapping {
			policyIDs[s.PolicyID] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(policyIDs)) {
		p, err := api.GetPolicy(ctx, id)
		if okta.IsNotFound(err) {
			continue
		}
		if err != nil {
			return org, fmt.Errorf("reading policy %s: %w", id, err)
		}
		if p.Type != okta.TypeAccessPolicy {
			continue
		}
		rules, err := api.ListRules(ctx, id)
		if err != nil {
			return org, fmt.Errorf("reading the rules of policy %s: %w", id, err)
		}
		org.Policies = append(org.Policies, *p)
		org.Rules[id] = rules
	}
	if u := q.PolicyContext.User; u != nil && u.ID != "" {
		groups, err := api.ListUserGroups(ctx, u.ID)
		if err != nil {
			return org, fmt.Errorf("reading the groups of user %s: %w", u.ID, err)
		}
		ids := []string{}
		for _, g := range groups {
			ids = append(ids, g.ID)
		}
		org.UserGroups[u.ID] = ids
	}
	everyone, err := api.FindGroupsByName(ctx, "Everyone")
	if err != nil {
		return org, fmt.Errorf("reading the Everyone group: %w", err)
	}
	for _, g := range everyone {
		if g.Type == "BUILT_IN" {
			org.EveryoneGroupID = g.ID
		}
	}
	return org, nil
}
