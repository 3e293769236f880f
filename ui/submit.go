package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// stepState is where one request of a run stands.
type stepState int

const (
	stepPending stepState = iota
	stepRunning
	stepDone
	stepFailed
	stepSkipped // done by an earlier run of the same journal, or nothing to do
	stepUndone  // rolled back
)

// runEvent is one progress report of a run, as the submit screen needs it.
type runEvent struct {
	Index int
	State stepState
	ID    string // id of the object the step created or touched
	Err   error
}

// submitMode says whether the screen sends a plan or rolls a journal back.
type submitMode int

const (
	modeRun submitMode = iota
	modeRollback
)

// Messages of the submit screen's background run.
type (
	submitEventMsg struct {
		s  *Submit
		ev runEvent
	}
	submitDoneMsg struct {
		s       *Submit
		created map[string]string
		err     error
	}
)

// Submit sends a plan through the runner, showing each request's progress and result, then a
// summary; on an Okta error it shows code, summary and causes beside the stage that caused it.
type Submit struct {
	c       *Common
	plan    flows.Plan
	onDone  func(created map[string]string) tea.Cmd
	onFix   func(stage int) tea.Cmd
	next    string
	mode    submitMode
	journal runJournal

	states  []stepState
	ids     []string
	errs    []error
	running bool
	started bool
	// replacePending is set by Continue: the next start replaces the journal's plan first.
	replacePending bool
	finished       bool
	err            error
	failedStep     int // index of the failing step, -1 when none
	created        map[string]string

	events   chan runEvent
	waitNext tea.Cmd
	cancel   context.CancelFunc
	spinner  spinner.Model
	vp       viewport.Model
	width    int
	height   int
	keys     submitKeys
}

type submitKeys struct {
	Fix, Retry, Rollback, Home, Scroll key.Binding
}

// NewSubmit returns the screen that sends plan when it opens; onDone runs with the ids created
// (step id -> object id) once every request succeeded.
func NewSubmit(c *Common, plan flows.Plan, onDone func(created map[string]string) tea.Cmd) *Submit {
	s := &Submit{c: c, plan: plan, onDone: onDone, failedStep: -1}
	s.reset()
	s.spinner = spinner.New(spinner.WithSpinner(spinner.Line))
	s.vp = viewport.New(c.Width, 10)
	s.keys = submitKeys{
		Fix:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fix that stage")),
		Retry:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Rollback: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "roll back")),
		Home:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "home")),
		Scroll:   key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll")),
	}
	s.SetSize(c.Width, c.Height)
	return s
}

// OnFix lets the flow send the user back to a stage to fix the answer a request failed on;
// without it the screen offers only retry and roll back.
func (s *Submit) OnFix(fn func(stage int) tea.Cmd) *Submit { s.onFix = fn; return s }

// WithNextSteps sets the "what to do next" text of the summary.
func (s *Submit) WithNextSteps(text string) *Submit { s.next = text; return s }

// Continue replaces the plan of the failed run with a corrected one; the journal keeps what was
// already created, so nothing is created twice. The run starts when the screen opens again.
func (s *Submit) Continue(plan flows.Plan) *Submit {
	s.plan = plan
	s.replacePending = true
	s.started = false
	s.finished = false
	s.err = nil
	s.failedStep = -1
	s.reset()
	return s
}

// Done maps step ids the journal has finished to their object ids (for the review of a
// corrected plan).
func (s *Submit) Done() map[string]string {
	if s.journal == nil {
		return nil
	}
	states, ids := s.journal.States()
	plan := s.journal.Plan()
	out := map[string]string{}
	for i, st := range states {
		if (st == stepDone || st == stepSkipped) && i < len(plan.Steps) {
			out[plan.Steps[i].ID] = ids[i]
		}
	}
	return out
}

// Failed reports whether the last run stopped on an error (so Continue makes sense).
func (s *Submit) Failed() bool { return s.finished && s.err != nil && s.journal != nil }

// Stop cancels a run in flight (the user quit); the request being sent may still land, and
// the journal records where the run stood.
func (s *Submit) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
}

// Running reports whether requests are being sent.
func (s *Submit) Running() bool { return s.running }

func (s *Submit) reset() {
	n := len(s.plan.Steps)
	s.states = make([]stepState, n)
	s.ids = make([]string, n)
	s.errs = make([]error, n)
}

func (s *Submit) Title() string {
	if s.mode == modeRollback {
		return "Roll back · " + s.plan.Title
	}
	return "Submit · " + s.plan.Title
}

