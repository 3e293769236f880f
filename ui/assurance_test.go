package ui

import (
	"context"
	"encoding/json"
	"flag"
	"github.com/charmbracelet/huh"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

func init() {
	// Golden screens are plain text: no colours whatever the terminal running the tests.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// daEnv is a sandbox org reached through the real okta.Client (real SDK, real HTTP).
type daEnv struct {
	srv *sandbox.Server
	api *okta.Client
}

func newDAEnv(t *testing.T) *daEnv {
	t.Helper()
	srv, api := shellSandbox(t)
	return &daEnv{srv: srv, api: api}
}

// daHarness runs the real root model and keeps the last screen drawn, so tests read the
// screen as the user sees it.
type daHarness struct {
	app *App
	mu  *sync.Mutex
	// screen is the last View(); guarded by mu.
	screen *string
}

// daInspectMsg runs fn on the program's goroutine, where reading the models is safe.
type daInspectMsg struct{ fn func(a *App) }

func (h daHarness) Init() tea.Cmd { return h.app.Init() }

func (h daHarness) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(daInspectMsg); ok {
		m.fn(h.app)
		return h, nil
	}
	_, cmd := h.app.Update(msg)
	return h, cmd
}

func (h daHarness) View() string {
	v := h.app.View()
	h.mu.Lock()
	*h.screen = v
	h.mu.Unlock()
	return v
}

type daRun struct {
	t  *testing.T
	tm *teatest.TestModel
	h  daHarness
}

func startDA(t *testing.T, c *Common, first Screen) *daRun {
	t.Helper()
	h := daHarness{app: newApp(c, first), mu: &sync.Mutex{}, screen: new(string)}
	tm := teatest.NewTestModel(t, h, teatest.WithInitialTermSize(c.Width, c.Height))
	t.Cleanup(func() {
		// Stop the program before later cleanups (zone, clock) change what it reads.
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	})
	return &daRun{t: t, tm: tm, h: h}
}

func (r *daRun) screen() string {
	r.h.mu.Lock()
	defer r.h.mu.Unlock()
	return *r.h.screen
}

// waitFor waits until the screen contains every one of texts, failing with the screen shown.
func (r *daRun) waitFor(texts ...string) string {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := r.screen()
		ok := true
		for _, want := range texts {
			if !strings.Contains(s, want) {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("screen never showed %q; last screen:\n%s", texts, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inspect runs fn with the root model on the program's goroutine and waits for it.
func (r *daRun) inspect(fn func(a *App)) {
	r.t.Helper()
	done := make(chan struct{})
	r.tm.Send(daInspectMsg{fn: func(a *App) { fn(a); close(done) }})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.t.Fatal("inspect: the program did not answer")
	}
}

func (r *daRun) key(k tea.KeyType, times ...int) {
	n := 1
	if len(times) > 0 {
		n = times[0]
	}
	for i := 0; i < n; i++ {
		r.tm.Send(tea.KeyMsg{Type: k})
		// huh moves focus through commands; the next key must find the field it is meant for.
		time.Sleep(keyPause)
	}
}

// keyPause lets huh's focus commands run between keys.
const keyPause = 60 * time.Millisecond

// typ types text into the focused field.
func (r *daRun) typ(s string) {
	r.tm.Type(s)
	time.Sleep(keyPause)
}

// daGolden compares a screen with testdata/<name>.golden (go test -update rewrites it).
func daGolden(t *testing.T, name, screen string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	// Trailing spaces are padding, not content.
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got := strings.Join(lines, "\n") + "\n"
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("screen %s differs from %s:\n--- want\n%s\n--- got\n%s", name, path, want, got)
	}
}

// useLocalZone makes loc the zone the screens show and read times in, for the test.
func useLocalZone(t *testing.T, loc *time.Location) {
	old := daLocation
	daLocation = loc
	t.Cleanup(func() { daLocation = old })
}

// topScreen returns the screen on top of the stack, read on the program's goroutine.
func (r *daRun) topScreen() Screen {
	var s Screen
	r.inspect(func(a *App) { s = a.top() })
	return s
}

// createNamed opens "Create a device assurance policy" from the flow's menu, names the policy
// and waits for the platform choice.
func (r *daRun) createNamed(name string) {
	r.t.Helper()
	r.waitFor("1. Create a device assurance policy")
	r.typ("1")
	r.waitFor("Name and platform", "Policy name")
	r.typ(name)
	r.key(tea.KeyEnter)
	r.waitFor("> iOS")
}

// tickAssurance ticks the device assurance policy id in the rule flow's list (sorted as the org
// returns it, so its row is looked up) and confirms the choice.
func (r *daRun) tickAssurance(id string) {
	r.t.Helper()
	var idx int
	r.inspect(func(a *App) {
		for i, d := range a.top().(*AssuranceRuleFlow).assurances {
			if d.ID == id {
				idx = i
			}
		}
	})
	r.key(tea.KeyDown, idx)
	r.typ("x")
	r.key(tea.KeyEnter)
}

func findAssurance(t *testing.T, api okta.API, name string) okta.DeviceAssurance {
	t.Helper()
	list, err := api.ListDeviceAssurances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no device assurance policy %q in the org", name)
	return okta.DeviceAssurance{}
}

// TestAssuranceWalk is the walk against the sandbox: create an iOS policy (dynamic OS
// version, 30-day grace, remediation shown), edit it (due date, remediation hidden; the diff shows
// exactly those changes), add it to a new rule of an app sign-in policy, and see the add and the
// update in the System Log view.
func TestAssuranceWalk(t *testing.T) {
	// Due dates are typed in local time; a zone other than UTC shows they are sent converted.
	useLocalZone(t, time.FixedZone("UTC-5", -5*3600))
	env := newDAEnv(t)
	const name = "iOS current"

	// Create.
	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	daGolden(t, "assurance_menu", r.waitFor("1. Create a device assurance policy", "4. Recent device assurance events"))
	r.typ("1")
	r.waitFor("Name and platform", "Policy name")
	r.typ(name)
	r.key(tea.KeyEnter)
	daGolden(t, "assurance_basics", r.waitFor("> iOS", "Each platform has its own checks"))
	r.key(tea.KeyEnter) // iOS is preselected
	// Only iOS's checks: static and dynamic OS version, no Windows majors.
	s := r.waitFor("OS version · page 2", "Dynamic MINIMUM")
	daGolden(t, "assurance_os", s)
	r.key(tea.KeyDown, 2) // MINIMUM
	r.key(tea.KeyEnter)
	daGolden(t, "assurance_dynamic", r.waitFor("Distance from the latest major version"))
	r.key(tea.KeyEnter) // distance 0
	r.typ("y")          // latest security patch
	s = r.waitFor("Disk encryption and screen lock", "Screen lock types allowed")
	if strings.Contains(s, "Disk encryption\n") || strings.Contains(s, "All internal volumes") {
		t.Errorf("iOS has no disk encryption check, but the page offers one:\n%s", s)
	}
	r.typ("x") // passcode
	r.key(tea.KeyEnter)
	s = r.waitFor("Device integrity", "Block jailbroken or rooted devices?")
	if strings.Contains(s, "secure hardware") || strings.Contains(s, "Chrome Device Trust") {
		t.Errorf("iOS offers only jailbreak and device posture IdP, got:\n%s", s)
	}
	r.typ("y") // block jailbreak
	r.typ("n") // no posture IdP
	daGolden(t, "assurance_grace", r.waitFor("When a device fails the checks", "After N days"))
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Days of grace (1 to 180)")
	r.typ("181")
	r.key(tea.KeyEnter)
	r.waitFor("out of range: choose 1 to 180 days")
	r.key(tea.KeyBackspace, 3)
	r.typ("30")
	r.key(tea.KeyEnter)
	daGolden(t, "assurance_remediation", r.waitFor("In the Sign-In Widget", "Show: tell the user what to fix"))
	r.key(tea.KeyEnter) // Show
	s = r.waitFor("POST", "/api/v1/device-assurances")
	var review *run.Review
	r.inspect(func(a *App) { review, _ = a.top().(*run.Review) })
	if review == nil {
		t.Fatalf("the review did not open:\n%s", s)
	}
	body, err := review.Plan().Steps[0].BodyJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"platform": "IOS"`, `"type": "MINIMUM"`, `"distanceFromLatestMajor": 0`, `"latestSecurityPatch": true`,
		`"type": "BY_DURATION"`, `"expiry": "P30D"`, `"displayRemediationMode": "SHOW"`, `"jailbreak": false`, `"PASSCODE"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("create body lacks %s:\n%s", want, body)
		}
	}
	r.key(tea.KeyEnter) // send
	s = r.waitFor("Confirmed: Okta logged device.assurance.policy.add")
	if !strings.Contains(s, "Created device assurance policy") {
		t.Errorf("the confirmation does not say what was created:\n%s", s)
	}
	created := findAssurance(t, env.api, name)
	if created.GracePeriod == nil || created.DisplayRemediationMode != "SHOW" || created.OSVersion == nil ||
		created.OSVersion.DynamicVersionRequirement == nil || created.OSVersion.DynamicVersionRequirement.Type != "MINIMUM" {
		t.Fatalf("the org holds %+v", created)
	}
	_ = r.tm.Quit()

	// Edit: due date, remediation hidden.
	c = shellCommon(t, env.api, 80, 24)
	r = startDA(t, c, NewAssuranceFlow(c))
	r.waitFor("2. Edit a device assurance policy")
	r.typ("2")
	r.waitFor("Device assurance policies", name)
	r.key(tea.KeyEnter) // first by name
	r.waitFor("Name and platform", "a policy's platform can't change")
	r.key(tea.KeyEnter) // name; the platform note takes no focus
	r.waitFor("OS version · page 2", "> Dynamic MINIMUM")
	r.key(tea.KeyEnter)
	r.waitFor("Distance from the latest major version")
	r.key(tea.KeyEnter)
	r.key(tea.KeyEnter)
	r.waitFor("Screen lock types allowed")
	r.key(tea.KeyEnter)
	r.waitFor("Block jailbroken or rooted devices?")
	r.key(tea.KeyEnter)
	r.key(tea.KeyEnter)
	r.waitFor("When a device fails the checks", "> After N days")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	daGolden(t, "assurance_duedate", r.waitFor("Due date and time, local time"))
	due := time.Now().In(daLocation).Add(72 * time.Hour).Truncate(time.Minute)
	r.typ(due.Add(-96 * time.Hour).Format(flows.LocalDateTimeLayout))
	r.key(tea.KeyEnter)
	r.waitFor("is not in the future")
	r.key(tea.KeyBackspace, len(flows.LocalDateTimeLayout))
	r.typ(due.Format(flows.LocalDateTimeLayout))
	r.key(tea.KeyEnter)
	r.waitFor("In the Sign-In Widget", "> Show")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	s = r.waitFor("PUT", "/api/v1/device-assurances/"+created.ID)
	r.inspect(func(a *App) { review, _ = a.top().(*run.Review) })
	if review == nil {
		t.Fatalf("the review did not open:\n%s", s)
	}
	// The plan's own diff (read-only members left out, equal durations no change).
	var planDiff []string
	for _, l := range review.Plan().Steps[0].Diff() {
		if l.Op != ' ' {
			planDiff = append(planDiff, string(l.Op)+" "+strings.TrimRight(strings.TrimSpace(l.Text), ","))
		}
	}
	if got := strings.Join(planDiff, "\n"); !strings.Contains(got, `+ "displayRemediationMode": "HIDE"`) || !strings.Contains(got, `+ "type": "BY_DATE_TIME"`) || len(planDiff) != 6 {
		t.Errorf("the plan's diff should change the grace period and remediation only:\n%s", got)
	}
	var content string
	r.inspect(func(a *App) { content = a.top().(*run.Review).RequestsView() })
	var changed []string
	for _, l := range strings.Split(content, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "+ ") || strings.HasPrefix(l, "- ") {
			changed = append(changed, l[:2]+strings.TrimRight(strings.TrimSpace(l[2:]), ","))
		}
	}
	wantExpiry := `"expiry": "` + flows.FormatExpiry(due) + `"`
	wantChanged := map[string]bool{
		`- "type": "BY_DURATION"`:                          true,
		`+ "type": "BY_DATE_TIME"`:                         true,
		`+ ` + wantExpiry:                                  true,
		`- "displayRemediationMode": "SHOW"`:               true,
		`+ "displayRemediationMode": "HIDE"`:               true,
		`- "expiry": "` + created.GracePeriod.Expiry + `"`: true,
	}
	var extra []string
	for _, l := range changed {
		if !wantChanged[l] {
			extra = append(extra, l)
		}
		delete(wantChanged, l)
	}
	if len(extra) > 0 || len(wantChanged) > 0 {
		t.Errorf("the review's diff should change exactly the grace period and the remediation mode;\nunexpected lines: %q\nmissing lines: %v", extra, wantChanged)
	}
	r.key(tea.KeyEnter)
	r.waitFor("Confirmed: Okta logged device.assurance.policy.update")
	edited := findAssurance(t, env.api, name)
	if edited.DisplayRemediationMode != "HIDE" || edited.GracePeriod == nil || edited.GracePeriod.Type != okta.GraceByDateTime {
		t.Fatalf("after the edit the org holds %+v", edited)
	}
	if got, err := time.Parse(time.RFC3339, edited.GracePeriod.Expiry); err != nil || !got.Equal(due) {
		t.Errorf("due date sent as %q, want %s (UTC of the local time typed)", edited.GracePeriod.Expiry, due.UTC())
	}
	_ = r.tm.Quit()

	// Add it to a new rule of an app sign-in policy.
	c = shellCommon(t, env.api, 80, 24)
	r = startDA(t, c, NewAssuranceFlow(c))
	r.waitFor("3. Add policies to an app sign-in rule")
	r.typ("3")
	r.waitFor("Which app sign-in policy?")
	var policyID string
	r.inspect(func(a *App) { policyID = a.top().(*AssuranceRuleFlow).draft.PolicyID })
	r.key(tea.KeyEnter)
	r.waitFor("Add the requirement to", "> Add a new rule")
	r.key(tea.KeyEnter)
	s = r.waitFor("Require devices to pass", "ORed", name)
	daGolden(t, "assurance_rule_policies", s)
	r.key(tea.KeyEnter)
	r.waitFor("Device assurance policies: choose at least one")
	r.tickAssurance(created.ID)
	r.waitFor("Rule settings", "Rule name")
	r.typ("Require current iOS")
	r.key(tea.KeyEnter) // name
	r.waitFor("┃ Access for devices that pass")
	r.key(tea.KeyEnter) // access allow
	r.waitFor("┃ Also require managed devices?")
	r.typ("n") // not managed
	r.waitFor("┃ Priority")
	r.key(tea.KeyEnter) // priority 1
	// The first policy is the Admin Console's own: no other app may use it.
	r.waitFor("Protect these apps with", "belongs to the Okta Admin Console app", "No app to pick")
	r.key(tea.KeyEnter)
	s = r.waitFor("1 request", "POST", "/rules?activate=true")
	r.key(tea.KeyEnter)
	r.waitFor("Confirmed: Okta logged policy.rule.add", "t try a sign-in")
	r.typ("t") // the end of the flow offers Try a sign-in
	r.waitFor("Try a sign-in", "App signed in to")
	rules, err := env.api.ListRules(context.Background(), policyID)
	if err != nil {
		t.Fatal(err)
	}
	var rule *okta.Rule
	for i := range rules {
		if rules[i].Name == "Require current iOS" {
			rule = &rules[i]
		}
	}
	if rule == nil || rule.Conditions == nil || rule.Conditions.Device == nil || rule.Conditions.Device.Assurance == nil {
		t.Fatalf("the new rule is missing or has no device condition: %+v", rule)
	}
	dev := rule.Conditions.Device
	if got := dev.Assurance.Include; len(got) != 1 || got[0] != created.ID || dev.Registered == nil || !*dev.Registered {
		t.Errorf("rule device condition = %+v, want registered and assurance [%s]", dev, created.ID)
	}
	_ = r.tm.Quit()

	// The standalone System Log view lists the add and the update.
	c = shellCommon(t, env.api, 80, 24)
	r = startDA(t, c, NewAssuranceFlow(c))
	r.waitFor("4. Recent device assurance events")
	r.typ("4")
	s = r.waitFor("Recent device assurance events", "device.assurance.policy.update", "device.assurance.policy.add")
	var events []okta.LogEvent
	r.inspect(func(a *App) { events = a.top().(*SyslogView).Events() })
	var types []string
	for _, e := range events {
		for _, tg := range e.Target {
			if tg.ID == created.ID {
				types = append(types, e.EventType)
			}
		}
	}
	if strings.Join(types, ",") != "device.assurance.policy.update,device.assurance.policy.add" {
		t.Errorf("events of the policy, newest first = %v; screen:\n%s", types, s)
	}
}

