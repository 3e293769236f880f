package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

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
	d.RequireView("Workday", "Any two factors")
	d.TypeText("t")
	d.RequireView("App signed in to", "> Workday")
}
