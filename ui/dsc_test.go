package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// dscWalk drives the five stages with a new app sign-in policy, calling at(stage) when each
// stage's first page is on screen.
type dscWalk struct {
	appPolicy, dscName string
	at                 func(stage int)
}

func (w dscWalk) run(d *driver) {
	at := w.at
	if at == nil {
		at = func(int) {}
	}
	d.requireView("Device signal collection")
	d.key(tea.KeyEnter) // home: open the flow
	d.requireView("Stage 1 of 5", "+ Create a new app sign-in policy")
	at(1)
	d.key(tea.KeyEnter) // create a new policy
	d.requireView("Name of the new app sign-in policy")
	d.typeText(w.appPolicy)
	d.keys(tea.KeyEnter, tea.KeyEnter) // name, description
	d.requireView("New rule in “" + w.appPolicy + "”")
	d.keys(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // rule name, ALLOW, not managed
	d.requireView("People: groups the rule applies to")
	d.typeText("x")                    // first group (alphabetical)
	d.keys(tea.KeyEnter, tea.KeyEnter) // groups, priority
	d.requireView("Stage 2 of 5", "created INACTIVE")
	at(2)
	d.typeText(w.dscName)
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.requireView("Stage 3 of 5", "This flow maps “"+w.appPolicy+"” → “"+w.dscName+"”.")
	at(3)
	d.key(tea.KeyEnter)
	d.requireView("Stage 4 of 5", "Device context providers")
	at(4)
	d.key(tea.KeyEnter) // rule name
	d.keys(tea.KeyDown) // Chrome Device Trust
	d.typeText("x")     // ... chosen too
	d.key(tea.KeyEnter) // providers
	d.requireView("Okta Verify: user identification")
	d.key(tea.KeyEnter) // ALLOW
	d.requireView("Only on these platforms")
	d.typeText("x") // iOS
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.requireView("Stage 5 of 5", " 1 POST   /api/v1/policies?activate=true")
	at(5)
}

// dscCheckOrg asserts what a finished walk leaves in the org, read back through the API.
func dscCheckOrg(t *testing.T, api okta.API, appPolicy, dscName, wantStatus string) {
	t.Helper()
	ctx := context.Background()
	find := func(pt okta.PolicyType, name string) []okta.Policy {
		ps, err := api.ListPolicies(ctx, pt)
		if err != nil {
			t.Fatal(err)
		}
		var out []okta.Policy
		for _, p := range ps {
			if p.Name == name {
				out = append(out, p)
			}
		}
		return out
	}
	apps := find(okta.TypeAccessPolicy, appPolicy)
	dscs := find(okta.TypeDeviceSignalCollection, dscName)
	if len(apps) != 1 || len(dscs) != 1 {
		t.Fatalf("want one app sign-in policy and one DSC policy, got %d and %d", len(apps), len(dscs))
	}
	if dscs[0].Status != wantStatus {
		t.Errorf("DSC policy status %s, want %s", dscs[0].Status, wantStatus)
	}
	maps, err := api.ListMappings(ctx, dscs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 1 || mappedPolicyID(maps[0]) != apps[0].ID {
		t.Errorf("mappings %+v, want one to %s", maps, apps[0].ID)
	}
	rules, err := api.ListRules(ctx, dscs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var rule *okta.Rule
	for i := range rules {
		if rules[i].Name == "Collect device signals" {
			if rule != nil {
				t.Fatal("the DSC rule exists twice")
			}
			rule = &rules[i]
		}
	}
	if rule == nil || rule.Actions == nil || rule.Actions.DeviceSignalCollection == nil {
		t.Fatalf("DSC rule missing or without providers: %+v", rules)
	}
	var got []string
	for _, p := range rule.Actions.DeviceSignalCollection.DeviceContextProviders {
		got = append(got, p.Key+":"+p.UserIdentification)
	}
	slices.Sort(got)
	if want := []string{"CHROME_DEVICE_TRUST:", "OKTA_VERIFY:ALLOW"}; !slices.Equal(got, want) {
		t.Errorf("providers %v, want %v", got, want)
	}
	if rule.Conditions == nil || rule.Conditions.Platform == nil || len(rule.Conditions.Platform.Include) != 1 ||
		rule.Conditions.Platform.Include[0].OS == nil || rule.Conditions.Platform.Include[0].OS.Type != "IOS" {
		t.Errorf("platform condition %+v, want iOS only", rule.Conditions)
	}
	appRules, err := api.ListRules(ctx, apps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	registered := 0
	for _, r := range appRules {
		if len(suitableRules([]okta.Rule{r})) == 1 {
			registered++
		}
	}
	if registered != 1 {
		t.Errorf("app sign-in policy has %d registered-device rules, want 1", registered)
	}
}

// TestDSCGoldenStages compares each stage's first screen, and the review, with golden files
// at 80x24 and 120x40 (go test ./ui -run TestDSCGoldenStages -update rewrites them).
func TestDSCGoldenStages(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			_, api := shellSandbox(t, sandbox.Options{})
			c := shellCommon(t, api, size.w, size.h)
			d := newDriver(t, New(c), size.w, size.h)
			screens := map[int]string{}
			dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals", at: func(stage int) {
				v := d.view()
				checkScreenSize(t, v, size.w, size.h)
				screens[stage] = maskIDs(v)
			}}.run(d)
			for stage := 1; stage <= 5; stage++ {
				t.Run(fmt.Sprintf("stage%d", stage), func(t *testing.T) { golden.RequireEqual(t, []byte(screens[stage])) })
			}
		})
	}
}

