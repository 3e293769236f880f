package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

func init() {
	RegisterFlow(FlowEntry{
		Order:       10,
		Title:       "Device signal collection",
		Description: "Five stages: app sign-in policy and rule, signal collection policy, mapping, its rule, review and submit.",
		Start:       func(c *Common) Screen { return dscFlowFor(c).stage(flows.StageAppPolicy) },
		Accessible:  runDSCAccessible,
	})
}

// loadTimeout bounds each picker load so a dead org shows an error instead of a spinner forever.
const loadTimeout = 60 * time.Second

// dscFlow is the state of one device signal collection walk: the answers (the draft every form
// binds to), what was read from the org for the pickers, and the open submit, if any.
type dscFlow struct {
	c     *Common
	draft flows.DSCDraft
	org   orgData
	// screens holds the latest screen of each stage, so an error can send the user back to it.
	screens map[int]*dscStage
	// submit is the run of this walk; after a failure it is continued, not started again.
	submit *run.Submit
	// appPick is the stage 1 select's value: an ACCESS_POLICY id or newPolicyPick.
	appPick string
	// providers is the stage 4 multi-select's value (okta.Provider* keys).
	providers []string
	// reuseOffered marks the policies whose existing rule was offered for reuse.
	reuseOffered map[string]bool
}

// openFlows keeps the walk of each Common until it is sent, so leaving it for the home screen
// (esc on stage 1) and coming back keeps the answers.
var openFlows sync.Map // *Common -> *dscFlow

// dscFlowFor returns the open walk of c, or a new one.
func dscFlowFor(c *Common) *dscFlow {
	if f, ok := openFlows.Load(c); ok && f.(*dscFlow).submit == nil {
		return f.(*dscFlow)
	}
	// A walk that was sent is not reopened: a run it left unfinished is resumed or rolled back
	// from the home screen, through its journal, so no two runs share one journal.
	openFlows.Delete(c)
	f := newDSCFlow(c)
	openFlows.Store(c, f)
	return f
}

// newPolicyPick is the picker value for "create a new app sign-in policy".
const newPolicyPick = "+new"

// orgData caches what the pickers list; nil slices mean "not loaded yet".
type orgData struct {
	accessPolicies []okta.Policy
	dscPolicies    []okta.Policy
	mappings       map[string][]okta.PolicyMapping // DSC policy id -> its mappings
	rules          map[string][]okta.Rule          // ACCESS_POLICY id -> its rules
	groups         []okta.Group
	idps           []okta.IdentityProvider
	zones          []okta.NetworkZone
	loaded         map[string]bool
}

// dscOrg is the cache as flows.CheckDSCOrg reads it.
func (o *orgData) dscOrg() flows.DSCOrg {
	return flows.DSCOrg{AccessPolicies: o.accessPolicies, DSCPolicies: o.dscPolicies, Mappings: o.mappings, Rules: o.rules}
}

func newDSCFlow(c *Common) *dscFlow {
	f := &dscFlow{c: c, screens: map[int]*dscStage{}, reuseOffered: map[string]bool{}}
	f.org.loaded = map[string]bool{}
	f.org.rules = map[string][]okta.Rule{}
	f.org.mappings = map[string][]okta.PolicyMapping{}
	// Defaults a first-time admin can accept as they are.
	f.draft.AppRule.Name = "Require a registered device"
	f.draft.AppRule.Access = flows.AccessAllow
	f.draft.AppRule.Priority = 1
	f.draft.RuleName = "Collect device signals"
	f.draft.OktaVerify = true
	f.draft.UserIdentification = flows.UserIdentificationAllow
	f.draft.Activate = true
	f.providers = []string{okta.ProviderOktaVerify}
	f.appPick = newPolicyPick
	return f
}

// stage returns a fresh screen for stage n (1 to 4), remembered for "fix that stage".
func (f *dscFlow) stage(n int) *dscStage {
	var s *dscStage
	switch n {
	case flows.StageAppPolicy:
		s = newStage1(f)
	case flows.StageDSCPolicy:
		s = newStage2(f)
	case flows.StageMapping:
		s = newStage3(f)
	default:
		s = newStage4(f)
	}
	f.screens[n] = s
	return s
}

// next is what finishing stage n does: open stage n+1, or the review after stage 4.
func (f *dscFlow) next(n int) tea.Cmd {
	if n == flows.StageAppPolicy {
		return push(f.protectStep())
	}
	if n < flows.StageDSCRule {
		return push(f.stage(n + 1))
	}
	plan, err := f.checkedPlan()
	if err != nil {
		return func() tea.Msg { return dscPlanErrMsg{err: err} }
	}
	return push(f.review(plan))
}

