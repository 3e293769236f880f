package ui

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// dscWalk drives the five stages with a new app sign-in policy, calling at(stage) when each
// stage's first page is on screen.
type dscWalk struct {
	appPolicy, dscName string
	at                 func(stage int)
	stopAt             int // return after at(stopAt) instead of walking on
	// protect answers the protect-apps step after stage 1; nil picks no app.
	protect func(d *driver)
}

func (w dscWalk) run(d *driver) {
	at := w.at
	if at == nil {
		at = func(int) {}
	}
	d.RequireView("Device signal collection")
	d.Key(tea.KeyEnter) // home: open the flow
	d.RequireView("Stage 1 of 5", "+ Create a new app sign-in policy")
	at(1)
	if w.stopAt == 1 {
		return
	}
	d.Key(tea.KeyEnter) // create a new policy
	d.RequireView("Name of the new app sign-in policy")
	d.TypeText(w.appPolicy)
	d.Key(tea.KeyEnter, tea.KeyEnter) // name, description
	d.RequireView("New rule in “" + w.appPolicy + "”")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // rule name, ALLOW, not managed
	d.RequireView("People: groups the rule applies to")
	d.TypeText("x")                   // first group (alphabetical)
	d.Key(tea.KeyEnter, tea.KeyEnter) // groups, priority
	d.RequireView("Stage 1 of 5", "Protect these apps with “"+w.appPolicy+"” (optional)")
	if w.protect != nil {
		w.protect(d)
	} else {
		d.Key(tea.KeyEnter) // no app
	}
	d.RequireView("Stage 2 of 5", "created INACTIVE")
	at(2)
	if w.stopAt == 2 {
		return
	}
	d.TypeText(w.dscName)
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireView("Stage 3 of 5", "This flow maps “"+w.appPolicy+"” → “"+w.dscName+"”.")
	at(3)
	if w.stopAt == 3 {
		return
	}
	d.Key(tea.KeyEnter)
	d.RequireView("Stage 4 of 5", "Device context providers")
	at(4)
	if w.stopAt == 4 {
		return
	}
	d.Key(tea.KeyEnter) // rule name
	d.Key(tea.KeyDown)  // Chrome Device Trust
	d.TypeText("x")     // ... chosen too
	d.Key(tea.KeyEnter) // providers
	d.RequireView("Okta Verify: user identification")
	d.Key(tea.KeyEnter) // ALLOW
	d.RequireView("Only on these platforms")
	d.TypeText("x") // iOS
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireView("Stage 5 of 5", " 1 POST   /api/v1/policies?activate=true")
	at(5)
	if w.stopAt == 5 {
		return
	}
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
	if len(maps) != 1 || flows.MappingTarget(maps[0], dscs[0].ID) != apps[0].ID {
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
			d, _, _ := newShellDriver(t, size.w, size.h)
			screens := map[int]string{}
			dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals", at: func(stage int) {
				v := d.View()
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
	d, c, api := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals"}.run(d)
	d.Key(tea.KeyEnter) // send
	d.RequireView("Done: 6 requests sent.")
	checkScreenSize(t, d.View(), 80, 24)
	golden.RequireEqual(t, []byte(maskIDs(d.View()))) // the summary
	dscCheckOrg(t, api, "Registered devices", "Workforce signals", okta.StatusActive)
	runs, err := flows.OpenJournals(c.JournalDir)
	if err != nil || len(runs) != 0 {
		t.Errorf("a finished run leaves no journal; found %d (%v)", len(runs), err)
	}
}

// TestDSCLeaveInactive: the review's toggle drops the activation, and the policy stays INACTIVE.
func TestDSCLeaveInactive(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Quiet signals"}.run(d)
	d.RequireView("[x] Activate the policy last", "6 requests")
	d.TypeText("a")
	d.RequireView("[ ] Activate the policy last", "5 requests")
	d.Key(tea.KeyEnter)
	d.RequireView("Done: 5 requests sent.")
	dscCheckOrg(t, api, "Registered devices", "Quiet signals", okta.StatusInactive)
}

// TestDSCBackKeepsAnswers: esc goes back page by page and stage by stage; what was typed is
// still there, and going forward again builds the same requests.
func TestDSCBackKeepsAnswers(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	var stage3 bool
	dscWalk{appPolicy: "Kept policy", dscName: "Kept signals", at: func(stage int) {
		if stage != 3 || stage3 {
			return
		}
		stage3 = true
		d.Key(tea.KeyEsc) // stage 3 -> stage 2
		d.RequireView("Stage 2 of 5", "> Kept signals")
		d.Key(tea.KeyEsc) // stage 2 -> the protect step
		d.RequireView("Stage 1 of 5", "Protect these apps with “Kept policy”")
		d.Key(tea.KeyEsc) // -> stage 1, last page
		d.RequireView("Stage 1 of 5", "Priority")
		d.Key(tea.KeyEsc) // -> groups page
		d.RequireView("People: groups the rule applies to", "[•]")
		d.Key(tea.KeyEsc) // -> rule basics page
		d.RequireView("> Require a registered device")
		d.Key(tea.KeyEsc) // -> new policy page
		d.RequireView("> Kept policy")
		// Forward again without retyping anything.
		d.Key(tea.KeyEnter, tea.KeyEnter)
		d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
		d.RequireView("People: groups the rule applies to", "[•]") // the group chosen before
		d.Key(tea.KeyEnter, tea.KeyEnter)
		d.RequireView("Protect these apps with “Kept policy”")
		d.Key(tea.KeyEnter)
		d.RequireView("Stage 2 of 5", "> Kept signals")
		d.Key(tea.KeyEnter, tea.KeyEnter)
		d.RequireView("Stage 3 of 5")
	}}.run(d)
	d.RequireView("Create app sign-in policy “Kept policy”")
	d.Key(tea.KeyEnter)
	d.RequireView("Done: 6 requests sent.")
	dscCheckOrg(t, api, "Kept policy", "Kept signals", okta.StatusActive)
}

// TestDSCResizeRelayout: resizing mid-stage re-lays the screen out within the new size.
func TestDSCResizeRelayout(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Resized", dscName: "Resized signals", at: func(stage int) {
		for _, size := range []struct{ w, h int }{{120, 40}, {100, 30}, {80, 24}} {
			d.Send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			v := d.View()
			checkScreenSize(t, v, size.w, size.h)
			if got := len(strings.Split(v, "\n")); got != size.h {
				t.Errorf("stage %d at %dx%d: %d lines, want the full height", stage, size.w, size.h, got)
			}
			d.RequireView(fmt.Sprintf("Stage %d of 5", stage), "ctrl+c quit")
		}
	}}.run(d)
}