func (s *Submit) Explanation() string {
	return "The requests go to Okta one by one (independent ones together). A journal on disk " +
		"records each result as it arrives, so a run stopped half-way can be resumed or rolled " +
		"back from the home screen. A failed request stops the run: fix the answer of that stage " +
		"and continue; what was created already is not created again."
}

func (s *Submit) CapturingInput() bool { return false }

func (s *Submit) Init() tea.Cmd {
	if s.started {
		return nil
	}
	return s.start()
}

// start opens (or reuses) the journal and runs it in the background.
func (s *Submit) start() tea.Cmd {
	s.started = true
	s.finished = false
	s.err = nil
	s.failedStep = -1
	if s.journal == nil {
		j, err := newRunJournal(s.c, s.plan)
		if err != nil {
			s.finished = true
			s.err = fmt.Errorf("cannot start the journal: %w", err)
			return nil
		}
		s.journal = j
	} else if s.replacePending {
		if err := s.journal.Replace(s.plan); err != nil {
			s.finished = true
			s.err = fmt.Errorf("cannot update the journal with the corrected plan: %w", err)
			return nil
		}
	}
	s.replacePending = false
	// The journal's plan is the truth: after Replace it may keep done steps the new plan lacks.
	s.plan = s.journal.Plan()
	s.reset()
	if s.mode == modeRun {
		states, ids := s.journal.States()
		if len(states) == len(s.states) {
			copy(s.states, states)
			copy(s.ids, ids)
			for i, st := range s.states {
				if st == stepFailed || st == stepRunning {
					s.states[i] = stepPending
				}
			}
		}
	}
	s.running = true
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.events = make(chan runEvent, 64)
	events, api, j, mode, log := s.events, s.c.API, s.journal, s.mode, s.c.Log
	done := make(chan submitDoneMsg, 1)
	go func() {
		var created map[string]string
		var err error
		if mode == modeRollback {
			err = j.Rollback(ctx, api, func(ev runEvent) { events <- ev })
		} else {
			created, err = j.Run(ctx, api, func(ev runEvent) { events <- ev })
		}
		if log != nil {
			log.Info("run finished", "flow", s.plan.Flow, "mode", mode, "created", len(created), "err", flows.RedactSecrets(errString(err)))
		}
		done <- submitDoneMsg{s: s, created: created, err: err}
		close(events)
	}()
	wait := func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return <-done
		}
		return submitEventMsg{s: s, ev: ev}
	}
	s.waitNext = wait
	return tea.Batch(func() tea.Msg { return BusyMsg{Busy: true} }, s.spinner.Tick, wait)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *Submit) ShortHelp() []key.Binding {
	switch {
	case s.running:
		return []key.Binding{s.keys.Scroll}
	case s.err != nil:
		b := []key.Binding{}
		if s.onFix != nil && s.failedStage() > 0 && s.mode == modeRun {
			b = append(b, s.keys.Fix)
		}
		b = append(b, s.keys.Retry)
		if s.journal != nil && s.mode == modeRun {
			b = append(b, s.keys.Rollback)
		}
		return append(b, s.keys.Scroll)
	default:
		return []key.Binding{s.keys.Home, s.keys.Scroll}
	}
}

// failedStage is the stage of the step that failed, 0 when unknown.
func (s *Submit) failedStage() int {
	if s.failedStep >= 0 && s.failedStep < len(s.plan.Steps) {
		return s.plan.Steps[s.failedStep].Stage
	}
	return 0
}

func (s *Submit) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case submitEventMsg:
		if msg.s != s {
			return s, nil
		}
		s.logEvent(msg.ev)
		s.apply(msg.ev)
		s.refresh()
		return s, s.waitNext
	case submitDoneMsg:
		if msg.s != s {
			return s, nil
		}
		s.running = false
		s.finished = true
		s.err = msg.err
		if s.cancel != nil {
			s.cancel()
			s.cancel = nil
		}
		s.created = msg.created
		var se *flows.StepError
		if errors.As(msg.err, &se) {
			s.failedStep = se.Index
			if se.Index >= 0 && se.Index < len(s.states) {
				s.states[se.Index] = stepFailed
				s.errs[se.Index] = se.Err
			}
		}
		s.refresh()
		cmds := []tea.Cmd{func() tea.Msg { return BusyMsg{Busy: false} }}
		if msg.err == nil {
			if s.mode == modeRun && s.onDone != nil {
				cmds = append(cmds, s.onDone(msg.created))
			}
			s.journal = nil
		}
		return s, tea.Batch(cmds...)
	case spinner.TickMsg:
		if !s.running {
			return s, nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		s.refresh()
		return s, cmd
	case tea.KeyMsg:
		return s, s.handleKey(msg)
	}
	return s, nil
}

