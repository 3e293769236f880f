package ui

import (
	"context"
	"net/http"
	"regexp"
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
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

func inspectCommon(api okta.API, w, h int) *Common {
	return &Common{Width: w, Height: h, API: api, OrgLabel: "SANDBOX", Sandbox: true,
		Styles: DefaultStyles(), Keys: DefaultKeyMap()}
}

// inspectProbe wraps the root model so a test can read what is on screen from inside the
// program's goroutine (reading the model from the test goroutine would race).
type inspectProbe struct{ tea.Model }

type inspProbeMsg struct{ reply chan inspProbeState }

// inspProbeState is what a probe saw.
type inspProbeState struct {
	view    string
	kind    flows.Kind
	rows    []flows.Row
	loading bool
}

func (p inspectProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(inspProbeMsg); ok {
		app := p.Model.(*App)
		st := inspProbeState{view: app.View()}
		if s, ok := app.top().(*Inspect); ok {
			st.kind, st.rows, st.loading = s.Kind(), append([]flows.Row(nil), s.Rows()...), s.loading
		}
		pm.reply <- st
		return p, nil
	}
	m, cmd := p.Model.Update(msg)
	return inspectProbe{m}, cmd
}

// inspectProgram runs the inspection screen inside the root model at a fixed size.
func inspectProgram(t *testing.T, api okta.API, w, h int, opts flows.LoadOptions) *teatest.TestModel {
	t.Helper()
	c := inspectCommon(api, w, h)
	return teatest.NewTestModel(t, inspectProbe{newApp(c, NewInspectWith(c, opts, flows.KindDSC, ""))}, teatest.WithInitialTermSize(w, h))
}

var inspLoadedRE = regexp.MustCompile(`Warnings \(\d`)

// waitScreen polls the screen until cond holds, failing with the last screen after 20 s.
func inspWaitScreen(t *testing.T, tm *teatest.TestModel, what string, cond func(inspProbeState) bool) inspProbeState {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last inspProbeState
	for time.Now().Before(deadline) {
		reply := make(chan inspProbeState, 1)
		tm.Send(inspProbeMsg{reply: reply})
		select {
		case last = <-reply:
			if cond(last) {
				return last
			}
		case <-time.After(2 * time.Second):
		}
		time.Sleep(15 * time.Millisecond)
	}
	t.Fatalf("waited 20s for %s; screen:\n%s", what, last.view)
	return last
}

func inspWaitOutput(t *testing.T, tm *teatest.TestModel, what string, cond func(string) bool) {
	t.Helper()
	inspWaitScreen(t, tm, what, func(p inspProbeState) bool { return cond(p.view) })
}

func inspWaitLoaded(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	inspWaitScreen(t, tm, "the load to finish", func(p inspProbeState) bool { return !p.loading && inspLoadedRE.MatchString(p.view) })
}

// finalInspect quits and returns the inspection screen and its last view.
func inspFinal(t *testing.T, tm *teatest.TestModel) (*Inspect, string) {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	app := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(inspectProbe).Model.(*App)
	return app.top().(*Inspect), app.View()
}

func inspKey(k tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: k} }

func inspRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// seedInspectOrg creates, through the API, an app sign-in policy served by an active DSC
// policy and using an assurance policy, plus one unused assurance policy.
func seedInspectOrg(t *testing.T, api okta.API) (app *okta.Policy, dsc *okta.Policy, da *okta.DeviceAssurance) {
	t.Helper()
	ctx := context.Background()
	var err error
	da, err = api.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: "Mac baseline", Platform: okta.PlatformMacOS, OSVersion: &okta.OSVersion{Minimum: "14.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: "Unused Windows", Platform: okta.PlatformWindows, OSVersion: &okta.OSVersion{Minimum: "10.0.19045"}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Finance apps", "HR portal"} {
		p, err := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: name}, true)
		if err != nil {
			t.Fatal(err)
		}
		if app == nil {
			app = p
		}
	}
	yes, zero := true, 0
	if _, err := api.CreateRule(ctx, app.ID, okta.Rule{Type: okta.TypeAccessPolicy, Name: "Registered Macs", Priority: &zero,
		Conditions: &okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes, Assurance: &okta.AssuranceIDList{Include: []string{da.ID}}}},
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}}, true); err != nil {
		t.Fatal(err)
	}
	dsc, err = api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "Collect device signals"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.MapResource(ctx, dsc.ID, okta.MappingRequest{ResourceID: app.ID, ResourceType: "ACCESS_POLICY"}); err != nil {
		t.Fatal(err)
	}
	return app, dsc, da
}

