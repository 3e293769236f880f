package run

import (
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

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
		if s.canRollBack() {
			b = append(b, s.keys.Rollback)
		}
		return append(b, s.keys.Scroll)
	case s.mode == modeRun && s.finished:
		return []key.Binding{s.c.Keys.TrySignIn, s.keys.Home, s.keys.Scroll}
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

func (s *Submit) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case submitEventMsg:
		if msg.s != s {
			return s, nil
		}
		s.logEvent(msg.ev)
		s.apply(msg.ev)
		s.refresh()
		return s, s.waitNext
	case submitNoticeMsg:
		if msg.s != s {
			return s, nil
		}
		s.notice = noticeText(msg.n)
		if msg.n.Kind == okta.NoticeReconciled {
			s.reconciled = append(s.reconciled, s.notice)
		}
		if s.c.Log != nil {
			s.c.Log.Info("notice", "method", msg.n.Method, "path", msg.n.Path, "wait", msg.n.Wait, "detail", msg.n.Detail)
		}
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
				s.states[se.Index] = StepFailed
				s.errs[se.Index] = se.Err
			}
		}
		s.refresh()
		cmds := []tea.Cmd{func() tea.Msg { return common.BusyMsg{Busy: false} }}
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
	case s.err == nil && s.finished && s.mode == modeRun && key.Matches(msg, s.c.Keys.TrySignIn):
		screen := signin.New(s.c, s.signIn)
		return func() tea.Msg { return common.PushMsg{Screen: screen} }
	case s.err == nil && s.finished && (key.Matches(msg, s.keys.Home) || key.Matches(msg, s.c.Keys.Back)):
		return func() tea.Msg { return common.HomeMsg{} }
	case s.err != nil && key.Matches(msg, s.keys.Fix) && s.onFix != nil && s.failedStage() > 0 && s.mode == modeRun:
		s.replacePending = true
		s.started = false
		return s.onFix(s.failedStage())
	case s.err != nil && key.Matches(msg, s.keys.Retry):
		return s.start() // the journal skips what is done
	case s.err != nil && key.Matches(msg, s.keys.Rollback) && s.canRollBack():
		preview := NewRollbackReview(s.c, s.plan, s.journal) // asks before undoing anything
		return func() tea.Msg { return common.PushMsg{Screen: preview} }
	case s.err != nil && key.Matches(msg, s.c.Keys.Back):
		// The journal stays on disk: the home screen offers resume or roll back.
		return func() tea.Msg { return common.BackMsg{} }
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

// logEvent records a step's progress in the log file (ids and Okta error codes, no bodies).
func (s *Submit) logEvent(ev Event) {
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

func (s *Submit) apply(ev Event) {
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
			if st == StepRunning && i > s.vp.YOffset+s.vp.Height-2 {
				s.vp.SetYOffset(i - s.vp.Height + 2)
			}
		}
	}
}

// canRollBack: a failed run whose journal is kept (something may have reached Okta) can be
// rolled back; one refused before any effect has nothing to undo.
func (s *Submit) canRollBack() bool {
	return s.journal != nil && s.journal.Kept() && s.mode == modeRun
}

// noticeText says in a line what the client is doing on its own.
func noticeText(n okta.Notice) string {
	switch n.Kind {
	case okta.NoticeRateLimitWait:
		secs := int((n.Wait + time.Second - 1) / time.Second)
		return fmt.Sprintf("Okta is rate limiting: retrying in %d s (%s %s)", secs, n.Method, n.Path)
	case okta.NoticeReconciled:
		return fmt.Sprintf("Connection dropped on %s %s: %s", n.Method, n.Path, n.Detail)
	}
	return n.Detail
}