// TestAssuranceEscKeepsAnswers walks forward with a typo the form refuses, then back with Esc
// page by page: every answer is still there.
func TestAssuranceEscKeepsAnswers(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.createNamed("Mac fleet")
	r.key(tea.KeyDown) // macOS
	r.key(tea.KeyEnter)
	r.waitFor("OS version · page 2", "> No OS version requirement")
	r.key(tea.KeyDown) // static
	r.key(tea.KeyEnter)
	r.waitFor("Minimum macOS version", "at most 3 components")
	r.typ("13.a")
	r.key(tea.KeyEnter)
	r.waitFor(`contains 'a': use only digits and dots`)
	r.key(tea.KeyBackspace)
	r.typ("4")
	r.key(tea.KeyEnter)
	s := r.waitFor("Disk encryption and screen lock", "All internal volumes encrypted")
	if strings.Contains(s, "User data") {
		t.Errorf("macOS offers Android's disk encryption types:\n%s", s)
	}
	r.key(tea.KeyEscape)
	r.waitFor("Minimum macOS version", "> 13.4")
	r.key(tea.KeyEscape)
	r.waitFor("OS version · page 2", "> Static: at least a version I type")
	r.key(tea.KeyEscape)
	r.waitFor("Name and platform", "> Mac fleet", "> macOS")
	r.key(tea.KeyEscape)
	r.waitFor("1. Create a device assurance policy")
}

