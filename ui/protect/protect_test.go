package protect_test

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui"
	"github.com/okta-device-wizard/okta-device-wizard/ui/protect"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// picks records what the step handed on.
type picks struct {
	called bool
	apps   []flows.AppProtection
}

func (p *picks) labels() []string {
	var out []string
	for _, a := range p.apps {
		out = append(out, a.AppLabel)
	}
	return out
}

// newStep opens the step for the policy named policy (an existing one, or "" for a new one)
// in the shell at 80x24.
func newStep(t *testing.T, policy string, opts ...sandboxtest.Option) (*uitest.Driver, *picks, okta.API) {
	t.Helper()
	_, api := uitest.Sandbox(t, opts...)
	got := &picks{}
	o := protect.Options{PolicyName: "Registered devices", Title: "Device signal collection",
		OnDone: func(apps []flows.AppProtection) tea.Cmd { got.called, got.apps = true, apps; return nil }}
	if policy != "" {
		o.PolicyID, o.PolicyName = sandboxtest.PolicyID(t, api, okta.TypeAccessPolicy, policy), policy
	}
	c := uitest.Common(t, api, 80, 24)
	return uitest.New(t, ui.NewAppOn(c, protect.New(c, o)), 80, 24), got, api
}

// TestProtectListsAppsWithTheirPolicyAt80x24: every app of the org is offered with its kind and
// the policy it has now, and a new policy is said to protect nothing yet.
func TestProtectListsAppsWithTheirPolicyAt80x24(t *testing.T) {
	d, _, _ := newStep(t, "")
	d.RequireView("Protect these apps with “Registered devices” (optional)",
		"“Registered devices” is new: it protects no app until one is assigned to it.",
		"Salesforce.com (SAML) · now “Any two factors”",
		"Expense Portal (OIDC) · now “Any two factors”")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
	golden.RequireEqual(t, []byte(d.View()))
}

// TestProtectEnterWithNonePickedGoesOn: enter on the untouched list goes on with no app.
func TestProtectEnterWithNonePickedGoesOn(t *testing.T) {
	d, got, _ := newStep(t, "")
	d.Key(tea.KeyEnter)
	if !got.called || len(got.apps) != 0 {
		t.Fatalf("enter with nothing picked: called %v with %v, want called with no app", got.called, got.labels())
	}
}

// TestProtectFilterThenPick: / filters the list, x picks the app found, enter hands it on.
func TestProtectFilterThenPick(t *testing.T) {
	d, got, _ := newStep(t, "")
	d.TypeText("/")
	d.TypeText("work")
	d.RequireView("Workday (SAML)")
	if strings.Contains(d.View(), "Salesforce.com") {
		t.Fatalf("the filter “work” still lists Salesforce.com:\n%s", d.View())
	}
	d.Key(tea.KeyEnter) // keep the filter
	d.TypeText("x")
	d.RequireView("[•] Workday")
	d.Key(tea.KeyEnter)
	if want := []string{"Workday"}; !got.called || strings.Join(got.labels(), ",") != strings.Join(want, ",") {
		t.Fatalf("picked %v, want %v", got.labels(), want)
	}
}

// TestProtectAppsAlreadyOnThePolicyAreNotOffered: an app the policy protects already needs no
// request, so it is named above the list instead of in it.
func TestProtectAppsAlreadyOnThePolicyAreNotOffered(t *testing.T) {
	d, _, _ := newStep(t, "Password only")
	d.RequireView("Already protected by “Password only”: Slack.")
	if strings.Contains(d.View(), "Slack (SAML)") {
		t.Errorf("Slack is offered although it has the policy already:\n%s", d.View())
	}
}

// TestProtectWarnsOnAPolicyThatProtectsNoApp: an existing policy with no app is flagged.
func TestProtectWarnsOnAPolicyThatProtectsNoApp(t *testing.T) {
	d, _, _ := newStep(t, "Seamless access based on network context")
	d.RequireFlat("“Seamless access based on network context” protects no app yet: its rules decide nothing until an app uses it.")
}

// TestProtectLoadErrorThenRetry: a failed read says so and ctrl+r reads again.
func TestProtectLoadErrorThenRetry(t *testing.T) {
	d, _, _ := newStep(t, "", sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/apps", Nth: 1},
	}}))
	d.RequireView("Could not read the org's apps:", "ctrl+r tries again")
	d.Send(tea.KeyMsg{Type: tea.KeyCtrlR})
	d.RequireView("Salesforce.com (SAML)")
}

// TestProtectTeatestPickTwo runs the step in a real program at 80x24: two picks go on in list
// order.
func TestProtectTeatestPickTwo(t *testing.T) {
	_, api := uitest.Sandbox(t)
	c := uitest.Common(t, api, 80, 24)
	done := make(chan []string, 1)
	step := protect.New(c, protect.Options{PolicyName: "Registered devices", OnDone: func(apps []flows.AppProtection) tea.Cmd {
		var labels []string
		for _, a := range apps {
			labels = append(labels, a.AppLabel+" from "+a.PreviousPolicyName)
		}
		done <- labels
		return tea.Quit
	}})
	tm := teatest.NewTestModel(t, ui.NewAppOn(c, step), teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "Salesforce.com") },
		teatest.WithDuration(15*time.Second))
	for _, k := range []tea.KeyMsg{
		{Type: tea.KeyRunes, Runes: []rune("x")}, // Expense Portal (first by label)
		{Type: tea.KeyDown}, {Type: tea.KeyDown}, {Type: tea.KeyDown}, {Type: tea.KeyDown}, {Type: tea.KeyDown},
		{Type: tea.KeyRunes, Runes: []rune("x")}, // Salesforce.com
		{Type: tea.KeyEnter},
	} {
		tm.Send(k)
		time.Sleep(30 * time.Millisecond)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	// Each pick carries the policy it has now, which a roll back gives it again.
	if got, want := strings.Join(<-done, ","), "Expense Portal from Any two factors,Salesforce.com from Any two factors"; got != want {
		t.Fatalf("picked %s, want %s", got, want)
	}
}

// TestProtectDedicatedPolicyOffersNoApp: Okta keeps the Admin Console's policy for that app,
// so the step offers nothing to pick and says why; enter goes on with no request.
func TestProtectDedicatedPolicyOffersNoApp(t *testing.T) {
	d, got, _ := newStep(t, "Okta Admin Console")
	d.RequireFlat("“Okta Admin Console” belongs to the Okta Admin Console app: Okta does not let other apps use it.", "No app to pick: enter goes on.")
	if strings.Contains(d.View(), "[ ]") {
		t.Errorf("apps offered for a dedicated policy:\n%s", d.View())
	}
	d.Key(tea.KeyEnter)
	if !got.called || len(got.apps) != 0 {
		t.Fatalf("enter: called %v with %v, want called with no app", got.called, got.labels())
	}
}

// TestProtectExplainsWhyAnAppNeedsThePolicy: ctrl+e says a policy decides nothing until an app
// uses it, and what a pick sends and undoes, within 80x24.
func TestProtectExplainsWhyAnAppNeedsThePolicy(t *testing.T) {
	d, _, _ := newStep(t, "")
	d.Send(tea.KeyMsg{Type: tea.KeyCtrlE})
	d.RequireFlat("An app sign-in policy decides nothing until an app uses it",
		"PUT /api/v1/apps/{appId}/policies/{policyId}", "rolling the run back")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
}