// TestDSCFullWalkDriver walks the five stages and submits: the org ends with an ACTIVE DSC
// policy mapped to the new app sign-in policy, its rule holding the chosen providers.
func TestDSCFullWalkDriver(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals"}.run(d)
	d.key(tea.KeyEnter) // send
	d.requireView("Done: 6 requests sent.")
	checkScreenSize(t, d.view(), 80, 24)
	golden.RequireEqual(t, []byte(maskIDs(d.view()))) // the summary
	dscCheckOrg(t, api, "Registered devices", "Workforce signals", okta.StatusActive)
	runs, err := flows.OpenJournals(c.JournalDir)
	if err != nil || len(runs) != 0 {
		t.Errorf("a finished run leaves no journal; found %d (%v)", len(runs), err)
	}
}

// TestDSCLeaveInactive: the review's toggle drops the activation, and the policy stays INACTIVE.
func TestDSCLeaveInactive(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Quiet signals"}.run(d)
	d.requireView("[x] Activate the policy last", "6 requests")
	d.typeText("a")
	d.requireView("[ ] Activate the policy last", "5 requests")
	d.key(tea.KeyEnter)
	d.requireView("Done: 5 requests sent.")
	dscCheckOrg(t, api, "Registered devices", "Quiet signals", okta.StatusInactive)
}

// TestDSCBackKeepsAnswers: esc goes back page by page and stage by stage; what was typed is
// still there, and going forward again builds the same requests.
func TestDSCBackKeepsAnswers(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	var stage3 bool
	dscWalk{appPolicy: "Kept policy", dscName: "Kept signals", at: func(stage int) {
		if stage != 3 || stage3 {
			return
		}
		stage3 = true
		d.key(tea.KeyEsc) // stage 3 -> stage 2
		d.requireView("Stage 2 of 5", "> Kept signals")
		d.key(tea.KeyEsc) // stage 2 -> stage 1, last page
		d.requireView("Stage 1 of 5", "Priority")
		d.key(tea.KeyEsc) // -> rule basics page
		d.requireView("> Require a registered device")
		d.key(tea.KeyEsc) // -> new policy page
		d.requireView("> Kept policy")
		// Forward again without retyping anything.
		d.keys(tea.KeyEnter, tea.KeyEnter)
		d.keys(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
		d.requireView("People: groups the rule applies to", "[•]") // the group chosen before
		d.keys(tea.KeyEnter, tea.KeyEnter)
		d.requireView("Stage 2 of 5", "> Kept signals")
		d.keys(tea.KeyEnter, tea.KeyEnter)
		d.requireView("Stage 3 of 5")
	}}.run(d)
	d.requireView("Create app sign-in policy “Kept policy”")
	d.key(tea.KeyEnter)
	d.requireView("Done: 6 requests sent.")
	dscCheckOrg(t, api, "Kept policy", "Kept signals", okta.StatusActive)
}

// TestDSCResizeRelayout: resizing mid-stage re-lays the screen out within the new size.
func TestDSCResizeRelayout(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	dscWalk{appPolicy: "Resized", dscName: "Resized signals", at: func(stage int) {
		for _, size := range []struct{ w, h int }{{120, 40}, {100, 30}, {80, 24}} {
			d.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			v := d.view()
			checkScreenSize(t, v, size.w, size.h)
			if got := len(strings.Split(v, "\n")); got != size.h {
				t.Errorf("stage %d at %dx%d: %d lines, want the full height", stage, size.w, size.h, got)
			}
			d.requireView(fmt.Sprintf("Stage %d of 5", stage), "ctrl+c quit")
		}
	}}.run(d)
}

// TestDSCErrorBesideStageThenFixed: an injected E0000001 on the mapping stops the run and is
// shown under stage 3 with code, summary and cause; "f" goes back to stage 3, and continuing
// from the review finishes the run without creating anything twice.
func TestDSCErrorBesideStageThenFixed(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{Faults: sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1},
	}}})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	dscWalk{appPolicy: "Faulty app", dscName: "Faulty signals"}.run(d)
	d.key(tea.KeyEnter)
	d.requireView("✗ POST   Map app sign-in policy", "stage 3 · E0000001 Api validation failed", "• injected fault", "f: fix stage 3 and continue")
	checkScreenSize(t, d.view(), 80, 24)
	if runs, _ := flows.OpenJournals(c.JournalDir); len(runs) != 1 {
		t.Fatalf("the failed run keeps its journal; found %d", len(runs))
	}
	d.typeText("f")
	d.requireView("Stage 3 of 5", "This flow maps “Faulty app” → “Faulty signals”.")
	d.key(tea.KeyEnter)
	d.requireView("Stage 4 of 5")
	d.key(tea.KeyEnter)
	d.key(tea.KeyEnter)
	d.requireView("Okta Verify: user identification")
	d.key(tea.KeyEnter)
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.requireView("Stage 5 of 5", "done by the earlier attempt are not sent again", "done by the earlier attempt (id ")
	d.key(tea.KeyEnter)
	d.requireView("Done:", "already done by the earlier run")
	dscCheckOrg(t, api, "Faulty app", "Faulty signals", okta.StatusActive)
	if runs, _ := flows.OpenJournals(c.JournalDir); len(runs) != 0 {
		t.Errorf("the finished run leaves no journal; found %d", len(runs))
	}
}