// TestDSCErrorBesideStageThenFixed: an injected E0000001 on the mapping stops the run and is
// shown under stage 3 with code, summary and cause; "f" goes back to stage 3, and continuing
// from the review finishes the run without creating anything twice.
func TestDSCErrorBesideStageThenFixed(t *testing.T) {
	d, c, api := newShellDriver(t, 80, 24, failFirstMappingPOST())
	dscWalk{appPolicy: "Faulty app", dscName: "Faulty signals"}.run(d)
	d.Key(tea.KeyEnter)
	d.RequireView("✗ POST   Map app sign-in policy", "stage 3 · E0000001 Api validation failed", "• injected fault", "f: fix stage 3 and continue")
	checkScreenSize(t, d.View(), 80, 24)
	if runs, _ := flows.OpenJournals(c.JournalDir); len(runs) != 1 {
		t.Fatalf("the failed run keeps its journal; found %d", len(runs))
	}
	d.TypeText("f")
	d.RequireView("Stage 3 of 5", "This flow maps “Faulty app” → “Faulty signals”.")
	d.Key(tea.KeyEnter)
	d.RequireView("Stage 4 of 5")
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter)
	d.RequireView("Okta Verify: user identification")
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireView("Stage 5 of 5", "not sent again.", "done by the earlier attempt (id ")
	d.Key(tea.KeyEnter)
	d.RequireView("Done:", "already done by the earlier run")
	// The summary counts only what this attempt sent; the rest of the 6 were done before.
	m := regexp.MustCompile(`Done: (\d+) requests? sent; (\d+) already done by the earlier run\.`).FindStringSubmatch(d.Flat())
	if m == nil {
		t.Fatalf("summary does not split sent and earlier requests:\n%s", d.View())
	}
	if sent, earlier := atoi(t, m[1]), atoi(t, m[2]); sent+earlier != 6 || earlier == 0 || sent == 0 {
		t.Errorf("summary says %d sent + %d earlier, want a split of 6", sent, earlier)
	}
	dscCheckOrg(t, api, "Faulty app", "Faulty signals", okta.StatusActive)
	if runs, _ := flows.OpenJournals(c.JournalDir); len(runs) != 0 {
		t.Errorf("the finished run leaves no journal; found %d", len(runs))
	}
}