// checkedPlan is plan, refused as well when the org would refuse it (a name in use, a policy
// another signal collection policy maps): refused here, not half-way through the run.
func (f *dscFlow) checkedPlan() (flows.Plan, error) {
	plan, err := f.plan()
	if err != nil {
		return plan, err
	}
	if errs := flows.CheckDSCOrg(f.draft, f.org.dscOrg()); len(errs) > 0 {
		return flows.Plan{}, flows.ValidationErrors(errs)
	}
	return plan, nil
}

// plan builds the requests from the draft (activation included; the review may drop it).
func (f *dscFlow) plan() (flows.Plan, error) {
	d := f.draft
	d.Activate = true
	return d.Plan()
}

func (f *dscFlow) review(plan flows.Plan) *run.Review {
	var done map[string]string
	if f.submit != nil && f.submit.Failed() {
		done = f.submit.Done()
	}
	return run.NewReview(f.c, plan, run.ReviewOptions{
		Done:               done,
		AllowLeaveInactive: true,
		Stage:              flows.StageReview,
		StageNames:         flows.DSCStageNames,
		Explanation:        stageExplanations[flows.StageReview],
		Answers:            f.draft,
		OnConfirm: func(p flows.Plan) tea.Cmd {
			f.draft.Activate = run.HasAction(p, flows.ActActivatePolicy)
			if f.submit != nil && f.submit.Failed() {
				return push(f.submit.Continue(p))
			}
			f.submit = run.NewSubmit(f.c, p, func(map[string]string) tea.Cmd {
				openFlows.CompareAndDelete(f.c, f) // submitted: the next walk starts afresh
				return nil
			}).OnFix(f.fix).WithSignIn(*signInFirst(f.draft.ProtectApps))
			return push(f.submit)
		},
	})
}

// fix goes back to stage n after a request of that stage failed; the answers are kept and the
// run continues from the review once they are fixed.
func (f *dscFlow) fix(n int) tea.Cmd {
	if n == flows.StageReview {
		n = flows.StageDSCRule
	}
	s, ok := f.screens[n]
	if !ok {
		return nil
	}
	s.restart()
	return tea.Batch(func() tea.Msg { return PopToMsg{Target: s} }, func() tea.Msg { return BusyMsg{Busy: false} })
}

// dscPlanErrMsg reports answers the plan builder refused (validation as a whole).
type dscPlanErrMsg struct{ err error }

// dscDataMsg carries org data read in the background; apply stores it (in Update, so the
// screens never race the loader).
type dscDataMsg struct {
	stage *dscStage
	apply func(*orgData)
	err   error
}

// page is one page (one huh group) of a stage.
type page struct {
	// skip hides the page given the answers so far.
	skip func() bool
	// load, when set, reads what the page lists before it is built; it returns nil when the
	// data is cached.
	load func(ctx context.Context) (func(*orgData), error)
	// needs names the cache entry load fills (skip the load when loaded).
	needs string
	// group builds the page's fields, bound to the draft.
	group func() *huh.Group
	// done runs when the page is completed (copy picker values into the draft).
	done func()
	// info, when set, is text shown above the fields (what the org has). It is drawn by the
	// stage, not as a huh Note, which reads _ and * in names as markup.
	info func() string
}

// dscStage is one stage screen: a sequence of pages, each a one-group huh form.
type dscStage struct {
	f       *dscFlow
	n       int
	pages   []page
	cur     int
	dir     int // +1 moving forward through the pages, -1 going back
	form    *huh.Form
	loading bool
	// ignoredKeys counts keys typed while the org was read: the page they were meant for was
	// not there yet, so they are dropped and the page that appears says so, rather than
	// landing in whichever field comes next.
	ignoredKeys int
	loadErr     error
	planErr     error
	spinner     spinner.Model
	width       int
	height      int
}

func newDSCStage(f *dscFlow, n int, pages []page) *dscStage {
	return &dscStage{f: f, n: n, pages: pages, spinner: spinner.New(spinner.WithSpinner(spinner.Dot))}
}

func (s *dscStage) Title() string { return "Device signal collection" }

func (s *dscStage) Stage() (int, []string) { return s.n, flows.DSCStageNames }

func (s *dscStage) Explanation() string { return stageExplanations[s.n] }

// CapturingInput: every page has text fields or filters, so "?" stays text.
func (s *dscStage) CapturingInput() bool { return true }