// TestAssuranceWindowsPerMajor sets a requirement per Windows major version; the request carries
// osVersionConstraints and no osVersion.
func TestAssuranceWindowsPerMajor(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 100, 30)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.createNamed("Win fleet")
	r.key(tea.KeyDown, 2) // Windows
	r.key(tea.KeyEnter)
	r.waitFor("Windows version requirement", "Per major version: Windows 11 and/or Windows 10")
	r.key(tea.KeyDown, 2)
	r.key(tea.KeyEnter)
	r.waitFor("Set a requirement for", "Windows 11", "Windows 10 (and older)")
	r.key(tea.KeyEnter)
	r.waitFor("choose Windows 11, Windows 10 or both")
	r.typ("x")
	r.key(tea.KeyDown)
	r.typ("x")
	r.key(tea.KeyEnter)
	r.waitFor("Windows 11 requirement", "NOT_ALLOWED")
	r.key(tea.KeyDown) // MINIMUM
	r.key(tea.KeyEnter)
	r.waitFor("Windows 11 details", "Distance from the latest major version")
	r.key(tea.KeyDown) // one behind
	r.key(tea.KeyEnter)
	r.typ("y")
	r.waitFor("Windows 10 (and older) requirement")
	r.key(tea.KeyDown, 4) // NOT_ALLOWED: no details page follows
	r.key(tea.KeyEnter)
	s := r.waitFor("Disk encryption and screen lock", "All internal volumes encrypted")
	if strings.Contains(s, "Windows 10 (and older) details") {
		t.Errorf("NOT_ALLOWED takes no details, but the page shows:\n%s", s)
	}
	var body string
	r.inspect(func(a *App) {
		var e *AssuranceEditor
		for _, sc := range a.stack {
			if ed, ok := sc.(*AssuranceEditor); ok {
				e = ed
			}
		}
		plan, errs, err := e.Plan()
		if err != nil || len(errs) > 0 {
			body = "error: " + (flows.ValidationErrors(errs)).Error()
			return
		}
		b, _ := plan.Steps[0].BodyJSON()
		body = string(b)
	})
	for _, want := range []string{`"majorVersionConstraint": "WINDOWS_11"`, `"type": "MINIMUM"`, `"distanceFromLatestMajor": 1`,
		`"latestSecurityPatch": true`, `"majorVersionConstraint": "WINDOWS_10"`, `"type": "NOT_ALLOWED"`} {
		if !strings.Contains(body, want) {
			t.Errorf("Windows body lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `"osVersion"`) {
		t.Errorf("per-major requirements must not send osVersion:\n%s", body)
	}
}

// TestAssuranceRefusedBeforeAnyRequest: a taken name and a policy without any check are refused
// on the form, naming the field and the fix; nothing reaches the org.
func TestAssuranceRefusedBeforeAnyRequest(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.waitFor("1. Create a device assurance policy")
	r.typ("1")
	r.waitFor("Policy name")
	for loaded := false; !loaded; time.Sleep(20 * time.Millisecond) {
		r.inspect(func(a *App) { loaded = a.top().(*AssuranceEditor).takenNames != nil })
	}
	r.typ("macOS encrypted") // seeded in the sandbox
	r.key(tea.KeyEnter)
	r.waitFor(`another device assurance policy is named "macOS encrypted": choose`)
	r.key(tea.KeyBackspace, len("encrypted"))
	r.typ("kiosks")
	r.key(tea.KeyEnter)
	r.waitFor("> iOS")
	r.key(tea.KeyUp) // ChromeOS: no OS version, only signal providers
	r.key(tea.KeyEnter)
	s := r.waitFor("Device integrity and signal providers", "Require Chrome Device Trust signals?")
	if strings.Contains(s, "jailbroken") || strings.Contains(s, "OS version") {
		t.Errorf("ChromeOS offers checks it does not have:\n%s", s)
	}
	r.typ("n")
	r.typ("n")
	r.waitFor("When a device fails the checks")
	r.key(tea.KeyEnter)
	r.waitFor("In the Sign-In Widget")
	r.key(tea.KeyEnter)
	r.waitFor("Device integrity and signal providers", "no check chosen: Okta refuses a policy that checks nothing")
	list, err := env.api.ListDeviceAssurances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Name == "macOS kiosks" {
			t.Fatalf("a refused policy reached the org: %+v", d)
		}
	}
}

