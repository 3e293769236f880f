package flows_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// Names of the objects the device assurance scenarios create or change.
const (
	runAssurance     = "Sales Macs"
	runAssuranceEdit = "Sales Macs (strict)" // its name after the edit
	runAssuranceRule = "Compliant Macs only"
	// runRulePolicy is the seeded app sign-in policy the assurance rules go into.
	runRulePolicy = "Okta Dashboard"
	// runExistingRule is the rule the existing-rule scenario adds the assurance policy to.
	runExistingRule = "Contractor devices"
)

var assuranceFaultScenarios = []faultScenario{
	{
		name:    "assurance-create",
		steps:   []faultStep{{flows.StepDeviceAssurance, "POST", "/api/v1/device-assurances", 1, "/api/v1/device-assurances"}},
		prepare: prepareAssuranceCreate,
	},
	{
		name:    "assurance-edit",
		steps:   []faultStep{{flows.StepDeviceAssurance, "PUT", "/api/v1/device-assurances/*", 1, "/api/v1/device-assurances/*"}},
		prepare: prepareAssuranceEdit,
	},
	{
		name:    "assurance-new-rule",
		steps:   []faultStep{{flows.StepAssuranceRule, "POST", "/api/v1/policies/*/rules", 1, "/api/v1/policies/*/rules"}},
		prepare: prepareAssuranceNewRule,
	},
	{
		name:    "assurance-existing-rule",
		steps:   []faultStep{{flows.StepAssuranceRule, "PUT", "/api/v1/policies/*/rules/*", 1, "/api/v1/policies/*/rules/*"}},
		prepare: prepareAssuranceExistingRule,
	},
}

// assuranceDraft is the macOS device assurance policy the scenarios create.
func assuranceDraft() flows.AssuranceDraft {
	return flows.AssuranceDraft{
		Name: runAssurance, Platform: okta.PlatformMacOS,
		OSMode: flows.OSStatic, OSMinimum: "14.4",
		DiskEncryption: []string{"ALL_INTERNAL_VOLUMES"}, ScreenLock: []string{"PASSCODE"},
		GraceMode: flows.GraceDuration, GraceDays: 7,
	}
}