// TestDSCExplainToggle: ctrl+e shows what the stage does in Okta and hides it again.
func TestDSCExplainToggle(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.key(tea.KeyEnter)
	d.requireView("Stage 1 of 5")
	if strings.Contains(d.view(), "decides who may sign in") {
		t.Fatal("explanation shown before asked for")
	}
	d.key(tea.KeyCtrlE)
	d.requireView("decides who may sign in", "+ Create a new app sign-in policy")
	checkScreenSize(t, d.view(), 80, 24)
	d.key(tea.KeyCtrlE)
	if strings.Contains(d.view(), "decides who may sign in") {
		t.Fatal("explanation still shown after ctrl+e again")
	}
}

// TestDSCPlainUnderNoColor: with the ASCII profile (what NO_COLOR gives) no screen of the flow
// carries an escape sequence.
func TestDSCPlainUnderNoColor(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	check := func(where string) {
		if v := d.view(); strings.ContainsRune(v, '\x1b') {
			t.Errorf("%s: escape sequence on a NO_COLOR screen:\n%q", where, v)
		}
	}
	check("home")
	dscWalk{appPolicy: "Plain", dscName: "Plain signals", at: func(stage int) { check(fmt.Sprintf("stage %d", stage)) }}.run(d)
	d.key(tea.KeyEnter)
	d.requireView("Done:")
	check("summary")
}

// TestDSCReuseSuitableRule: when the picked app sign-in policy already has a rule requiring
// registered devices, the wizard offers to reuse it, and the plan then sends no rule for stage 1.
func TestDSCReuseSuitableRule(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	ctx := context.Background()
	pol, err := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Has device rule"}, true)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := api.CreateRule(ctx, pol.ID, okta.Rule{
		Type: okta.TypeAccessPolicy, Name: "Registered only",
		Conditions: &okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes}},
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: flows.AccessAllow}},
	}, true); err != nil {
		t.Fatal(err)
	}
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.key(tea.KeyEnter)
	d.requireView("+ Create a new app sign-in policy")
	d.typeText("/")
	d.typeText("Has device")
	d.key(tea.KeyEnter) // pick the filtered policy
	d.requireView("A rule of “Has device rule” already requires registered devices", "Reuse “Registered only” (ALLOW)")
	checkScreenSize(t, d.view(), 80, 24)
	d.key(tea.KeyEnter) // reuse
	d.requireView("Stage 2 of 5")
	d.typeText("Reusing signals")
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.requireView("This flow maps “Has device rule” → “Reusing signals”.")
	d.key(tea.KeyEnter)
	d.keys(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.requireView("Stage 5 of 5", "4 requests")
	if strings.Contains(d.view(), "Add rule “Require a registered device”") {
		t.Error("the plan creates a rule although one is reused")
	}
	d.key(tea.KeyEnter)
	d.requireView("Done: 4 requests sent.")
	rules, err := api.ListRules(ctx, pol.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(suitableRules(rules)); n != 1 {
		t.Errorf("policy has %d registered-device rules after reuse, want 1", n)
	}
}

// TestDSCLoadErrorThenRetry: when the org cannot be read the stage says so and ctrl+r retries.
func TestDSCLoadErrorThenRetry(t *testing.T) {
	srv, api := shellSandbox(t, sandbox.Options{Faults: sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/policies"},
	}}})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.key(tea.KeyEnter)
	d.requireView("Could not read the org:", "E0000001", "ctrl+r tries again")
	checkScreenSize(t, d.view(), 80, 24)
	srv.SetFaults(sandbox.Faults{})
	d.key(tea.KeyCtrlR)
	d.requireView("+ Create a new app sign-in policy")
}

// TestDSCHomeAndBackKeepsAnswers: leaving the walk for the home screen and opening it again
// keeps the answers until the walk is submitted.
func TestDSCHomeAndBackKeepsAnswers(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.key(tea.KeyEnter)
	d.key(tea.KeyEnter)
	d.typeText("Remembered")
	d.keys(tea.KeyEsc, tea.KeyEsc) // new policy page -> picker -> home
	d.requireView("1. Device signal collection")
	d.key(tea.KeyEnter)
	d.key(tea.KeyEnter)
	d.requireView("> Remembered")
}
