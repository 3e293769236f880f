package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// TestShellFullWalkTeatest runs the real program (teatest, 80x24 and 120x40) through the five
// stages against the sandbox and checks the org through the API afterwards.
func TestShellFullWalkTeatest(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) { shellFullWalk(t, size.w, size.h) })
	}
}

func shellFullWalk(t *testing.T, w, h int) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, w, h)
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(w, h))
	waitScreen(t, tm, "Device signal collection", "SANDBOX")
	press(tm, kEnter())
	waitScreen(t, tm, "Stage 1 of 5", "+ Create a new app sign-in policy")
	press(tm, kEnter())
	waitScreen(t, tm, "Name of the new app sign-in policy")
	press(tm, kType("Teatest app"), kEnter(), kEnter())
	waitScreen(t, tm, "New rule in")
	press(tm, kEnter(), kEnter(), kEnter())
	waitScreen(t, tm, "People: groups")
	press(tm, kType("x"), kEnter(), kEnter())
	waitScreen(t, tm, "Protect these apps with")
	press(tm, kEnter())
	waitScreen(t, tm, "Stage 2 of 5")
	press(tm, kType("Teatest signals"), kEnter(), kEnter())
	waitScreen(t, tm, "Stage 3 of 5", "This flow maps")
	press(tm, kEnter())
	waitScreen(t, tm, "Stage 4 of 5", "Device context providers")
	press(tm, kEnter(), kOf(tea.KeyDown), kType("x"), kEnter())
	waitScreen(t, tm, "Okta Verify: user identification")
	press(tm, kEnter())
	waitScreen(t, tm, "Only on these platforms")
	press(tm, kType("x"), kEnter(), kEnter())
	waitScreen(t, tm, "Stage 5 of 5", "enter sends 6 requests")
	press(tm, kEnter())
	waitScreen(t, tm, "Done: 6 requests sent.")
	press(tm, kOf(tea.KeyCtrlC))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	dscCheckOrg(t, api, "Teatest app", "Teatest signals", okta.StatusActive)
}

// ctrlCWhileSubmitting runs the program at 80x24 from the home screen, starts sending a DSC
// plan ("<name> app", "<name> signals": Okta Verify and Chrome Device Trust, iOS, activated)
// and presses ctrl+c while the requests are in flight.
func ctrlCWhileSubmitting(t *testing.T, c *Common, name string) *teatest.TestModel {
	t.Helper()
	d := flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{Name: name + " app"},
		AppRule:   flows.AppRuleDraft{Name: "Registered", Access: flows.AccessAllow},
		Name:      name + " signals", RuleName: "Collect device signals",
		OktaVerify: true, UserIdentification: flows.UserIdentificationAllow, ChromeDeviceTrust: true,
		PlatformOS: []string{okta.PlatformIOS}, Activate: true,
	}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	// Built before the program runs: the program owns c (its size) once it starts.
	submit := run.NewSubmit(c, plan, nil)
	tm := teatest.NewTestModel(t, newApp(c, NewHome(c)), teatest.WithInitialTermSize(80, 24))
	waitScreen(t, tm, "Device signal collection")
	tm.Send(PushMsg{Screen: submit})
	waitScreen(t, tm, "Sending")
	press(tm, kOf(tea.KeyCtrlC))
	return tm
}

// TestShellCtrlCAsksWhileBusy: with a submit in flight ctrl+c asks first; "n" keeps the run
// going to its end; once idle ctrl+c quits at once.
func TestShellCtrlCAsksWhileBusy(t *testing.T) {
	_, api := shellSandbox(t, sandboxtest.Latency(400*time.Millisecond))
	c := shellCommon(t, api, 80, 24)
	tm := ctrlCWhileSubmitting(t, c, "Busy")
	waitScreen(t, tm, "A submit is in flight", "Quit anyway?")
	press(tm, kType("n"))
	waitScreen(t, tm, "Done: 6 requests sent.")
	press(tm, kOf(tea.KeyCtrlC))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	dscCheckOrg(t, api, "Busy app", "Busy signals", okta.StatusActive)
}

