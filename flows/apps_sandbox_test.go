package flows_test

import (
	"context"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// protection reads app label's current policy from the org, as the protect-apps picker does.
func protection(t *testing.T, api okta.API, label string) flows.AppProtection {
	t.Helper()
	apps, err := api.ListApps(context.Background(), okta.AppQuery{Q: label})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if a.Label == label {
			return flows.ProtectionOf(a, "")
		}
	}
	t.Fatalf("no app %q", label)
	return flows.AppProtection{}
}

func appPolicy(t *testing.T, api okta.API, appID string) string {
	t.Helper()
	a, err := api.GetApp(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	return a.AccessPolicyID
}

func TestDSCRunProtectsAppsAndRollBackGivesThemTheirPolicyBack(t *testing.T) {
	// The signal collection rule (the second rule created) is refused, after the apps moved.
	o := newRunOrg(t, sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/rules", Nth: 2}}})
	ctx := context.Background()
	base := o.counts(t)
	sf, wd := protection(t, o.api, "Salesforce.com"), protection(t, o.api, "Workday")
	// The representative plan with the two apps protected by its new app sign-in policy.
	draft := o.dscDraft(t)
	draft.ProtectApps = []flows.AppProtection{sf, wd}
	plan, err := draft.Plan()
	if err != nil {
		t.Fatal(err)
	}
	j, err := flows.NewJournal(t.TempDir(), plan, o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	_, err = flows.RunWith(ctx, o.api, j, flows.RunOptions{Concurrency: 1}, nil)
	if err == nil {
		t.Fatal("the refused rule did not stop the run")
	}
	newPolicy := j.Created()[flows.StepAppPolicy]
	for _, a := range []flows.AppProtection{sf, wd} {
		if got := appPolicy(t, o.api, a.AppID); got != newPolicy {
			t.Fatalf("%s uses %s after the run, want the new policy %s", a.AppLabel, got, newPolicy)
		}
	}
	protected, err := o.api.ListPolicyApps(ctx, newPolicy)
	if err != nil || len(protected) != 2 {
		t.Fatalf("new policy protects %v (%v)", protected, err)
	}
	if err := flows.Rollback(ctx, o.api, j, nil); err != nil {
		t.Fatalf("roll back: %v", err)
	}
	for _, a := range []flows.AppProtection{sf, wd} {
		if got := appPolicy(t, o.api, a.AppID); got != a.PreviousPolicyID {
			t.Fatalf("%s uses %s after the roll back, want its previous %s", a.AppLabel, got, a.PreviousPolicyID)
		}
	}
	// The policy itself is gone too: the apps left it first, so Okta let it be deleted.
	if got := o.counts(t); got != base {
		t.Fatalf("after roll back:\n got %+v\nwant %+v", got, base)
	}
}

func TestAssignmentWhoseAnswerIsLostCompletesTheRun(t *testing.T) {
	o := newRunOrg(t, sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultDrop, Method: "PUT", Path: "/api/v1/apps/*/policies/*", Nth: 1}}})
	ctx := context.Background()
	sf := protection(t, o.api, "Salesforce.com")
	draft := o.dscDraft(t)
	draft.ProtectApps = []flows.AppProtection{sf}
	plan, err := draft.Plan()
	if err != nil {
		t.Fatal(err)
	}
	j, err := flows.NewJournal(t.TempDir(), plan, o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	out, err := flows.Run(ctx, o.api, j, nil)
	if err != nil {
		t.Fatalf("a lost answer to the assignment should be reconciled by the client: %v", err)
	}
	if got := appPolicy(t, o.api, sf.AppID); got != out.Created[flows.StepAppPolicy] {
		t.Fatalf("app uses %s", got)
	}
}

func TestSavedAssignmentFindsTheSameAppByLabelInAnotherOrg(t *testing.T) {
	ctx := context.Background()
	a, b := newRunOrg(t, sandbox.Faults{}), newRunOrg(t, sandbox.Faults{})
	draft := flows.AssuranceRuleDraft{PolicyID: sandboxPolicy(t, a.api, "Password only"), PolicyName: "Password only", Name: "Compliant",
		Access: flows.AccessAllow, AssuranceIDs: []string{assuranceNamed(t, a.api, "macOS encrypted")}, Priority: 1,
		ProtectApps: []flows.AppProtection{protection(t, a.api, "Workday")}}
	plan, err := draft.Plan()
	if err != nil {
		t.Fatal(err)
	}
	withRefs, err := flows.CollectRefs(ctx, a.api, plan)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range withRefs.Steps[1].Refs {
		found = found || (r.Kind == flows.RefApp && r.Name == "Workday")
	}
	if !found {
		t.Fatalf("refs %+v name no app Workday", withRefs.Steps[1].Refs)
	}
	resolved, missing, err := flows.ResolveRefs(ctx, b.api, withRefs)
	if err != nil || len(missing) != 0 {
		t.Fatalf("resolve: %v %v", missing, err)
	}
	wdB := protection(t, b.api, "Workday")
	s := resolved.Steps[1]
	if s.ObjectID != wdB.AppID || s.PolicyID != sandboxPolicy(t, b.api, "Password only") {
		t.Fatalf("step aims at %s / %s, want Workday %s of the other org", s.ObjectID, s.PolicyID, wdB.AppID)
	}
	if prev := s.Before.(*flows.AppProtection); prev.PreviousPolicyID != wdB.PreviousPolicyID {
		t.Fatalf("roll back would restore %s, the other org's Workday uses %s", prev.PreviousPolicyID, wdB.PreviousPolicyID)
	}
}

func sandboxPolicy(t *testing.T, api okta.API, name string) string {
	t.Helper()
	return sandboxtest.PolicyID(t, api, okta.TypeAccessPolicy, name)
}

func assuranceNamed(t *testing.T, api okta.API, name string) string {
	t.Helper()
	das, err := api.ListDeviceAssurances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range das {
		if d.Name == name {
			return d.ID
		}
	}
	t.Fatalf("no device assurance policy %q", name)
	return ""
}

func TestPredictionBeforeSendingMatchesOktasSimulationAfter(t *testing.T) {
	o := newRunOrg(t, sandbox.Faults{})
	ctx := context.Background()
	draft := o.dscDraft(t)
	draft.ProtectApps = []flows.AppProtection{protection(t, o.api, "Salesforce.com")}
	plan, err := draft.Plan()
	if err != nil {
		t.Fatal(err)
	}
	users, err := o.api.ListUsers(ctx, "alice")
	if err != nil || len(users) != 1 {
		t.Fatalf("alice: %v %v", users, err)
	}
	yes, no := true, false
	queries := map[string]okta.SimulationRequest{}
	for name, dev := range map[string]*okta.SimDevice{
		"managed":    {Platform: "MACOS", Registered: &yes, Managed: &yes},
		"registered": {Platform: "MACOS", Registered: &yes, Managed: &no},
		"unknown":    nil,
	} {
		queries[name] = okta.SimulationRequest{PolicyTypes: []string{"ACCESS_POLICY"}, AppInstance: draft.ProtectApps[0].AppID,
			PolicyContext: okta.PolicyContext{User: &okta.SimUser{ID: users[0].ID}, Device: dev}}
	}
	predicted := map[string]string{}
	for name, q := range queries {
		snap, err := flows.LoadSnapshot(ctx, o.api, plan, q)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := flows.Predict(plan, snap, q)
		if err != nil {
			t.Fatal(err)
		}
		p, r, _ := pred.Result.Decision("ACCESS_POLICY")
		predicted[name] = p.Name + " / " + r.Name
	}
	if predicted["managed"] != runAppPolicy+" / "+runAppRule {
		t.Fatalf("prediction for a managed Mac: %q", predicted["managed"])
	}
	j, err := flows.NewJournal(t.TempDir(), plan, o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.Run(ctx, o.api, j, nil); err != nil {
		t.Fatal(err)
	}
	for name, q := range queries {
		res, err := o.api.SimulatePolicy(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		p, r, _ := res.Decision("ACCESS_POLICY")
		if got := p.Name + " / " + r.Name; got != predicted[name] {
			t.Errorf("%s: Okta decides %q, the wizard predicted %q", name, got, predicted[name])
		}
	}
}
