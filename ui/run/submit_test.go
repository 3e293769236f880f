package run

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
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

// TestSubmitShowsRateLimitWait: while the client waits out a 429 the screen says so, with the
// wait, and the run then goes through.
func TestSubmitShowsRateLimitWait(t *testing.T) {
	_, api := testSandbox(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultRateLimit, Method: "POST", Path: "/api/v1/device-assurances", Nth: 1, ResetAfter: time.Second}}}))
	c := testCommon(t, api, 80, 24)
	tm := teatest.NewTestModel(t, &screenModel{s: NewSubmit(c, assurancePlan(t, "Limited iOS"), nil)}, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Okta is rate limiting: retrying in")) && bytes.Contains(b, []byte(" s (POST /api/v1/device-assurances)"))
	}, teatest.WithDuration(10*time.Second))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Done: 1 request sent.")) }, teatest.WithDuration(10*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
}

// TestSubmitShowsReconciledDrop: the connection drops after Okta created the policy; the
// client finds it by name and the summary says so instead of staying silent.
func TestSubmitShowsReconciledDrop(t *testing.T) {
	_, api := testSandbox(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultDrop, Method: "POST", Path: "/api/v1/device-assurances", Nth: 1}}}))
	c := testCommon(t, api, 80, 24)
	d, _ := driveScreen(t, NewSubmit(c, assurancePlan(t, "Dropped iOS"), nil), 80, 24)
	d.RequireFlat("Done: 1 request sent.", "Connection dropped on POST /api/v1/device-assurances:", "a lookup found the object, created once")
	uitest.CheckScreenSize(t, d.View(), 80, 24)
}

// TestSubmitRollBackAsksFirst: u on a run stopped half-way shows the undo requests and sends
// nothing; enter then rolls back and the steps read rolled back or not run.
func TestSubmitRollBackAsksFirst(t *testing.T) {
	_, api := testSandbox(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}}))
	c := testCommon(t, api, 80, 40)
	d, m := driveScreen(t, NewSubmit(c, dscTestPlan(t, "Undone"), nil), 80, 40)
	d.RequireFlat("E0000001", "u: roll back")
	d.TypeText("u")
	d.RequireFlat("undo this run, newest first", "DELETE /api/v1/policies/", "enter sends", "nothing is undone", "not run:")
	if _, ok := m.s.(*RollbackReview); !ok {
		t.Fatalf("u opened %T, not the roll back preview", m.s)
	}
	ps, _ := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if !slices.ContainsFunc(ps, func(p okta.Policy) bool { return p.Name == "Undone signals" }) {
		t.Fatal("the preview deleted the DSC policy before enter")
	}
	d.Key(tea.KeyEnter)
	d.RequireFlat("Rolled back", "rolled back", "not run: nothing to undo")
	ps, _ = api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if slices.ContainsFunc(ps, func(p okta.Policy) bool { return p.Name == "Undone signals" }) {
		t.Error("the DSC policy survived the roll back")
	}
	if js, _ := flows.OpenJournals(c.JournalDir); len(js) != 0 {
		t.Errorf("the rolled-back run left %d journal(s)", len(js))
	}
}
