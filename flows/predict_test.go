package flows

import (
	"errors"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/simulate"
)

// snapshot: Salesforce.com and Workday use "Any two factors" (only its catch-all); "Sales apps"
// has a rule for Engineering before its catch-all.
func snapshot() OrgSnapshot {
	return OrgSnapshot{
		Apps: []okta.App{{ID: "0oaSalesforce", Label: "Salesforce.com", AccessPolicyID: "rstAnyTwo"},
			{ID: "0oaWorkday", Label: "Workday", AccessPolicyID: "rstAnyTwo"}},
		Policies: []okta.Policy{{ID: "rstAnyTwo", Name: "Any two factors", Type: okta.TypeAccessPolicy, Status: okta.StatusActive},
			{ID: "rstSales", Name: "Sales apps", Type: okta.TypeAccessPolicy, Status: okta.StatusActive}},
		Rules: map[string][]okta.Rule{
			"rstAnyTwo": {{ID: "rulAnyCatch", Name: "Catch-all Rule", Status: okta.StatusActive, System: true, Priority: intPtr(99)}},
			"rstSales": {
				{ID: "rulEng", Name: "Engineering", Status: okta.StatusActive, Priority: intPtr(1),
					Conditions: &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{"00gEng"}}}}},
				{ID: "rulSalesCatch", Name: "Catch-all Rule", Status: okta.StatusActive, System: true, Priority: intPtr(99)},
			},
		},
		UserGroups:      map[string][]string{"00uAlice": {"00gSales"}},
		EveryoneGroupID: "00gEveryone",
	}
}

func salesQuery(registered bool, assurance string) okta.SimulationRequest {
	return okta.SimulationRequest{AppInstance: "0oaSalesforce", PolicyTypes: []string{"ACCESS_POLICY"},
		PolicyContext: okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{"00gSales"}},
			Device: &okta.SimDevice{Registered: &registered, AssuranceID: assurance}}}
}

func TestPredictAppliesThePlanToACopyOfTheOrg(t *testing.T) {
	newPolicy := DSCDraft{
		AppPolicy:   PolicyChoice{Name: "Registered Sales"},
		AppRule:     AppRuleDraft{Name: "Registered devices only", Access: AccessAllow, GroupIDs: []string{"00gSales"}, Priority: 1},
		ProtectApps: []AppProtection{{AppID: "0oaSalesforce", PreviousPolicyID: "rstAnyTwo"}},
		Name:        "Signals", RuleName: "Verify", OktaVerify: true, UserIdentification: UserIdentificationIgnore,
	}
	unprotected := newPolicy
	unprotected.ProtectApps = nil
	assuranceRule := AssuranceRuleDraft{PolicyID: "rstSales", PolicyName: "Sales apps", Name: "Compliant Macs", Access: AccessDeny,
		AssuranceIDs: []string{"daeMac"}, Priority: 1, ProtectApps: []AppProtection{{AppID: "0oaSalesforce", PreviousPolicyID: "rstAnyTwo"}}}
	cases := []struct {
		name           string
		draft          interface{ Plan() (Plan, error) }
		q              okta.SimulationRequest
		policy, rule   string
		access         string
		evaluatedRules int
	}{
		{"new policy protects the app: its rule decides", newPolicy, salesQuery(true, ""), "Registered Sales", "Registered devices only", AccessAllow, 0},
		{"new policy, unregistered device: its catch-all", newPolicy, salesQuery(false, ""), "Registered Sales", "Catch-all Rule", "", 1},
		{"new policy not assigned: the app's policy still decides", unprotected, salesQuery(true, ""), "Any two factors", "Catch-all Rule", "", 0},
		{"assurance rule first in its policy", assuranceRule, salesQuery(true, "daeMac"), "Sales apps", "Compliant Macs", AccessDeny, 0},
		{"assurance rule, another assurance: next rules", assuranceRule, salesQuery(true, "daeWin"), "Sales apps", "Catch-all Rule", "", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := tc.draft.Plan()
			if err != nil {
				t.Fatal(err)
			}
			org := snapshot()
			pred, err := Predict(plan, org, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if pred.Label != PredictionLabel || !strings.Contains(pred.Label, "not Okta's answer") {
				t.Fatalf("label %q", pred.Label)
			}
			p, r, ok := pred.Result.Decision("ACCESS_POLICY")
			if !ok || p.Name != tc.policy || r.Name != tc.rule {
				t.Fatalf("decided by %q/%q, want %q/%q", p.Name, r.Name, tc.policy, tc.rule)
			}
			if pred.Rule == nil || pred.Rule.Name != tc.rule {
				t.Fatalf("deciding rule %+v", pred.Rule)
			}
			if tc.access != "" && (pred.Rule.Actions == nil || pred.Rule.Actions.AppSignOn.Access != tc.access) {
				t.Fatalf("access %+v, want %s", pred.Rule.Actions, tc.access)
			}
			n := 0
			for _, ep := range pred.Result.Evaluation[0].Evaluated.Policies {
				n += len(ep.Rules)
			}
			if n != tc.evaluatedRules {
				t.Fatalf("%d rules evaluated before, want %d", n, tc.evaluatedRules)
			}
			// The org itself is untouched.
			if org.Apps[0].AccessPolicyID != "rstAnyTwo" || len(org.Rules["rstSales"]) != 2 || len(org.Policies) != 2 {
				t.Fatalf("Predict changed the snapshot: %+v", org)
			}
		})
	}
}

func TestPredictEditedRuleKeepsItsPlaceAndInactiveRulesDecideNothing(t *testing.T) {
	org := snapshot()
	eng := org.Rules["rstSales"][0]
	d := DraftFromRule("rstSales", "Sales apps", eng)
	d.AssuranceIDs = []string{"daeMac"}
	d.Access = AccessAllow
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	q := okta.SimulationRequest{AppInstance: "0oaSalesforce", PolicyContext: okta.PolicyContext{
		Groups: &okta.SimIDs{IDs: []string{"00gEng"}}, Device: &okta.SimDevice{Registered: ptrBool(true), AssuranceID: "daeMac"}}}
	org.Apps[0].AccessPolicyID = "rstSales"
	pred, err := Predict(plan, org, q)
	if err != nil {
		t.Fatal(err)
	}
	if _, r, _ := pred.Result.Decision("ACCESS_POLICY"); r.ID != "rulEng" || len(r.Conditions) != 3 {
		t.Fatalf("edited rule: %+v", r)
	}
	org.Rules["rstSales"][0].Status = okta.StatusInactive
	pred, _ = Predict(Plan{}, org, q)
	if _, r, _ := pred.Result.Decision("ACCESS_POLICY"); r.ID != "rulSalesCatch" {
		t.Fatalf("inactive rule decided: %+v", r)
	}
}

func TestPredictRefusesAQueryOktaWouldRefuse(t *testing.T) {
	_, err := Predict(Plan{}, snapshot(), okta.SimulationRequest{AppInstance: "0oaSalesforce"})
	var inv *simulate.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("no user or groups: %v", err)
	}
	_, err = Predict(Plan{}, snapshot(), okta.SimulationRequest{AppInstance: "0oaNope", PolicyContext: okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{"x"}}}})
	var nf *simulate.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("unknown app: %v", err)
	}
}

func ptrBool(b bool) *bool { return &b }
