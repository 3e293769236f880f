package flows_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// existingPolicyPlan is a DSC plan that uses existing objects only by id: the app sign-in
// policy "Okta Dashboard", an extra policy to map, the Sales group, the IdP and a zone.
func (o *runOrg) existingPolicyPlan(tb testing.TB, extraName string) flows.Plan {
	tb.Helper()
	ctx := context.Background()
	apps, err := o.api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	var dashboard, extra string
	for _, p := range apps {
		switch p.Name {
		case "Okta Dashboard":
			dashboard = p.ID
		case extraName:
			extra = p.ID
		}
	}
	if dashboard == "" || extra == "" {
		tb.Fatalf("missing policies in %s", o.api.OrgURL())
	}
	d := flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{ExistingID: dashboard, ExistingName: "Okta Dashboard"},
		AppRule: flows.AppRuleDraft{Name: "Registered only", Access: flows.AccessAllow,
			GroupIDs: []string{sandboxtest.GroupID(tb, o.api, "Sales")}},
		Name: "Dashboard signals", ExtraMappings: []string{extra},
		RuleName: "Providers", OktaVerify: true, UserIdentification: flows.UserIdentificationIgnore,
		DevicePostureIdPID: sandboxtest.IdPID(tb, o.api, "Device Posture Provider"),
		ZoneIDs:            []string{sandboxtest.ZoneID(tb, o.api, "Office Network")},
		Activate:           true,
	}
	p, err := d.Plan()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func (o *runOrg) createPolicy(tb testing.TB, name string) string {
	tb.Helper()
	p, err := o.api.CreatePolicy(context.Background(), okta.Policy{Type: okta.TypeAccessPolicy, Name: name}, true)
	if err != nil {
		tb.Fatal(err)
	}
	return p.ID
}

