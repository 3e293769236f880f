// Package signin is the Try a sign-in screen: pick an app, who signs in, the device and the
// network, and see which app sign-in policy and rule decide, why (each condition), and what the
// user gets. After sending, Okta answers (its policy simulation of the org); before sending,
// the wizard applies the plan to an in-process copy and evaluates it there, and says plainly
// that this is its prediction, not Okta's answer.
package signin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// timeout bounds each read and evaluation, so a dead org shows an error instead of a spinner.
const timeout = 60 * time.Second

// Options say what answers and what is picked first.
type Options struct {
	// Plan, when set, is a plan not sent yet: the answer is the wizard's prediction of the org
	// once the plan is applied (flows.Predict). Without it Okta answers for the org as it is.
	Plan *flows.Plan
	// AppID picks the app first (e.g. one the flow just protected).
	AppID string
}

type phase int

const (
	phaseLoading phase = iota
	phaseForm
	phaseEvaluating
	phaseResult
)

// Screen is the Try a sign-in screen.
type Screen struct {
	c       *common.Common
	opts    Options
	q       Query
	choices orgChoices
	phase   phase
	err     error // a load or evaluation failure, shown until the next try
	form    *huh.Form
	result  outcome
	vp      viewport.Model
	spinner spinner.Model
	width   int
	height  int
	keys    keys
}

type keys struct{ Edit, Scroll key.Binding }

// New returns the screen; it reads what the pickers list when it opens.
func New(c *common.Common, opts Options) *Screen {
	if opts.AppID == "" && opts.Plan != nil {
		// A plan that protects apps is tried on the first of them.
		for _, st := range opts.Plan.Steps {
			if st.Action == flows.ActAssignAppPolicy {
				opts.AppID = st.ObjectID
				break
			}
		}
	}
	s := &Screen{c: c, opts: opts, q: Query{AppID: opts.AppID, Registered: true},
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot)), vp: viewport.New(c.Width, 10)}
	s.keys = keys{
		Edit:   key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "change the sign-in")),
		Scroll: key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll")),
	}
	s.SetSize(c.Width, c.Height)
	return s
}

// Showing reports whether an answer is on screen (not the form).
func (s *Screen) Showing() bool { return s.phase == phaseResult }

// Predicting reports whether answers are the wizard's prediction (a plan not sent yet).
func (s *Screen) Predicting() bool { return s.opts.Plan != nil }

type (
	choicesMsg struct {
		s   *Screen
		o   orgChoices
		err error
	}
	answerMsg struct {
		s   *Screen
		out outcome
		err error
	}
)

func (s *Screen) Init() tea.Cmd {
	s.phase, s.err = phaseLoading, nil
	api := s.c.API
	return tea.Batch(s.spinner.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		o, err := loadChoices(ctx, api)
		return choicesMsg{s: s, o: o, err: err}
	})
}

func (s *Screen) Title() string {
	if s.Predicting() {
		return "Try a sign-in · prediction"
	}
	return "Try a sign-in"
}

func (s *Screen) Explanation() string { return howOktaPicksARule }

// CapturingInput: the user id is text, and so is a picker's filter.
func (s *Screen) CapturingInput() bool {
	if s.phase != phaseForm || s.form == nil {
		return false
	}
	_, typing := s.form.GetFocusedField().(*huh.Input)
	return typing || common.FormFiltering(s.form)
}

func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		s.form = s.form.WithWidth(w).WithHeight(s.formHeight())
	}
	s.vp.Width, s.vp.Height = w, max(h-1, 3)
	if s.phase == phaseResult {
		s.vp.SetContent(s.resultText())
	}
}

func (s *Screen) ShortHelp() []key.Binding {
	switch s.phase {
	case phaseResult:
		return []key.Binding{s.keys.Edit, s.keys.Scroll}
	case phaseForm:
		if s.err == nil {
			return []key.Binding{s.c.Keys.Enter}
		}
	}
	if s.err != nil {
		return []key.Binding{s.c.Keys.Refresh}
	}
	return nil
}

