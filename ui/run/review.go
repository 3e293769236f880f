// Package run holds the screens of a run: the review of a plan's requests (and saving them as a
// plan file), the submit screen that sends them through a journal, and the resume / roll back
// offer for a run that stopped. Each screen has the soft-serve shape (Init/Update/View/SetSize)
// and shares what every screen shares through ui/common.
package run

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

// ReviewOptions tune the review screen for a flow.
type ReviewOptions struct {
	// OnConfirm runs when the user confirms; it gets the plan as it will be sent (without the
	// activation steps when the user chose to leave the policy inactive).
	OnConfirm func(plan flows.Plan) tea.Cmd
	// AllowLeaveInactive offers a toggle that drops the plan's activatePolicy steps.
	AllowLeaveInactive bool
	// ShowDiff shows replace steps (Before != nil) as a +/- diff of before and body.
	ShowDiff bool
	// Stage and StageNames, when set, put the review in a flow's stepper (e.g. 5 of 5).
	Stage      int
	StageNames []string
	// Explanation is shown with ctrl+e; empty gives the generic text.
	Explanation string
	// Done maps the ids of steps an earlier attempt of the same run finished to their object
	// ids: they are marked and not sent again (fix and continue).
	Done map[string]string
	// Answers are the flow's answers (a flows.DSCDraft, AssuranceDraft or AssuranceRuleDraft),
	// saved with the plan (ctrl+s) so the file records what made it; nil saves the requests only.
	Answers any
	// PlanToSave, when the review shows a display copy of the plan (before-images trimmed for
	// the diff), is the plan as it is sent; ctrl+s saves it instead of the copy.
	PlanToSave *flows.Plan
}

// Review shows every request of a plan in order (method, path, JSON body) before anything is sent.
type Review struct {
	c             *common.Common
	plan          flows.Plan
	opts          ReviewOptions
	leaveInactive bool
	vp            viewport.Model
	width, height int
	keys          reviewKeys
	save          planSaver
}

type reviewKeys struct {
	Confirm, Toggle, Scroll, Page, Save, SaveConfirm, SaveCancel key.Binding
}

// NewReview returns the review screen of plan.
func NewReview(c *common.Common, plan flows.Plan, opts ReviewOptions) *Review {
	r := &Review{c: c, plan: plan, opts: opts, vp: viewport.New(c.Width, 10)}
	r.keys = reviewKeys{
		Confirm:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
		Toggle:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "toggle activation")),
		Scroll:      key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "scroll")),
		Page:        key.NewBinding(key.WithKeys("pgup", "pgdown", "b", " "), key.WithHelp("pgup/pgdn", "page")),
		Save:        c.Keys.SavePlan,
		SaveConfirm: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		SaveCancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
	if len(r.keys.Save.Keys()) == 0 { // a Common built without the default keymap
		r.keys.Save = common.DefaultKeyMap().SavePlan
	}
	r.save = newPlanSaver(c)
	r.SetSize(c.Width, c.Height)
	return r
}

// Plan returns the plan as it would be sent now (leave-inactive applied).
func (r *Review) Plan() flows.Plan {
	if !r.leaveInactive {
		return r.plan
	}
	return WithoutActivation(r.plan)
}

// LeaveInactive reports whether the user chose to leave the policy inactive.
func (r *Review) LeaveInactive() bool { return r.leaveInactive }

func (r *Review) canToggle() bool {
	return r.opts.AllowLeaveInactive && HasAction(r.plan, flows.ActActivatePolicy)
}

func (r *Review) Init() tea.Cmd { return nil }

func (r *Review) Title() string {
	if r.opts.Stage > 0 && r.plan.Title != "" {
		return r.plan.Title // the stepper already says "Review"
	}
	if r.plan.Title != "" {
		return "Review · " + r.plan.Title
	}
	return "Review"
}

// Stage puts the review in the flow's stepper when the options name the stages.
func (r *Review) Stage() (int, []string) { return r.opts.Stage, r.opts.StageNames }

func (r *Review) Explanation() string {
	if r.opts.Explanation != "" {
		return r.opts.Explanation
	}
	return "Every request the wizard will send, in order. Names in {{braces}} stand for ids " +
		"of objects created by an earlier request; they are filled in as the run goes. " +
		"Nothing is sent until you press enter."
}

func (r *Review) SetSize(width, height int) {
	r.width, r.height = width, height
	r.vp.Width = width
	r.vp.Height = max(height-r.chromeHeight(), 1)
	r.vp.SetContent(r.RequestsView())
}

// chromeHeight is the lines above and below the viewport.
func (r *Review) chromeHeight() int {
	return lipgloss.Height(r.intro()) + lipgloss.Height(r.bottom())
}