// TestShellCtrlCQuitWhileBusyKeepsJournal: answering "y" quits mid-run; the journal stays so
// the home screen offers to resume, and resuming finishes the run without duplicates.
func TestShellCtrlCQuitWhileBusyKeepsJournal(t *testing.T) {
	srv, api := shellSandbox(t, sandboxtest.Latency(300*time.Millisecond))
	c := shellCommon(t, api, 80, 24)
	tm := ctrlCWhileSubmitting(t, c, "Quit")
	waitScreen(t, tm, "Quit anyway?")
	press(tm, kType("y"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	// Let the request that was in flight land, as it would after a real quit.
	time.Sleep(800 * time.Millisecond)
	srv.SetFaults(sandbox.Faults{})

	runs, err := flows.OpenJournals(c.JournalDir)
	if err != nil || len(runs) != 1 || !runs[0].Unfinished() {
		t.Fatalf("want one unfinished journal, got %d (%v)", len(runs), err)
	}
	h := newDriver(t, New(c), 80, 24)
	h.RequireView("Resume or roll back: Device signal collection “Quit signals”")
	h.Key(tea.KeyEnter)
	h.RequireView("Unfinished run", "r resume")
	h.TypeText("r")
	h.RequireView("Done:")
	// What the first attempt had done (or sent, found by name) is counted apart from what the
	// resume sent; together they are the plan's 6 requests.
	m := regexp.MustCompile(`Done: (\d+) requests? sent(?:; (\d+) already done by the earlier run)?\.`).FindStringSubmatch(h.Flat())
	if m == nil {
		t.Fatalf("no summary:\n%s", h.View())
	}
	if earlier, _ := strconv.Atoi(m[2]); atoi(t, m[1])+earlier != 6 {
		t.Errorf("summary %q: want the 6 requests split between the resume and the earlier attempt", m[0])
	}
	dscCheckOrg(t, api, "Quit app", "Quit signals", okta.StatusActive)
}

// TestShellRollBackUnfinishedRun: a run that stopped on an error can be rolled back from the
// home screen: u previews the requests and asks; enter deletes what the run created and labels
// each step rolled back or not run.
func TestShellRollBackUnfinishedRun(t *testing.T) {
	d, c, api := newShellDriver(t, 80, 24, failFirstMappingPOST())
	dscWalk{appPolicy: "Rollback app", dscName: "Rollback signals"}.run(d)
	d.Key(tea.KeyEnter)
	d.RequireView("E0000001")
	d.Key(tea.KeyEsc) // leave the failed run; its journal stays
	d.Send(HomeMsg{})
	d.RequireView("Resume or roll back: Device signal collection “Rollback signals”")
	d.Key(tea.KeyEnter)
	d.TypeText("u")
	// Roll back asks first: the requests it will send, in order, and nothing undone yet.
	d.RequireView("Roll back?", "undo this run, newest first", " 1 DELETE /api/v1/policies/", "enter sends", "nothing is undone")
	checkScreenSize(t, d.View(), 80, 24)
	if ps, _ := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection); !slices.ContainsFunc(ps, func(p okta.Policy) bool { return p.Name == "Rollback signals" }) {
		t.Fatal("the preview undid the run before enter")
	}
	d.Key(tea.KeyEnter)
	d.RequireView("Rolled back", "rolled back", "not run: nothing to undo")
	ps, err := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == "Rollback signals" {
			t.Errorf("rolled-back DSC policy still exists: %s", p.ID)
		}
	}
	if runs, _ := flows.OpenJournals(c.JournalDir); len(runs) != 0 {
		t.Errorf("rolled-back run still offered: %d journals", len(runs))
	}
}

