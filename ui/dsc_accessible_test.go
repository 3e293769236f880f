package ui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// TestAccessibleDSCFlow answers the same questions as plain prompts (no full-screen UI) and
// ends with the same org as the full-screen walk.
func TestAccessibleDSCFlow(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	c.Accessible = true
	answers := []string{
		"1",              // flow: device signal collection
		"1",              // create a new app sign-in policy
		"",               // name left empty: refused, asked again
		"Accessible app", // name
		"",               // description
		"",               // rule name: keep the default
		"",               // access: ALLOW
		"",               // managed: no
		"0",              // groups: none (everyone)
		"",               // priority 1
		"8", "0",         // protect: Workday (8th by label), then done
		"Accessible signals", // stage 2 name
		"",                   // description
		"0",                  // stage 3: no extra mapping
		"",                   // stage 4 rule name: default
		"2", "0",             // providers: add Chrome Device Trust to Okta Verify
		"",       // user identification ALLOW
		"1", "0", // platforms: iOS
		"0", // zones: none
		"",  // activate last: yes
		"y", // send
	}
	text := runAccessibleAnswers(t, c, answers)
	if testing.Verbose() {
		t.Log(text)
	}
	requireOutput(t, "accessible output", text,
		"Stage 1 of 5: App sign-in policy", "App sign-in policy name is required",
		"Protect these apps with “Accessible app” (optional).", "is new: it protects no app",
		"Stage 5 of 5: Review", "POST   /api/v1/policies?activate=false", "{{dsc-policy.id}}",
		"Protect app “Workday” with “Accessible app”", "Done. Created:")
	if strings.ContainsRune(text, '\x1b') {
		t.Errorf("accessible output carries escape sequences:\n%q", text)
	}
	dscCheckOrg(t, api, "Accessible app", "Accessible signals", okta.StatusActive)
	apps, err := api.ListApps(context.Background(), okta.AppQuery{Q: "Workday"})
	if err != nil || len(apps) != 1 || apps[0].AccessPolicyID != sandboxtest.PolicyID(t, api, okta.TypeAccessPolicy, "Accessible app") {
		t.Errorf("Workday after the accessible run: %+v (%v), want “Accessible app”", apps, err)
	}
}

// TestAccessibleInputEnds: when the input closes mid-flow the wizard stops with a clear error
// instead of asking forever, and sends nothing.
func TestAccessibleInputEnds(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	var out bytes.Buffer
	err := RunAccessible(context.Background(), c, strings.NewReader("1\n1\n"), &out)
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v, want ErrInputEnded\n%s", err, out.String())
	}
	ps, _ := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if len(ps) != 0 {
		t.Errorf("%d DSC policies created by an abandoned flow", len(ps))
	}
}