func (s *Submit) handleKey(msg tea.KeyMsg) tea.Cmd {
	if s.running {
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return cmd
	}
	switch {
	case s.err == nil && s.finished && (key.Matches(msg, s.keys.Home) || key.Matches(msg, s.c.Keys.Back)):
		return func() tea.Msg { return HomeMsg{} }
	case s.err != nil && key.Matches(msg, s.keys.Fix) && s.onFix != nil && s.failedStage() > 0 && s.mode == modeRun:
		s.replacePending = true
		s.started = false
		return s.onFix(s.failedStage())
	case s.err != nil && key.Matches(msg, s.keys.Retry):
		return s.start() // the journal skips what is done
	case s.err != nil && key.Matches(msg, s.keys.Rollback) && s.journal != nil && s.mode == modeRun:
		s.mode = modeRollback
		return s.start()
	case s.err != nil && key.Matches(msg, s.c.Keys.Back):
		// The journal stays on disk: the home screen offers resume or roll back.
		return func() tea.Msg { return BackMsg{} }
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

// logEvent records a step's progress in the log file (ids and Okta error codes, no bodies).
func (s *Submit) logEvent(ev runEvent) {
	if s.c.Log == nil || ev.Index < 0 || ev.Index >= len(s.plan.Steps) {
		return
	}
	st := s.plan.Steps[ev.Index]
	attrs := []any{"flow", s.plan.Flow, "step", st.ID, "stage", st.Stage, "method", st.Method(), "state", int(ev.State), "id", ev.ID}
	if ev.Err != nil {
		var oe *okta.Error
		if errors.As(ev.Err, &oe) {
			attrs = append(attrs, "code", oe.ErrorCode, "errorId", oe.ErrorID)
		}
		attrs = append(attrs, "err", flows.RedactSecrets(ev.Err.Error()))
		s.c.Log.Warn("request failed", attrs...)
		return
	}
	s.c.Log.Info("request", attrs...)
}

func (s *Submit) apply(ev runEvent) {
	if ev.Index < 0 || ev.Index >= len(s.states) {
		return
	}
	s.states[ev.Index] = ev.State
	if ev.ID != "" {
		s.ids[ev.Index] = ev.ID
	}
	if ev.Err != nil {
		s.errs[ev.Index] = ev.Err
		s.failedStep = ev.Index
	}
}

func (s *Submit) SetSize(width, height int) {
	s.width, s.height = width, height
	s.vp.Width = width
	s.refresh()
}

// refresh re-renders the step list; the summary or error sits below it within the height.
func (s *Submit) refresh() {
	footer := s.statusView()
	s.vp.Height = max(s.height-lipgloss.Height(footer)-1, 3)
	s.vp.SetContent(s.stepsView())
	if s.running {
		// Keep the request being sent in view.
		for i, st := range s.states {
			if st == stepRunning && i > s.vp.YOffset+s.vp.Height-2 {
				s.vp.SetYOffset(i - s.vp.Height + 2)
			}
		}
	}
}

func (s *Submit) View() string {
	return s.vp.View() + "\n" + s.statusView()
}

func (s *Submit) stepsView() string {
	st := s.c.Styles
	var b strings.Builder
	for i, step := range s.plan.Steps {
		var mark string
		switch s.states[i] {
		case stepPending:
			mark = st.Subtle.Render("·")
		case stepRunning:
			mark = s.spinner.View()
		case stepDone:
			mark = st.OK.Render("✓")
		case stepSkipped:
			mark = st.OK.Render("=")
		case stepFailed:
			mark = st.Error.Render("✗")
		case stepUndone:
			mark = st.Warn.Render("↺")
		}
		line := fmt.Sprintf("%s %s %s", mark, st.Method.Render(fmt.Sprintf("%-6s", step.Method())), step.Title)
		line = clipLine(line, s.width)
		b.WriteString(line + "\n")
		// The second line names the stage, so an error sits beside the stage that caused it.
		stage := ""
		if step.Stage > 0 {
			stage = fmt.Sprintf("stage %d · ", step.Stage)
		}
		switch {
		case s.states[i] == stepDone && s.ids[i] != "":
			b.WriteString("    " + st.Subtle.Render(stage+"id "+s.ids[i]) + "\n")
		case s.states[i] == stepSkipped:
			text := stage + "already done by the earlier run"
			if s.ids[i] != "" {
				text += ": id " + s.ids[i]
			}
			b.WriteString("    " + st.Subtle.Render(clipLine(text, s.width-4)) + "\n")
		case s.states[i] == stepUndone:
			b.WriteString("    " + st.Subtle.Render(stage+"rolled back") + "\n")
		case s.states[i] == stepFailed && s.errs[i] != nil:
			b.WriteString(indent(s.errorView(step, s.errs[i]), "    "))
		}
	}
	return b.String()
}

// errorView shows an Okta error as code, summary and causes, naming the stage it came from.
func (s *Submit) errorView(step flows.Step, err error) string {
	st := s.c.Styles
	w := max(s.width-6, 20)
	var oe *okta.Error
	var lines []string
	if errors.As(err, &oe) {
		head := oe.ErrorCode
		if head == "" {
			head = fmt.Sprintf("HTTP %d", oe.Status)
		}
		lines = append(lines, st.Error.Render(stagePrefix(step)+head+" "+oe.ErrorSummary))
		for _, c := range oe.ErrorCauses {
			lines = append(lines, lipgloss.NewStyle().Width(w).Render("• "+c.ErrorSummary))
		}
	} else {
		lines = append(lines, st.Error.Render(lipgloss.NewStyle().Width(w).Render(stagePrefix(step)+flows.RedactSecrets(err.Error()))))
	}
	if errors.Is(err, okta.ErrOutcomeUnknown) {
		lines = append(lines, st.Warn.Render("Okta may or may not have applied it: check the org before retrying."))
	}

	return strings.Join(lines, "\n")
}

func stagePrefix(step flows.Step) string {
	if step.Stage > 0 {
		return fmt.Sprintf("stage %d · ", step.Stage)
	}
	return ""
}

// statusView is the line(s) under the steps: progress, the error's next move, or the summary.
func (s *Submit) statusView() string {
	st := s.c.Styles
	done := 0
	for _, x := range s.states {
		if x == stepDone || x == stepSkipped || x == stepUndone {
			done++
		}
	}
	switch {
	case !s.finished && !s.running:
		return st.Subtle.Render("Waiting to start…")
	case s.running:
		verb := "Sending"
		if s.mode == modeRollback {
			verb = "Rolling back"
		}
		return st.Subtle.Render(fmt.Sprintf("%s… %d of %d done. ctrl+c asks before stopping.", verb, done, len(s.states)))
	case s.err != nil:
		var parts []string
		if s.failedStep < 0 {
			parts = append(parts, st.Error.Render(clipLine("Stopped: "+s.err.Error(), s.width)))
		} else {
			parts = append(parts, st.Error.Render(fmt.Sprintf("Stopped at request %d.", s.failedStep+1)))
		}
		var opts []string
		if s.onFix != nil && s.failedStage() > 0 && s.mode == modeRun {
			opts = append(opts, fmt.Sprintf("f: fix stage %d and continue", s.failedStage()))
		}
		opts = append(opts, "r: retry")
		if s.journal != nil && s.mode == modeRun {
			opts = append(opts, "u: roll back")
		}
		parts = append(parts, st.Warn.Render(strings.Join(opts, " · ")))
		return strings.Join(parts, "\n")
	case s.mode == modeRollback:
		return st.OK.Render("Rolled back: what the run had created is deleted.") + "\n" + st.Subtle.Render("enter: home")
	default:
		return s.summaryView()
	}
}

func (s *Submit) summaryView() string {
	st := s.c.Styles
	lines := []string{st.OK.Render(s.doneLine())}
	next := s.next
	if next == "" {
		next = defaultNextSteps(s.plan.Flow)
	}
	if next != "" {
		lines = append(lines, lipgloss.NewStyle().Width(max(s.width, 20)).Render("Next: "+next))
	}
	lines = append(lines, st.Subtle.Render("enter: home"))
	return strings.Join(lines, "\n")
}

// doneLine counts the requests this screen sent; steps an earlier attempt had already done are
// counted apart, since they were not sent again.
func (s *Submit) doneLine() string {
	sent, earlier := 0, 0
	for _, state := range s.states {
		switch state {
		case stepDone:
			sent++
		case stepSkipped:
			earlier++
		}
	}
	line := fmt.Sprintf("Done: %d request%s sent", sent, plural(sent))
	if earlier > 0 {
		line += fmt.Sprintf("; %d already done by the earlier run", earlier)
	}
	return line + "."
}

func defaultNextSteps(flow string) string {
	switch flow {
	case flows.FlowDSC:
		return "sign in to an app that uses the mapped app sign-in policy from a registered " +
			"device; Okta now collects the chosen signals. Inspect the org to see the setup."
	case flows.FlowAssurance:
		return "add the policy to an app sign-in rule (Device assurance › add to a rule)."
	}
	return "inspect the org to check the result."
}

// clipLine cuts a line to width cells.
func clipLine(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Truncate(s, width, "…")
}
