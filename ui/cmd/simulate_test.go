package cmd

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

var updateGoldens = flag.Bool("update", false, "rewrite the golden files in testdata/")

// salesEnv protects Salesforce.com with "Sales apps": rule 1 allows Sales on registered
// devices, rule 2 denies Contractors, then the catch-all.
func salesEnv(t *testing.T) *cmdEnv {
	t.Helper()
	e := newCmdEnv(t)
	ctx := context.Background()
	p, err := e.api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Sales apps"}, true)
	if err != nil {
		t.Fatal(err)
	}
	registered := true
	for _, r := range []okta.Rule{
		{Type: okta.TypeAccessPolicy, Name: "Sales on registered devices", Priority: ptrTo(1),
			Conditions: &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sandboxtest.GroupID(t, e.api, "Sales")}}},
				Device: &okta.DeviceCondition{Registered: &registered}},
			Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}},
		{Type: okta.TypeAccessPolicy, Name: "Deny contractors", Priority: ptrTo(2),
			Conditions: &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sandboxtest.GroupID(t, e.api, "Contractors")}}}},
			Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "DENY"}}},
	} {
		if _, err := e.api.CreateRule(ctx, p.ID, r, true); err != nil {
			t.Fatal(err)
		}
	}
	apps, err := e.api.ListApps(ctx, okta.AppQuery{Q: "Salesforce"})
	if err != nil || len(apps) != 1 {
		t.Fatalf("Salesforce: %v %v", apps, err)
	}
	if err := e.api.AssignAppPolicy(ctx, apps[0].ID, p.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

func ptrTo[T any](v T) *T { return &v }

// stableIDs replaces the org's random ids and URL with names, so output can be a golden file.
func stableIDs(t *testing.T, e *cmdEnv, text string) string {
	t.Helper()
	ctx := context.Background()
	names := map[string]string{e.srv.URL(): "http://SANDBOX"}
	apps, _ := e.api.ListApps(ctx, okta.AppQuery{})
	for _, a := range apps {
		names[a.ID] = "<app " + a.Label + ">"
	}
	for _, typ := range []okta.PolicyType{okta.TypeAccessPolicy} {
		ps, _ := e.api.ListPolicies(ctx, typ)
		for _, p := range ps {
			names[p.ID] = "<policy " + p.Name + ">"
			rules, _ := e.api.ListRules(ctx, p.ID)
			for _, r := range rules {
				names[r.ID] = "<rule " + p.Name + " / " + r.Name + ">"
			}
		}
	}
	groups, _ := e.api.ListGroups(ctx)
	for _, g := range groups {
		names[g.ID] = "<group " + g.Profile.Name + ">"
	}
	users, _ := e.api.ListUsers(ctx, "")
	for _, u := range users {
		names[u.ID] = "<user " + u.Profile.Login + ">"
	}
	zones, _ := e.api.ListNetworkZones(ctx)
	for _, z := range zones {
		names[z.ID] = "<zone " + z.Name + ">"
	}
	das, _ := e.api.ListDeviceAssurances(ctx)
	for _, d := range das {
		names[d.ID] = "<assurance " + d.Name + ">"
	}
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return len(ids[i]) > len(ids[j]) })
	for _, id := range ids {
		text = strings.ReplaceAll(text, id, names[id])
	}
	return text
}

func checkCmdGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "simulate", name)
	if *updateGoldens {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui/cmd/ -run Simulate -update)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestSimulateJSONGoldens(t *testing.T) {
	e := salesEnv(t)
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"sales-registered-mac.json", []string{"--app", "Salesforce.com", "--group", "Sales", "--platform", "macos", "--registered"}},
		{"contractor-unregistered.json", []string{"--app", "Salesforce.com", "--user", "carol@sandbox.example.com", "--registered=false"}},
		{"sales-device-unknown.json", []string{"--app", "Salesforce.com", "--group", "Sales", "--risk", "low"}},
		{"workday-default-policy.json", []string{"--app", "Workday", "--group", "Engineering", "--assurance", "macOS encrypted", "--zone", "Office Network"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			if code := e.execute(append([]string{"simulate", "--json"}, tc.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, e.err)
			}
			checkCmdGolden(t, tc.golden, stableIDs(t, e, e.out.String()))
		})
	}
}

