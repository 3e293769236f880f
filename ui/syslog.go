package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

// System Log event types of device assurance policies and app sign-in policy rules.
const (
	EventAssuranceAdd    = "device.assurance.policy.add"
	EventAssuranceUpdate = "device.assurance.policy.update"
	EventAssuranceDelete = "device.assurance.policy.delete"
	EventRuleAdd         = "policy.rule.add"
	EventRuleUpdate      = "policy.rule.update"
	EventRuleActivate    = "policy.rule.activate"
	EventRuleDeactivate  = "policy.rule.deactivate"
	EventRuleDelete      = "policy.rule.delete"
)

// AssuranceEventTypes are the System Log events of device assurance policies.
var AssuranceEventTypes = []string{EventAssuranceAdd, EventAssuranceUpdate, EventAssuranceDelete}

// RuleEventTypes are the System Log events of policy rules.
var RuleEventTypes = []string{EventRuleAdd, EventRuleUpdate, EventRuleActivate, EventRuleDeactivate, EventRuleDelete}

// Defaults of the confirmation poll: the System Log is near real time, not instant.
const (
	defaultPollEvery = 2 * time.Second
	defaultPollFor   = 30 * time.Second
	syslogWindow     = 24 * time.Hour
	syslogMaxEvents  = 200
)

// SyslogFilter selects the System Log events a SyslogView shows.
type SyslogFilter struct {
	// Title heads the view.
	Title string
	// Done, when set, says what was just changed (shown above the events).
	Done string
	// EventTypes are ORed; empty means any type.
	EventTypes []string
	// TargetID keeps only events with this target (a policy or rule id).
	TargetID string
	// Since starts the window; zero means the last 24 hours.
	Since time.Time
	// WaitFor, when set, makes the view poll until an event of this type for TargetID, published
	// at or after ChangedAt, arrives or PollFor runs out; a countdown shows meanwhile.
	WaitFor   string
	ChangedAt time.Time
	PollEvery time.Duration // default 2s
	PollFor   time.Duration // default 30s
	// TrySignIn, when set, offers t: Try a sign-in, starting from these options (the view
	// ends a flow that changed a rule).
	TrySignIn *signin.Options
}

// RecentAssuranceEvents is the filter of the standalone view: every device assurance event of
// the last 24 hours.
func RecentAssuranceEvents() SyslogFilter {
	return SyslogFilter{Title: "Recent device assurance events (last 24 h)", EventTypes: AssuranceEventTypes}
}

// Expression is the Okta filter expression of f, e.g.
// `(eventType eq "a" or eventType eq "b") and target.id eq "x"`.
func (f SyslogFilter) Expression() string {
	var parts []string
	if len(f.EventTypes) > 0 {
		types := make([]string, len(f.EventTypes))
		for i, t := range f.EventTypes {
			types[i] = fmt.Sprintf("eventType eq %q", t)
		}
		expr := strings.Join(types, " or ")
		if len(types) > 1 {
			expr = "(" + expr + ")"
		}
		parts = append(parts, expr)
	}
	if f.TargetID != "" {
		parts = append(parts, fmt.Sprintf("target.id eq %q", f.TargetID))
	}
	return strings.Join(parts, " and ")
}

// matches reports whether e passes f; Okta filters on the server, this guards against an org
// that ignores part of the expression.
func (f SyslogFilter) matches(e okta.LogEvent) bool {
	if len(f.EventTypes) > 0 && !slices.Contains(f.EventTypes, e.EventType) {
		return false
	}
	if f.TargetID == "" {
		return true
	}
	for _, t := range e.Target {
		if t.ID == f.TargetID {
			return true
		}
	}
	return false
}

// awaited reports whether e is the event the view waits for.
func (f SyslogFilter) awaited(e okta.LogEvent) bool {
	if f.WaitFor == "" || e.EventType != f.WaitFor || !f.matches(e) {
		return false
	}
	// Allow for clock skew between this machine and Okta.
	return f.ChangedAt.IsZero() || !e.Published.Before(f.ChangedAt.Add(-2*time.Minute))
}

// daClock is the device assurance screens' clock and daLocation the zone they show and read
// times in (the user's); tests fix both for stable screens.
var (
	daClock    = time.Now
	daLocation = time.Local
)

var syslogViewIDs atomic.Int64

type (
	syslogEventsMsg struct {
		view   int64
		events []okta.LogEvent
		err    error
	}
	syslogTickMsg struct {
		view int64
		gen  int
	}
)

// SyslogView lists System Log events; after a change it polls for the change's event.
type SyslogView struct {
	c      *Common
	id     int64
	filter SyslogFilter
	width  int
	height int

	events  []okta.LogEvent
	err     error
	loading bool
	loaded  bool
	offset  int // first line shown of the event list
	// lines caches the rendered events for linesWidth; drawn again only when events or width change.
	lines      []string
	linesWidth int

	// Polling state.
	polling  bool
	found    bool
	gaveUp   bool
	deadline time.Time
	nextPoll time.Time
	gen      int
	now      func() time.Time
}