// TestShellHomeShowsOrg: the home screen lists the flows and names the org: a SANDBOX badge,
// or the org URL.
func TestShellHomeShowsOrg(t *testing.T) {
	d, _, api := newShellDriver(t, 80, 24)
	d.RequireView("SANDBOX", "1. Device signal collection")
	checkScreenSize(t, d.View(), 80, 24)

	c2 := shellCommon(t, api, 80, 24)
	c2.Sandbox, c2.OrgLabel = false, "https://example.okta.com"
	d2 := newDriver(t, New(c2), 80, 24)
	d2.RequireView("https://example.okta.com", "Org: https://example.okta.com")
	if strings.Contains(d2.View(), "SANDBOX") {
		t.Error("a real org is labelled SANDBOX")
	}
}

// TestShellLogToFile: the log goes to the file, with the run's outcome, never the token.
func TestShellLogToFile(t *testing.T) {
	srv, api := shellSandbox(t)
	path := filepath.Join(t.TempDir(), "state", LogFileName)
	log, closeLog, err := OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	c := shellCommon(t, api, 80, 24)
	c.Log = log
	d := newDriver(t, New(c), 80, 24)
	dscWalk{appPolicy: "Logged app", dscName: "Logged signals"}.run(d)
	d.Key(tea.KeyEnter)
	d.RequireView("Done:")
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "run finished") {
		t.Errorf("log lacks the run: %s", b)
	}
	if strings.Contains(string(b), srv.Token()) {
		t.Error("the log holds the API token")
	}
	if strings.Contains(d.View(), "run finished") {
		t.Error("log text on the screen")
	}
}

// TestShellQuestionMarkExplainsWhereNoTextIsTyped: "?" toggles the explanation on screens
// without text input (home); in a form it is text.
func TestShellQuestionMarkExplainsWhereNoTextIsTyped(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	d.TypeText("?")
	d.RequireView("Device signal collection sets up what Okta learns")
	checkScreenSize(t, d.View(), 80, 24)
	d.TypeText("?")
	if strings.Contains(d.View(), "sets up what Okta learns") {
		t.Fatal("? did not hide the explanation")
	}
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter) // new policy: the name field has focus
	d.TypeText("?")
	d.RequireView("> ?")
	if strings.Contains(d.View(), "decides who may sign in") {
		t.Error("? in a text field opened the explanation")
	}
}

// TestShellStepper: "Stage 2 of 5 · name", done stages checked, narrow widths show numbers.
func TestShellStepper(t *testing.T) {
	names := flows.DSCStageNames
	lines := stepperView(DefaultStyles(), 2, names, 80)
	if len(lines) != 2 || lines[0] != "Stage 2 of 5 · Signal collection policy" {
		t.Fatalf("stepper head %q", lines)
	}
	if !strings.Contains(lines[1], "✓1 App sign-in policy") || !strings.Contains(lines[1], "[2 Signal collection policy]") {
		t.Errorf("stepper row %q", lines[1])
	}
	narrow := stepperView(DefaultStyles(), 3, names, 40)
	if strings.Contains(narrow[1], "Mapping") || !strings.Contains(narrow[1], "[3]") {
		t.Errorf("narrow stepper row %q", narrow[1])
	}
}

// BenchmarkDSCSubmitWithLatency: time from confirming the review to the summary, the sandbox
// adding 50 ms to every request (independent requests may run together).
func BenchmarkDSCSubmitWithLatency(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv, err := sandbox.New(sandbox.Options{Faults: sandbox.Faults{Latency: 50 * time.Millisecond}})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start("127.0.0.1:0"); err != nil {
			b.Fatal(err)
		}
		api, err := okta.New(okta.Config{OrgURL: srv.URL(), Token: srv.Token()})
		if err != nil {
			b.Fatal(err)
		}
		c := &Common{Width: 80, Height: 24, API: api, OrgLabel: "SANDBOX", Sandbox: true,
			JournalDir: b.TempDir(), Styles: DefaultStyles(), Keys: DefaultKeyMap(), Log: DiscardLog()}
		draft := flows.DSCDraft{
			AppPolicy: flows.PolicyChoice{Name: "Bench app"},
			AppRule:   flows.AppRuleDraft{Name: "Registered", Access: flows.AccessAllow},
			Name:      "Bench signals", RuleName: "Collect", OktaVerify: true,
			UserIdentification: flows.UserIdentificationAllow, ExtraMappings: nil, Activate: true,
		}
		plan, err := draft.Plan()
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		s := run.NewSubmit(c, plan, func(map[string]string) tea.Cmd { close(done); return nil })
		b.StartTimer()
		cmd := s.Init()
		pump(s, cmd, done)
		b.StopTimer()
		if !strings.Contains(s.View(), "Done:") {
			b.Fatalf("no summary:\n%s", s.View())
		}
		srv.Close()
	}
}