func (s *Screen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case choicesMsg:
		if msg.s != s {
			return s, nil
		}
		if msg.err != nil {
			s.err = msg.err
			return s, nil
		}
		s.choices = msg.o
		if s.opts.Plan != nil {
			s.choices.movedByPlan = map[string]bool{}
			for _, st := range s.opts.Plan.Steps {
				if st.Action == flows.ActAssignAppPolicy {
					s.choices.movedByPlan[st.ObjectID] = true
				}
			}
		}
		return s, s.openForm()
	case answerMsg:
		if msg.s != s {
			return s, nil
		}
		if msg.err != nil {
			s.err = msg.err
			return s, s.openForm()
		}
		s.result, s.phase = msg.out, phaseResult
		s.vp.SetContent(s.resultText())
		s.vp.GotoTop()
		return s, nil
	case spinner.TickMsg:
		return s, common.TickSpinner(&s.spinner, s.phase == phaseLoading || s.phase == phaseEvaluating, msg)
	case tea.KeyMsg:
		if cmd, handled := s.handleKey(msg); handled {
			return s, cmd
		}
	}
	if s.phase != phaseForm || s.form == nil {
		return s, nil
	}
	var cmd tea.Cmd
	var completed bool
	if s.form, cmd, completed = common.UpdateForm(s.form, msg); completed {
		if s.q.Managed && !s.q.Registered {
			// Okta refuses it too; said here, where it can be fixed.
			s.err = errors.New("a managed device is registered too: answer Yes to “Registered”, or No to “Managed”")
			return s, tea.Batch(cmd, s.openForm())
		}
		return s, tea.Batch(cmd, s.evaluate())
	}
	return s, cmd
}

// handleKey takes the screen's own keys; handled is false for keys the form gets.
func (s *Screen) handleKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Refresh) && s.phase == phaseLoading && s.err != nil:
		return s.Init(), true
	case key.Matches(msg, k.Back) && !s.CapturingInput():
		return func() tea.Msg { return common.BackMsg{} }, true
	case s.phase == phaseResult && key.Matches(msg, s.keys.Edit):
		return s.openForm(), true
	case s.phase == phaseResult:
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return cmd, true
	}
	return nil, s.phase != phaseForm
}

func (s *Screen) openForm() tea.Cmd {
	s.phase = phaseForm
	s.form = newForm(&s.q, s.choices, max(s.formHeight()-3, 4)).WithWidth(s.width).WithHeight(s.formHeight())
	return s.form.Init()
}

func (s *Screen) evaluate() tea.Cmd {
	s.phase, s.err = phaseEvaluating, nil
	q, api, plan := s.q, s.c.API, s.opts.Plan
	return tea.Batch(s.spinner.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var out outcome
		var err error
		if plan != nil {
			out, err = predict(ctx, api, *plan, q)
		} else {
			out, err = simulate(ctx, api, q)
		}
		return answerMsg{s: s, out: out, err: err}
	})
}

func (s *Screen) source() string {
	if s.Predicting() {
		return predictionLabel
	}
	return oktaLabel
}

func (s *Screen) resultText() string {
	return s.result.render(s.c.Styles, s.source(), s.q.describe(s.choices), s.width)
}

// banner says who answers (and the last error) above the form.
func (s *Screen) banner() string {
	st := s.c.Styles
	w := lipgloss.NewStyle().Width(max(s.width-1, 20))
	text := w.Render(st.Warn.Render(s.source()))
	if s.err != nil {
		text += "\n" + w.Render(st.Error.Render("Could not answer: "+s.err.Error()))
	}
	return text
}

// formErrorLines is kept free under the form for huh's validation message, which it draws
// below its height.
const formErrorLines = 3

func (s *Screen) formHeight() int {
	return max(s.height-lipgloss.Height(s.banner())-1-formErrorLines, 6)
}

// scrollLine says when the answer goes on below (or above) the screen.
func (s *Screen) scrollLine() string {
	if s.vp.TotalLineCount() <= s.vp.Height {
		return ""
	}
	return s.c.Styles.Subtle.Render(fmt.Sprintf("%d%% · ↑/↓ scroll for the rest of the rules", int(s.vp.ScrollPercent()*100)))
}

func (s *Screen) View() string {
	st := s.c.Styles
	switch s.phase {
	case phaseLoading:
		if s.err != nil {
			return st.Error.Render("Could not read the org:") + "\n" +
				lipgloss.NewStyle().Width(max(s.width-2, 20)).Render(s.err.Error()) + "\n\n" +
				"ctrl+r tries again; esc goes back.\n"
		}
		return s.spinner.View() + " Reading apps, groups, zones and device assurance policies…\n"
	case phaseEvaluating:
		if s.Predicting() {
			return s.banner() + "\n\n" + s.spinner.View() + " Applying the plan to a copy and evaluating it…\n"
		}
		return s.banner() + "\n\n" + s.spinner.View() + " Asking Okta (POST /api/v1/policies/simulate)…\n"
	case phaseResult:
		return s.vp.View() + "\n" + s.scrollLine()
	}
	if s.form == nil {
		return s.banner()
	}
	return s.banner() + "\n\n" + s.form.View()
}
