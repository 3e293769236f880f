// Package simulate evaluates app sign-in policies for a simulated sign-in the way Okta's
// policy simulation (POST /api/v1/policies/simulate) reports it: the app's ACCESS_POLICY, its
// active rules in priority order, each rule condition MATCH, NOT_MATCH or UNDEFINED. The
// sandbox answers the endpoint with it, and the wizard predicts with it what a plan not yet
// sent would do. It reads nothing but its arguments.
//
// How a context decides a condition:
//   - people.groups.include / exclude: the context's groups (or the user's groups), the
//     Everyone group always included. Neither user nor groups: UNDEFINED.
//   - people.users.include / exclude: the context's user; a group-only context: UNDEFINED.
//   - device.registered, device.managed: the context device's value; unset: UNDEFINED.
//   - device.assurance.include: the context's assuranceId is one of them; unset: UNDEFINED.
//   - platform.include / exclude: the context platform against each entry's type (MOBILE,
//     DESKTOP, ANY) and os.type (IOS, ANDROID, OSX, WINDOWS, CHROMEOS, OTHER, ANY).
//   - network.zones.include / exclude (connection ZONE): the context's zones; ALL_ZONES is any
//     zone. No zones: UNDEFINED. Connection ANYWHERE is no condition.
//   - riskScore: the context risk level equals the rule's; ANY is no condition; unset: UNDEFINED.
//   - Any other condition (elCondition, userType, ...): UNDEFINED.
//
// A rule with every condition MATCH matches; one NOT_MATCH makes it NOT_MATCH; otherwise it is
// UNDEFINED. The first matching rule decides (result); rules not matched before it are in
// evaluated, undecidable ones in undefined. The catch-all has no conditions and always matches.
package simulate

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Org is what an evaluation reads: the apps, policies and rules it may touch, the group ids of
// users a context may name, and the id of the Everyone group every user belongs to.
type Org struct {
	Apps            []okta.App
	Policies        []okta.Policy
	Rules           map[string][]okta.Rule // policy id -> rules
	UserGroups      map[string][]string    // user id -> group ids
	EveryoneGroupID string
	// DefaultPolicies names the policy reported for a type other than ACCESS_POLICY
	// (type -> policy); such types are not evaluated rule by rule.
	DefaultPolicies map[string]okta.Policy
}

// NotFoundError is a request naming an app or user the org does not have.
type NotFoundError struct {
	Kind string // "AppInstance" or "User"
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("no %s %s", e.Kind, e.ID) }

// PolicyTypes are the types a simulation may ask for, in the order Okta answers them.
var PolicyTypes = []string{"OKTA_SIGN_ON", "MFA_ENROLL", "ACCESS_POLICY", "PROFILE_ENROLLMENT"}

// Evaluate simulates req against org. The request is assumed valid (see Validate).
func Evaluate(org Org, req okta.SimulationRequest) (*okta.SimulationResult, error) {
	app := findApp(org.Apps, req.AppInstance)
	if app == nil {
		return nil, &NotFoundError{Kind: "AppInstance", ID: req.AppInstance}
	}
	ctx, err := newSignIn(org, req.PolicyContext)
	if err != nil {
		return nil, err
	}
	types := req.PolicyTypes
	if len(types) == 0 {
		types = PolicyTypes
	}
	out := &okta.SimulationResult{Evaluation: []okta.PolicyEvaluation{}}
	for _, t := range PolicyTypes {
		if !slices.Contains(types, t) {
			continue
		}
		var ev okta.PolicyEvaluation
		if t == string(okta.TypeAccessPolicy) {
			ev = evaluateAccessPolicy(org, *app, ctx)
		} else {
			ev = defaultEvaluation(org, t)
		}
		out.Evaluation = append(out.Evaluation, ev)
	}
	return out, nil
}

func findApp(apps []okta.App, id string) *okta.App {
	for i := range apps {
		if apps[i].ID == id {
			return &apps[i]
		}
	}
	return nil
}

