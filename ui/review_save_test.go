package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// requestsJSON is the method, path and body of each step of p, for comparing plans.
func requestsJSON(t *testing.T, p flows.Plan) string {
	t.Helper()
	reqs, err := flows.Requests(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reviewOnTop returns the review screen the driver's app shows.
func reviewOnTop(t *testing.T, d *driver) *run.Review {
	t.Helper()
	r, ok := d.app().top().(*run.Review)
	if !ok {
		t.Fatalf("the top screen is %T, not the review:\n%s", d.app().top(), d.View())
	}
	return r
}

// TestDSCSavePlanFromReview: ctrl+s at the DSC review offers <flow>-<yyyymmdd-hhmm>.yaml in the
// current folder, saves the plan with its answers and the names of what it references, says how
// to apply it, sends nothing, and the review still sends the same requests afterwards.
func TestDSCSavePlanFromReview(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	d, _, api := newShellDriver(t, 100, 30)
	dscWalk{appPolicy: "Saved app", dscName: "Saved signals"}.run(d)
	d.RequireView("ctrl+s save")
	shown := reviewOnTop(t, d).Plan()

	d.Key(tea.KeyCtrlS)
	d.RequireView("Save plan to: device-signal-collection-", "enter saves (.yaml, .yml or .json) · esc cancels", "enter save · ", "ctrl+e explain")
	name := regexp.MustCompile(`device-signal-collection-\d{8}-\d{4}\.yaml`).FindString(d.View())
	if name == "" {
		t.Fatalf("no default file name <flow>-<yyyymmdd-hhmm>.yaml on screen:\n%s", d.View())
	}
	d.Key(tea.KeyEnter)
	want := "Saved plan to " + name + " — apply it with: okta-device-wizard apply --file " + name + " --dry-run"
	if !strings.Contains(d.Flat(), want) {
		t.Fatalf("screen lacks %q:\n%s", want, d.View())
	}
	checkScreenSize(t, d.View(), 100, 30)

	f, err := flows.LoadPlanFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestsJSON(t, f.Plan()), requestsJSON(t, shown); got != want {
		t.Fatalf("saved requests differ from the review's:\n%s\nwant\n%s", got, want)
	}
	if f.Draft == nil || f.Draft.Kind != flows.DraftDSC {
		t.Fatalf("the answers were not saved: %+v", f.Draft)
	}
	answers, err := f.Draft.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if a := answers.(*flows.DSCDraft); a.Name != "Saved signals" || a.AppPolicy.Name != "Saved app" || !a.Activate {
		t.Errorf("saved answers %+v", a)
	}
	var groupRef bool
	for _, s := range f.Steps {
		for _, r := range s.Refs {
			if r.Kind == flows.RefGroup && r.Name != "" && r.ID != "" {
				groupRef = true
			}
		}
	}
	if !groupRef {
		t.Error("the saved plan does not name the group its rule uses (it would not apply to another org)")
	}
	if ps, _ := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection); len(ps) != 0 {
		t.Fatalf("saving sent requests: %d DSC policies", len(ps))
	}

	// The review is still there and sends what it showed.
	d.Key(tea.KeyEnter)
	d.RequireView("Done: 6 requests sent.")
	dscCheckOrg(t, api, "Saved app", "Saved signals", okta.StatusActive)
}

// TestReviewSaveLeaveInactive: with the activation toggled off, the saved plan and its answers
// leave the policy inactive too.
func TestReviewSaveLeaveInactive(t *testing.T) {
	d, _, _ := newShellDriver(t, 100, 30)
	dscWalk{appPolicy: "Quiet app", dscName: "Quiet signals"}.run(d)
	d.TypeText("a")
	d.RequireView("[ ] Activate the policy last")
	path := filepath.Join(t.TempDir(), "quiet.json")
	d.Key(tea.KeyCtrlS)
	d.Send(tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the default name
	d.TypeText(path)
	d.Key(tea.KeyEnter)
	if !strings.Contains(d.Flat(), "Saved plan to "+path) {
		t.Fatalf("not saved:\n%s", d.View())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		t.Errorf("a .json plan is not JSON:\n%s", raw)
	}
	f, err := flows.LoadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Steps) != 5 || run.HasAction(f.Plan(), flows.ActActivatePolicy) {
		t.Errorf("saved %d steps (activation included: %v), want the 5 without it", len(f.Steps), run.HasAction(f.Plan(), flows.ActActivatePolicy))
	}
	answers, _ := f.Draft.Decode()
	if answers.(*flows.DSCDraft).Activate {
		t.Error("saved answers activate the policy although the review leaves it inactive")
	}
}

// TestReviewSaveErrorsKeepThePrompt: a wrong extension, a missing folder, an existing file and
// an org that cannot be read each get a clear message; the typed path stays, nothing is lost,
// and the save then succeeds. Esc closes the prompt without leaving the review.
func TestReviewSaveErrorsKeepThePrompt(t *testing.T) {
	srv, api := shellSandbox(t)
	c := shellCommon(t, api, 100, 30)
	d := newDriver(t, New(c), 100, 30)
	dscWalk{appPolicy: "Careful app", dscName: "Careful signals"}.run(d)
	dir := t.TempDir()
	retype := func(path string) {
		d.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
		d.TypeText(path)
		d.Key(tea.KeyEnter)
	}
	d.Key(tea.KeyCtrlS)
	d.Key(tea.KeyEsc)
	if strings.Contains(d.View(), "Save plan to:") {
		t.Fatalf("esc did not close the prompt:\n%s", d.View())
	}
	reviewOnTop(t, d) // esc closed the prompt, not the review

	d.Key(tea.KeyCtrlS)
	retype(filepath.Join(dir, "plan.txt"))
	d.RequireFlat("a plan file ends in .yaml, .yml or .json", "Save plan to: "+filepath.Join(dir, "plan.txt"))

	retype(filepath.Join(dir, "missing", "plan.yaml"))
	d.RequireFlat("missing does not exist")

	// "?" is part of the path while the prompt is open, not the help key.
	existing := filepath.Join(dir, "kept?.yaml")
	if err := os.WriteFile(existing, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	retype(existing)
	if !strings.Contains(d.Flat(), "exists: enter again replaces it") {
		t.Fatalf("no warning before replacing a file:\n%s", d.View())
	}
	if b, _ := os.ReadFile(existing); string(b) != "old" {
		t.Fatal("the existing file was replaced without asking")
	}

	// The org cannot be read: the names are not recorded, so nothing is written.
	srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/groups"}}})
	path := filepath.Join(dir, "plan.yaml")
	retype(path)
	d.RequireFlat("Could not save the plan:", "E0000001", "Save plan to: "+path)
	if strings.Contains(d.View(), srv.Token()) {
		t.Fatal("the error shows the token")
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a failed save left a file")
	}
	srv.SetFaults(sandbox.Faults{})
	d.Key(tea.KeyEnter) // same path, again
	if !strings.Contains(d.Flat(), "Saved plan to "+path) {
		t.Fatalf("not saved after the fault cleared:\n%s", d.View())
	}
	if _, err := flows.LoadPlanFile(path); err != nil {
		t.Fatal(err)
	}
	d.RequireView("[x] Activate the policy last") // the review's answers are as they were
}

// TestAssuranceSavePlanFromReview: ctrl+s at the device assurance review saves the request and
// the answers; the file applies as the review showed.
func TestAssuranceSavePlanFromReview(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 100, 30)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.createNamed("Saved iOS")
	r.key(tea.KeyEnter)
	r.waitFor("OS version · page 2", "Dynamic MINIMUM")
	r.key(tea.KeyDown, 2)
	r.key(tea.KeyEnter)
	r.waitFor("Distance from the latest major version")
	r.key(tea.KeyEnter)
	r.typ("y")
	r.waitFor("Screen lock types allowed")
	r.typ("x")
	r.key(tea.KeyEnter)
	r.waitFor("Block jailbroken or rooted devices?")
	r.typ("y")
	r.typ("n")
	r.waitFor("When a device fails the checks")
	r.key(tea.KeyEnter) // no grace period
	r.waitFor("In the Sign-In Widget")
	r.key(tea.KeyEnter)
	r.waitFor("POST", "/api/v1/device-assurances", "ctrl+s save")
	review, ok := r.topScreen().(*run.Review)
	if !ok {
		t.Fatalf("the review did not open:\n%s", r.screen())
	}
	var shown flows.Plan
	r.inspect(func(*App) { shown = review.Plan() })

	path := filepath.Join(t.TempDir(), "ios.yaml")
	r.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	r.waitFor("Save plan to: device-assurance-")
	r.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	r.typ(path)
	r.key(tea.KeyEnter)
	r.waitFor("Saved plan to", "--dry-run")

	f, err := flows.LoadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requestsJSON(t, f.Plan()), requestsJSON(t, shown); got != want {
		t.Fatalf("saved requests differ from the review's:\n%s\nwant\n%s", got, want)
	}
	if f.Flow != flows.FlowAssurance || f.Draft == nil || f.Draft.Kind != flows.DraftAssurance {
		t.Fatalf("flow %q, draft %+v", f.Flow, f.Draft)
	}
	answers, err := f.Draft.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if a := answers.(*flows.AssuranceDraft); a.Name != "Saved iOS" || a.Platform != okta.PlatformIOS {
		t.Errorf("saved answers %+v", a)
	}
	list, err := env.api.ListDeviceAssurances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Name == "Saved iOS" {
			t.Fatal("saving sent the request")
		}
	}
	// The review sends the request after the save as before.
	r.key(tea.KeyEnter)
	r.waitFor("Created device assurance policy")
	findAssurance(t, env.api, "Saved iOS")
}

