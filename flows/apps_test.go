package flows

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var (
	salesforce = AppProtection{AppID: "0oaSalesforce", AppLabel: "Salesforce.com", PreviousPolicyID: "rstAnyTwo", PreviousPolicyName: "Any two factors"}
	workday    = AppProtection{AppID: "0oaWorkday", AppLabel: "Workday", PreviousPolicyID: "rstAnyTwo", PreviousPolicyName: "Any two factors"}
)

// planJSON is the plan as journals and plan files hold it (bodies and before-images included);
// its goldens are *.golden so the spec check of request goldens (testdata/*/*.json) skips them.
func planJSON(t *testing.T, p Plan) []byte {
	t.Helper()
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestDSCPlanProtectsAppsOnceTheRuleExists(t *testing.T) {
	d := fullDSCDraft()
	d.ProtectApps = []AppProtection{salesforce, workday}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	var got []wantStep
	for _, s := range plan.Steps {
		if s.Action == ActAssignAppPolicy {
			got = append(got, wantStep{s.ID, s.Method(), s.Path(), s.Stage, s.DependsOn})
		}
	}
	want := []wantStep{
		{"protect-app-1", "PUT", "/api/v1/apps/0oaSalesforce/policies/{{app-policy.id}}", 1, []string{"app-policy", "app-rule"}},
		{"protect-app-2", "PUT", "/api/v1/apps/0oaWorkday/policies/{{app-policy.id}}", 1, []string{"app-policy", "app-rule"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("assignments:\n got %+v\nwant %+v", got, want)
	}
	if last := plan.Steps[len(plan.Steps)-1]; last.ID != StepActivateDSC || !strings.Contains(strings.Join(last.DependsOn, ","), "protect-app-2") {
		t.Fatalf("activation does not wait for the assignments: %+v", last)
	}
	checkPlanConsistent(t, plan)
	checkGolden(t, "dsc/new-policy-protect-apps.json", planGolden(t, plan))
	checkGolden(t, "plan-json/dsc-new-policy-protect-apps.golden", planJSON(t, plan))
}

func TestAppsAlreadyOnThePolicyNeedNoRequest(t *testing.T) {
	onIt := AppProtection{AppID: "0oaSlack", AppLabel: "Slack", PreviousPolicyID: "rstApp1"}
	d := DSCDraft{
		AppPolicy: PolicyChoice{ExistingID: "rstApp1", ExistingName: "Office 365"},
		AppRule:   AppRuleDraft{ReuseID: "rulReg1"},
		Name:      "Verify only", RuleName: "Okta Verify", OktaVerify: true, UserIdentification: UserIdentificationIgnore,
		ProtectApps: []AppProtection{onIt, salesforce},
	}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, s := range plan.Steps {
		if s.Action == ActAssignAppPolicy {
			paths = append(paths, s.Path()+" after "+strings.Join(s.DependsOn, ","))
		}
	}
	if want := []string{"/api/v1/apps/0oaSalesforce/policies/rstApp1 after "}; !reflect.DeepEqual(paths, want) {
		t.Fatalf("assignments %q, want %q (a reused rule means no dependency)", paths, want)
	}
}

func TestAssuranceRulePlanProtectsAppsAfterTheRule(t *testing.T) {
	d := AssuranceRuleDraft{PolicyID: "rstSales", PolicyName: "Sales apps", Name: "Compliant Macs", Access: AccessAllow,
		AssuranceIDs: []string{"daeMac"}, Priority: 1, ProtectApps: []AppProtection{salesforce}}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 2 || plan.Steps[1].Path() != "/api/v1/apps/0oaSalesforce/policies/rstSales" ||
		!reflect.DeepEqual(plan.Steps[1].DependsOn, []string{StepAssuranceRule}) {
		t.Fatalf("steps %+v", plan.Steps)
	}
	if plan.Steps[1].Title != "Protect app “Salesforce.com” with “Sales apps” (instead of “Any two factors”)" {
		t.Fatalf("title %q", plan.Steps[1].Title)
	}
	checkPlanConsistent(t, plan)
	checkGolden(t, "rule/new-rule-protect-apps.json", planGolden(t, plan))
	checkGolden(t, "plan-json/rule-new-rule-protect-apps.golden", planJSON(t, plan))
}

func TestProtectAppsRefusesDuplicatesAndAppsWithoutTheirCurrentPolicy(t *testing.T) {
	noPrev := salesforce
	noPrev.PreviousPolicyID = ""
	for _, tc := range []struct {
		apps  []AppProtection
		field string
	}{
		{[]AppProtection{salesforce, salesforce}, "protectApps"},
		{[]AppProtection{noPrev}, "protectApps[0].previousPolicyId"},
		{[]AppProtection{{AppID: "0oa/../x", PreviousPolicyID: "rst1"}}, "protectApps[0]"},
	} {
		d := fullDSCDraft()
		d.ProtectApps = tc.apps
		errs := d.Validate()
		found := false
		for _, e := range errs {
			found = found || e.Field == tc.field
		}
		if !found {
			t.Errorf("%+v: errors %v, want one on %s", tc.apps, errs, tc.field)
		}
		if _, err := d.Plan(); err == nil {
			t.Errorf("%+v: Plan accepted", tc.apps)
		}
	}
}

func TestAssignmentStepRoundTripsWithItsPreviousPolicy(t *testing.T) {
	d := fullDSCDraft()
	d.ProtectApps = []AppProtection{salesforce}
	plan, _ := d.Plan()
	var back Plan
	if err := json.Unmarshal(planJSON(t, plan), &back); err != nil {
		t.Fatal(err)
	}
	for _, s := range back.Steps {
		if s.Action != ActAssignAppPolicy {
			continue
		}
		prev, ok := s.Before.(*AppProtection)
		if !ok || *prev != salesforce || s.Body != nil {
			t.Fatalf("before %#v, body %#v", s.Before, s.Body)
		}
		reqs := undoRequests(0, s, s.ObjectID)
		if len(reqs) != 1 || reqs[0].Method != "PUT" || reqs[0].Path != "/api/v1/apps/0oaSalesforce/policies/rstAnyTwo" {
			t.Fatalf("roll back preview %+v", reqs)
		}
		return
	}
	t.Fatal("no assignment step")
}

func TestCheckPlanRefusesAnAssignmentWithoutItsApp(t *testing.T) {
	err := checkStep(Step{ID: "a", Action: ActAssignAppPolicy, PolicyID: "rst1"}, map[string]bool{})
	if err == nil || !strings.Contains(err.Error(), "objectId") {
		t.Fatalf("got %v", err)
	}
	err = checkStep(Step{ID: "a", Action: ActAssignAppPolicy, PolicyID: "rst1", ObjectID: "0oa1"}, map[string]bool{})
	if err != nil {
		t.Fatalf("a well-formed assignment refused: %v", err)
	}
}