func (r *Review) ShortHelp() []key.Binding {
	if r.save.open {
		// The prompt's own hint line says esc cancels; the footer's "esc back" stays the shell's.
		return []key.Binding{r.keys.SaveConfirm}
	}
	b := []key.Binding{r.keys.Confirm, r.keys.Scroll, r.keys.Save, r.c.Keys.TrySignIn}
	if r.canToggle() {
		b = append(b, r.keys.Toggle)
	}
	return b
}

func (r *Review) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if m, ok := msg.(planSavedMsg); ok && m.review == r {
		r.save.finished(m)
		r.SetSize(r.width, r.height)
		return r, nil
	}
	if r.save.open {
		cmd := r.updateSavePrompt(msg)
		r.SetSize(r.width, r.height)
		return r, cmd
	}
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, r.c.Keys.TrySignIn):
			// The prediction is of the plan as enter would send it.
			plan := r.Plan()
			if r.opts.PlanToSave != nil {
				plan = *r.opts.PlanToSave
			}
			screen := signin.New(r.c, signin.Options{Plan: &plan})
			return r, func() tea.Msg { return common.PushMsg{Screen: screen} }
		case key.Matches(k, r.keys.Save):
			cmd := r.save.start(r.plan.Flow, r.width)
			r.SetSize(r.width, r.height)
			return r, cmd
		case key.Matches(k, r.c.Keys.Back):
			return r, func() tea.Msg { return common.BackMsg{} }
		case key.Matches(k, r.keys.Confirm):
			if r.opts.OnConfirm != nil {
				return r, r.opts.OnConfirm(r.Plan())
			}
			return r, nil
		case key.Matches(k, r.keys.Toggle) && r.canToggle():
			r.leaveInactive = !r.leaveInactive
			r.SetSize(r.width, r.height)
			return r, nil
		}
	}
	var cmd tea.Cmd
	r.vp, cmd = r.vp.Update(msg)
	return r, cmd
}

func (r *Review) intro() string {
	n, toSend := len(r.Plan().Steps), r.toSend()
	s := r.c.Styles
	line := fmt.Sprintf("%d request%s, sent in this order. Nothing is sent until you press enter.", n, common.Plural(n))
	if toSend < n {
		verb := "are"
		if n-toSend == 1 {
			verb = "is"
		}
		line = fmt.Sprintf("%d request%s; %d done by the earlier attempt %s not sent again.", n, common.Plural(n), n-toSend, verb)
	}
	return lipgloss.NewStyle().Width(max(r.width, 20)).Render(line) + "\n" + s.Subtle.Render(strings.Repeat("─", max(r.width, 1)))
}

// toSend counts the requests enter sends now: those an earlier attempt finished are not sent.
func (r *Review) toSend() int {
	n := 0
	for _, st := range r.Plan().Steps {
		if _, done := r.opts.Done[st.ID]; !done {
			n++
		}
	}
	return n
}

func (r *Review) bottom() string {
	s := r.c.Styles
	lines := []string{s.Subtle.Render(strings.Repeat("─", max(r.width, 1)))}
	if r.canToggle() {
		if r.leaveInactive {
			lines = append(lines, s.Warn.Render("[ ] Activate the policy last")+s.Subtle.Render("  (a) it stays INACTIVE: no device signals are collected yet"))
		} else {
			lines = append(lines, s.OK.Render("[x] Activate the policy last")+s.Subtle.Render("  (a) to leave it inactive"))
		}
	}
	if extra := r.save.view(s, r.width); extra != "" {
		lines = append(lines, extra)
	}
	pct := int(r.vp.ScrollPercent() * 100)
	if r.vp.TotalLineCount() <= r.vp.Height {
		pct = 100
	}
	n := r.toSend()
	status := fmt.Sprintf("%d%% · enter sends %d request%s", pct, n, common.Plural(n))
	if n < len(r.Plan().Steps) {
		status = fmt.Sprintf("%d%% · enter sends %d remaining request%s", pct, n, common.Plural(n))
	}
	// The footer may have no room for t; the status line says it.
	if hint := " · t: try a sign-in first (the wizard's prediction)"; lipgloss.Width(status+hint) <= r.width {
		status += hint
	}
	if r.save.open {
		status = fmt.Sprintf("%d%%", pct) // enter saves the plan now
	}
	lines = append(lines, s.Subtle.Render(status))
	return strings.Join(lines, "\n")
}

func (r *Review) View() string {
	return r.intro() + "\n" + r.vp.View() + "\n" + r.bottom()
}

// RequestsView is the scrollable list of requests.
func (r *Review) RequestsView() string {
	return renderPlanDone(r.c.Styles, r.Plan(), r.opts.ShowDiff, r.opts.Done, r.width)
}