// NewSyslogView shows the System Log events filter selects. With filter.WaitFor set it polls
// (every 2 s for up to 30 s by default) with a visible countdown, then says plainly if none came.
func NewSyslogView(c *Common, filter SyslogFilter) Screen {
	if filter.Title == "" {
		filter.Title = "System Log"
	}
	if filter.PollEvery <= 0 {
		filter.PollEvery = defaultPollEvery
	}
	if filter.PollFor <= 0 {
		filter.PollFor = defaultPollFor
	}
	v := &SyslogView{c: c, id: syslogViewIDs.Add(1), filter: filter, width: c.Width, height: c.Height, now: daClock}
	return v
}

// Init loads the events and, when waiting for one, starts the countdown.
func (v *SyslogView) Init() tea.Cmd {
	if v.filter.WaitFor != "" {
		now := v.now()
		v.polling = true
		v.deadline = now.Add(v.filter.PollFor)
		v.nextPoll = now.Add(v.filter.PollEvery)
		v.gen++
		return tea.Batch(v.query(), v.tick())
	}
	return v.query()
}

func (v *SyslogView) query() tea.Cmd {
	v.loading = true
	api, id, f := v.c.API, v.id, v.filter
	since := f.Since
	if since.IsZero() {
		since = v.now().Add(-syslogWindow)
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		events, err := api.QueryLogs(ctx, okta.LogQuery{Filter: f.Expression(), Since: since, Until: time.Now().Add(time.Minute), Limit: 100, Max: syslogMaxEvents})
		return syslogEventsMsg{view: id, events: events, err: err}
	}
}

// tick drives the countdown: once a second, or faster when polling faster (tests).
func (v *SyslogView) tick() tea.Cmd {
	every := min(time.Second, v.filter.PollEvery)
	id, gen := v.id, v.gen
	return tea.Tick(every, func(time.Time) tea.Msg { return syslogTickMsg{view: id, gen: gen} })
}

// Update handles results, ticks and keys.
func (v *SyslogView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case syslogEventsMsg:
		if msg.view != v.id {
			return v, nil
		}
		v.loading, v.loaded = false, true
		v.err = msg.err
		if msg.err == nil {
			v.events = v.events[:0]
			for _, e := range msg.events {
				if v.filter.matches(e) {
					v.events = append(v.events, e)
				}
			}
			sort.SliceStable(v.events, func(i, j int) bool { return v.events[i].Published.After(v.events[j].Published) })
			v.lines = nil
			for _, e := range v.events {
				if v.filter.awaited(e) {
					v.found = true
				}
			}
			if v.found {
				v.polling = false
			}
		}
		return v, nil
	case syslogTickMsg:
		if msg.view != v.id || msg.gen != v.gen || !v.polling {
			return v, nil
		}
		now := v.now()
		if !now.Before(v.deadline) {
			if v.loading {
				// Let the query in flight answer before giving up.
				return v, v.tick()
			}
			v.polling = false
			v.gaveUp = !v.found
			return v, nil
		}
		var cmds []tea.Cmd
		if !now.Before(v.nextPoll) && !v.loading {
			v.nextPoll = now.Add(v.filter.PollEvery)
			cmds = append(cmds, v.query())
		}
		cmds = append(cmds, v.tick())
		return v, tea.Batch(cmds...)
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, v.c.Keys.Back):
			return v, func() tea.Msg { return BackMsg{} }
		case v.filter.TrySignIn != nil && key.Matches(msg, v.c.Keys.TrySignIn):
			screen := signin.New(v.c, *v.filter.TrySignIn)
			return v, func() tea.Msg { return PushMsg{Screen: screen} }
		case key.Matches(msg, v.c.Keys.Refresh):
			if v.loading {
				return v, nil
			}
			if v.gaveUp || v.polling {
				// Start a fresh wait rather than stacking tick chains.
				v.gaveUp = false
				return v, v.Init()
			}
			return v, v.query()
		case key.Matches(msg, v.c.Keys.Up):
			v.offset = max(0, v.offset-1)
		case key.Matches(msg, v.c.Keys.Down):
			v.offset++
		}
	}
	return v, nil
}

// SetSize records the space the screen may use.
func (v *SyslogView) SetSize(width, height int) { v.width, v.height = width, height }

// ShortHelp lists the view's keys.
func (v *SyslogView) ShortHelp() []key.Binding {
	if v.filter.TrySignIn != nil {
		return []key.Binding{v.c.Keys.TrySignIn, v.c.Keys.Up, v.c.Keys.Down, v.c.Keys.Refresh}
	}
	return []key.Binding{v.c.Keys.Up, v.c.Keys.Down, v.c.Keys.Refresh}
}