func (s *dscStage) Init() tea.Cmd {
	s.cur, s.dir = s.firstPage(0, 1), 1
	return s.open()
}

// Reveal rebuilds the current page: its form finished when the next stage opened.
func (s *dscStage) Reveal() tea.Cmd {
	s.planErr = nil
	return s.open()
}

// restart goes back to the first page (after an error in this stage).
func (s *dscStage) restart() { s.cur = s.firstPage(0, 1) }

// firstPage returns the first page from i in direction dir that is not skipped (-1 if none).
func (s *dscStage) firstPage(i, dir int) int {
	for ; i >= 0 && i < len(s.pages); i += dir {
		if s.pages[i].skip == nil || !s.pages[i].skip() {
			return i
		}
	}
	return -1
}

// open loads what the current page needs, then builds its form.
func (s *dscStage) open() tea.Cmd {
	if s.cur < 0 {
		return nil
	}
	p := s.pages[s.cur]
	s.loadErr = nil
	if p.load != nil && (p.needs == "" || !s.f.org.loaded[p.needs]) {
		s.loading = true
		s.form = nil
		return tea.Batch(s.spinner.Tick, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
			defer cancel()
			apply, err := p.load(ctx)
			return dscDataMsg{stage: s, apply: apply, err: err}
		})
	}
	s.loading = false
	return s.build()
}

func (s *dscStage) build() tea.Cmd {
	p := s.pages[s.cur]
	s.form = huh.NewForm(p.group()).
		WithTheme(huh.ThemeBase16()).
		WithShowHelp(false).
		WithWidth(s.width).
		WithHeight(max(s.height-s.extraHeight(), 5))
	return s.form.Init()
}

// formErrorLines is kept free under a form's fields for huh's validation messages (a blank
// line and up to two wrapped lines), which it draws below its height.
const formErrorLines = 3

// infoView is the current page's info text, wrapped to the width.
func (s *dscStage) infoView() string {
	if s.cur < 0 || s.cur >= len(s.pages) || s.pages[s.cur].info == nil || s.loading {
		return ""
	}
	text := s.pages[s.cur].info()
	if text == "" {
		return ""
	}
	return lipgloss.NewStyle().Width(max(s.width-2, 20)).Render(text)
}

// extraHeight is the lines the stage draws besides the form's fields.
func (s *dscStage) extraHeight() int {
	h := formErrorLines
	if i := s.infoView(); i != "" {
		h += lipgloss.Height(i) + 1
	}
	if e := s.errorView(); e != "" {
		h += lipgloss.Height(e) + 1
	}
	return h
}

func (s *dscStage) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		s.form = s.form.WithWidth(w).WithHeight(max(h-s.extraHeight(), 5))
	}
}

func (s *dscStage) ShortHelp() []key.Binding {
	var b []key.Binding
	if s.form != nil {
		// Arrow keys need no explaining; the footer keeps room for the rest.
		for _, kb := range s.form.KeyBinds() {
			switch kb.Help().Key {
			case "↑", "↓", "up", "down", "ctrl+a":
				continue
			}
			b = append(b, kb)
		}
	}
	if s.loadErr != nil {
		b = append(b, s.f.c.Keys.Refresh)
	}
	return b
}

func (s *dscStage) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case dscDataMsg:
		if msg.stage != s {
			return s, nil
		}
		s.loading = false
		if msg.err != nil {
			s.loadErr = msg.err
			if s.f.c.Log != nil {
				s.f.c.Log.Warn("loading picker data", "stage", s.n, "err", msg.err)
			}
			return s, nil
		}
		if msg.apply != nil {
			msg.apply(&s.f.org)
		}
		p := s.pages[s.cur]
		if p.needs != "" {
			s.f.org.loaded[p.needs] = true
		}
		// Whether a page is needed can depend on what it loads (a rule to reuse).
		if p.skip != nil && p.skip() {
			if s.dir < 0 {
				return s, s.back()
			}
			return s, s.advance()
		}
		return s, s.build()
	case dscPlanErrMsg:
		s.planErr = msg.err
		return s, s.open()
	case spinner.TickMsg:
		return s, tickSpinner(&s.spinner, s.loading, msg)
	case tea.KeyMsg:
		if s.loading && !key.Matches(msg, s.f.c.Keys.Back) {
			s.ignoredKeys += max(len(msg.Runes), 1)
			return s, nil
		}
		if s.form != nil {
			s.ignoredKeys = 0 // the notice has been seen
		}
		if key.Matches(msg, s.f.c.Keys.Back) && s.filterSet() {
			// A fresh page shows the whole list with the answer kept (huh's own clearing
			// leaves the list scrolled to nothing).
			return s, s.build()
		}
		if key.Matches(msg, s.f.c.Keys.Back) && !s.filtering() {
			return s, s.back()
		}
		if key.Matches(msg, s.f.c.Keys.Refresh) {
			clear(s.f.org.loaded)
			clear(s.f.org.rules)
			return s, s.open()
		}
	}
	if s.form == nil {
		return s, nil
	}
	var cmd tea.Cmd
	var completed bool
	if s.form, cmd, completed = common.UpdateForm(s.form, msg); completed {
		return s, tea.Batch(cmd, s.advance())
	}
	return s, cmd
}

