package ui

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
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
	c             *Common
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
func NewReview(c *Common, plan flows.Plan, opts ReviewOptions) *Review {
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
		r.keys.Save = DefaultKeyMap().SavePlan
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
	out := r.plan
	out.Steps = nil
	for _, st := range r.plan.Steps {
		if st.Action == flows.ActActivatePolicy {
			continue
		}
		out.Steps = append(out.Steps, st)
	}
	return out
}

// LeaveInactive reports whether the user chose to leave the policy inactive.
func (r *Review) LeaveInactive() bool { return r.leaveInactive }

func (r *Review) hasActivation() bool {
	for _, st := range r.plan.Steps {
		if st.Action == flows.ActActivatePolicy {
			return true
		}
	}
	return false
}

func (r *Review) canToggle() bool { return r.opts.AllowLeaveInactive && r.hasActivation() }

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
	r.vp.SetContent(r.content())
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
	b := []key.Binding{r.keys.Confirm, r.keys.Scroll, r.keys.Save}
	if r.canToggle() {
		b = append(b, r.keys.Toggle)
	}
	return b
}

func (r *Review) Update(msg tea.Msg) (Screen, tea.Cmd) {
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
		case key.Matches(k, r.keys.Save):
			cmd := r.save.start(r.plan.Flow, r.width)
			r.SetSize(r.width, r.height)
			return r, cmd
		case key.Matches(k, r.c.Keys.Back):
			return r, func() tea.Msg { return BackMsg{} }
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
	n := len(r.Plan().Steps)
	s := r.c.Styles
	line := fmt.Sprintf("%d request%s, sent in this order. Nothing is sent until you press enter.", n, plural(n))
	if len(r.opts.Done) > 0 {
		line = fmt.Sprintf("%d request%s; %d done by the earlier attempt are not sent again.", n, plural(n), len(r.opts.Done))
	}
	return lipgloss.NewStyle().Width(max(r.width, 20)).Render(line) + "\n" + s.Subtle.Render(strings.Repeat("─", max(r.width, 1)))
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
	status := fmt.Sprintf("%d%% · enter sends %d request%s", pct, len(r.Plan().Steps), plural(len(r.Plan().Steps)))
	if r.save.open {
		status = fmt.Sprintf("%d%%", pct) // enter saves the plan now
	}
	lines = append(lines, s.Subtle.Render(status))
	return strings.Join(lines, "\n")
}

func (r *Review) View() string {
	return r.intro() + "\n" + r.vp.View() + "\n" + r.bottom()
}

// content is the scrollable list of requests.
func (r *Review) content() string {
	return renderPlanDone(r.c.Styles, r.Plan(), r.opts.ShowDiff, r.opts.Done, r.width)
}

// renderPlan draws each step: number, method, path, stage and title, then its body (or diff).
func renderPlan(s Styles, plan flows.Plan, showDiff bool, width int) string {
	return renderPlanDone(s, plan, showDiff, nil, width)
}

// renderPlanDone is renderPlan marking the steps an earlier attempt finished.
func renderPlanDone(s Styles, plan flows.Plan, showDiff bool, done map[string]string, width int) string {
	referenced := map[string]bool{}
	for _, st := range plan.Steps {
		for _, id := range st.Placeholders() {
			referenced[id] = true
		}
	}
	var b strings.Builder
	for i, st := range plan.Steps {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s %s\n", s.Title.Render(fmt.Sprintf("%2d", i+1)), s.Method.Render(fmt.Sprintf("%-6s", st.Method())), highlightPlaceholders(s, s.Path, st.Path()))
		meta := st.Title
		if st.Stage > 0 {
			meta = fmt.Sprintf("stage %d · %s", st.Stage, st.Title)
		}
		if referenced[st.ID] {
			meta += " → " + flows.Placeholder(st.ID)
		}
		if width > 10 {
			meta = ansi.Wordwrap(meta, width-3, "")
		}
		b.WriteString(indent(s.Subtle.Render(meta), "   "))
		if id, ok := done[st.ID]; ok {
			b.WriteString("   " + s.OK.Render("done by the earlier attempt (id "+id+"): not sent again") + "\n")
			continue
		}
		if showDiff && st.Before != nil && st.Body != nil {
			b.WriteString(indent(renderDiff(s, st), "   "))
			continue
		}
		body, err := st.BodyJSON()
		if err != nil {
			b.WriteString("   " + s.Error.Render("body cannot be shown: "+err.Error()) + "\n")
			continue
		}
		if body == nil {
			b.WriteString("   " + s.Subtle.Render("(no body)") + "\n")
			continue
		}
		b.WriteString(indent(highlightJSON(s, string(body)), "   "))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

var (
	jsonKeyRE   = regexp.MustCompile(`^(\s*)("(?:[^"\\]|\\.)*")(:\s*)(.*)$`)
	jsonValueRE = regexp.MustCompile(`^(\s*)(.*?)(,?)$`)
	placeRE     = regexp.MustCompile(`\{\{[A-Za-z0-9_-]+\.id\}\}`)
)

// highlightJSON colours keys, strings and literals of indented JSON line by line; under the
// ASCII profile (NO_COLOR) the styles render as plain text, so the text is unchanged.
func highlightJSON(s Styles, text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if m := jsonKeyRE.FindStringSubmatch(l); m != nil {
			lines[i] = m[1] + s.JSONKey.Render(m[2]) + m[3] + highlightValue(s, m[4])
			continue
		}
		m := jsonValueRE.FindStringSubmatch(l)
		lines[i] = m[1] + highlightValue(s, m[2]) + m[3]
	}
	return strings.Join(lines, "\n") + "\n"
}

func highlightValue(s Styles, v string) string {
	trail := ""
	if strings.HasSuffix(v, ",") {
		v, trail = strings.TrimSuffix(v, ","), ","
	}
	switch {
	case strings.HasPrefix(v, `"`):
		return highlightPlaceholders(s, s.JSONString, v) + trail
	case v == "{" || v == "[" || v == "}" || v == "]" || v == "{}" || v == "[]":
		return v + trail
	case v == "":
		return trail
	default:
		return s.JSONLiteral.Render(v) + trail
	}
}

// highlightPlaceholders renders text in base, with {{step.id}} placeholders standing out.
func highlightPlaceholders(s Styles, base lipgloss.Style, text string) string {
	idx := placeRE.FindAllStringIndex(text, -1)
	if idx == nil {
		return base.Render(text)
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		if m[0] > last {
			b.WriteString(base.Render(text[last:m[0]]))
		}
		b.WriteString(s.Placeholder.Render(text[m[0]:m[1]]))
		last = m[1]
	}
	if last < len(text) {
		b.WriteString(base.Render(text[last:]))
	}
	return b.String()
}

// renderDiff shows the change a replace makes as +/- lines of indented JSON (flows.Step.Diff:
// read-only members left out, equal durations not shown as changes).
func renderDiff(s Styles, st flows.Step) string {
	lines := st.Diff()
	if !flows.DiffChanged(lines) {
		return s.Subtle.Render("(no change: the object already looks like this)") + "\n"
	}
	var b strings.Builder
	for _, l := range lines {
		switch l.Op {
		case '+':
			b.WriteString(s.DiffAdd.Render("+ "+l.Text) + "\n")
		case '-':
			b.WriteString(s.DiffDel.Render("- "+l.Text) + "\n")
		default:
			b.WriteString("  " + l.Text + "\n")
		}
	}
	return b.String()
}