func TestInspectTabsAt80x24(t *testing.T) {
	_, api := sandboxtest.Start(t)
	seedInspectOrg(t, api)
	tm := inspectProgram(t, api, 80, 24, flows.LoadOptions{SkipEvents: true})
	inspWaitLoaded(t, tm)
	inspWaitOutput(t, tm, "DSC tab", func(s string) bool {
		return strings.Contains(s, "Collect device") && strings.Contains(s, "Finance apps")
	})

	tm.Send(inspKey(tea.KeyTab))
	inspWaitOutput(t, tm, "app tab", func(s string) bool {
		return strings.Contains(s, "[App (") && strings.Contains(s, "Finance apps") && strings.Contains(s, "HR portal")
	})
	tm.Send(inspKey(tea.KeyTab))
	inspWaitOutput(t, tm, "apps tab", func(s string) bool {
		return strings.Contains(s, "[Apps (") && strings.Contains(s, "Salesforce.com") && strings.Contains(s, "Any two factors")
	})
	tm.Send(inspKey(tea.KeyTab))
	inspWaitOutput(t, tm, "assurance tab", func(s string) bool {
		return strings.Contains(s, "[Assurance (") && strings.Contains(s, "Mac baseline") && strings.Contains(s, "OS >= 14.0")
	})
	tm.Send(inspRunes("6"))
	inspWaitOutput(t, tm, "warnings tab", func(s string) bool {
		return strings.Contains(s, "[Warnings (") && strings.Contains(s, "unused-assurance") && strings.Contains(s, "Unused Windows")
	})
	for range 4 {
		tm.Send(inspKey(tea.KeyShiftTab))
	}

	screen, view := inspFinal(t, tm)
	if screen.Kind() != flows.KindApp {
		t.Fatalf("after going back four tabs the view is %q, want app", screen.Kind())
	}
	if w := lipgloss.Width(view); w > 80 {
		t.Errorf("view is %d columns wide at 80x24", w)
	}
	if h := lipgloss.Height(view); h != 24 {
		t.Errorf("view is %d lines high at 80x24", h)
	}
	// The golden file holds this screen's part only: header and footer belong to the root model.
	golden.RequireEqual(t, []byte(screen.View()))
}

// inspFilterAppPolicies runs the inspection at w x h (no System Log events), waits for the
// org to load, opens the app sign-in policies and types text into the filter.
func inspFilterAppPolicies(t *testing.T, api okta.API, w, h int, text string) *teatest.TestModel {
	t.Helper()
	tm := inspectProgram(t, api, w, h, flows.LoadOptions{SkipEvents: true})
	inspWaitLoaded(t, tm)
	tm.Send(inspRunes("2")) // app sign-in policies
	tm.Send(inspRunes("/"))
	tm.Type(text)
	return tm
}

func TestInspectFilterAsYouType(t *testing.T) {
	_, api := sandboxtest.Start(t)
	seedInspectOrg(t, api)
	tm := inspFilterAppPolicies(t, api, 80, 24, "finance")
	inspWaitOutput(t, tm, "filtered", func(s string) bool { return strings.Contains(s, "/finance") && strings.Contains(s, "1 of ") })
	tm.Send(inspKey(tea.KeyEnter)) // keep the filter, leave the input
	screen, view := inspFinal(t, tm)
	if screen.filtering {
		t.Error("enter should leave the filter input")
	}
	rows := screen.Rows()
	if len(rows) != 1 || rows[0].Cells[0] != "Finance apps" {
		t.Fatalf("rows after filtering = %+v", rows)
	}
	if strings.Contains(view, "HR portal") {
		t.Error("a row that does not match is still shown")
	}
	// The filter matches cross-references too: the DSC policy's name finds the app policy.
	screen.filter.SetValue("collect device")
	screen.refilter(true)
	if got := screen.Rows(); len(got) != 1 || got[0].Cells[0] != "Finance apps" {
		t.Errorf("filter by mapped DSC name = %+v", got)
	}
	// esc clears the filter and shows every row again.
	screen.Update(inspKey(tea.KeyEsc))
	if screen.filter.Value() != "" || len(screen.Rows()) != screen.Inventory().Count(flows.KindApp) {
		t.Errorf("esc left filter %q with %d rows", screen.filter.Value(), len(screen.Rows()))
	}
	// No match says so.
	screen.Update(inspRunes("/"))
	for _, r := range "zzz" {
		screen.Update(inspRunes(string(r)))
	}
	if v := screen.View(); !strings.Contains(v, `match "zzz"`) {
		t.Errorf("no-match view:\n%s", v)
	}
}