func emptyEvaluation(t string) okta.PolicyEvaluation {
	return okta.PolicyEvaluation{
		PolicyType: t,
		Result:     okta.SimPolicies{Policies: []okta.SimPolicy{}},
		Evaluated:  okta.SimPolicies{Policies: []okta.SimPolicy{}},
		Undefined:  okta.SimPolicies{Policies: []okta.SimPolicy{}},
	}
}

// defaultEvaluation reports the type's default policy as matching, without rules.
func defaultEvaluation(org Org, t string) okta.PolicyEvaluation {
	ev := emptyEvaluation(t)
	if p, ok := org.DefaultPolicies[t]; ok {
		ev.Result.Policies = append(ev.Result.Policies, okta.SimPolicy{
			ID: p.ID, Name: p.Name, Status: okta.SimMatch, Conditions: []okta.SimCondition{}, Rules: []okta.SimRule{},
		})
	}
	return ev
}

func evaluateAccessPolicy(org Org, app okta.App, ctx signIn) okta.PolicyEvaluation {
	ev := emptyEvaluation(string(okta.TypeAccessPolicy))
	var policy *okta.Policy
	for i := range org.Policies {
		if org.Policies[i].ID == app.AccessPolicyID {
			policy = &org.Policies[i]
		}
	}
	if policy == nil {
		return ev // the app has no sign-in policy: nothing decides
	}
	simPolicy := func(status string) okta.SimPolicy {
		return okta.SimPolicy{ID: policy.ID, Name: policy.Name, Status: status, Conditions: []okta.SimCondition{}, Rules: []okta.SimRule{}}
	}
	if policy.Status == okta.StatusInactive {
		ev.Evaluated.Policies = append(ev.Evaluated.Policies, simPolicy(okta.SimNotMatch))
		return ev
	}
	var evaluated, undefined []okta.SimRule
	var decided *okta.SimRule
	for _, r := range byPriority(org.Rules[policy.ID]) {
		if r.Status == okta.StatusInactive {
			continue
		}
		sr := evaluateRule(r, ctx)
		switch sr.Status {
		case okta.SimMatch:
			decided = &sr
		case okta.SimNotMatch:
			evaluated = append(evaluated, sr)
		default:
			undefined = append(undefined, sr)
		}
		if decided != nil {
			break
		}
	}
	if decided != nil {
		p := simPolicy(okta.SimMatch)
		p.Rules = []okta.SimRule{*decided}
		ev.Result.Policies = append(ev.Result.Policies, p)
	}
	if len(evaluated) > 0 || decided == nil {
		p := simPolicy(okta.SimMatch)
		if decided == nil {
			p.Status = okta.SimNotMatch
		}
		p.Rules = append(p.Rules, evaluated...)
		ev.Evaluated.Policies = append(ev.Evaluated.Policies, p)
	}
	if len(undefined) > 0 {
		p := simPolicy(okta.SimUndefined)
		p.Rules = undefined
		ev.Undefined.Policies = append(ev.Undefined.Policies, p)
	}
	return ev
}

// byPriority orders rules by priority, the catch-all (system) last; a missing priority sorts
// after the numbered ones.
func byPriority(rules []okta.Rule) []okta.Rule {
	out := slices.Clone(rules)
	prio := func(r okta.Rule) int {
		if r.System {
			return 1 << 30
		}
		if r.Priority == nil {
			return 1<<30 - 1
		}
		return *r.Priority
	}
	slices.SortStableFunc(out, func(a, b okta.Rule) int { return cmp.Compare(prio(a), prio(b)) })
	return out
}

func evaluateRule(r okta.Rule, ctx signIn) okta.SimRule {
	conds := ruleConditions(r, ctx)
	status := okta.SimMatch
	for _, c := range conds {
		switch c.Status {
		case okta.SimNotMatch:
			status = okta.SimNotMatch
		case okta.SimUndefined:
			if status == okta.SimMatch {
				status = okta.SimUndefined
			}
		}
	}
	return okta.SimRule{ID: r.ID, Name: r.Name, Status: status, Conditions: conds}
}
