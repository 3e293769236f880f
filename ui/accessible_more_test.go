package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// TestAccessibleOffersInspect: accessible mode inspects the org too, as plain tables.
func TestAccessibleOffersInspect(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	c.Accessible = true
	out := runAccessibleAnswers(t, c, []string{accessibleFlowNumber("Inspect the org"), "1"})
	requireOutput(t, "accessible inspect", out, "Inspect which part of the org?", "Org: SANDBOX",
		"App sign-in policies (", "Okta Dashboard", "Device assurance (", "Windows 11 baseline")
}

// stoppedDSCRun leaves an unfinished run in c's journal dir: Okta refuses the mapping (the
// sandbox answers E0000001 once); every other step is done.
func stoppedDSCRun(t *testing.T, srv *sandbox.Server, c *Common) {
	t.Helper()
	faults, err := sandbox.ParseFaults("E0000001@POST /api/v1/policies/*/mappings#1")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(faults)
	d := flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{Name: "Stopped apps"},
		AppRule:   flows.AppRuleDraft{Name: "Require a registered device", Access: flows.AccessAllow, Priority: 1},
		Name:      "Stopped signals", RuleName: "Collect device signals", OktaVerify: true,
		UserIdentification: flows.UserIdentificationAllow,
	}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	j, err := flows.NewJournal(c.JournalDir, plan, c.API.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.Run(context.Background(), c.API, j, nil); err == nil {
		t.Fatal("the run did not stop at the refused mapping")
	}
	srv.SetFaults(sandbox.Faults{})
}

// TestAccessibleRollsBackAnUnfinishedRunAfterAsking: an unfinished run is offered first; its
// steps are shown as they stand; rolling back lists the requests, asks, then undoes them.
func TestAccessibleRollsBackAnUnfinishedRunAfterAsking(t *testing.T) {
	srv, api := sandboxtest.Start(t)
	c := shellCommon(t, api, 80, 24)
	c.Accessible = true
	stoppedDSCRun(t, srv, c)
	out := runAccessibleAnswers(t, c, []string{"1", "2", "y"})
	requireOutput(t, "accessible roll back", out,
		"Resume or roll back: Device signal collection “Stopped signals” (4 of 5 requests done)",
		"1. done: ", "refused by Okta (E0000001)", "not run, nothing to undo: Map app sign-in policy",
		"Rolling back sends 6 requests, newest first:", "DELETE /api/v1/policies/", "Send these requests?",
		"Rolled back:")
	ps, err := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if err != nil || len(ps) != 0 {
		t.Errorf("after the roll back the org has DSC policies %v (%v)", ps, err)
	}
	if js := unfinishedJournals(c); len(js) != 0 {
		t.Errorf("%d unfinished runs remain after the roll back", len(js))
	}
}

// TestAccessibleResumesAnUnfinishedRun: resuming sends only what was not done and finishes.
func TestAccessibleResumesAnUnfinishedRun(t *testing.T) {
	srv, api := sandboxtest.Start(t)
	c := shellCommon(t, api, 80, 24)
	c.Accessible = true
	stoppedDSCRun(t, srv, c)
	out := runAccessibleAnswers(t, c, []string{"1", "1"})
	requireOutput(t, "accessible resume", out, "done 4 of 5: Map app sign-in policy", "Done: the run is finished.")
	dscs, err := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if err != nil || len(dscs) != 1 {
		t.Fatalf("after resuming the org has %d DSC policies (%v), want one", len(dscs), err)
	}
	if js := unfinishedJournals(c); len(js) != 0 {
		t.Errorf("%d unfinished runs remain after the resume", len(js))
	}
}

// TestAccessibleRuleNamePromptShowsItsDefault: the plain prompt names what enter keeps.
func TestAccessibleRuleNamePromptShowsItsDefault(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	c.Accessible = true
	var out writesRecorder
	_ = RunAccessible(context.Background(), c, strings.NewReader("1\n1\nDefault app\n\n"), &out)
	requireOutput(t, "accessible prompts", out.all.String(), "Rule name (enter keeps “Require a registered device”)")
}