// Title names the screen in the header.
func (v *SyslogView) Title() string { return v.filter.Title }

// Events returns the events shown, newest first.
func (v *SyslogView) Events() []okta.LogEvent { return v.events }

// View renders the status line and the events, newest first.
func (v *SyslogView) View() string {
	st := v.c.Styles
	width := max(v.width, 40)
	var b strings.Builder
	if v.filter.Done != "" {
		b.WriteString(st.OK.Render(syslogCut("✓ "+v.filter.Done, width)))
		b.WriteString("\n")
	}
	b.WriteString(st.Subtle.Render(syslogCut("filter: "+v.filter.Expression(), width)))
	b.WriteString("\n")
	b.WriteString(lipgloss.NewStyle().Width(width).Render(v.status()))
	b.WriteString("\n\n")
	head := lipgloss.Height(b.String())

	if v.lines == nil || v.linesWidth != width {
		v.lines, v.linesWidth = v.eventLines(width), width
	}
	lines := v.lines
	room := max(1, v.height-head)
	if v.height <= 0 {
		room = len(lines)
	}
	maxOffset := max(0, len(lines)-room)
	v.offset = min(v.offset, maxOffset)
	end := min(len(lines), v.offset+room)
	b.WriteString(strings.Join(lines[v.offset:end], "\n"))
	return b.String()
}

func (v *SyslogView) status() string {
	st := v.c.Styles
	now := v.now()
	switch {
	case v.err != nil:
		return st.Error.Render("Could not read the System Log: "+v.err.Error()) + st.Subtle.Render(" (ctrl+r retries)")
	case v.polling:
		left := max(0, int(v.deadline.Sub(now).Round(time.Second)/time.Second))
		next := max(0, int(v.nextPoll.Sub(now).Round(time.Second)/time.Second))
		check := fmt.Sprintf("next check in %ds", next)
		if v.loading {
			check = "checking now"
		}
		return st.Warn.Render(fmt.Sprintf("Waiting for %s: %s, %ds left", v.filter.WaitFor, check, left))
	case v.gaveUp:
		return st.Error.Render(fmt.Sprintf("No %s event arrived within %s.", v.filter.WaitFor, v.filter.PollFor)) + "\n" +
			st.Subtle.Render("The change itself was applied; the System Log can lag a few minutes.\nctrl+r waits again.")
	case v.found:
		return st.OK.Render(fmt.Sprintf("Confirmed: Okta logged %s.", v.filter.WaitFor))
	case v.loading && !v.loaded:
		return st.Subtle.Render("Reading the System Log...")
	case len(v.events) == 0:
		return st.Subtle.Render("No matching events in this window.")
	}
	return st.Subtle.Render(fmt.Sprintf("%d event(s), newest first", len(v.events)))
}

// eventLines renders each event as a heading line and detail lines, times in local time.
func (v *SyslogView) eventLines(width int) []string {
	st := v.c.Styles
	var lines []string
	for i, e := range v.events {
		if i > 0 {
			lines = append(lines, "")
		}
		outcome := "?"
		if e.Outcome != nil {
			outcome = e.Outcome.Result
			if e.Outcome.Reason != "" {
				outcome += " (" + e.Outcome.Reason + ")"
			}
		}
		when := e.Published.In(daLocation).Format("2006-01-02 15:04:05 MST")
		outStyle := st.OK
		if e.Outcome == nil || e.Outcome.Result != "SUCCESS" {
			outStyle = st.Error
		}
		lines = append(lines, syslogCut(when+"  "+st.Title.Render(e.EventType)+"  "+outStyle.Render(outcome), width))
		if e.Actor != nil {
			actor := e.Actor.DisplayName
			if e.Actor.AlternateID != "" {
				actor += " <" + e.Actor.AlternateID + ">"
			}
			lines = append(lines, syslogCut("  by "+strings.TrimSpace(actor), width))
		}
		if e.DisplayMessage != "" {
			lines = append(lines, syslogCut("  "+e.DisplayMessage, width))
		}
		for _, t := range e.Target {
			name := t.DisplayName
			if name == "" {
				name = t.AlternateID
			}
			lines = append(lines, syslogCut(fmt.Sprintf("  target %s %q (%s)", t.Type, name, t.ID), width))
			for _, d := range detailLines(t.DetailEntry) {
				lines = append(lines, syslogCut("    "+d, width))
			}
		}
	}
	return lines
}

// detailLines flattens a target's detailEntry (what changed, where Okta says) into key: value lines.
func detailLines(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return []string{"detail: " + string(raw)}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		val := m[k]
		var s string
		switch t := val.(type) {
		case string:
			s = t
		default:
			b, _ := json.Marshal(t)
			s = string(b)
		}
		out = append(out, k+": "+s)
	}
	return out
}

// syslogCut cuts s (which may carry styles) to width cells, marking the cut.
func syslogCut(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Truncate(s, width, "...")
}
