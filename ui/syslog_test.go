package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func TestSyslogFilterExpression(t *testing.T) {
	cases := []struct {
		f    SyslogFilter
		want string
	}{
		{SyslogFilter{EventTypes: []string{EventAssuranceAdd}}, `eventType eq "device.assurance.policy.add"`},
		{SyslogFilter{EventTypes: AssuranceEventTypes, TargetID: "dae1"},
			`(eventType eq "device.assurance.policy.add" or eventType eq "device.assurance.policy.update" or eventType eq "device.assurance.policy.delete") and target.id eq "dae1"`},
		{SyslogFilter{TargetID: "rul1"}, `target.id eq "rul1"`},
	}
	for _, c := range cases {
		if got := c.f.Expression(); got != c.want {
			t.Errorf("Expression() = %s, want %s", got, c.want)
		}
	}
}

// TestSyslogWaitsThenSaysNoneCame polls the sandbox's System Log for an event that never comes:
// the countdown shows, then the view says plainly that none arrived.
func TestSyslogWaitsThenSaysNoneCame(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 80, 24)
	f := SyslogFilter{Title: "System Log · nothing", EventTypes: AssuranceEventTypes, TargetID: "daeNeverCreated",
		WaitFor: EventAssuranceAdd, ChangedAt: time.Now(), PollEvery: 200 * time.Millisecond, PollFor: 1500 * time.Millisecond}
	r := startDA(t, c, NewSyslogView(c, f))
	r.waitFor("Waiting for device.assurance.policy.add: next check in", "s left")
	s := r.waitFor("No device.assurance.policy.add event arrived within 1.5s.")
	if !strings.Contains(s, "ctrl+r waits again") {
		t.Errorf("the give-up message does not say how to wait again:\n%s", s)
	}
	// ctrl+r starts a fresh wait.
	r.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlR})
	r.waitFor("Waiting for device.assurance.policy.add")
}

// TestSyslogConfirmsEventThatArrivesLater starts waiting before the change exists; a later poll
// finds the event and the view confirms it.
func TestSyslogConfirmsEventThatArrivesLater(t *testing.T) {
	env := newDAEnv(t)
	c := shellCommon(t, env.api, 100, 30)
	started := time.Now()
	// The id is not known before the create, so wait on the type alone.
	f := SyslogFilter{Title: "System Log · later", EventTypes: []string{EventAssuranceAdd},
		WaitFor: EventAssuranceAdd, ChangedAt: started, PollEvery: 150 * time.Millisecond, PollFor: 20 * time.Second}
	r := startDA(t, c, NewSyslogView(c, f))
	// Create only after the first query has answered with nothing.
	r.waitFor("Waiting for device.assurance.policy.add: next check in")
	for answered := false; !answered; {
		r.inspect(func(a *App) {
			v := a.top().(*SyslogView)
			answered = v.loaded && !v.found
		})
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := env.api.CreateDeviceAssurance(context.Background(), okta.DeviceAssurance{
		Name: "Android later", Platform: okta.PlatformAndroid, DisplayRemediationMode: "SHOW",
		ScreenLockType: &okta.IncludeStrings{Include: []string{"PASSCODE"}},
	}); err != nil {
		t.Fatal(err)
	}
	s := r.waitFor("Confirmed: Okta logged device.assurance.policy.add", "Android later")
	if strings.Contains(s, "Waiting for") {
		t.Errorf("still waiting after the event came:\n%s", s)
	}
}

// TestSyslogViewGolden draws events (times in local time, actor, outcome, what changed) from a
// fixed list, so the screen is stable.
func TestSyslogViewGolden(t *testing.T) {
	useLocalZone(t, time.FixedZone("UTC+1", 3600))
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	oldClock := daClock
	daClock = func() time.Time { return now }
	t.Cleanup(func() { daClock = oldClock })

	c := &Common{Width: 80, Height: 24, Styles: DefaultStyles(), Keys: DefaultKeyMap(), Sandbox: true}
	v := NewSyslogView(c, SyslogFilter{Title: "System Log · iOS current", EventTypes: AssuranceEventTypes, TargetID: "dae1",
		Done: "Updated device assurance policy \"iOS current\" (dae1)."}).(*SyslogView)
	actor := &okta.LogActor{ID: "00u1", Type: "User", AlternateID: "admin@example.com", DisplayName: "Ada Admin"}
	events := []okta.LogEvent{
		{UUID: "1", Published: now.Add(-2 * time.Hour), EventType: EventAssuranceAdd, DisplayMessage: "Add device assurance policy",
			Actor: actor, Outcome: &okta.LogOutcome{Result: "SUCCESS"},
			Target: []okta.LogTarget{{ID: "dae1", Type: "DeviceAssurancePolicy", DisplayName: "iOS current"}}},
		{UUID: "2", Published: now.Add(-time.Minute), EventType: EventAssuranceUpdate, DisplayMessage: "Update device assurance policy",
			Actor: actor, Outcome: &okta.LogOutcome{Result: "SUCCESS"},
			Target: []okta.LogTarget{{ID: "dae1", Type: "DeviceAssurancePolicy", DisplayName: "iOS current",
				DetailEntry: json.RawMessage(`{"displayRemediationMode":"HIDE","gracePeriod":"BY_DATE_TIME"}`)}}},
		// Another object's event, which a server ignoring the target filter might send: not shown.
		{UUID: "3", Published: now, EventType: EventAssuranceDelete, Outcome: &okta.LogOutcome{Result: "SUCCESS"},
			Target: []okta.LogTarget{{ID: "dae2", Type: "DeviceAssurancePolicy", DisplayName: "other"}}},
	}
	v.Update(syslogEventsMsg{view: v.id, events: events})
	if n := len(v.Events()); n != 2 {
		t.Fatalf("%d events shown, want the 2 of dae1", n)
	}
	app := newApp(c, v)
	daGolden(t, "syslog_events", app.View())
}

// BenchmarkSyslogView200Events draws the view with a full page of events (the most it reads).
func BenchmarkSyslogView200Events(b *testing.B) {
	c := &Common{Width: 80, Height: 21, Styles: DefaultStyles(), Keys: DefaultKeyMap()}
	v := NewSyslogView(c, RecentAssuranceEvents()).(*SyslogView)
	events := make([]okta.LogEvent, syslogMaxEvents)
	now := time.Now()
	for i := range events {
		events[i] = okta.LogEvent{UUID: strings.Repeat("x", 8), Published: now.Add(-time.Duration(i) * time.Minute),
			EventType: EventAssuranceUpdate, DisplayMessage: "Update device assurance policy",
			Actor:   &okta.LogActor{DisplayName: "Ada Admin", AlternateID: "admin@example.com"},
			Outcome: &okta.LogOutcome{Result: "SUCCESS"},
			Target:  []okta.LogTarget{{ID: "dae1", Type: "DeviceAssurancePolicy", DisplayName: "iOS current", DetailEntry: json.RawMessage(`{"a":"b"}`)}}}
	}
	v.Update(syslogEventsMsg{view: v.id, events: events})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = v.View()
	}
}

// BenchmarkAssuranceEditorOpenPage builds a page's form, which happens on every move.
func BenchmarkAssuranceEditorOpenPage(b *testing.B) {
	e := NewAssuranceEditor(&Common{Width: 80, Height: 21, Styles: DefaultStyles(), Keys: DefaultKeyMap()},
		flows.AssuranceDraft{Name: "x", Platform: okta.PlatformAndroid})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.pf.open("integrity")
		_ = e.View()
	}
}