// TestAccessibleDSCSavesUnsentPlan: in accessible mode, answering no to sending offers to save
// the requests as a plan file; an empty answer saves nothing.
func TestAccessibleDSCSavesUnsentPlan(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	c.Accessible = true
	path := filepath.Join(t.TempDir(), "accessible.yaml")
	answers := []string{
		"1", "1", "Accessible app", "", "", "", "", "0", "", "0",
		"Accessible signals", "", "0", "", "2", "0", "", "1", "0", "0",
		"n",         // activate last: no
		"n",         // do not send
		"plan.text", // refused: not .yaml or .json
		path,
	}
	out := runAccessibleAnswers(t, c, answers)
	requireOutput(t, "output", out, "Nothing was sent.", "Save these requests as a plan file?", "a plan file ends in .yaml", run.SavedPlanMessage(path))
	f, err := flows.LoadPlanFile(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(f.Steps) != 5 || f.Draft == nil {
		t.Errorf("saved %d steps, draft %v; want the 5 without activation and the answers", len(f.Steps), f.Draft)
	}
	if ps, _ := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection); len(ps) != 0 {
		t.Error("a plan that was not sent created a DSC policy")
	}

	// The input ending at the question saves nothing and is no error.
	runAccessibleAnswers(t, c, answers[:len(answers)-2])
}

