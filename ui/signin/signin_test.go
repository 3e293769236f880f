package signin_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
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
	d.RequireView("Who signs in", "> Group: Everyone", "A user (type their login or id)")
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
	d.RequireView("User: login or id")
	d.Key(tea.KeyEnter)
	d.RequireFlat("type the user's login or id")
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

// registeredRule adds an ALLOW rule for registered devices first in the policy named policy.
func registeredRule(t *testing.T, api okta.API, policy string) string {
	t.Helper()
	yes := true
	return addRule(t, api, policy, "Require a registered device", 1, "ALLOW", okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes}})
}

// addRule adds an active rule at priority to the policy named policy and returns the policy id.
func addRule(t *testing.T, api okta.API, policy, name string, priority int, access string, conds okta.RuleConditions) string {
	t.Helper()
	id := sandboxtest.PolicyID(t, api, okta.TypeAccessPolicy, policy)
	if _, err := api.CreateRule(context.Background(), id, okta.Rule{
		Type: okta.TypeAccessPolicy, Name: name, Priority: &priority, Conditions: &conds,
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: access}},
	}, true); err != nil {
		t.Fatal(err)
	}
	return id
}

// signInToSlack walks the form: Slack, Everyone, a Mac, registered or not, the rest default.
func signInToSlack(d *uitest.Driver, registered bool) {
	pickApp(d, "Slack")
	d.Key(tea.KeyEnter) // Everyone
	d.Key(tea.KeyEnter) // macOS
	if !registered {
		d.Key(tea.KeyRight)
	}
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // registered, managed, assurance, zone
}

// TestTrySignInOktaSaysWhichRuleDecidesAndWhy: after a setup, Okta's simulation decides a
// registered Mac by the new rule (each condition shown) and says what the user gets; changing
// the sign-in to an unregistered Mac shows the rule not matching and the catch-all deciding.
func TestTrySignInOktaSaysWhichRuleDecidesAndWhy(t *testing.T) {
	_, api := uitest.Sandbox(t)
	registeredRule(t, api, "Password only") // Slack's policy
	c := uitest.Common(t, api, 80, 24)
	d := uitest.New(t, ui.NewAppOn(c, signin.New(c, signin.Options{})), 80, 24)
	d.RequireView("App signed in to")

	signInToSlack(d, true)
	d.RequireFlat("Okta's answer", "Policy “Password only”", "“Require a registered device”",
		"User gets ALLOW", "MATCH device.registered")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
	golden.RequireEqual(t, []byte(maskIDs(d.View())))

	d.TypeText("e") // change the sign-in
	d.RequireView("App signed in to", "> Slack")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // app, who, platform kept
	d.Key(tea.KeyRight)                             // not registered
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("NOT_MATCH device.registered", "Catch-all Rule", "User gets ALLOW · one factor · re-authenticate every 12 hours")
	_, why, _ := strings.Cut(d.View(), "Why")
	if strings.Index(why, "Require a registered device") > strings.Index(why, "Catch-all Rule") {
		t.Errorf("the rules are not listed in priority order:\n%s", d.View())
	}
}

// TestTrySignInDenyRuleSaysRefused: a DENY rule that decides says the sign-in is refused.
func TestTrySignInDenyRuleSaysRefused(t *testing.T) {
	_, api := uitest.Sandbox(t)
	no := false
	addRule(t, api, "Password only", "Block unregistered", 1, "DENY", okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &no}})
	c := uitest.Common(t, api, 80, 24)
	d := uitest.New(t, ui.NewAppOn(c, signin.New(c, signin.Options{})), 80, 24)
	d.RequireView("App signed in to")
	signInToSlack(d, false)
	d.RequireFlat("“Block unregistered”", "DENY: the sign-in is refused")
}

// TestTrySignInUnknownUserIsOktasError: a user id the org lacks comes back as Okta's error,
// above the form, with the answers kept.
func TestTrySignInUnknownUserIsOktasError(t *testing.T) {
	d, _ := open(t, signin.Options{})
	pickApp(d, "Slack")
	d.TypeText("/")
	d.TypeText("a user")
	d.Key(tea.KeyEnter)
	d.TypeText("00unobody")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("Could not answer:", "00unobody")
	d.RequireView("App signed in to", "> Slack")
}

var oktaIDRE = regexp.MustCompile(`\b(rst|rul|0pr|00p|00g|nzo|0oa|dae|00u)[A-Za-z0-9]{17}\b`)

// maskIDs replaces the sandbox's random ids so screens can be compared with golden files.
func maskIDs(s string) string { return oktaIDRE.ReplaceAllString(s, "<id>") }

// TestTrySignInUserByLoginMeetsHerGroupsRule: a user typed by login is looked up, and a rule
// for a group she is in decides her sign-in while another user falls through.
func TestTrySignInUserByLoginMeetsHerGroupsRule(t *testing.T) {
	_, api := uitest.Sandbox(t)
	addRule(t, api, "Password only", "Sales stays out", 1, "DENY", okta.RuleConditions{
		People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sandboxtest.GroupID(t, api, "Sales")}}}})
	c := uitest.Common(t, api, 80, 24)
	d := uitest.New(t, ui.NewAppOn(c, signin.New(c, signin.Options{})), 80, 24)
	d.RequireView("App signed in to")
	for _, tc := range []struct{ login, want string }{
		{"alice@sandbox.example.com", "“Sales stays out”, the first rule that matches"},
		{"bob@sandbox.example.com", "“Catch-all Rule”, the first rule that matches"},
		{"nobody@sandbox.example.com", "the org has no user with the login"},
	} {
		pickApp(d, "Slack")
		d.TypeText("/")
		d.TypeText("a user")
		d.Key(tea.KeyEnter)
		d.RequireView("User: login or id")
		for range 40 {
			d.Key(tea.KeyBackspace)
		}
		d.TypeText(tc.login)
		d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter, tea.KeyEnter)
		d.RequireFlat(tc.want)
		if d.Model().(interface{ Top() common.Screen }).Top().(*signin.Screen).Showing() {
			d.RequireFlat("user " + tc.login)
			d.TypeText("e")
		}
	}
}

// TestTrySignInChosenAppListedFirstWithTheOthers: coming back to the form (or opening it on an
// app) lists the chosen app first and every other app still in view.
func TestTrySignInChosenAppListedFirstWithTheOthers(t *testing.T) {
	d, _ := open(t, signin.Options{})
	signInToSlack(d, true)
	d.TypeText("e")
	d.RequireView("> Slack", "Expense Portal", "Workday")
	v := d.View()
	if strings.Index(v, "> Slack") > strings.Index(v, "Expense Portal") {
		t.Errorf("the chosen app is not first:\n%s", v)
	}
}

// TestTrySignInManyRulesScroll: an answer longer than the screen says so and scrolls, within
// 80x24.
func TestTrySignInManyRulesScroll(t *testing.T) {
	_, api := uitest.Sandbox(t)
	yes := true
	for i := 1; i <= 6; i++ {
		addRule(t, api, "Password only", fmt.Sprintf("Managed Macs %d", i), i, "ALLOW",
			okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes, Managed: &yes}})
	}
	c := uitest.Common(t, api, 80, 24)
	d := uitest.New(t, ui.NewAppOn(c, signin.New(c, signin.Options{})), 80, 24)
	d.RequireView("App signed in to")
	signInToSlack(d, true)
	d.RequireView("Decides  “Catch-all Rule”", "↑/↓ scroll for the rest of the rules")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
	for range 20 {
		d.Key(tea.KeyDown)
	}
	d.RequireView("“Managed Macs 6”", "100%")
}