// A plan made in one sandbox, saved and loaded, resolves by name in a second sandbox (whose
// ids all differ) and creates the same objects there.
func TestPlanFromOneOrgAppliesToAnother(t *testing.T) {
	ctx := context.Background()
	a := newRunOrg(t, sandbox.Faults{})
	b := newRunOrg(t, sandbox.Faults{})
	a.createPolicy(t, "Partner apps")
	bPartner := b.createPolicy(t, "Partner apps")

	plan, err := flows.CollectRefs(ctx, a.api, a.existingPolicyPlan(t, "Partner apps"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range plan.Steps {
		for _, r := range s.Refs {
			names[string(r.Kind)+":"+r.Name] = true
		}
	}
	for _, want := range []string{"accessPolicy:Okta Dashboard", "accessPolicy:Partner apps", "group:Sales", "identityProvider:Device Posture Provider", "networkZone:Office Network"} {
		if !names[want] {
			t.Errorf("refs lack %s (have %v)", want, names)
		}
	}
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := flows.SavePlan(path, plan); err != nil {
		t.Fatal(err)
	}
	loaded, err := flows.LoadPlan(path)
	if err != nil {
		t.Fatal(err)
	}
	resolved, missing, err := flows.ResolveRefs(ctx, b.api, loaded)
	if err != nil || len(missing) != 0 {
		t.Fatalf("resolve: %v %v", missing, err)
	}
	j, err := flows.NewJournal(t.TempDir(), resolved, b.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	out, err := flows.RunWith(ctx, b.api, j, flows.RunOptions{AdoptExisting: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// In B: the rule went into B's Okta Dashboard with B's Sales group; B's Partner apps is mapped.
	var bDashboard string
	apps, _ := b.api.ListPolicies(ctx, okta.TypeAccessPolicy)
	for _, p := range apps {
		if p.Name == "Okta Dashboard" {
			bDashboard = p.ID
		}
	}
	rule, err := b.api.GetRule(ctx, bDashboard, out.Created[flows.StepAppRule])
	if err != nil {
		t.Fatalf("rule not in B's Okta Dashboard: %v", err)
	}
	if g := rule.Conditions.People.Groups.Include; len(g) != 1 || g[0] != sandboxtest.GroupID(t, b.api, "Sales") {
		t.Fatalf("rule groups = %v, want B's Sales", g)
	}
	maps, err := b.api.ListMappings(ctx, out.Created[flows.StepDSCPolicy])
	if err != nil {
		t.Fatal(err)
	}
	mapped := map[string]bool{}
	for _, m := range maps {
		mapped[m.ID] = true
	}
	if len(maps) != 2 || !mapped[bDashboard] || !mapped[bPartner] {
		t.Fatalf("mappings = %v, want B's Okta Dashboard and Partner apps", mapped)
	}
	dscRule, err := b.api.GetRule(ctx, out.Created[flows.StepDSCPolicy], out.Created[flows.StepDSCRule])
	if err != nil {
		t.Fatal(err)
	}
	if z := dscRule.Conditions.Network.Include; len(z) != 1 || z[0] != sandboxtest.ZoneID(t, b.api, "Office Network") {
		t.Fatalf("zones = %v", z)
	}
	if id := dscRule.Actions.DeviceSignalCollection.DeviceContextProviders[1].ID; id != sandboxtest.IdPID(t, b.api, "Device Posture Provider") {
		t.Fatalf("IdP = %s", id)
	}
}

func TestResolveRefsReportsMissingByName(t *testing.T) {
	ctx := context.Background()
	a := newRunOrg(t, sandbox.Faults{})
	b := newRunOrg(t, sandbox.Faults{})
	a.createPolicy(t, "Partner apps") // B has no such policy
	plan, err := flows.CollectRefs(ctx, a.api, a.existingPolicyPlan(t, "Partner apps"))
	if err != nil {
		t.Fatal(err)
	}
	before := b.counts(t)
	_, missing, err := flows.ResolveRefs(ctx, b.api, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0].Ref.Name != "Partner apps" || missing[0].StepID != flows.MappingStepID(2) {
		t.Fatalf("missing = %+v", missing)
	}
	if s := missing[0].String(); !strings.Contains(s, `"Partner apps"`) || !strings.Contains(s, "not found") {
		t.Fatalf("message = %q", s)
	}
	if b.counts(t) != before {
		t.Fatal("resolving wrote to the org")
	}

	// A plan saved without names: ids unknown to the org are reported by id.
	bare := a.existingPolicyPlan(t, "Partner apps")
	_, missing, err = flows.ResolveRefs(ctx, b.api, bare)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) < 4 {
		t.Fatalf("missing = %+v, want every foreign id", missing)
	}
}

// Applying the same plan twice with adoption creates nothing the second time.
func TestApplyTwiceAdoptsExisting(t *testing.T) {
	ctx := context.Background()
	o := newRunOrg(t, sandbox.Faults{})
	base := o.counts(t)
	plan := o.dscPlan(t)
	for run := 1; run <= 2; run++ {
		j, err := flows.NewJournal(t.TempDir(), plan, o.api.OrgURL())
		if err != nil {
			t.Fatal(err)
		}
		adopted := 0
		_, err = flows.RunWith(ctx, o.api, j, flows.RunOptions{AdoptExisting: true}, func(e flows.Event) {
			if e.Adopted {
				adopted++
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		wantComplete(t, o.counts(t), base)
		if run == 2 && adopted != len(plan.Steps) {
			t.Fatalf("second run adopted %d of %d steps", adopted, len(plan.Steps))
		}
	}
}

func TestRollbackLeavesAdoptedObjects(t *testing.T) {
	ctx := context.Background()
	o := newRunOrg(t, sandbox.Faults{})
	base := o.counts(t)
	plan := o.dscPlan(t)
	j, _ := flows.NewJournal(t.TempDir(), plan, o.api.OrgURL())
	if _, err := flows.Run(ctx, o.api, j, nil); err != nil {
		t.Fatal(err)
	}
	// Second run: everything is adopted, then the run fails on a new step added at the end.
	plan2 := plan
	plan2.Steps = append(append([]flows.Step(nil), plan.Steps...), flows.Step{
		ID: "extra", Stage: 5, Title: "Extra policy", Action: flows.ActCreatePolicy,
		Body: &okta.Policy{Type: okta.TypeAccessPolicy, Name: "Extra"},
	})
	o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies", Nth: 1}}})
	dir := t.TempDir()
	j2, _ := flows.NewJournal(dir, plan2, o.api.OrgURL())
	if _, err := flows.RunWith(ctx, o.api, j2, flows.RunOptions{AdoptExisting: true}, nil); err == nil {
		t.Fatal("want the extra step to fail")
	}
	o.srv.SetFaults(sandbox.Faults{})
	if err := flows.Rollback(ctx, o.api, reopen(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	wantComplete(t, o.counts(t), base) // the first run's objects are still there
}

// Roll back undoes in reverse order: the activation first, the policies last.
func TestRollbackOrder(t *testing.T) {
	ctx := context.Background()
	o := newRunOrg(t, sandbox.Faults{})
	base := o.counts(t)
	dir := t.TempDir()
	plan := o.dscPlan(t)
	j, _ := flows.NewJournal(dir, plan, o.api.OrgURL())
	// Stop before the last step so the journal stays.
	ctx2, cancel := context.WithCancel(ctx)
	_, err := flows.RunWith(ctx2, o.api, j, flows.RunOptions{Concurrency: 1}, func(e flows.Event) {
		if e.Step.ID == flows.StepDSCRule && e.State == flows.StateDone {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("run was not interrupted")
	}
	var order []string
	if err := flows.Rollback(ctx, o.api, reopen(t, dir), func(e flows.Event) {
		if e.State == flows.StateRolledBack {
			order = append(order, e.Step.ID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{flows.StepDSCRule, flows.MappingStepID(1), flows.StepDSCPolicy, flows.StepAppRule, flows.StepAppPolicy}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("roll back order = %v, want %v", order, want)
	}
	wantRolledBack(t, o.counts(t), base)
}

// A replaced object is restored from Step.Before on roll back.
func TestRollbackRestoresReplacedRule(t *testing.T) {
	ctx := context.Background()
	o := newRunOrg(t, sandbox.Faults{})
	apps, _ := o.api.ListPolicies(ctx, okta.TypeAccessPolicy)
	var pid string
	for _, p := range apps {
		if p.Name == "Okta Dashboard" {
			pid = p.ID
		}
	}
	created, err := o.api.CreateRule(ctx, pid, okta.Rule{Type: okta.TypeAccessPolicy, Name: "Before",
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := o.api.GetRule(ctx, pid, created.ID)
	changed := *before
	changed.Name = "After"
	changed.Actions = &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "DENY"}}
	plan := flows.Plan{Flow: flows.FlowAssuranceRule, Steps: []flows.Step{
		{ID: "replace", Title: "Replace rule", Action: flows.ActReplaceRule, PolicyID: pid, ObjectID: created.ID, Body: &changed, Before: before},
		{ID: "boom", Title: "Fails", Action: flows.ActCreateDeviceAssurance, Body: &okta.DeviceAssurance{Name: "X", Platform: okta.PlatformMacOS}},
	}}
	o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/device-assurances", Nth: 1}}})
	dir := t.TempDir()
	j, _ := flows.NewJournal(dir, plan, o.api.OrgURL())
	if _, err := flows.Run(ctx, o.api, j, nil); err == nil {
		t.Fatal("want failure")
	}
	if got, _ := o.api.GetRule(ctx, pid, created.ID); got.Name != "After" {
		t.Fatalf("rule not replaced: %s", got.Name)
	}
	if err := flows.Rollback(ctx, o.api, reopen(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	got, _ := o.api.GetRule(ctx, pid, created.ID)
	if got.Name != "Before" || got.Actions.AppSignOn.Access != "ALLOW" {
		t.Fatalf("rule after roll back = %s %s", got.Name, got.Actions.AppSignOn.Access)
	}
}

func TestRunRefusesAnotherOrg(t *testing.T) {
	o := newRunOrg(t, sandbox.Faults{})
	j, _ := flows.NewJournal(t.TempDir(), o.dscPlan(t), "https://acme.okta.com")
	if _, err := flows.Run(context.Background(), o.api, j, nil); err == nil || !strings.Contains(err.Error(), "acme.okta.com") {
		t.Fatalf("err = %v", err)
	}
	if err := flows.Rollback(context.Background(), o.api, j, nil); err == nil {
		t.Fatal("roll back against another org was allowed")
	}
}

// A create whose outcome is unknown (a 500) is looked up before a roll back deletes anything;
// an older object that happens to have the same name is someone else's and stays.
func TestRollbackNeverDeletesOlderSameNamedObject(t *testing.T) {
	ctx := context.Background()
	var offset atomic.Int64
	offset.Store(int64(-time.Hour))
	srv, api := sandboxtest.Start(t, sandboxtest.Now(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	old, err := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Shared name"}, true)
	if err != nil {
		t.Fatal(err)
	}
	offset.Store(0)
	plan := flows.Plan{Flow: flows.FlowDSC, Steps: []flows.Step{{ID: "p", Title: "Create", Action: flows.ActCreatePolicy,
		Body: &okta.Policy{Type: okta.TypeAccessPolicy, Name: "Shared name"}}}}
	srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultServerError, Method: "POST", Path: "/api/v1/policies", Nth: 1}}})
	dir := t.TempDir()
	j, _ := flows.NewJournal(dir, plan, api.OrgURL())
	if _, err := flows.Run(ctx, api, j, nil); err == nil {
		t.Fatal("want the 500")
	}
	srv.SetFaults(sandbox.Faults{})
	if err := flows.Rollback(ctx, api, reopen(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetPolicy(ctx, old.ID); err != nil {
		t.Fatalf("the older policy of the same name was deleted: %v", err)
	}
}

// An assurance-rule plan that replaces an existing rule resolves the policy, the rule and the
// assurance policy by name in another org, replaces that org's rule, and a roll back restores
// that org's rule as it was (not the source org's copy).
func TestReplaceRulePlanAcrossOrgsAndRollback(t *testing.T) {
	ctx := context.Background()
	setup := func(o *runOrg, access string) (policyID string, rule *okta.Rule, daID string) {
		policyID = o.createPolicy(t, "Finance apps")
		r, err := o.api.CreateRule(ctx, policyID, okta.Rule{Type: okta.TypeAccessPolicy, Name: "Finance devices",
			Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: access}}}, true)
		if err != nil {
			t.Fatal(err)
		}
		das, _ := o.api.ListDeviceAssurances(ctx)
		for _, d := range das {
			if d.Name == "macOS encrypted" {
				daID = d.ID
			}
		}
		return policyID, r, daID
	}
	a := newRunOrg(t, sandbox.Faults{})
	b := newRunOrg(t, sandbox.Faults{})
	aPolicy, aRule, aDA := setup(a, "ALLOW")
	bPolicy, bRule, bDA := setup(b, "DENY")
	existing, err := a.api.GetRule(ctx, aPolicy, aRule.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := flows.AssuranceRuleDraft{PolicyID: aPolicy, PolicyName: "Finance apps", Existing: existing,
		Name: "Finance devices", Access: "ALLOW", AssuranceIDs: []string{aDA}}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	plan, err = flows.CollectRefs(ctx, a.api, plan)
	if err != nil {
		t.Fatal(err)
	}
	resolved, missing, err := flows.ResolveRefs(ctx, b.api, plan)
	if err != nil || len(missing) > 0 {
		t.Fatalf("resolve: %v %v", missing, err)
	}
	s := resolved.Steps[0]
	if s.PolicyID != bPolicy || s.ObjectID != bRule.ID {
		t.Fatalf("step ids %s/%s, want B's %s/%s", s.PolicyID, s.ObjectID, bPolicy, bRule.ID)
	}
	if before := s.Before.(*okta.Rule); before.Actions.AppSignOn.Access != "DENY" {
		t.Fatal("Before is not B's rule as it is")
	}
	// Fail after the replace so the run can be rolled back.
	resolved.Steps = append(resolved.Steps, flows.Step{ID: "fail", Title: "fails", Action: flows.ActCreateDeviceAssurance,
		Body: &okta.DeviceAssurance{Name: "n", Platform: okta.PlatformMacOS}})
	b.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/device-assurances", Nth: 1}}})
	dir := t.TempDir()
	j, _ := flows.NewJournal(dir, resolved, b.api.OrgURL())
	if _, err := flows.Run(ctx, b.api, j, nil); err == nil {
		t.Fatal("want failure")
	}
	got, _ := b.api.GetRule(ctx, bPolicy, bRule.ID)
	if got.Conditions == nil || got.Conditions.Device == nil || got.Conditions.Device.Assurance == nil ||
		len(got.Conditions.Device.Assurance.Include) != 1 || got.Conditions.Device.Assurance.Include[0] != bDA {
		t.Fatalf("B's rule does not require B's assurance policy: %+v", got.Conditions)
	}
	b.srv.SetFaults(sandbox.Faults{})
	if err := flows.Rollback(ctx, b.api, reopen(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	got, _ = b.api.GetRule(ctx, bPolicy, bRule.ID)
	if got.Actions.AppSignOn.Access != "DENY" || (got.Conditions != nil && got.Conditions.Device != nil && got.Conditions.Device.Assurance != nil) {
		t.Fatalf("B's rule after roll back: %+v %+v", got.Actions.AppSignOn, got.Conditions)
	}
}

func TestAssurancePlanRunAndRollback(t *testing.T) {
	ctx := context.Background()
	o := newRunOrg(t, sandbox.Faults{})
	base := o.counts(t)
	d := flows.AssuranceDraft{Name: "iOS baseline", Platform: okta.PlatformIOS, OSMode: flows.OSStatic, OSMinimum: "17.0",
		BlockJailbreak: true, GraceMode: flows.GraceNone}
	plan, err := d.Plan(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	j, _ := flows.NewJournal(dir, plan, o.api.OrgURL())
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	// Killed right after the create reached Okta: the journal still says running.
	var snapshot []byte
	_, _ = flows.Run(ctx2, o.api, j, func(e flows.Event) {
		if e.State == flows.StateRunning {
			snapshot, _ = os.ReadFile(j.Path())
		}
	})
	if err := os.WriteFile(j.Path(), snapshot, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := o.counts(t).DeviceAssurances; got != base.DeviceAssurances+1 {
		t.Fatalf("assurance policies = %d", got)
	}
	if err := flows.Rollback(ctx, o.api, reopen(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	if got := o.counts(t); got != base {
		t.Fatalf("after roll back %+v, want %+v", got, base)
	}
}
