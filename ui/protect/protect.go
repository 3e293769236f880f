// Package protect is the optional "protect these apps with this policy" step of the DSC flow
// (after stage 1) and of the assurance-rule flow (before the review): the admin picks apps of
// the org and each pick becomes an assignAppPolicy request previewed in the review. A new app
// sign-in policy protects nothing until an app uses it; this step says so and offers the fix.
package protect

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// loadTimeout bounds reading the org's apps, so a dead org shows an error, not a spinner.
const loadTimeout = 60 * time.Second

// dedicatedPolicies are the app sign-in policies Okta keeps for one app of its own: assigning
// them to another app is refused ("re-assignment of this policy is not allowed").
var dedicatedPolicies = map[string]bool{"Okta Admin Console": true, "Okta Dashboard": true}

// Options place the step in its flow.
type Options struct {
	// PolicyID is the app sign-in policy the apps get; "" when the plan creates it.
	PolicyID string
	// PolicyName names it on screen.
	PolicyName string
	// Title is the header title (the flow's); Stage and StageNames put it in the stepper.
	Title      string
	Stage      int
	StageNames []string
	// Picked are app ids chosen on an earlier visit, picked again (the flow keeps them).
	Picked []string
	// OnDone runs when the admin presses enter: picked is empty when no app was chosen (no
	// request), else the apps in the order the list shows them, each with the policy it has
	// now (what a roll back gives it again).
	OnDone func(picked []flows.AppProtection) tea.Cmd
}

// Step is the screen of the step. Its picks are kept when the admin comes back to it.
type Step struct {
	c    *common.Common
	opts Options

	apps    []okta.App  // the org's apps not already on the policy, by label
	already []okta.App  // apps the policy protects already
	names   policyNames // policy id -> name, to say which policy an app has now
	picked  []string    // app ids (the multi-select's value)
	loaded  bool
	loadErr error
	form    *huh.Form
	spinner spinner.Model
	width   int
	height  int
}

// New returns the step; it reads the org's apps when it opens.
func New(c *common.Common, opts Options) *Step {
	return &Step{c: c, opts: opts, picked: slices.Clone(opts.Picked), spinner: spinner.New(spinner.WithSpinner(spinner.Dot)), width: c.Width, height: c.Height}
}

// Picked returns the ids of the apps chosen so far.
func (s *Step) Picked() []string { return slices.Clone(s.picked) }

type loadedMsg struct {
	s     *Step
	apps  []okta.App
	names policyNames
	err   error
}

// policyNames maps app sign-in policy ids to their names.
type policyNames map[string]string

func (s *Step) load() tea.Cmd {
	s.loaded, s.loadErr, s.form = false, nil, nil
	return tea.Batch(s.spinner.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		return s.fetch(ctx)
	})
}

// fetch reads the org's apps and app sign-in policies; it touches nothing of the step.
func (s *Step) fetch(ctx context.Context) loadedMsg {
	apps, err := s.c.API.ListApps(ctx, okta.AppQuery{})
	if err != nil {
		return loadedMsg{s: s, err: fmt.Errorf("listing the org's apps: %w", err)}
	}
	policies, err := s.c.API.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		return loadedMsg{s: s, err: fmt.Errorf("listing app sign-in policies: %w", err)}
	}
	names := policyNames{}
	for _, p := range policies {
		names[p.ID] = p.Name
	}
	return loadedMsg{s: s, apps: apps, names: names}
}

// apply keeps what fetch read.
func (s *Step) apply(msg loadedMsg) {
	s.loaded = true
	s.names = msg.names
	s.sortApps(msg.apps)
}

func (s *Step) Init() tea.Cmd {
	if s.loaded {
		return s.build()
	}
	return s.load()
}

// Reveal rebuilds the list after a later screen was closed (its form had completed).
func (s *Step) Reveal() tea.Cmd {
	if !s.loaded {
		return s.load()
	}
	return s.build()
}

func (s *Step) Title() string {
	if s.opts.Title != "" {
		return s.opts.Title
	}
	return "Protect apps"
}

func (s *Step) Stage() (int, []string) { return s.opts.Stage, s.opts.StageNames }

