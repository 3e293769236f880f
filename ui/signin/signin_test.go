package signin_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// open starts a sandbox org and the screen in the shell at 80x24.
func open(t *testing.T, opts signin.Options, sandboxOpts ...sandboxtest.Option) (*uitest.Driver, okta.API) {
	t.Helper()
	_, api := uitest.Sandbox(t, sandboxOpts...)
	c := uitest.Common(t, api, 80, 24)
	d := uitest.New(t, ui.NewAppOn(c, signin.New(c, opts)), 80, 24)
	d.RequireView("App signed in to")
	return d, api
}

// pickApp filters the app list for label and takes the first match.
func pickApp(d *uitest.Driver, label string) {
	d.TypeText("/")
	d.TypeText(label)
	d.Key(tea.KeyEnter) // pick it and go on
}

// TestTrySignInFormAt80x24: the screen says who answers and lists the org's apps to pick.
func TestTrySignInFormAt80x24(t *testing.T) {
	d, _ := open(t, signin.Options{})
	d.RequireFlat("Okta's answer (its policy simulation of the org as it is now)",
		"Expense Portal", "Salesforce.com", "Workday")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
	golden.RequireEqual(t, []byte(d.View()))
}

// TestTrySignInExplainsHowOktaPicksARule: ctrl+e is the onboarding text, and it fits.
func TestTrySignInExplainsHowOktaPicksARule(t *testing.T) {
	d, _ := open(t, signin.Options{})
	d.Send(tea.KeyMsg{Type: tea.KeyCtrlE})
	d.RequireFlat("How Okta picks a rule", "first rule whose every condition matches decides", "catch-all rule is last")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
	d.Send(tea.KeyMsg{Type: tea.KeyCtrlE})
	if strings.Contains(d.View(), "How Okta picks a rule") {
		t.Error("a second ctrl+e does not hide the explanation")
	}
}

// TestTrySignInPagesAskWhoAndDevice: after the app come who signs in (Everyone first) and the
// device and network, all on screen at 80x24.
func TestTrySignInPagesAskWhoAndDevice(t *testing.T) {
	d, _ := open(t, signin.Options{})
	pickApp(d, "Workday")
	d.RequireView("Who signs in", "> Group: Everyone", "A user (type the user id)")
	d.Key(tea.KeyEnter)
	d.RequireView("Platform", "Registered with Okta Verify?", "Managed (MDM)?", "Passes device assurance", "Network zone")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
}

// TestTrySignInUserNeedsAnID: picking "a user" asks for the id and refuses none.
func TestTrySignInUserNeedsAnID(t *testing.T) {
	d, _ := open(t, signin.Options{})
	pickApp(d, "Workday")
	d.TypeText("/")
	d.TypeText("a user")
	d.Key(tea.KeyEnter)
	d.RequireView("User id")
	d.Key(tea.KeyEnter)
	d.RequireFlat("type the user's id")
}

// TestTrySignInManagedNeedsRegistered: a managed device that is not registered is refused on
// the form, as Okta would refuse the simulation.
func TestTrySignInManagedNeedsRegistered(t *testing.T) {
	d, _ := open(t, signin.Options{})
	pickApp(d, "Workday")
	d.Key(tea.KeyEnter)               // Everyone
	d.Key(tea.KeyEnter)               // platform macOS
	d.RequireView("← Yes →")          // registered by default
	d.Key(tea.KeyRight, tea.KeyEnter) // not registered
	d.RequireView("← No →")           // managed: no by default
	d.Key(tea.KeyLeft, tea.KeyEnter)  // managed
	d.Key(tea.KeyEnter, tea.KeyEnter) // assurance, zone: the form is done
	d.RequireFlat("a managed device is registered too")
	d.RequireView("App signed in to") // the form again, answers kept
}