func TestInspectDetailPane(t *testing.T) {
	_, api := sandboxtest.Start(t)
	app, dsc, _ := seedInspectOrg(t, api)

	t.Run("toggled at 80x24", func(t *testing.T) {
		tm := inspFilterAppPolicies(t, api, 80, 24, "finance")
		tm.Send(inspKey(tea.KeyEnter))
		tm.Send(inspKey(tea.KeyEnter)) // open the detail
		inspWaitOutput(t, tm, "detail", func(s string) bool {
			return strings.Contains(s, `"mappedDsc"`) && strings.Contains(s, dsc.ID)
		})
		tm.Send(inspKey(tea.KeyEsc))
		screen, view := inspFinal(t, tm)
		if screen.detailOpen || !strings.Contains(view, "Finance apps") {
			t.Errorf("esc did not close the detail:\n%s", view)
		}
	})

	t.Run("below the table at 120x40", func(t *testing.T) {
		tm := inspFilterAppPolicies(t, api, 120, 40, "finance")
		inspWaitOutput(t, tm, "split detail", func(s string) bool {
			return strings.Contains(s, `"id": "`+app.ID+`"`)
		})
		_, view := inspFinal(t, tm)
		if !strings.Contains(view, "[App sign-in policies (") || !strings.Contains(view, "Finance apps") || !strings.Contains(view, `"mappedDsc"`) {
			t.Errorf("table and detail should both show at 120x40:\n%s", view)
		}
	})
}

func TestInspectProgressWhileLoading(t *testing.T) {
	srv, api := sandboxtest.Start(t)
	// Enough policies for twenty pages: the load is still running while we look and type, yet it
	// ends within the wait under -race on a loaded machine.
	if err := srv.SeedLarge(1000, 5, 100); err != nil {
		t.Fatal(err)
	}
	// Slow the org down so the load is still running while we look and type.
	srv.SetFaults(sandbox.Faults{Latency: 3 * time.Millisecond})
	tm := inspectProgram(t, api, 80, 24, flows.LoadOptions{PageSize: 50, Concurrency: 4, SkipEvents: true})
	tm.Send(inspRunes("2"))
	progressRE := regexp.MustCompile(`loaded \d[\d,]* policies(…| ·) rules read for \d`)
	inspWaitOutput(t, tm, "progress", func(s string) bool { return progressRE.MatchString(s) && strings.Contains(s, "Load Test App Policy") })
	// The screen is usable while loading: filtering the rows that arrived so far.
	tm.Send(inspRunes("/"))
	tm.Type("00017")
	onlyRow := func(p inspProbeState) bool {
		return len(p.rows) == 1 && p.rows[0].Cells[0] == "Load Test App Policy 00017"
	}
	st := inspWaitScreen(t, tm, "filtered while loading", func(p inspProbeState) bool { return onlyRow(p) })
	if !st.loading || st.rows[0].Cells[2] != "…" {
		t.Errorf("expected a preliminary row while loading; loading=%v row=%q", st.loading, st.rows[0].Cells)
	}
	inspWaitLoaded(t, tm)
	inspWaitScreen(t, tm, "final rows", func(p inspProbeState) bool { return onlyRow(p) && strings.Contains(p.view, "1 of 1,00") })
	screen, _ := inspFinal(t, tm)
	inv := screen.Inventory()
	if inv == nil || len(inv.AppPolicies) < 1000 {
		t.Fatalf("inventory not loaded: %v", inv)
	}
	if rows := screen.Rows(); len(rows) != 1 || rows[0].Cells[0] != "Load Test App Policy 00017" || rows[0].Cells[2] == "…" {
		t.Errorf("rows after load = %+v", rows)
	}
}