// TestDSCExplainToggle: ctrl+e shows what the stage does in Okta and hides it again.
func TestDSCExplainToggle(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	d.Key(tea.KeyEnter)
	d.RequireView("Stage 1 of 5")
	if strings.Contains(d.View(), "decides who may sign in") {
		t.Fatal("explanation shown before asked for")
	}
	d.Key(tea.KeyCtrlE)
	d.RequireView("decides who may sign in", "+ Create a new app sign-in policy")
	checkScreenSize(t, d.View(), 80, 24)
	d.Key(tea.KeyCtrlE)
	if strings.Contains(d.View(), "decides who may sign in") {
		t.Fatal("explanation still shown after ctrl+e again")
	}
}

// TestDSCPlainUnderNoColor: with the ASCII profile (what NO_COLOR gives) no screen of the flow
// carries an escape sequence.
func TestDSCPlainUnderNoColor(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	check := func(where string) {
		if v := d.View(); strings.ContainsRune(v, '\x1b') {
			t.Errorf("%s: escape sequence on a NO_COLOR screen:\n%q", where, v)
		}
	}
	check("home")
	dscWalk{appPolicy: "Plain", dscName: "Plain signals", at: func(stage int) { check(fmt.Sprintf("stage %d", stage)) }}.run(d)
	d.Key(tea.KeyEnter)
	d.RequireView("Done:")
	check("summary")
}

// TestDSCReuseSuitableRule: when the picked app sign-in policy already has a rule requiring
// registered devices, the wizard offers to reuse it, and the plan then sends no rule for stage 1.
func TestDSCReuseSuitableRule(t *testing.T) {
	api, pol := policyWithRegisteredRule(t)
	ctx := context.Background()
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.Key(tea.KeyEnter)
	d.RequireView("+ Create a new app sign-in policy")
	d.TypeText("/")
	d.TypeText("Has device")
	d.Key(tea.KeyEnter) // pick the filtered policy
	d.RequireView("A rule of “Has device rule” already requires registered devices", "Reuse “Registered only” (ALLOW)")
	checkScreenSize(t, d.View(), 80, 24)
	d.Key(tea.KeyEnter) // reuse
	d.RequireView("Protect these apps with “Has device rule” (optional)")
	d.Key(tea.KeyEnter) // no app
	d.RequireView("Stage 2 of 5")
	d.TypeText("Reusing signals")
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireView("This flow maps “Has device rule” → “Reusing signals”.")
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireView("Stage 5 of 5", "4 requests")
	if strings.Contains(d.View(), "Add rule “Require a registered device”") {
		t.Error("the plan creates a rule although one is reused")
	}
	d.Key(tea.KeyEnter)
	d.RequireView("Done: 4 requests sent.")
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
	srv, api := shellSandbox(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/policies"},
	}}))
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.Key(tea.KeyEnter)
	d.RequireView("Could not read the org:", "E0000001", "ctrl+r tries again")
	checkScreenSize(t, d.View(), 80, 24)
	srv.SetFaults(sandbox.Faults{})
	d.Key(tea.KeyCtrlR)
	d.RequireView("+ Create a new app sign-in policy")
}