// filtering reports whether the focused picker is being filtered (esc then clears the filter).
func (s *dscStage) filtering() bool { return common.FormFiltering(s.form) }

// filterSet reports whether a filter typed earlier still narrows the focused list (it shows
// as "/Dash" above it); esc then clears it before it leaves the page.
func (s *dscStage) filterSet() bool {
	if s.form == nil {
		return false
	}
	for _, kb := range s.form.KeyBinds() {
		if kb.Enabled() && kb.Help().Desc == "clear filter" {
			return true
		}
	}
	return false
}

// advance moves to the next page, or finishes the stage.
func (s *dscStage) advance() tea.Cmd {
	if d := s.pages[s.cur].done; d != nil {
		d()
	}
	s.dir = 1
	next := s.firstPage(s.cur+1, 1)
	if next < 0 {
		if errs := flows.CheckDSCOrgStage(s.f.draft, s.f.org.dscOrg(), s.n); len(errs) > 0 {
			s.planErr = flows.ValidationErrors(errs)
			s.restart()
			return s.open()
		}
		s.planErr = nil
		return s.f.next(s.n)
	}
	s.cur = next
	return s.open()
}

// back goes to the previous page of the stage, or to the previous screen.
func (s *dscStage) back() tea.Cmd {
	s.dir = -1
	prev := s.firstPage(s.cur-1, -1)
	if prev < 0 {
		return func() tea.Msg { return BackMsg{} }
	}
	s.cur = prev
	return s.open()
}

func (s *dscStage) View() string {
	st := s.f.c.Styles
	var b strings.Builder
	switch {
	case s.loadErr != nil:
		b.WriteString(st.Error.Render("Could not read the org:") + "\n")
		b.WriteString(lipgloss.NewStyle().Width(max(s.width-2, 20)).Render(s.loadErr.Error()) + "\n\n")
		b.WriteString("ctrl+r tries again; esc goes back.\n")
		return b.String()
	case s.loading:
		line := s.spinner.View() + " Reading the org… keys typed now are ignored."
		if s.ignoredKeys > 0 {
			line += fmt.Sprintf(" (%d ignored)", s.ignoredKeys)
		}
		return line + "\n"
	case s.form == nil:
		return ""
	}
	if i := s.infoView(); i != "" {
		b.WriteString(i + "\n\n")
	}
	b.WriteString(s.form.View())
	if e := s.errorView(); e != "" {
		b.WriteString("\n" + e)
	}
	return b.String()
}

func (s *dscStage) errorView() string {
	st := s.f.c.Styles
	if s.planErr == nil {
		if s.ignoredKeys > 0 {
			return st.Subtle.Render(fmt.Sprintf("Ignored %d key%s typed while the org was read: type them again here.", s.ignoredKeys, plural(s.ignoredKeys)))
		}
		return ""
	}
	lines := []string{st.Error.Render("These answers need a fix before the review:")}
	wrap := lipgloss.NewStyle().Width(max(s.width-2, 20))
	if ve, ok := s.planErr.(flows.ValidationErrors); ok {
		for _, fe := range ve {
			lines = append(lines, wrap.Render(fmt.Sprintf("• stage %d: %s", flows.DSCFieldStage(fe.Field), fe.Msg)))
		}
	} else {
		lines = append(lines, wrap.Render(s.planErr.Error()))
	}
	return strings.Join(lines, "\n")
}

// keepOr validates a text answer; an empty answer is checked as the current value. In the
// full-screen form the bound value is the text itself, so nothing changes there; in accessible
// mode an empty line keeps the prefilled answer, which huh's prompt would otherwise refuse.
func keepOr(current *string, validate func(string) error) func(string) error {
	return func(s string) error {
		if s == "" {
			return validate(*current)
		}
		return validate(s)
	}
}