func (s *Step) Explanation() string {
	return "An app sign-in policy decides nothing until an app uses it: Okta evaluates the " +
		"policy assigned to the app being signed in to. Each app picked here gets this policy " +
		"(PUT /api/v1/apps/{appId}/policies/{policyId}), one request each, shown in the review " +
		"before anything is sent; rolling the run back gives each app its previous policy again. " +
		"An app has exactly one app sign-in policy, so picking it moves it off the one it has now."
}

// CapturingInput: "?" is text while the list is being filtered.
func (s *Step) CapturingInput() bool { return s.filtering() }

func (s *Step) filtering() bool { return common.FormFiltering(s.form) }

func (s *Step) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		s.form = s.form.WithWidth(w).WithHeight(s.formHeight())
	}
}

func (s *Step) ShortHelp() []key.Binding {
	b := []key.Binding{
		key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "pick")),
		s.c.Keys.Filter,
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
	}
	switch {
	case s.loadErr != nil:
		return []key.Binding{s.c.Keys.Refresh}
	case s.form == nil:
		return b[2:] // nothing to pick or filter
	}
	return b
}

func (s *Step) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.s != s {
			return s, nil
		}
		if msg.err != nil {
			s.loadErr = msg.err
			return s, nil
		}
		s.apply(msg)
		return s, s.build()
	case spinner.TickMsg:
		return s, common.TickSpinner(&s.spinner, !s.loaded && s.loadErr == nil, msg)
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.c.Keys.Refresh):
			return s, s.load()
		case key.Matches(msg, s.c.Keys.Back) && !s.filtering():
			return s, func() tea.Msg { return common.BackMsg{} }
		case s.form == nil && s.loaded && key.Matches(msg, s.c.Keys.Enter):
			return s, s.done() // nothing to pick: enter goes on
		}
	}
	if s.form == nil {
		return s, nil
	}
	var cmd tea.Cmd
	var completed bool
	if s.form, cmd, completed = common.UpdateForm(s.form, msg); completed {
		return s, tea.Batch(cmd, s.done())
	}
	return s, cmd
}

// sortApps splits the org's apps into those the policy has already and those it could get.
func (s *Step) sortApps(apps []okta.App) {
	s.apps, s.already = nil, nil
	for _, a := range apps {
		if s.opts.PolicyID != "" && a.AccessPolicyID == s.opts.PolicyID {
			s.already = append(s.already, a)
			continue
		}
		s.apps = append(s.apps, a)
	}
	byLabel := func(a, b okta.App) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) }
	sort.SliceStable(s.apps, func(i, j int) bool { return byLabel(s.apps[i], s.apps[j]) < 0 })
	sort.SliceStable(s.already, func(i, j int) bool { return byLabel(s.already[i], s.already[j]) < 0 })
	// A pick of an app that is gone (or now on the policy) is dropped.
	s.picked = slices.DeleteFunc(s.picked, func(id string) bool {
		return !slices.ContainsFunc(s.apps, func(a okta.App) bool { return a.ID == id })
	})
}

func (s *Step) done() tea.Cmd {
	if s.opts.OnDone == nil {
		return nil
	}
	return s.opts.OnDone(s.protections())
}

// protections are the picks, each with the policy the app has now.
func (s *Step) protections() []flows.AppProtection {
	var picked []flows.AppProtection
	for _, a := range s.apps {
		if slices.Contains(s.picked, a.ID) {
			picked = append(picked, flows.ProtectionOf(a, s.names[a.AccessPolicyID]))
		}
	}
	return picked
}

// offersApps reports whether there is any app to pick.
func (s *Step) offersApps() bool { return len(s.apps) > 0 && !s.dedicated() }

func (s *Step) build() tea.Cmd {
	if !s.offersApps() {
		s.form = nil
		return nil
	}
	s.form = huh.NewForm(s.group()).WithTheme(huh.ThemeBase16()).WithShowHelp(false).WithWidth(s.width).WithHeight(s.formHeight())
	return s.form.Init()
}

// group is the list of apps to pick, bound to the picks.
func (s *Step) group() *huh.Group {
	opts := make([]huh.Option[string], 0, len(s.apps))
	for _, a := range s.apps {
		opts = append(opts, huh.NewOption(s.appLabel(a), a.ID).Selected(slices.Contains(s.picked, a.ID)))
	}
	return huh.NewGroup(
		huh.NewMultiSelect[string]().
			Title(s.heading()).
			Description("x picks, / filters, enter goes on (none picked: no request).").
			Options(opts...).
			Filterable(true).
			Value(&s.picked),
	)
}
