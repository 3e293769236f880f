package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// TestAssuranceRulePriorityWarnsBehindARegisteredDeviceAllow: a plain registered-device ALLOW
// at priority 1 decides every sign-in an assurance rule at 2 would match, so position 2 is
// marked "never matches" with the rule named; the access choice shows both answers, and ←
// does not flip it.
func TestAssuranceRulePriorityWarnsBehindARegisteredDeviceAllow(t *testing.T) {
	env := newDAEnv(t)
	ctx := context.Background()
	policies, err := env.api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := env.api.CreateRule(ctx, policies[0].ID, okta.Rule{
		Type: okta.TypeAccessPolicy, Name: "Registered devices",
		Conditions: &okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes}},
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: flows.AccessAllow}},
	}, true); err != nil {
		t.Fatal(err)
	}
	das, err := env.api.ListDeviceAssurances(ctx)
	if err != nil || len(das) == 0 {
		t.Fatalf("seeded device assurance policies: %v %v", das, err)
	}

	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.waitFor("3. Add policies to an app sign-in rule")
	r.typ("3")
	r.waitFor("Which app sign-in policy?")
	r.key(tea.KeyEnter) // the first policy
	r.waitFor("Add the requirement to", "> Add a new rule", "1. Registered devices")
	r.key(tea.KeyEnter)
	r.waitFor("Require devices to pass")
	r.tickAssurance(das[0].ID)
	r.waitFor("Rule settings", "Rule name")
	r.typ("Compliant devices")
	r.key(tea.KeyEnter)
	s := r.waitFor("Access for devices that pass", "> Allow: let them in", "Deny: block them")
	checkScreenSize(t, s, 80, 24)
	r.key(tea.KeyLeft)
	r.key(tea.KeyEnter) // access
	// A key sent before the next field has the focus is dropped (huh moves by messages).
	r.waitFor("┃ Also require managed devices?")
	r.typ("n") // not managed
	s = r.waitFor("Priority", "2: after \"Registered devices\" · never matches")
	checkScreenSize(t, s, 80, 24)
	if flat := strings.Join(strings.Fields(s), " "); !strings.Contains(flat, "never matches: “Registered devices” comes first and allows the same sign") {
		t.Errorf("the priority page does not name the rule that decides first:\n%s", s)
	}
	if strings.Contains(lineWith(s, "1: first"), "never matches") {
		t.Errorf("position 1 comes first and can match:\n%s", s)
	}
	var access string
	r.inspect(func(a *App) { access = a.top().(*AssuranceRuleFlow).draft.Access })
	if access != flows.AccessAllow {
		t.Errorf("← flipped the access to %q", access)
	}
}

// TestAssuranceWindows10MinimumIsAWindows10Build: the Windows 10 minimum's hint shows a
// Windows 10 build, and a Windows 11 build typed there is refused on the field.
func TestAssuranceWindows10MinimumIsAWindows10Build(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.createNamed("Win 10 fleet")
	r.key(tea.KeyDown, 2) // Windows
	r.key(tea.KeyEnter)
	r.waitFor("Windows version requirement")
	r.key(tea.KeyDown, 2) // per major version
	r.key(tea.KeyEnter)
	r.waitFor("Set a requirement for", "Windows 10 (and older)")
	r.key(tea.KeyDown)
	r.typ("x") // Windows 10 only
	r.key(tea.KeyEnter)
	r.waitFor("Windows 10 (and older) requirement")
	r.key(tea.KeyEnter) // static minimum
	s := r.waitFor("Minimum Windows 10 (and older) version", "like 10.0.19045.xxxx")
	checkScreenSize(t, s, 80, 24)
	r.typ("10.0.22631.3447")
	r.key(tea.KeyEnter)
	s = r.waitFor("build 22631 is not a Windows 10 build")
	checkScreenSize(t, s, 80, 24)
}

// TestAssuranceChromeOSAsksWhichDeviceTrustSignals: turning Chrome Device Trust on asks which
// signals to require, with none chosen unasked; the request carries only the chosen one.
func TestAssuranceChromeOSAsksWhichDeviceTrustSignals(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.createNamed("Chromebooks")
	r.key(tea.KeyUp) // ChromeOS
	r.key(tea.KeyEnter)
	r.waitFor("Require Chrome Device Trust signals?")
	r.typ("y")
	r.typ("n") // no device posture IdP
	s := r.waitFor("Require these Chrome Device Trust signals", "[ ] Disk encrypted", "[ ] Managed ChromeOS device")
	checkScreenSize(t, s, 80, 24)
	if strings.Contains(s, "[•]") {
		t.Errorf("signals chosen before the user chose any:\n%s", s)
	}
	r.key(tea.KeyEnter)
	r.waitFor("Chrome Device Trust signals: choose at least one")
	r.key(tea.KeyDown, 2)
	r.typ("x") // screen lock secured
	r.key(tea.KeyEnter)
	r.waitFor("When a device fails the checks")
	var dtc string
	r.inspect(func(a *App) {
		for _, sc := range a.stack {
			if ed, ok := sc.(*AssuranceEditor); ok {
				if b, err := ed.draft.Body(); err == nil && b.ThirdPartySignalProviders != nil {
					dtc = string(b.ThirdPartySignalProviders.Dtc)
				}
			}
		}
	})
	if dtc != `{"screenLockSecured":true}` {
		t.Errorf("dtc settings sent = %s, want only the chosen signal", dtc)
	}
}
