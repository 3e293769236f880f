package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

// TestTrySignInFromTheSubmitSummary: t on the summary of a finished DSC run opens the Try a
// sign-in screen, answered by Okta; esc comes back to the summary.
func TestTrySignInFromTheSubmitSummary(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals"}.run(d)
	d.Key(tea.KeyEnter) // send
	d.RequireView("Done: 6 requests sent.", "t: try a sign-in")
	d.TypeText("t")
	if _, ok := d.app().Top().(*signin.Screen); !ok {
		t.Fatalf("t on the summary opened %T, want the Try a sign-in screen:\n%s", d.app().Top(), d.View())
	}
	d.RequireView("Try a sign-in", "Okta's answer", "App signed in to")
	d.Key(tea.KeyEsc)
	d.RequireView("Done: 6 requests sent.")
}

// TestTrySignInFromInspectStartsOnTheAppUnderTheCursor: on the apps view, t opens the screen
// with that app picked.
func TestTrySignInFromInspectStartsOnTheAppUnderTheCursor(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	d := newDriver(t, newApp(c, NewInspectWith(c, flows.LoadOptions{SkipEvents: true}, flows.KindApps, "workday")), 80, 24)
	d.RequireView("Workday", "Any two factors", "1 of 8 · t: try a sign-in")
	checkScreenSize(t, d.View(), 80, 24)
	d.TypeText("t")
	d.RequireView("App signed in to", "> Workday")
}

// TestTrySignInFromTheReviewIsThePrediction: t on the review, before anything is sent, answers
// with the wizard's prediction of the plan (labelled so) on the app the plan protects; after
// sending, Okta's own answer from the summary names the same deciding rule.
func TestTrySignInFromTheReviewIsThePrediction(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Registered devices", dscName: "Workforce signals", protect: protectWorkday}.run(d)
	d.TypeText("t")
	d.RequireView("Try a sign-in · prediction", "App signed in to", "> Workday  · the policy this plan gives it")
	d.RequireFlat("The wizard's prediction, not Okta's answer")
	tryContractorsOnAMac(d)
	d.RequireFlat("The wizard's prediction, not Okta's answer", "Sign-in: Workday · group Contractors",
		"Policy “Registered devices”", "Decides “Require a registered device”, the first rule that matches")
	checkScreenSize(t, d.View(), 80, 24)
	golden.RequireEqual(t, []byte(maskIDs(d.View())))

	d.Key(tea.KeyEsc) // back to the review: nothing was sent
	d.RequireView("Stage 5 of 5", "enter sends 7 requests")
	d.Key(tea.KeyEnter)
	d.RequireView("Done: 7 requests sent.")
	d.TypeText("t")
	tryContractorsOnAMac(d)
	d.RequireFlat("Okta's answer", "Decides “Require a registered device”, the first rule that matches")
}

// tryContractorsOnAMac answers the Try a sign-in form: the app picked, Contractors, a
// registered Mac, nothing else.
func tryContractorsOnAMac(d *driver) {
	d.Key(tea.KeyEnter)              // the app picked
	d.Key(tea.KeyDown, tea.KeyEnter) // Contractors (after Everyone)
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
}
