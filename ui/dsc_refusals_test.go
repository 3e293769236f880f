package ui

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// salesSignals gives the sandbox org a DSC policy "Sales device signals" that maps "Okta
// Dashboard", so that policy can't be mapped again and the name is taken.
func salesSignals(t *testing.T, api okta.API) {
	t.Helper()
	ctx := context.Background()
	dsc, err := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "Sales device signals"}, false)
	if err != nil {
		t.Fatal(err)
	}
	access, err := api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range access {
		if p.Name == "Okta Dashboard" {
			if _, err := api.MapResource(ctx, dsc.ID, okta.MappingRequest{ResourceID: p.ID, ResourceType: string(okta.TypeAccessPolicy)}); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("the sandbox has no Okta Dashboard policy")
}

// TestDSCRefusesNamesInUseAtTheirStage: a new app sign-in policy named like an existing one
// is refused on its field at stage 1, a signal collection policy name in use on its field at
// stage 2; nothing is sent.
func TestDSCRefusesNamesInUseAtTheirStage(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	salesSignals(t, api)
	d.Key(tea.KeyEnter)
	d.RequireView("Stage 1 of 5", "+ Create a new app sign-in policy")
	d.Key(tea.KeyEnter)
	d.RequireView("Name of the new app sign-in policy")
	d.TypeText("Okta Dashboard")
	d.Key(tea.KeyEnter)
	d.RequireFlat("an app sign-in policy named “Okta Dashboard” exists", "Name of the new app sign-in policy")
	checkScreenSize(t, d.View(), 80, 24)
	for range len("Okta Dashboard") {
		d.Key(tea.KeyBackspace)
	}
	d.TypeText("Fresh apps")
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireView("New rule in “Fresh apps”")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireView("People: groups the rule applies to")
	d.Key(tea.KeyEnter)
	d.RequireView("Priority: where the rule goes")
	d.Key(tea.KeyEnter)
	d.RequireView("Protect these apps with “Fresh apps” (optional)")
	d.Key(tea.KeyEnter) // no app
	d.RequireView("Stage 2 of 5")
	d.TypeText("Sales device signals")
	d.Key(tea.KeyEnter)
	d.RequireFlat("a signal collection policy named “Sales device signals” exists: choose another name", "Stage 2 of 5")
	checkScreenSize(t, d.View(), 80, 24)
}

// TestDSCMappedPolicyIsListedButCannotBePicked: the stage 1 picker shows a policy another
// signal collection policy maps, says why it can't be picked, and refuses it; stage 3 does the
// same for the extra mappings.
func TestDSCMappedPolicyIsListedButCannotBePicked(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	salesSignals(t, api)
	d.Key(tea.KeyEnter)
	d.RequireView("Okta Dashboard · mapped to “Sales device signals”: can't be picked")
	d.TypeText("/")
	d.TypeText("Dashboard")
	d.Key(tea.KeyEnter) // picks the filtered policy
	d.RequireFlat("“Okta Dashboard” can't be picked: “Sales device signals” maps it already", "Stage 1 of 5")
	checkScreenSize(t, d.View(), 80, 24)

	// Stage 3 lists it too, and refuses it as an extra mapping.
	d2, _, api2 := newShellDriver(t, 80, 24)
	salesSignals(t, api2)
	dscWalk{appPolicy: "Fresh apps", dscName: "Fresh signals", at: func(stage int) {
		if stage != 3 {
			return
		}
		d2.RequireView("Okta Dashboard · mapped to “Sales device signals”: can't be mapped")
		d2.Key(tea.KeyDown, tea.KeyDown) // Okta Admin Console, Any two factors, Okta Dashboard
		d2.TypeText("x")
		d2.Key(tea.KeyEnter)
		d2.RequireFlat("“Okta Dashboard” can't be mapped: “Sales device signals” maps it already", "Stage 3 of 5")
		checkScreenSize(t, d2.View(), 80, 24)
		d2.TypeText("x") // unselected: the walk goes on
		d2.Key(tea.KeyEnter)
		d2.RequireView("Stage 4 of 5")
		d2.Key(tea.KeyEsc)
		d2.RequireView("Stage 3 of 5")
	}}.run(d2)
}

// TestDSCOrgCheckedBeforeTheReview: a name taken after its stage was answered (another admin)
// is still refused before the review, sent back to its stage, with nothing sent.
func TestDSCOrgCheckedBeforeTheReview(t *testing.T) {
	d, c, api := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Fresh apps", dscName: "Fresh signals", at: func(stage int) {
		if stage != 4 {
			return
		}
		// The org's view the flow holds now has the name (as if read again).
		f := dscFlowFor(c)
		f.org.dscPolicies = append(f.org.dscPolicies, okta.Policy{ID: "rstOther", Name: "Fresh signals", Type: okta.TypeDeviceSignalCollection})
	}, stopAt: 4}.run(d)
	d.Key(tea.KeyEnter, tea.KeyEnter) // rule name, providers (Okta Verify)
	d.RequireView("Okta Verify: user identification")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("These answers need a fix", "stage 2: a signal collection policy named “Fresh signals” exists")
	ps, err := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("%d DSC policies were created; nothing should be sent", len(ps))
	}
}