func assurancePlan(t *testing.T, d flows.AssuranceDraft) flows.Plan {
	t.Helper()
	p, err := d.Plan(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// createAssurance runs the real create plan without faults and returns the policy as read back.
func (o *runOrg) createAssurance(t *testing.T) okta.DeviceAssurance {
	t.Helper()
	j, err := flows.NewJournal(t.TempDir(), assurancePlan(t, assuranceDraft()), o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	out, err := flows.Run(context.Background(), o.api, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := o.api.GetDeviceAssurance(context.Background(), out.Created[flows.StepDeviceAssurance])
	if err != nil {
		t.Fatal(err)
	}
	return *d
}

// assuranceNamed returns the only device assurance policy named name.
func (o *runOrg) assuranceNamed(t *testing.T, name string) okta.DeviceAssurance {
	t.Helper()
	list, err := o.api.ListDeviceAssurances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return onlyNamed(t, list, func(d okta.DeviceAssurance) string { return d.Name }, name, "device assurance policies")
}

// ruleNamed returns the only rule named name in policy policyID.
func (o *runOrg) ruleNamed(t *testing.T, policyID, name string) okta.Rule {
	t.Helper()
	rules, err := o.api.ListRules(context.Background(), policyID)
	if err != nil {
		t.Fatal(err)
	}
	return onlyNamed(t, rules, func(r okta.Rule) string { return r.Name }, name, "rules in policy "+policyID)
}

// onlyNamed returns the one item of list named name, failing the test when there are none or several.
func onlyNamed[T any](t *testing.T, list []T, nameOf func(T) string, name, what string) T {
	t.Helper()
	var hits []T
	for _, item := range list {
		if nameOf(item) == name {
			hits = append(hits, item)
		}
	}
	if len(hits) != 1 {
		t.Fatalf("%d %s named %q, want 1", len(hits), what, name)
	}
	return hits[0]
}

// wantUnchanged checks that nothing was added or removed (an edit creates nothing).
func wantUnchanged(t *testing.T, got, base orgCounts) {
	t.Helper()
	if got != base {
		t.Fatalf("org after the run:\n got %+v\nwant %+v (an edit adds and removes nothing)", got, base)
	}
}

// wantSameObject checks that an object read from the org equals the one read before the run,
// but for the members the server rewrites on every write (timestamps, who wrote it).
func wantSameObject(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := objectMembers(t, got), objectMembers(t, want)
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		t.Fatalf("%s after roll back:\n got %s\nwant %s (as it was before the run)", what, gj, wj)
	}
}

func objectMembers(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"lastUpdate", "lastUpdated", "lastUpdatedBy"} {
		delete(m, k)
	}
	return m
}

// (a) Create a device assurance policy.
func prepareAssuranceCreate(t *testing.T, o *runOrg) scenarioRun {
	return scenarioRun{
		plan: assurancePlan(t, assuranceDraft()),
		complete: func(t *testing.T, got, base orgCounts) {
			want := base
			want.DeviceAssurances++
			want.Assurances = base.Assurances.plus(runAssurance, 1)
			if got != want {
				t.Fatalf("org after the run:\n got %+v\nwant %+v", got, want)
			}
			d := o.assuranceNamed(t, runAssurance)
			if d.Platform != okta.PlatformMacOS || d.OSVersion == nil || d.OSVersion.Minimum != "14.4" {
				t.Fatalf("created policy = %+v", d)
			}
		},
	}
}

// (b) Edit it: new name, OS minimum, screen locks and grace period; the step's Before is the
// policy as read.
func prepareAssuranceEdit(t *testing.T, o *runOrg) scenarioRun {
	original := o.createAssurance(t)
	d := flows.DraftFromAssurance(original, time.UTC)
	d.Name = runAssuranceEdit
	d.OSMinimum = "15.1"
	d.ScreenLock = []string{"PASSCODE", "BIOMETRIC"}
	d.GraceDays = 14
	plan := assurancePlan(t, d)
	return scenarioRun{
		plan: plan,
		complete: func(t *testing.T, got, base orgCounts) {
			want := base
			want.Assurances = base.Assurances.plus(runAssurance, -1).plus(runAssuranceEdit, 1)
			if got != want {
				t.Fatalf("org after the run:\n got %+v\nwant %+v (the policy renamed, nothing added)", got, want)
			}
			now := o.assuranceNamed(t, runAssuranceEdit)
			if now.ID != original.ID || now.OSVersion == nil || now.OSVersion.Minimum != "15.1" ||
				now.ScreenLockType == nil || !slices.Equal(now.ScreenLockType.Include, []string{"PASSCODE", "BIOMETRIC"}) ||
				now.GracePeriod == nil || !flows.SameDuration(now.GracePeriod.Expiry, "P14D") {
				t.Fatalf("edited policy = %+v, want the new values", now)
			}
		},
		rolledBack: func(t *testing.T) {
			now, err := o.api.GetDeviceAssurance(context.Background(), original.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantSameObject(t, "device assurance policy", now, original)
		},
	}
}

// (c) Add it to a new rule of an app sign-in policy.
func prepareAssuranceNewRule(t *testing.T, o *runOrg) scenarioRun {
	da := o.createAssurance(t)
	policyID := sandboxtest.PolicyID(t, o.api, okta.TypeAccessPolicy, runRulePolicy)
	d := flows.AssuranceRuleDraft{
		PolicyID: policyID, PolicyName: runRulePolicy, Name: runAssuranceRule,
		Access: flows.AccessAllow, AssuranceIDs: []string{da.ID}, Managed: true, Priority: 1,
	}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return scenarioRun{
		plan: plan,
		complete: func(t *testing.T, got, base orgCounts) {
			want := base
			want.RulesPerPolicy = base.RulesPerPolicy.plus(rulesKey(okta.TypeAccessPolicy, runRulePolicy), 1)
			if got != want {
				t.Fatalf("org after the run:\n got %+v\nwant %+v", got, want)
			}
			r := o.ruleNamed(t, policyID, runAssuranceRule)
			if r.Status != okta.StatusActive || r.Conditions == nil || r.Conditions.Device == nil ||
				r.Conditions.Device.Assurance == nil || !slices.Equal(r.Conditions.Device.Assurance.Include, []string{da.ID}) {
				t.Fatalf("new rule = %+v, want an active rule requiring %s", r, da.ID)
			}
		},
	}
}

// (d) Add it to an existing rule that already requires another assurance policy; the step's
// Before is the rule as read.
func prepareAssuranceExistingRule(t *testing.T, o *runOrg) scenarioRun {
	ctx := context.Background()
	da := o.createAssurance(t)
	policyID := sandboxtest.PolicyID(t, o.api, okta.TypeAccessPolicy, runRulePolicy)
	windows := o.assuranceNamed(t, "Windows 11 baseline").ID
	priority := 1
	created, err := o.api.CreateRule(ctx, policyID, okta.Rule{
		Type: okta.TypeAccessPolicy, Name: runExistingRule, Priority: &priority,
		Conditions: &okta.RuleConditions{
			People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sandboxtest.GroupID(t, o.api, "Contractors")}}},
			Device: &okta.DeviceCondition{Registered: ptr(true), Assurance: &okta.AssuranceIDList{Include: []string{windows}}},
		},
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: flows.AccessDeny}},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	original, err := o.api.GetRule(ctx, policyID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := flows.DraftFromRule(policyID, runRulePolicy, *original)
	d.AssuranceIDs = append(d.AssuranceIDs, da.ID)
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return scenarioRun{
		plan: plan,
		complete: func(t *testing.T, got, base orgCounts) {
			wantUnchanged(t, got, base)
			r := o.ruleNamed(t, policyID, runExistingRule)
			dev := r.Conditions.Device
			if r.ID != original.ID || dev == nil || dev.Assurance == nil || !slices.Equal(dev.Assurance.Include, []string{windows, da.ID}) {
				t.Fatalf("rule after the run = %+v, want %s with assurance policies %s and %s", r, original.ID, windows, da.ID)
			}
			// Everything else is kept: the people condition and the access.
			if r.Conditions.People == nil || !reflect.DeepEqual(r.Conditions.People, original.Conditions.People) ||
				r.Actions == nil || r.Actions.AppSignOn == nil || r.Actions.AppSignOn.Access != flows.AccessDeny {
				t.Fatalf("rule after the run lost members: %+v %+v", r.Conditions.People, r.Actions)
			}
		},
		rolledBack: func(t *testing.T) {
			now, err := o.api.GetRule(context.Background(), policyID, original.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantSameObject(t, "rule", now, original)
		},
	}
}

func ptr[T any](v T) *T { return &v }