func TestSimulateTextSaysWhoDecidesAndWhy(t *testing.T) {
	e := salesEnv(t)
	if code := e.execute("simulate", "--app", "Salesforce.com", "--user", "carol@sandbox.example.com", "--registered=false"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	out := e.out.String()
	for _, want := range []string{
		"Okta's simulation in SANDBOX",
		`Sign-in to "Salesforce.com": user carol@sandbox.example.com, not registered`,
		`Decided by rule "Deny contractors" of policy "Sales apps": DENY`,
		"people.groups.include      MATCH",
		"Tried before it and not matched:",
		`"Sales on registered devices" NOT_MATCH`,
		"device.registered          NOT_MATCH",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSimulateExpectRuleExitsSevenWhenAnotherRuleDecides(t *testing.T) {
	e := salesEnv(t)
	base := []string{"simulate", "--app", "Salesforce.com", "--group", "Sales", "--registered"}
	if code := e.execute(append(base, "--expect-rule", "Sales on registered devices")...); code != 0 {
		t.Fatalf("the deciding rule expected: exit %d: %s", code, e.err)
	}
	code := e.execute(append(base, "--expect-rule", "Deny contractors")...)
	if code != ExitRuleNotDecided {
		t.Fatalf("exit %d, want %d", code, ExitRuleNotDecided)
	}
	if !strings.Contains(e.err.String(), `expected rule "Deny contractors" to decide, but rule "Sales on registered devices" of "Sales apps" decides`) {
		t.Fatalf("stderr %q", e.err)
	}
	if !strings.Contains(e.out.String(), "Decided by rule") {
		t.Fatalf("the result is not printed with the failed expectation: %q", e.out)
	}
}

func TestSimulateUsageErrorsExitTwo(t *testing.T) {
	e := salesEnv(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--group", "Sales"}, "--app is required"},
		{[]string{"--app", "Workday"}, "give --user or at least one --group"},
		{[]string{"--app", "Workday", "--group", "Sales", "--user", "alice@sandbox.example.com"}, "exclude each other"},
		{[]string{"--app", "Workday", "--group", "Sales", "--platform", "BEOS"}, `--platform "BEOS" is not a platform`},
		{[]string{"--app", "Workday", "--group", "Sales", "--risk", "EXTREME"}, `--risk "EXTREME"`},
		{[]string{"--app", "Workday", "--group", "Sales", "--managed", "--registered=false"}, "--managed needs a registered device"},
		{[]string{"--app", "Notes", "--group", "Sales"}, `no app "Notes" in the org`},
		{[]string{"--app", "Workday", "--group", "Marketing"}, `no group "Marketing"`},
		{[]string{"--app", "Workday", "--user", "zed@example.com"}, `no user "zed@example.com"`},
		{[]string{"--app", "Workday", "--group", "Sales", "--assurance", "Linux"}, `no device assurance policy "Linux"`},
		{[]string{"--app", "Workday", "--group", "Sales", "--registered=maybe"}, "registered"},
		{[]string{"--app", "Workday", "--group", "Sales", "extra"}, "takes no arguments"},
	} {
		if code := e.execute(append([]string{"simulate"}, tc.args...)...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, ExitUsage, e.err)
			continue
		}
		if !strings.Contains(e.err.String(), tc.msg) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, e.err, tc.msg)
		}
	}
}

// savedDSCPlan saves a DSC plan whose new policy "Registered Sales" (a rule allowing Sales on
// registered devices) protects Workday.
func savedDSCPlan(t *testing.T, e *cmdEnv) string {
	t.Helper()
	ctx := context.Background()
	apps, err := e.api.ListApps(ctx, okta.AppQuery{Q: "Workday"})
	if err != nil || len(apps) != 1 {
		t.Fatalf("Workday: %v %v", apps, err)
	}
	d := flows.DSCDraft{
		AppPolicy:   flows.PolicyChoice{Name: "Registered Sales"},
		AppRule:     flows.AppRuleDraft{Name: "Registered devices only", Access: flows.AccessAllow, Priority: 1, GroupIDs: []string{sandboxtest.GroupID(t, e.api, "Sales")}},
		ProtectApps: []flows.AppProtection{flows.ProtectionOf(apps[0], "Any two factors")},
		Name:        "Sales signals", RuleName: "Okta Verify", OktaVerify: true, UserIdentification: flows.UserIdentificationIgnore,
	}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dsc.plan.json")
	if err := flows.SavePlanWithRefs(ctx, e.api, path, plan, d); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSimulatePlanPredictsWithoutSendingAndSaysSo(t *testing.T) {
	e := newCmdEnv(t)
	plan := savedDSCPlan(t, e)
	args := []string{"simulate", "--plan", plan, "--app", "Workday", "--group", "Sales", "--registered"}
	if code := e.execute(append(args, "--json")...); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	checkCmdGolden(t, "plan-workday-sales-registered.json", strings.ReplaceAll(stableIDs(t, e, e.out.String()), plan, "PLAN"))
	if code := e.execute(args...); code != 0 || !strings.HasPrefix(e.out.String(), "PREDICTION, not Okta's answer: plan "+plan) ||
		!strings.Contains(e.out.String(), `Decided by rule "Registered devices only" of policy "Registered Sales": ALLOW`) {
		t.Fatalf("exit %d, text:\n%s", code, e.out)
	}
	if code := e.execute(append(args, "--expect-rule", "Registered devices only")...); code != 0 {
		t.Fatalf("the plan's rule should be predicted to decide: exit %d %s", code, e.err)
	}
	// Nothing was sent: Okta itself still decides with Workday's current policy.
	noPlan := []string{"simulate", "--app", "Workday", "--group", "Sales", "--registered", "--expect-rule", "Registered devices only"}
	if code := e.execute(noPlan...); code != ExitRuleNotDecided {
		t.Fatalf("without the plan: exit %d, want %d (%s)", code, ExitRuleNotDecided, e.err)
	}
	ps, _ := e.api.ListPolicies(context.Background(), okta.TypeAccessPolicy)
	for _, p := range ps {
		if p.Name == "Registered Sales" {
			t.Fatal("predicting created the plan's policy")
		}
	}
}

func TestSimulatePlanThatDoesNotLoadIsAUsageError(t *testing.T) {
	e := newCmdEnv(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"steps": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := e.execute("simulate", "--plan", bad, "--app", "Workday", "--group", "Sales"); code != ExitUsage {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	if code := e.execute("simulate", "--plan", filepath.Join(t.TempDir(), "none.json"), "--app", "Workday", "--group", "Sales"); code != ExitUsage {
		t.Fatalf("missing file: exit %d: %s", code, e.err)
	}
}