// TestAssuranceRuleExistingKeepsEverythingElse adds a second assurance policy and managed to an
// existing rule: the PUT carries the whole rule as read, so its groups, network, risk condition
// and action settings are unchanged in the org afterwards.
func TestAssuranceRuleExistingKeepsEverythingElse(t *testing.T) {
	env := newDAEnv(t)
	ctx := context.Background()
	das, err := env.api.ListDeviceAssurances(ctx)
	if err != nil || len(das) < 2 {
		t.Fatalf("seeded device assurance policies: %v %v", das, err)
	}
	policies, err := env.api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	policy := policies[len(policies)-1]
	groups, err := env.api.ListGroups(ctx)
	if err != nil || len(groups) == 0 {
		t.Fatalf("groups: %v %v", groups, err)
	}
	registered := true
	rule := okta.Rule{
		Type: okta.TypeAccessPolicy, Name: "Contractors on managed devices",
		Conditions: &okta.RuleConditions{
			People:  &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{groups[0].ID}}},
			Network: &okta.NetworkCondition{Connection: "ANYWHERE"},
			Device:  &okta.DeviceCondition{Registered: &registered, Assurance: &okta.AssuranceIDList{Include: []string{das[0].ID}}},
			Extra:   okta.Extra{"riskScore": json.RawMessage(`{"level":"ANY"}`)},
		},
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}},
	}
	created, err := env.api.CreateRule(ctx, policy.ID, rule, true)
	if err != nil {
		t.Fatal(err)
	}
	before, err := env.api.GetRule(ctx, policy.ID, created.ID)
	if err != nil {
		t.Fatal(err)
	}

	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceFlow(c))
	r.waitFor("3. Add policies to an app sign-in rule")
	r.typ("3")
	r.waitFor("Which app sign-in policy?")
	var idx int
	r.inspect(func(a *App) {
		for i, p := range a.top().(*AssuranceRuleFlow).policies {
			if p.ID == policy.ID {
				idx = i
			}
		}
	})
	r.key(tea.KeyDown, idx)
	r.key(tea.KeyEnter)
	r.waitFor("Add the requirement to", "1. Contractors on managed devices · 1 assurance")
	r.key(tea.KeyDown)
	r.key(tea.KeyEnter)
	r.waitFor("Require devices to pass", "[•]")
	r.tickAssurance(das[1].ID)
	r.waitFor("Rule settings", "> Contractors on managed devices")
	r.key(tea.KeyEnter) // name kept
	r.key(tea.KeyEnter) // access kept
	r.typ("y")          // managed
	r.key(tea.KeyEnter) // priority kept
	r.waitFor("Protect these apps with", "protects no app yet")
	r.typ("/")
	r.typ("slack")
	r.key(tea.KeyEnter) // keep the filter
	r.typ("x")
	r.waitFor("[•] Slack (SAML) · now “Password only”")
	r.key(tea.KeyEnter)
	r.waitFor("2 requests", "PUT", "/rules/"+created.ID) // the rule, then Slack's PUT
	r.key(tea.KeyEnter)
	r.waitFor("Confirmed: Okta logged policy.rule.update", "t try a sign-in")
	if apps, err := env.api.ListApps(ctx, okta.AppQuery{Q: "Slack"}); err != nil || len(apps) != 1 || apps[0].AccessPolicyID != policy.ID {
		t.Errorf("Slack after the run: %+v (%v), want the rule's policy %s", apps, err, policy.ID)
	}
	r.typ("t") // Try a sign-in starts on the app the flow protected
	r.waitFor("App signed in to", "> Slack")

	after, err := env.api.GetRule(ctx, policy.ID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	dev := after.Conditions.Device
	if got := dev.Assurance.Include; len(got) != 2 || got[0] != das[0].ID || got[1] != das[1].ID {
		t.Errorf("assurance.include = %v, want [%s %s]", got, das[0].ID, das[1].ID)
	}
	if dev.Managed == nil || !*dev.Managed || dev.Registered == nil || !*dev.Registered {
		t.Errorf("device condition = %+v, want registered and managed", dev)
	}
	// Everything else is as it was.
	norm := func(r *okta.Rule) map[string]any {
		b, _ := json.Marshal(r)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		delete(m, "lastUpdated")
		delete(m["conditions"].(map[string]any), "device")
		return m
	}
	b1, _ := json.Marshal(norm(before))
	b2, _ := json.Marshal(norm(after))
	if string(b1) != string(b2) {
		t.Errorf("the update changed more than the device condition:\nbefore %s\nafter  %s", b1, b2)
	}
}

