package signin

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// request is the simulation request of the sign-in (app sign-in policies only); userID is the
// id of the user the sign-in names, when it names one.
func (q Query) request(userID string) okta.SimulationRequest {
	req := okta.SimulationRequest{PolicyTypes: []string{string(okta.TypeAccessPolicy)}, AppInstance: q.AppID}
	pc := &req.PolicyContext
	if q.Who == whoUser {
		pc.User = &okta.SimUser{ID: userID}
	} else {
		pc.Groups = &okta.SimIDs{IDs: []string{q.Who}}
	}
	registered, managed := q.Registered, q.Managed
	pc.Device = &okta.SimDevice{Platform: q.Platform, Registered: &registered, Managed: &managed, AssuranceID: q.AssuranceID}
	if q.ZoneID != "" {
		pc.Zones = &okta.SimIDs{IDs: []string{q.ZoneID}}
	}
	return req
}

// simulate asks Okta, then reads the deciding policy's rules for their order and actions.
func simulate(ctx context.Context, api okta.API, q Query) (outcome, error) {
	userID, err := resolveUser(ctx, api, q)
	if err != nil {
		return outcome{}, err
	}
	res, err := api.SimulatePolicy(ctx, q.request(userID))
	if err != nil {
		return outcome{}, err
	}
	return outcomeOf(res, func(policyID string) ([]okta.Rule, error) { return api.ListRules(ctx, policyID) })
}

// predict applies plan to a copy of the policies, rules and apps it touches, read from the org
// now, and evaluates the sign-in there (flows.Predict): the wizard's prediction, not Okta's.
func predict(ctx context.Context, api okta.API, plan flows.Plan, q Query) (outcome, error) {
	userID, err := resolveUser(ctx, api, q)
	if err != nil {
		return outcome{}, err
	}
	req := q.request(userID)
	snap, err := flows.LoadSnapshot(ctx, api, plan, req)
	if err != nil {
		return outcome{}, fmt.Errorf("reading what the plan touches: %w", err)
	}
	p, err := flows.Predict(plan, snap, req)
	if err != nil {
		return outcome{}, err
	}
	o, err := outcomeOf(p.Result, func(policyID string) ([]okta.Rule, error) {
		// The copy's rules are the org's as read plus the one that decides (a rule the plan
		// adds is known only through the prediction).
		rules := slices.Clone(snap.Rules[policyID])
		if p.Rule != nil && !slices.ContainsFunc(rules, func(r okta.Rule) bool { return r.ID == p.Rule.ID }) {
			rules = append(rules, *p.Rule)
		}
		return rules, nil
	})
	if err == nil && o.decided && o.grant.access == "ALLOW" && o.grant.factors == "" && p.Rule != nil && !hasVerificationMethod(*p.Rule) {
		// A new rule's body names no factors: Okta sets its defaults when it creates it.
		o.grant.factors = "the factors Okta gives a new rule"
	}
	return o, err
}

func hasVerificationMethod(r okta.Rule) bool {
	if r.Actions == nil || r.Actions.AppSignOn == nil {
		return false
	}
	_, ok := r.Actions.AppSignOn.Extra["verificationMethod"]
	return ok
}

// resolveUser finds the id of the user the sign-in names by login (or takes the id typed).
func resolveUser(ctx context.Context, api okta.API, q Query) (string, error) {
	typed := strings.TrimSpace(q.User)
	if q.Who != whoUser || strings.HasPrefix(typed, "00u") {
		return typed, nil
	}
	users, err := api.ListUsers(ctx, typed)
	if err != nil {
		return "", fmt.Errorf("looking up the user %q: %w", typed, err)
	}
	for _, u := range users {
		if strings.EqualFold(u.Profile.Login, typed) || strings.EqualFold(u.Profile.Email, typed) {
			return u.ID, nil
		}
	}
	return "", fmt.Errorf("the org has no user with the login %q: type their login or id (00u…)", typed)
}

// outcomeOf turns an answer into what the screen shows: the rules tried in priority order,
// the deciding one last, and what it gives. rulesOf reads a policy's rules (for priorities and
// actions, which the answer leaves out).
func outcomeOf(res *okta.SimulationResult, rulesOf func(policyID string) ([]okta.Rule, error)) (outcome, error) {
	var eval *okta.PolicyEvaluation
	for i := range res.Evaluation {
		if res.Evaluation[i].PolicyType == string(okta.TypeAccessPolicy) {
			eval = &res.Evaluation[i]
		}
	}
	if eval == nil {
		return outcome{note: "The answer has no app sign-in policy evaluation."}, nil
	}
	var o outcome
	var tried []okta.SimRule
	policy, decider, decided := res.Decision(string(okta.TypeAccessPolicy))
	// Rules tried before the decider come under evaluated and undefined, in the same policy.
	for _, group := range []okta.SimPolicies{eval.Evaluated, eval.Undefined, eval.Result} {
		for _, p := range group.Policies {
			if o.policyID == "" || p.ID == policy.ID {
				o.policyID, o.policyName = p.ID, p.Name
			}
			for _, r := range p.Rules {
				if !(decided && r.ID == decider.ID) {
					tried = append(tried, r)
				}
			}
		}
	}
	if decided {
		o.policyID, o.policyName = policy.ID, policy.Name
	}
	var rules []okta.Rule
	if o.policyID != "" {
		var err error
		if rules, err = rulesOf(o.policyID); err != nil {
			return outcome{}, fmt.Errorf("reading the rules of “%s”: %w", o.policyName, err)
		}
	}
	position := func(id string) (int, bool) {
		for _, r := range rules {
			if r.ID == id {
				if r.System || r.Priority == nil {
					return 1 << 30, true
				}
				return *r.Priority, true
			}
		}
		return 0, false
	}
	// In priority order when every rule tried is known; else as the answer lists them.
	if !slices.ContainsFunc(tried, func(r okta.SimRule) bool { _, ok := position(r.ID); return !ok }) {
		slices.SortStableFunc(tried, func(a, b okta.SimRule) int {
			pa, _ := position(a.ID)
			pb, _ := position(b.ID)
			return cmp.Compare(pa, pb)
		})
	}
	if decided {
		tried = append(tried, decider)
	}
	for _, r := range tried {
		t := triedRule{id: r.ID, name: r.Name, status: r.Status}
		for _, c := range r.Conditions {
			t.conditions = append(t.conditions, condition{kind: c.Type, status: c.Status})
		}
		o.tried = append(o.tried, t)
	}
	o.decided = decided
	if !decided {
		o.note = "No rule of the app's policy matched this sign-in, so Okta denies it."
		if o.policyID == "" {
			o.note = "The app has no app sign-in policy to evaluate."
		}
		return o, nil
	}
	for _, r := range rules {
		if r.ID == decider.ID {
			o.grant = grantOf(r)
		}
	}
	return o, nil
}