func TestInspectRefresh(t *testing.T) {
	_, api := sandboxtest.Start(t)
	tm := inspectProgram(t, api, 80, 24, flows.LoadOptions{SkipEvents: true})
	inspWaitLoaded(t, tm)
	if _, err := api.CreatePolicy(context.Background(), okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "Added later"}, false); err != nil {
		t.Fatal(err)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlR})
	inspWaitOutput(t, tm, "refreshed", func(s string) bool { return strings.Contains(s, "Added later") })
	tm.Send(inspRunes("6"))
	inspWaitOutput(t, tm, "new warning", func(s string) bool { return strings.Contains(s, "inactive-dsc") })
	screen, _ := inspFinal(t, tm)
	if len(screen.Inventory().WarningsFor(flows.KindDSC, screen.Inventory().DSCPolicies[len(screen.Inventory().DSCPolicies)-1].Policy.ID)) == 0 {
		t.Error("the inactive DSC policy added before the refresh has no warning")
	}
}

func TestInspectLoadErrorShowsOktaError(t *testing.T) {
	srv, _ := sandboxtest.Start(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	bad, err := okta.New(okta.Config{OrgURL: srv.URL(), Token: "not-the-token", Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	tm := inspectProgram(t, bad, 80, 24, flows.LoadOptions{SkipEvents: true})
	inspWaitOutput(t, tm, "error", func(s string) bool {
		return strings.Contains(s, "Could not load the org") && strings.Contains(s, "E0000011")
	})
	_, view := inspFinal(t, tm)
	if strings.Contains(view, "not-the-token") {
		t.Error("the token is on screen")
	}
}

func TestInspectEscGoesBack(t *testing.T) {
	_, api := sandboxtest.Start(t)
	c := inspectCommon(api, 80, 24)
	s := NewInspectWith(c, flows.LoadOptions{SkipEvents: true}, flows.KindApp, "")
	_, cmd := s.Update(inspKey(tea.KeyEsc))
	if cmd == nil {
		t.Fatal("esc returned no command")
	}
	if _, ok := cmd().(BackMsg); !ok {
		t.Error("esc on the table does not go back")
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1200: "1,200", 2000000: "2,000,000"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestInspectEventsTab(t *testing.T) {
	_, api := sandboxtest.Start(t)
	seedInspectOrg(t, api)
	tm := inspectProgram(t, api, 100, 30, flows.LoadOptions{})
	inspWaitLoaded(t, tm)
	tm.Send(inspRunes("5"))
	st := inspWaitScreen(t, tm, "events", func(p inspProbeState) bool {
		return p.kind == flows.KindEvents && strings.Contains(p.view, "device.assurance.policy") && strings.Contains(p.view, "Mac baseline")
	})
	for _, r := range st.rows {
		if !strings.HasPrefix(r.Cells[1], "device.") && !strings.HasPrefix(r.Cells[1], "policy.") {
			t.Errorf("unrelated event listed: %q", r.Cells[1])
		}
	}
	tm.Send(inspRunes("/"))
	tm.Type("mapping")
	inspWaitScreen(t, tm, "mapping events", func(p inspProbeState) bool {
		return len(p.rows) > 0 && strings.HasPrefix(p.rows[0].Cells[1], "policy.mapping")
	})
	inspFinal(t, tm)
}

func TestInspectIsOnTheHomeScreen(t *testing.T) {
	for _, e := range registeredFlows() {
		if e.Title == "Inspect the org" {
			c := inspectCommon(nil, 80, 24)
			if _, ok := e.Start(c).(*Inspect); !ok {
				t.Fatal("the home entry does not open the inspection screen")
			}
			return
		}
	}
	t.Fatal("the home screen does not list the inspection")
}

func TestInspectShowsRateLimitWaits(t *testing.T) {
	srv, api := sandboxtest.Start(t, sandboxtest.RateLimits(sandbox.RateLimits{Enforce: true, Limit: 3, Window: 2 * time.Second}))
	if err := srv.SeedLarge(600, 1, 0); err != nil {
		t.Fatal(err)
	}
	// Pages of 100 policies: more policy requests than the bucket holds.
	tm := inspectProgram(t, api, 80, 24, flows.LoadOptions{PageSize: 100, SkipEvents: true})
	inspWaitOutput(t, tm, "rate-limit wait", func(s string) bool {
		return strings.Contains(s, "waiting") && strings.Contains(s, "for Okta's rate limit (/api/v1/policies)")
	})
	inspWaitLoaded(t, tm)
	screen, _ := inspFinal(t, tm)
	if inv := screen.Inventory(); inv == nil || len(inv.AppPolicies) < 600 {
		t.Fatalf("inventory not loaded after the waits: %v", inv)
	}
}