func unitCommon() *Common {
	return &Common{Width: 80, Height: 21, Styles: DefaultStyles(), Keys: DefaultKeyMap()}
}

// TestAssuranceSameDurationIsNoChange: Okta may answer P30D as PT720H; editing without a change
// is refused as "nothing changed" instead of sending a PUT.
func TestAssuranceSameDurationIsNoChange(t *testing.T) {
	jb := false
	read := okta.DeviceAssurance{ID: "dae1", Name: "iOS", Platform: okta.PlatformIOS, Jailbreak: &jb,
		GracePeriod: &okta.GracePeriod{Type: okta.GraceByDuration, Expiry: "PT720H"}, DisplayRemediationMode: "SHOW",
		Extra: okta.Extra{"futureMember": json.RawMessage(`{"kept":true}`)}}
	e := NewAssuranceEditor(unitCommon(), flows.DraftFromAssurance(read, time.UTC))
	e.Init()
	if e.graceDays != "30" {
		t.Fatalf("PT720H shown as %q days, want 30", e.graceDays)
	}
	e.finish()
	if !strings.Contains(e.pf.errMsg, "Nothing changed") {
		t.Fatalf("an edit without change should be refused, got %q", e.pf.errMsg)
	}
	// A real change goes through, and the member the wizard does not know is sent back.
	e.draft.Remediation = flows.RemediationHide
	plan, errs, err := e.Plan()
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	body, _ := plan.Steps[0].BodyJSON()
	if !strings.Contains(string(body), `"futureMember"`) {
		t.Errorf("unknown member lost in the PUT body:\n%s", body)
	}
}