// pump feeds a screen the messages of its commands until done is closed (benchmarks).
func pump(s Screen, cmd tea.Cmd, done chan struct{}) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		select {
		case <-done:
			return
		default:
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		// The spinner only animates; in a program it runs beside the requests.
		if fn := runtime.FuncForPC(reflect.ValueOf(c).Pointer()); fn != nil && strings.Contains(fn.Name(), "/spinner.") {
			continue
		}
		msg := c()
		switch m := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, m...)
			continue
		case spinner.TickMsg, BusyMsg, nil:
			continue
		}
		_, next := s.Update(msg)
		queue = append(queue, next)
	}
}

func shellTestPlan(t *testing.T, name string) flows.Plan {
	t.Helper()
	d := flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{Name: name + " app"},
		AppRule:   flows.AppRuleDraft{Name: "Registered", Access: flows.AccessAllow},
		Name:      name, RuleName: "Collect device signals",
		OktaVerify: true, UserIdentification: flows.UserIdentificationAllow, Activate: true,
	}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestShellResumeRefusesAnotherOrg: a run started against another org is listed but cannot
// be resumed or rolled back here; the screen says which org it belongs to.
func TestShellResumeRefusesAnotherOrg(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	if _, err := flows.NewJournal(c.JournalDir, shellTestPlan(t, "Elsewhere"), "https://other.okta.com"); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, New(c), 80, 24)
	d.RequireView("Resume or roll back: Device signal collection “Elsewhere”")
	d.Key(tea.KeyEnter)
	d.RequireView("This run was against https://other.okta.com", "Connect to that org")
	checkScreenSize(t, d.View(), 80, 24)
	d.TypeText("r")
	d.RequireView("Unfinished run")
	ps, _ := api.ListPolicies(context.Background(), okta.TypeDeviceSignalCollection)
	for _, p := range ps {
		if p.Name == "Elsewhere" {
			t.Fatal("a run of another org was resumed here")
		}
	}
}

// TestAccessibleMentionsUnfinishedRuns: accessible mode offers an unfinished run of this org
// first, to resume or roll back.
func TestAccessibleMentionsUnfinishedRuns(t *testing.T) {
	_, api := shellSandbox(t)
	c := shellCommon(t, api, 80, 24)
	if _, err := flows.NewJournal(c.JournalDir, shellTestPlan(t, "Left over"), api.OrgURL()); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	_ = RunAccessible(context.Background(), c, strings.NewReader(""), &out)
	if !strings.Contains(out.String(), "1. Resume or roll back: Device signal collection “Left over”") {
		t.Errorf("no mention of the unfinished run:\n%s", out.String())
	}
}

// TestShellSecondCtrlCQuits: while busy, ctrl+c asks; a second ctrl+c quits; "n" stays.
func TestShellSecondCtrlCQuits(t *testing.T) {
	c := shellCommon(t, nil, 80, 24)
	d := newDriver(t, newApp(c, NewHome(c)), 80, 24)
	d.Send(BusyMsg{Busy: true})
	d.Key(tea.KeyCtrlC)
	d.RequireView("A submit is in flight", "Quit anyway?")
	d.TypeText("n")
	if d.Quit() || strings.Contains(d.View(), "Quit anyway?") {
		t.Fatal("n did not go back")
	}
	d.Key(tea.KeyCtrlC)
	d.Key(tea.KeyCtrlC)
	if !d.Quit() {
		t.Fatal("a second ctrl+c did not quit")
	}
}
