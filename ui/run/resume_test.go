package run

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

// dscTestPlan is a six-request DSC plan (app policy, its rule, DSC policy, mapping, DSC rule,
// activation) named after name.
func dscTestPlan(t *testing.T, name string) flows.Plan {
	t.Helper()
	d := flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{Name: name + " app"},
		AppRule:   flows.AppRuleDraft{Name: "Registered", Access: flows.AccessAllow},
		Name:      name + " signals", RuleName: "Collect device signals",
		OktaVerify: true, UserIdentification: flows.UserIdentificationAllow, Activate: true,
	}
	p, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeJournalStates rewrites the states of a journal on disk, as a killed run leaves them
// (step index -> state, object id).
func writeJournalStates(t *testing.T, j *flows.Journal, states map[int][2]string) {
	t.Helper()
	raw, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	steps := doc["steps"].([]any)
	for i, st := range states {
		rec := steps[i].(map[string]any)
		rec["state"] = st[0]
		if st[1] != "" {
			rec["objectId"] = st[1]
		}
	}
	out, _ := json.Marshal(doc)
	if err := os.WriteFile(j.Path(), out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestResumeShowsEachStepsOwnState: after a kill -9 the second request may be done while the
// first was sent without an answer: the screen reads each step's state from the journal (not
// "the first N are done") and says what resume does with each.
func TestResumeShowsEachStepsOwnState(t *testing.T) {
	_, api := testSandbox(t)
	c := testCommon(t, api, 80, 24)
	plan := dscTestPlan(t, "Killed")
	j, err := flows.NewJournal(c.JournalDir, plan, api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	writeJournalStates(t, j, map[int][2]string{
		0: {string(flows.StateRunning), ""},
		2: {string(flows.StateDone), "rstDONE"},
	})
	runs, err := FindUnfinishedRuns(c)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %d, %v", len(runs), err)
	}
	d, _ := driveScreen(t, NewResume(c, runs[0]), 80, 24)
	view := d.View()
	lines := strings.Split(view, "\n")
	find := func(title string) string {
		for _, l := range lines {
			if strings.Contains(l, title) {
				return l
			}
		}
		t.Fatalf("no line for %q:\n%s", title, view)
		return ""
	}
	if l := find(plan.Steps[0].Title[:20]); !strings.HasPrefix(l, "? unknown") {
		t.Errorf("the step sent without an answer shows %q, want unknown", l)
	}
	if l := find(plan.Steps[2].Title[:20]); !strings.HasPrefix(l, "✓ done") {
		t.Errorf("the done step shows %q", l)
	}
	if l := find(plan.Steps[1].Title[:20]); !strings.HasPrefix(l, "· not run") {
		t.Errorf("the step never sent shows %q", l)
	}
	d.RequireFlat("1 done · 1 unknown · 4 not run",
		"done: kept, not sent again", "unknown: looked up by name first", "not run: sent")
	uitest.CheckScreenSize(t, view, 80, 24)
}

// TestResumeReconcilesAStepSentWithoutAnswer: the journal says the app policy's create was
// sent without an answer and Okta did create it; resume finds it by name, shows it as done by
// the earlier run (not sent again) and sends the rest.
func TestResumeReconcilesAStepSentWithoutAnswer(t *testing.T) {
	_, api := testSandbox(t)
	c := testCommon(t, api, 80, 30)
	plan := dscTestPlan(t, "Landed")
	j, err := flows.NewJournal(c.JournalDir, plan, api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreatePolicy(context.Background(), okta.Policy{Type: okta.TypeAccessPolicy, Name: "Landed app"}, true); err != nil {
		t.Fatal(err)
	}
	writeJournalStates(t, j, map[int][2]string{0: {string(flows.StateRunning), ""}})
	runs, err := FindUnfinishedRuns(c)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %d, %v", len(runs), err)
	}
	d, _ := driveScreen(t, NewResume(c, runs[0]), 80, 30)
	d.RequireFlat("? unknown POST Create app sign-in policy “Landed app”")
	d.TypeText("r")
	d.RequireFlat("Done: 5 requests sent; 1 already done by the earlier run.")
	ps, _ := api.ListPolicies(context.Background(), okta.TypeAccessPolicy)
	n := 0
	for _, p := range ps {
		if p.Name == "Landed app" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d app sign-in policies named “Landed app”, want 1 (not created twice)", n)
	}
}