// TestDSCHomeAndBackKeepsAnswers: leaving the walk for the home screen and opening it again
// keeps the answers until the walk is submitted.
func TestDSCHomeAndBackKeepsAnswers(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter)
	d.TypeText("Remembered")
	d.Key(tea.KeyEsc, tea.KeyEsc) // new policy page -> picker -> home
	d.RequireView("1. Device signal collection")
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter)
	d.RequireView("> Remembered")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// protectWorkday picks Workday on the protect step (filter, x, enter).
func protectWorkday(d *driver) {
	d.TypeText("/")
	d.TypeText("workday")
	d.Key(tea.KeyEnter) // keep the filter
	d.TypeText("x")
	d.RequireView("[•] Workday (SAML) · now “Any two factors”")
	d.Key(tea.KeyEnter)
}

// TestDSCProtectedAppGetsThePolicyAndSignsInByTheNewRule: an app picked on the protect step is
// one previewed PUT in the review; once sent the app uses the new policy, and Try a sign-in
// (t on the summary, the app already picked) shows the new rule deciding a registered Mac of
// the rule's group, and the catch-all deciding for anyone else.
func TestDSCProtectedAppGetsThePolicyAndSignsInByTheNewRule(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals", protect: protectWorkday}.run(d)
	d.RequireView("7 requests")
	if !strings.Contains(requestsText(d), "Workday") || !regexp.MustCompile(`PUT +/api/v1/apps/0oa\w+/policies/\{\{`).MatchString(d.View()+requestsText(d)) {
		t.Fatalf("the review has no PUT of Workday's policy:\n%s", requestsText(d))
	}
	d.Key(tea.KeyEnter) // send
	d.RequireView("Done: 7 requests sent.")
	policyID := sandboxtest.PolicyID(t, api, okta.TypeAccessPolicy, "Registered devices")
	apps, err := api.ListApps(context.Background(), okta.AppQuery{Q: "Workday"})
	if err != nil || len(apps) != 1 || apps[0].AccessPolicyID != policyID {
		t.Fatalf("Workday after the run: %+v (%v), want policy %s", apps, err, policyID)
	}
	d.TypeText("t")
	d.RequireView("App signed in to", "> Workday")
	d.Key(tea.KeyEnter) // Workday
	d.Key(tea.KeyEnter) // Everyone
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	// The walk's rule is for its first group, Contractors: Everyone falls through.
	d.RequireFlat("Policy “Registered devices”", "Decides “Catch-all Rule”", "NOT_MATCH people.groups.include")
	d.TypeText("e")
	d.Key(tea.KeyEnter) // Workday
	d.RequireView("> Group: Everyone", "Group: Contractors")
	d.Key(tea.KeyDown, tea.KeyEnter) // Contractors
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("Sign-in: Workday · group Contractors", "Decides “Require a registered device”, the first rule that matches")
}

// TestDSCProtectPicksKeptGoingBack: esc from stage 2 shows the protect step with its pick.
func TestDSCProtectPicksKeptGoingBack(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Kept apps", dscName: "Kept signals", protect: protectWorkday, stopAt: 2}.run(d)
	d.Key(tea.KeyEsc)
	d.RequireView("Protect these apps with “Kept apps”", "[•] Workday")
}

// requestsText is the whole plan of the review on top (it scrolls at 80x24).
func requestsText(d *driver) string {
	if r, ok := d.app().Top().(interface{ RequestsView() string }); ok {
		return r.RequestsView()
	}
	return ""
}

// policyWithRegisteredRule gives a sandbox org an app sign-in policy "Has device rule" whose
// active rule "Registered only" allows registered devices.
func policyWithRegisteredRule(t *testing.T) (*okta.Client, *okta.Policy) {
	t.Helper()
	_, api := shellSandbox(t)
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
	return api, pol
}