// TestDSCPriorityPickerWarnsOfARuleThatNeverMatches: behind a plain registered-device ALLOW
// rule, a new registered-device rule at position 2 is marked "never matches".
func TestDSCPriorityPickerWarnsOfARuleThatNeverMatches(t *testing.T) {
	api, _ := policyWithRegisteredRule(t)
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, New(c), 80, 24)
	d.Key(tea.KeyEnter)
	d.RequireView("Has device rule")
	d.TypeText("/")
	d.TypeText("Has device")
	d.Key(tea.KeyEnter)
	d.RequireView("Reuse “Registered only”")
	d.Key(tea.KeyDown, tea.KeyEnter) // create a new rule instead
	d.RequireView("New rule in “Has device rule”")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireView("People: groups the rule applies to")
	d.Key(tea.KeyEnter)
	d.RequireView("Priority: where the rule goes")
	view := d.View()
	if !strings.Contains(view, "1: before “Registered only”") || strings.Contains(lineWith(view, "1: before"), "never matches") {
		t.Errorf("position 1 comes first and can match:\n%s", view)
	}
	if !strings.Contains(lineWith(view, "2: last"), "· never matches") {
		t.Errorf("position 2 is not marked as never matching:\n%s", view)
	}
	d.RequireFlat("· never matches: “Registered only” comes first and allows the same sign-ins")
	checkScreenSize(t, view, 80, 24)
}

func lineWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestDSCStage1FilterStaysVisibleAndEscClearsIt: a filter typed in the stage 1 picker stays on
// screen after a pick is refused, the footer says esc clears it, and esc clears it (the stage
// stays open) instead of leaving the stage.
func TestDSCStage1FilterStaysVisibleAndEscClearsIt(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	salesSignals(t, api)
	d.Key(tea.KeyEnter)
	d.RequireView("Stage 1 of 5")
	d.TypeText("/")
	d.TypeText("Dashboard")
	d.Key(tea.KeyEnter) // refused: mapped elsewhere
	d.RequireView("/Dashboard", "esc clear filter", "Stage 1 of 5")
	if strings.Contains(d.View(), "esc back") {
		t.Errorf("the footer offers esc twice:\n%s", d.View())
	}
	if strings.Contains(d.View(), "+ Create a new app sign-in policy") {
		t.Fatalf("the filter does not hide the other options:\n%s", d.View())
	}
	d.Key(tea.KeyEsc)
	d.RequireView("Stage 1 of 5", "> Okta Dashboard", "Password only") // the whole list, the pick kept
	if strings.Contains(d.View(), "/Dashboard") {
		t.Errorf("esc left the filter in place:\n%s", d.View())
	}
	d.Key(tea.KeyUp, tea.KeyUp, tea.KeyUp) // from the refused pick to the top
	d.RequireView("> + Create a new app sign-in policy", "Seamless access based on network context")
	d.Key(tea.KeyEnter)
	d.RequireView("Name of the new app sign-in policy")
}

// TestDSCKeysWhileReadingTheOrgAreVisiblyIgnored: keys typed while a page's data is read are
// not fed to whichever field comes next; the loading line says they are ignored and the page
// that appears says how many were, with its own answers untouched.
func TestDSCKeysWhileReadingTheOrgAreVisiblyIgnored(t *testing.T) {
	_, api := shellSandbox(t, sandboxtest.Latency(400*time.Millisecond))
	c := shellCommon(t, api, 80, 24)
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(80, 24))
	waitScreen(t, tm, "Device signal collection")
	press(tm, kEnter())
	waitScreen(t, tm, "Reading the org… keys typed now are ignored.")
	press(tm, kType("Typed ahead"), kEnter())
	waitScreen(t, tm, "Ignored 12 keys typed while the org was read: type them again here.", "> + Create a new app sign-in policy")
	press(tm, kEnter())
	waitScreen(t, tm, "Name of the new app sign-in policy")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	// Nothing echoes the typed text, so any trace of it means it landed in a field.
	if strings.Contains(string(out), "Typed ahead") {
		t.Errorf("keys typed while reading landed in a field:\n%s", out)
	}
}
