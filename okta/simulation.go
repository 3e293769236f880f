package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Simulation statuses (spec: SimulateResultStatus).
const (
	SimMatch     = "MATCH"
	SimNotMatch  = "NOT_MATCH"
	SimUndefined = "UNDEFINED"
)

// SimulationRequest asks which policies and rules apply to a sign-in (spec: SimulatePolicyBody).
// The spec's schema says the body is an array of these, but a real org refuses an array with
// 400 E0000003 (recorded); its example, a single object, is what is sent.
type SimulationRequest struct {
	// PolicyTypes are ACCESS_POLICY, MFA_ENROLL, OKTA_SIGN_ON, PROFILE_ENROLLMENT; nil = all.
	PolicyTypes   []string      `json:"policyTypes,omitempty"`
	AppInstance   string        `json:"appInstance"`
	PolicyContext PolicyContext `json:"policyContext"`
}

// PolicyContext is the sign-in being simulated (spec: PolicyContext): a user or groups (one of
// the two), and optionally the device, network zones, IP and risk level.
type PolicyContext struct {
	User   *SimUser   `json:"user,omitempty"`
	Groups *SimIDs    `json:"groups,omitempty"`
	Device *SimDevice `json:"device,omitempty"`
	Zones  *SimIDs    `json:"zones,omitempty"`
	IP     string     `json:"ip,omitempty"`
	Risk   *SimRisk   `json:"risk,omitempty"`
}

// SimUser names the signing-in user.
type SimUser struct {
	ID string `json:"id"`
}

// SimIDs is the {"ids": [...]} shape of groups and zones.
type SimIDs struct {
	IDs []string `json:"ids"`
}

// SimDevice describes the device. Platform is ANDROID, CHROMEOS, IOS, MACOS, WINDOWS (as in
// device assurance) or OTHER; AssuranceID is the device assurance policy the device satisfies.
type SimDevice struct {
	Platform    string `json:"platform,omitempty"`
	Registered  *bool  `json:"registered,omitempty"`
	Managed     *bool  `json:"managed,omitempty"`
	AssuranceID string `json:"assuranceId,omitempty"`
}

// SimRisk is the risk level: LOW, MEDIUM or HIGH.
type SimRisk struct {
	Level string `json:"level"`
}

// SimulationResult is Okta's answer: one evaluation per policy type.
type SimulationResult struct {
	Evaluation []PolicyEvaluation `json:"evaluation"`
}

// PolicyEvaluation is the outcome for one policy type: Result holds the policy and the rule
// that decide, Evaluated those tried and not matched, Undefined those the context could not
// decide (spec: SimulatePolicyEvaluations).
type PolicyEvaluation struct {
	PolicyType string      `json:"policyType"`
	Status     *string     `json:"status"`
	Result     SimPolicies `json:"result"`
	Evaluated  SimPolicies `json:"evaluated"`
	Undefined  SimPolicies `json:"undefined"`
}

// UnmarshalJSON accepts policyType as a string (the spec's example and Okta's answer) or as
// an array of one (the spec's schema).
func (e *PolicyEvaluation) UnmarshalJSON(b []byte) error {
	type plain PolicyEvaluation
	var raw struct {
		plain
		PolicyType json.RawMessage `json:"policyType"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*e = PolicyEvaluation(raw.plain)
	e.PolicyType = ""
	if len(raw.PolicyType) == 0 || string(raw.PolicyType) == "null" {
		return nil
	}
	if json.Unmarshal(raw.PolicyType, &e.PolicyType) == nil {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw.PolicyType, &list); err != nil {
		return fmt.Errorf("policyType: %w", err)
	}
	if len(list) > 0 {
		e.PolicyType = list[0]
	}
	return nil
}

// SimPolicies is the {"policies": [...]} shape.
type SimPolicies struct {
	Policies []SimPolicy `json:"policies"`
}

// SimPolicy is one policy's part in an evaluation (spec: SimulateResultPoliciesItems).
type SimPolicy struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Conditions []SimCondition `json:"conditions"`
	Rules      []SimRule      `json:"rules"`
}

// SimRule is one rule's part (spec: SimulateResultRules).
type SimRule struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Conditions []SimCondition `json:"conditions"`
}

// SimCondition is one condition of a rule and how it evaluated, e.g. people.groups.include.
type SimCondition struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

// Decision is the policy and rule that decide an evaluation of type policyType; ok is false
// when none matched.
func (r *SimulationResult) Decision(policyType string) (p SimPolicy, rule SimRule, ok bool) {
	if r == nil {
		return SimPolicy{}, SimRule{}, false
	}
	for _, e := range r.Evaluation {
		if e.PolicyType != policyType {
			continue
		}
		for _, p := range e.Result.Policies {
			for _, rule := range p.Rules {
				if rule.Status == SimMatch {
					return p, rule, true
				}
			}
		}
	}
	return SimPolicy{}, SimRule{}, false
}

// simulateQuery asks for the evaluated and undefined policies as well as the result.
var simulateQuery = url.Values{"expand": {"EVALUATED", "UNDEFINED"}}

// SimulatePolicy asks Okta which policies and rules a sign-in meets (POST
// /api/v1/policies/simulate). It changes nothing, so a lost answer is asked again once.
func (c *Client) SimulatePolicy(ctx context.Context, req SimulationRequest) (*SimulationResult, error) {
	const path = "/api/v1/policies/simulate"
	if req.AppInstance == "" {
		return nil, errors.New("SimulatePolicy: an app is required")
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding request for POST %s: %w", path, err)
	}
	resp, err := c.call(ctx, http.MethodPost, path, simulateQuery, b)
	if err != nil && lostResponse(err) {
		resp, err = c.call(ctx, http.MethodPost, path, simulateQuery, b)
	}
	if err != nil {
		return nil, err
	}
	var out SimulationResult
	if err := c.decodeBody(http.MethodPost, path, resp.body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