// TestAssuranceEditWithoutRemediationIsNoChange: a policy read without displayRemediationMode
// is not edited into SHOW just by opening it; the choice offers to leave it unset.
func TestAssuranceEditWithoutRemediationIsNoChange(t *testing.T) {
	read := okta.DeviceAssurance{ID: "dae2", Name: "macOS encrypted", Platform: okta.PlatformMacOS,
		DiskEncryptionType: &okta.IncludeStrings{Include: []string{"ALL_INTERNAL_VOLUMES"}}}
	e := NewAssuranceEditor(unitCommon(), flows.DraftFromAssurance(read, time.UTC))
	e.Init()
	if e.draft.Remediation != "" {
		t.Fatalf("opening the edit set remediation to %q", e.draft.Remediation)
	}
	form := huh.NewForm(e.remediationPage().group()).WithWidth(80).WithHeight(12)
	form.Init()
	if view := form.View(); !strings.Contains(view, "Not set: leave it as it is") {
		t.Errorf("the remediation choice does not offer to leave it unset:\n%s", view)
	}
	e.finish()
	if !strings.Contains(e.pf.errMsg, "Nothing changed") {
		t.Fatalf("an edit without change should be refused, got %q", e.pf.errMsg)
	}
	// A new policy still shows remediation by default.
	if d := NewAssuranceEditor(unitCommon(), flows.AssuranceDraft{}).draft; d.Remediation != flows.RemediationShow {
		t.Errorf("new policy remediation %q, want SHOW", d.Remediation)
	}
}

