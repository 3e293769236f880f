package run

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

// Submit sends a plan through the runner, showing each request's progress and result, then a
// summary; on an Okta error it shows code, summary and causes beside the stage that caused it.
type Submit struct {
	c       *common.Common
	plan    flows.Plan
	onDone  func(created map[string]string) tea.Cmd
	onFix   func(stage int) tea.Cmd
	next    string
	signIn  signin.Options
	mode    submitMode
	journal Journal

	states  []StepState
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
	// notice is the latest thing the client did on its own (a rate-limit wait, a lookup after
	// a lost answer), shown while the run goes on; reconciled keeps the lookups for the summary.
	notice     string
	reconciled []string

	events   chan Event
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
func NewSubmit(c *common.Common, plan flows.Plan, onDone func(created map[string]string) tea.Cmd) *Submit {
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

// WithSignIn sets what the Try a sign-in screen (t on the summary) picks first, e.g. an app
// the run protected.
func (s *Submit) WithSignIn(o signin.Options) *Submit { s.signIn = o; return s }

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
		if (st == StepDone || st == StepSkipped) && i < len(plan.Steps) {
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

// KeptJournal names the run when it stopped (or is being stopped) before its end with its
// journal on disk, so resume or roll back can pick it up; "" otherwise.
func (s *Submit) KeptJournal() string {
	if s.journal == nil || !s.journal.Kept() || (s.finished && s.err == nil) || (!s.running && !s.finished) {
		return ""
	}
	return s.plan.Title
}

// Running reports whether requests are being sent.
func (s *Submit) Running() bool { return s.running }

func (s *Submit) reset() {
	n := len(s.plan.Steps)
	s.states = make([]StepState, n)
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
		j, err := NewJournal(s.c, s.plan)
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
			recs := s.journal.Records()
			for i, st := range s.states {
				if st == StepFailed || st == StepRunning {
					s.states[i] = StepPending
					if i < len(recs) && standingOf(recs[i]) == standingUnknown {
						s.states[i] = StepUnknown // looked up by name before anything is sent
					}
				}
			}
		}
	}
	if s.mode == modeRollback {
		preview := s.journal.PlanRollback()
		for _, i := range preview.Kept {
			s.states[i] = StepKept
		}
		for _, i := range preview.Undone {
			s.states[i] = StepUndone
		}
	}
	s.running = true
	s.notice = ""
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.events = make(chan Event, 64)
	// What the client does on its own (waiting out a 429, looking up a write whose answer was
	// lost) is shown, not silent; a notice that finds the channel full is dropped, never waited for.
	notices := make(chan okta.Notice, 16)
	ctx = okta.WithNotifier(ctx, func(n okta.Notice) {
		select {
		case notices <- n:
		default:
		}
	})
	events, api, j, mode, log := s.events, s.c.API, s.journal, s.mode, s.c.Log
	done := make(chan submitDoneMsg, 1)
	go func() {
		var created map[string]string
		var err error
		if mode == modeRollback {
			err = j.Rollback(ctx, api, func(ev Event) { events <- ev })
		} else {
			created, err = j.Run(ctx, api, func(ev Event) { events <- ev })
		}
		if log != nil {
			log.Info("run finished", "flow", s.plan.Flow, "mode", mode, "created", len(created), "err", flows.RedactSecrets(errString(err)))
		}
		done <- submitDoneMsg{s: s, created: created, err: err}
		close(events)
	}()
	wait := func() tea.Msg {
		select {
		case n := <-notices:
			return submitNoticeMsg{s: s, n: n}
		case ev, ok := <-events:
			if !ok {
				return <-done
			}
			return submitEventMsg{s: s, ev: ev}
		}
	}
	s.waitNext = wait
	return tea.Batch(func() tea.Msg { return common.BusyMsg{Busy: true} }, s.spinner.Tick, wait)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
