package run

import (
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// assurancePlan is a one-request plan: create an iOS device assurance policy named name.
func assurancePlan(t *testing.T, name string) flows.Plan {
	t.Helper()
	d := flows.AssuranceDraft{Name: name, Platform: okta.PlatformIOS, ScreenLock: []string{"BIOMETRIC"}}
	p, err := d.Plan(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSubmitRefusedBeforeAnyEffectKeepsNoJournal: Okta refuses the only request, so nothing
// changed: the screen says no journal is kept, offers no roll back, and retry sends it again
// (with a new journal) until it goes through, leaving none.
func TestSubmitRefusedBeforeAnyEffectKeepsNoJournal(t *testing.T) {
	_, api := testSandbox(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/device-assurances", Nth: 1}}}))
	c := testCommon(t, api, 80, 24)
	d, _ := driveScreen(t, NewSubmit(c, assurancePlan(t, "Refused iOS"), nil), 80, 24)
	d.RequireFlat("E0000001", "Okta changed nothing: no journal is kept.", "r: retry")
	if strings.Contains(d.View(), "roll back") {
		t.Errorf("a run that changed nothing offers a roll back:\n%s", d.View())
	}
	if js, _ := flows.OpenJournals(c.JournalDir); len(js) != 0 {
		t.Fatalf("a refused run left %d journal(s)", len(js))
	}
	d.TypeText("r")
	d.RequireFlat("Done: 1 request sent.")
	if js, _ := flows.OpenJournals(c.JournalDir); len(js) != 0 {
		t.Fatalf("the finished retry left %d journal(s)", len(js))
	}
}