// TestAssuranceErrorsShownOnTheirPage: whole-draft validation puts each error on the page of its
// field, with the fix.
func TestAssuranceErrorsShownOnTheirPage(t *testing.T) {
	cases := []struct {
		draft    flows.AssuranceDraft
		page     string
		contains string
	}{
		{flows.AssuranceDraft{Name: "x", Platform: okta.PlatformIOS, OSMode: flows.OSStatic, OSMinimum: "1.2.3.4"},
			"os-detail", "iOS allows at most 3"},
		{flows.AssuranceDraft{Name: " ", Platform: okta.PlatformIOS, ScreenLock: []string{"PASSCODE"}},
			"basics", "name is required"},
		{flows.AssuranceDraft{Name: "x", Platform: okta.PlatformIOS, ScreenLock: []string{"PASSCODE"}, GraceMode: flows.GraceDuration, GraceDays: 200},
			"grace-detail", "choose 1 to 180 days"},
		{flows.AssuranceDraft{Name: "x", Platform: okta.PlatformIOS, ScreenLock: []string{"PASSCODE"}, GraceMode: flows.GraceDateTime,
			GraceUntil: time.Now().Add(-time.Hour)}, "grace-detail", "not in the future"},
		{flows.AssuranceDraft{Name: "x", Platform: okta.PlatformIOS}, "os", "no check chosen"},
	}
	for _, tc := range cases {
		e := NewAssuranceEditor(unitCommon(), tc.draft)
		e.Init()
		e.finish()
		if e.pf.cur != tc.page || !strings.Contains(e.pf.errMsg, tc.contains) {
			t.Errorf("draft %+v: error on page %q %q, want page %q with %q", tc.draft, e.pf.cur, e.pf.errMsg, tc.page, tc.contains)
		}
	}
}