// TestReviewSavesThePlanAsSent: when the review shows a display copy (an edit's before-image
// trimmed for the diff), ctrl+s saves the plan as it is sent, whose before-image roll back
// restores, with the answers.
func TestReviewSavesThePlanAsSent(t *testing.T) {
	_, api := shellSandbox(t)
	ctx := context.Background()
	list, err := api.ListDeviceAssurances(ctx)
	if err != nil || len(list) == 0 {
		t.Fatalf("the sandbox has no assurance policy to edit: %v", err)
	}
	draft := flows.DraftFromAssurance(list[0], time.UTC)
	draft.Name = list[0].Name + " (edited)"
	plan, err := draft.Plan(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 1 || plan.Steps[0].Before == nil {
		t.Fatalf("want one replace step with a before-image, got %+v", plan.Steps)
	}
	c := shellCommon(t, api, 100, 30)
	review := run.NewReview(c, forReview(plan), run.ReviewOptions{ShowDiff: true, PlanToSave: &plan, Answers: draft})
	d := newDriver(t, newApp(c, review), 100, 30)
	path := filepath.Join(t.TempDir(), "edit.yaml")
	d.Key(tea.KeyCtrlS)
	d.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	d.TypeText(path)
	d.Key(tea.KeyEnter)
	d.RequireFlat(run.SavedPlanMessage(path))
	f, err := flows.LoadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := json.Marshal(f.Steps[0].Before)
	sent, _ := json.Marshal(plan.Steps[0].Before)
	if string(saved) != string(sent) {
		t.Errorf("saved before-image\n%s\nwant the one sent\n%s", saved, sent)
	}
	if f.Draft == nil || f.Draft.Kind != flows.DraftAssurance {
		t.Errorf("answers not saved: %+v", f.Draft)
	}
}