// TestAssuranceSubmitErrorBackToForm: Okta refuses the create; the submit screen shows the error
// and "f" returns to the form with every answer kept; the second try goes through and leaves
// no journal behind (the next start offers no resume).
func TestAssuranceSubmitErrorBackToForm(t *testing.T) {
	env := newDAEnv(t)
	env.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/device-assurances", Nth: 1, Times: 1}}})
	c := shellCommon(t, env.api, 80, 24)
	r := startDA(t, c, NewAssuranceEditor(c, flows.AssuranceDraft{Name: "Android basics", Platform: okta.PlatformAndroid, ScreenLock: []string{"BIOMETRIC"}}))
	r.waitFor("Name and platform", "> Android basics")
	// Enter through each page's fields, answers as given.
	for _, step := range []struct {
		enters int
		next   string
	}{{2, "OS version"}, {1, "Disk encryption"}, {2, "Device integrity"}, {4, "Grace period"}, {1, "Remediation"}, {1, "Review"}} {
		r.key(tea.KeyEnter, step.enters)
		r.waitFor(step.next)
	}
	r.waitFor("POST", "/api/v1/device-assurances")
	r.key(tea.KeyEnter)
	r.waitFor("E0000001")
	r.typ("f")
	r.waitFor("Remediation instructions", "> Show")
	r.key(tea.KeyEnter)
	r.waitFor("POST", `"BIOMETRIC"`)
	r.key(tea.KeyEnter)
	r.waitFor("Confirmed: Okta logged device.assurance.policy.add")
	findAssurance(t, env.api, "Android basics")
	// Fix and continue finished the run: no journal is left to offer a resume of.
	if runs, _ := flows.OpenJournals(c.JournalDir); len(runs) != 0 {
		t.Errorf("the finished run leaves %d journal(s); want none", len(runs))
	}
}

// TestAssuranceAccessibleCreate runs the create flow as plain prompts (accessible mode) against
// the sandbox: same pages, same validation, the request, the System Log check.
func accessibleFlowNumber(title string) string {
	n := 0
	for _, e := range registeredFlows() {
		if e.Accessible != nil {
			n++
			if e.Title == title {
				return strconv.Itoa(n)
			}
		}
	}
	return "0"
}

// TestAssuranceAccessibleRule adds a device assurance policy to a new app sign-in rule as plain
// prompts, with a refused empty choice on the way.
func TestAssuranceAccessibleRule(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	answers := []string{
		accessibleFlowNumber("Device assurance"),
		"3",      // add to a rule
		"4",      // “Password only”
		"1",      // new rule
		"0",      // nothing chosen: refused
		"2", "0", // the second device assurance policy
		"Acc rule", // name
		"1",        // allow
		"n",        // not managed
		"1",        // first
		"7", "0",   // protect: Workday (7th of the apps not on the policy yet)
		"y", // send
	}
	out := runAccessibleAnswers(t, c, answers)
	requireOutput(t, "accessible output", out, "choose at least one", "ORed", "POST /api/v1/policies/", `"registered": true`,
		"Already protected by “Password only”: Slack.", "Send these 2 requests now?",
		"Done: Protect app “Workday” with “Password only”", "Confirmed: policy.rule.add")
	apps, err := env.api.ListApps(context.Background(), okta.AppQuery{Q: "Workday"})
	if err != nil || len(apps) != 1 || apps[0].AccessPolicyID != sandboxtest.PolicyID(t, env.api, okta.TypeAccessPolicy, "Password only") {
		t.Errorf("Workday after the accessible rule flow: %+v (%v), want “Password only”", apps, err)
	}
}

func TestAssuranceAccessibleCreate(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	answers := []string{
		accessibleFlowNumber("Device assurance"),
		"1",          // create
		"iOS static", // name
		"3",          // iOS
		"2",          // static minimum
		"16.4.1.2",   // refused: iOS has three components
		"16.4",       //
		"0",          // no screen lock check
		"y", "n",     // block jailbreak, no posture IdP
		"2",  // grace after N days
		"30", //
		"1",  // remediation shown
		"y",  // send
	}
	out := runAccessibleAnswers(t, c, answers)
	requireOutput(t, "accessible output", out, "iOS allows at most 3", "POST /api/v1/device-assurances", `"expiry": "P30D"`, "Confirmed: device.assurance.policy.add")
	d := findAssurance(t, env.api, "iOS static")
	if d.OSVersion == nil || d.OSVersion.Minimum != "16.4" || d.GracePeriod == nil || d.GracePeriod.Type != okta.GraceByDuration {
		t.Errorf("the org holds %+v", d)
	}
}
