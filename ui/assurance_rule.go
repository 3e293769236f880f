package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// newRuleChoice is the rule picker's value for "add a new rule".
const newRuleChoice = "\x00new"

// Messages of the rule flow's reads.
type ruleFlowDataMsg struct {
	f          *AssuranceRuleFlow
	policies   []okta.Policy
	assurances []okta.DeviceAssurance
	policyID   string // rules belong to this policy
	rules      []okta.Rule
	rulesRead  bool
	err        error
}

// AssuranceRuleFlow adds device assurance policies to a new or existing rule of an app
// sign-in policy.
type AssuranceRuleFlow struct {
	c  *Common
	pf *pagedForm

	draft      flows.AssuranceRuleDraft
	policies   []okta.Policy
	assurances []okta.DeviceAssurance
	rules      []okta.Rule // of draft.PolicyID, in priority order
	rulesOf    string      // policy id the rules were read for
	loaded     bool        // policies and assurances
	loadErr    error

	// initial is the draft as the flow opened; sent is set once Okta accepted the rule.
	initial flows.AssuranceRuleDraft
	sent    bool

	ruleChoice   string // newRuleChoice or a rule id
	ruleShown    string // the rule the draft was filled from
	rulesLoading string // policy id whose rules are being read
}

// NewAssuranceRuleFlow returns the "add to an app sign-in rule" screen.
func NewAssuranceRuleFlow(c *Common) *AssuranceRuleFlow {
	f := &AssuranceRuleFlow{c: c, ruleChoice: newRuleChoice}
	f.draft = flows.AssuranceRuleDraft{Access: flows.AccessAllow, Priority: 1}
	f.pf = newPagedForm(c, f.pages, f.finish)
	f.initial = f.draft
	return f
}

// HasUnsavedAnswers: answers were changed and not sent (going home would discard them).
func (f *AssuranceRuleFlow) HasUnsavedAnswers() bool {
	return !f.sent && !reflect.DeepEqual(f.initial, f.draft)
}

// Draft returns the answers so far.
func (f *AssuranceRuleFlow) Draft() flows.AssuranceRuleDraft { return f.draft }

func (f *AssuranceRuleFlow) loadOrg() tea.Cmd {
	api := f.c.API
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), daAPITimeout)
		defer cancel()
		ps, err := api.ListPolicies(ctx, okta.TypeAccessPolicy)
		if err != nil {
			return ruleFlowDataMsg{f: f, err: fmt.Errorf("listing app sign-in policies: %w", err)}
		}
		das, err := api.ListDeviceAssurances(ctx)
		if err != nil {
			return ruleFlowDataMsg{f: f, err: fmt.Errorf("listing device assurance policies: %w", err)}
		}
		return ruleFlowDataMsg{f: f, policies: ps, assurances: das}
	}
}

func (f *AssuranceRuleFlow) loadRules(policyID string) tea.Cmd {
	api := f.c.API
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), daAPITimeout)
		defer cancel()
		rules, err := api.ListRules(ctx, policyID)
		if err != nil {
			err = fmt.Errorf("listing the policy's rules: %w", err)
		}
		return ruleFlowDataMsg{f: f, policyID: policyID, rules: rules, rulesRead: true, err: err}
	}
}

func daRulePriority(r okta.Rule) int {
	if r.Priority == nil {
		return 1 << 30
	}
	return *r.Priority
}

// editableRules are the rules a device condition can go on (not the catch-all rule).
func (f *AssuranceRuleFlow) editableRules() []okta.Rule {
	var out []okta.Rule
	for _, r := range f.rules {
		if !r.System {
			out = append(out, r)
		}
	}
	return out
}

func (f *AssuranceRuleFlow) pages() []formPage {
	return []formPage{f.policyPage(), f.rulePage(), f.assurancePage(), f.settingsPage(), f.priorityPage()}
}

func (f *AssuranceRuleFlow) policyPage() formPage {
	return formPage{
		key: "policy", title: "App sign-in policy", owns: []string{"policyId"},
		ready: func() bool { return f.loaded && len(f.policies) > 0 },
		group: func() *huh.Group {
			opts := make([]huh.Option[string], 0, len(f.policies))
			for _, p := range f.policies {
				label := p.Name
				if p.Status != "" && p.Status != okta.StatusActive {
					label += " (" + p.Status + ")"
				}
				opts = append(opts, huh.NewOption(label, p.ID))
			}
			if f.draft.PolicyID == "" {
				f.draft.PolicyID = f.policies[0].ID
			}
			return huh.NewGroup(huh.NewSelect[string]().Title("Which app sign-in policy?").
				Description("The rule goes into this policy; apps using it then check devices. / filters.").
				Options(opts...).Value(&f.draft.PolicyID).Height(f.pf.listHeight(len(opts), 2)))
		},
		done: func() error {
			for _, p := range f.policies {
				if p.ID == f.draft.PolicyID {
					f.draft.PolicyName = p.Name
				}
			}
			if f.rulesOf != f.draft.PolicyID {
				// Another policy: its rules are read next and the rule choice starts again.
				f.ruleChoice, f.ruleShown = newRuleChoice, ""
			}
			return nil
		},
	}
}

func (f *AssuranceRuleFlow) rulePage() formPage {
	return formPage{
		key: "rule", title: "New or existing rule", owns: []string{"existing"},
		explain: "Rules are evaluated in priority order; the first that matches decides. Updating an " +
			"existing rule sends the whole rule as read, changed only where you change it. The " +
			"catch-all rule can't take device conditions.",
		ready: func() bool { return f.rulesOf == f.draft.PolicyID },
		group: func() *huh.Group {
			opts := []huh.Option[string]{huh.NewOption("Add a new rule", newRuleChoice)}
			for _, r := range f.editableRules() {
				label := fmt.Sprintf("%d. %s", daRulePriority(r), r.Name)
				if r.Status != "" && r.Status != okta.StatusActive {
					label += " (" + r.Status + ")"
				}
				if dc := daDeviceCondition(r); dc != nil && dc.Assurance != nil && len(dc.Assurance.Include) > 0 {
					label += fmt.Sprintf(" · %d assurance", len(dc.Assurance.Include))
				}
				opts = append(opts, huh.NewOption(label, r.ID))
			}
			desc := "Existing rules in priority order (1 is evaluated first). Updating one keeps\neverything else in it."
			if len(f.rules) > len(f.editableRules()) {
				desc += " The catch-all rule can't take device conditions."
			}
			return huh.NewGroup(huh.NewSelect[string]().Title("Add the requirement to").
				Description(desc).Options(opts...).Value(&f.ruleChoice).
				Height(f.pf.listHeight(len(opts), 3)))
		},
		done: func() error {
			if f.ruleChoice == f.ruleShown {
				return nil
			}
			f.ruleShown = f.ruleChoice
			chosen := f.draft.AssuranceIDs
			if f.ruleChoice == newRuleChoice {
				f.draft = flows.AssuranceRuleDraft{PolicyID: f.draft.PolicyID, PolicyName: f.draft.PolicyName,
					Access: flows.AccessAllow, Priority: 1, AssuranceIDs: chosen}
				return nil
			}
			for _, r := range f.rules {
				if r.ID == f.ruleChoice {
					f.draft = flows.DraftFromRule(f.draft.PolicyID, f.draft.PolicyName, r)
					// Keep what the rule has and add what the user already picked.
					for _, id := range chosen {
						if !slices.Contains(f.draft.AssuranceIDs, id) {
							f.draft.AssuranceIDs = append(f.draft.AssuranceIDs, id)
						}
					}
					return nil
				}
			}
			return errors.New("that rule is gone: press ctrl+r to read the rules again")
		},
	}
}

func daDeviceCondition(r okta.Rule) *okta.DeviceCondition {
	if r.Conditions == nil {
		return nil
	}
	return r.Conditions.Device
}

func (f *AssuranceRuleFlow) assurancePage() formPage {
	return formPage{
		key: "assurance", title: "Device assurance policies", owns: []string{"assuranceIds"},
		explain: "The rule requires devices to pass the policies chosen here (conditions.device.assurance.include). " +
			"Several are ORed: a device passes if it meets ANY one of them.",
		ready: func() bool { return f.loaded },
		group: func() *huh.Group {
			if len(f.assurances) == 0 {
				return huh.NewGroup(huh.NewNote().Title("No device assurance policies").
					Description("The org has none yet: press esc twice and create one first."))
			}
			opts := make([]huh.Option[string], 0, len(f.assurances))
			for _, d := range f.assurances {
				opts = append(opts, huh.NewOption(fmt.Sprintf("%-8s %s", daLabel(platformLabels, d.Platform), d.Name), d.ID).
					Selected(slices.Contains(f.draft.AssuranceIDs, d.ID)))
			}
			return huh.NewGroup(huh.NewMultiSelect[string]().Title("Require devices to pass").
				Description("Several are ORed: a device passes if it meets ANY one of them. x toggles.").
				Options(opts...).Value(&f.draft.AssuranceIDs).Filterable(true).
				Height(f.pf.listHeight(len(opts), 3)))
		},
		done: func() error {
			if len(f.assurances) == 0 {
				return errors.New("no device assurance policy to require: create one first (esc twice)")
			}
			if len(f.draft.AssuranceIDs) == 0 {
				return errors.New("Device assurance policies: choose at least one (x toggles)")
			}
			return nil
		},
	}
}

// otherRules are the rules the rule is placed among: the editable ones but itself.
func (f *AssuranceRuleFlow) otherRules() []okta.Rule {
	var others []okta.Rule
	for _, r := range f.editableRules() {
		if f.draft.Existing == nil || r.ID != f.draft.Existing.ID {
			others = append(others, r)
		}
	}
	return others
}

// priorityOptions are the positions a rule can take among the policy's rules, each marked when
// an earlier rule would decide every sign-in the rule matches.
func (f *AssuranceRuleFlow) priorityOptions() []huh.Option[int] {
	others := f.otherRules()
	body, err := f.draft.Body()
	n := len(others) + 1
	opts := make([]huh.Option[int], 0, n)
	for pos := 1; pos <= n; pos++ {
		var label string
		switch {
		case len(others) == 0:
			label = "1: the only rule before the catch-all"
		case pos == 1:
			label = fmt.Sprintf("1: first, before %q", others[0].Name)
		default:
			label = fmt.Sprintf("%d: after %q", pos, others[pos-2].Name)
		}
		if err == nil {
			label += neverMatchesNote(others, *body, pos)
		}
		opts = append(opts, huh.NewOption(label, pos))
	}
	return opts
}

func (f *AssuranceRuleFlow) settingsPage() formPage {
	return formPage{
		key: "settings", title: "Rule settings", owns: []string{"name", "access", "managed"},
		explain: "Device assurance needs registered devices (Okta Verify), so the rule always sets " +
			"registered: true; managed (enrolled in device management) is optional.",
		group: func() *huh.Group {
			d := &f.draft
			return huh.NewGroup(
				huh.NewInput().Title(withDefault(f.c, "Rule name", d.Name)).Value(&d.Name).Validate(flows.ValidateName("Rule name")),
				// A visible list, not an inline toggle: ← must not silently flip the decision.
				huh.NewSelect[string]().Title("Access for devices that pass").
					Options(huh.NewOption("Allow: let them in", flows.AccessAllow), huh.NewOption("Deny: block them", flows.AccessDeny)).
					Value(&d.Access),
				huh.NewConfirm().Title("Also require managed devices?").
					Description("Registered is always required (assurance needs Okta Verify).").
					Affirmative("Yes").Negative("No").Value(&d.Managed),
			)
		},
	}
}

// priorityPage comes after the settings: whether a position can ever match depends on them.
func (f *AssuranceRuleFlow) priorityPage() formPage {
	return formPage{
		key: "priority", title: "Priority", owns: []string{"priority"},
		explain: "Okta applies the first rule that matches. A position marked “never matches” is " +
			"behind an active rule that allows or denies the same people and devices already.",
		group: func() *huh.Group {
			d := &f.draft
			opts := f.priorityOptions()
			if d.Priority < 1 || d.Priority > len(opts) {
				d.Priority = len(opts)
			}
			desc := "1 is evaluated first."
			if body, err := d.Body(); err == nil {
				desc += shadowNote(f.otherRules(), *body)
			}
			// huh sizes a select by its options alone; the note's lines need room too.
			chrome := 2 + lipgloss.Height(lipgloss.NewStyle().Width(max(f.pf.width-4, 20)).Render(desc))
			height := f.pf.listHeight(len(opts), chrome)
			if height == 0 {
				height = len(opts) + chrome
			}
			return huh.NewGroup(huh.NewSelect[int]().Title("Priority").Description(desc).
				Options(opts...).Value(&d.Priority).Height(height))
		},
	}
}

// finish validates the answers and opens the protect step, then the review.
func (f *AssuranceRuleFlow) finish() tea.Cmd {
	_, err := f.draft.Plan()
	if fe := fieldErrorsOf(err); fe != nil {
		return f.pf.showErrors(fe)
	}
	if err != nil {
		f.pf.errMsg = "Cannot build the request: " + err.Error()
		return f.pf.reopen()
	}
	return daPush(f.protectStep())
}

// openReview shows the requests of the answers, the protect step's included.
func (f *AssuranceRuleFlow) openReview() tea.Cmd {
	plan, err := f.draft.Plan()
	if err != nil {
		f.pf.errMsg = "Cannot build the request: " + err.Error()
		return tea.Batch(func() tea.Msg { return PopToMsg{Target: f} })
	}
	review := run.NewReview(f.c, forReview(plan), run.ReviewOptions{
		ShowDiff:    f.draft.Existing != nil,
		Answers:     f.draft,
		PlanToSave:  &plan,
		OnConfirm:   func(flows.Plan) tea.Cmd { return daPush(f.submitScreen(plan)) },
		Explanation: ruleExplanation,
	})
	return daPush(review)
}

func (f *AssuranceRuleFlow) submitScreen(plan flows.Plan) Screen {
	c := f.c
	started := time.Now()
	step := plan.Steps[0]
	name := strings.TrimSpace(f.draft.Name)
	return run.NewSubmit(c, plan, func(created map[string]string) tea.Cmd {
		f.sent = true
		id := created[step.ID]
		filter := SyslogFilter{Title: "System Log · rule " + name, EventTypes: RuleEventTypes, ChangedAt: started, TrySignIn: signInFirst(f.draft.ProtectApps)}
		if step.Action == flows.ActCreateRule {
			filter.WaitFor = EventRuleAdd
			filter.Done = fmt.Sprintf("Added rule %q (%s) to %q.", name, id, f.draft.PolicyName)
		} else {
			id = step.ObjectID
			filter.WaitFor = EventRuleUpdate
			filter.Done = fmt.Sprintf("Updated rule %q (%s) of %q.", name, id, f.draft.PolicyName)
		}
		filter.TargetID = id
		return daPush(NewSyslogView(c, filter))
	}).WithNextSteps("sign in to an app of the policy from a registered device to see the requirement at work.").
		OnFix(func(int) tea.Cmd { return func() tea.Msg { return PopToMsg{Target: f} } })
}

const ruleExplanation = "An app sign-in policy rule can require devices to pass device assurance " +
	"policies (conditions.device.assurance.include). The device must be registered (Okta Verify); " +
	"managed is optional. Several policies are ORed. Rules are evaluated by priority; the first " +
	"that matches decides."

func (f *AssuranceRuleFlow) Init() tea.Cmd { return f.loadOrg() }

func (f *AssuranceRuleFlow) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case ruleFlowDataMsg:
		if msg.f != f {
			return f, nil
		}
		if msg.err != nil {
			f.rulesLoading = ""
			f.loadErr = msg.err
			f.pf.errMsg = "Could not read the org: " + msg.err.Error() + " (ctrl+r retries)"
			return f, nil
		}
		f.loadErr = nil
		if msg.rulesRead {
			f.rules = msg.rules
			sort.SliceStable(f.rules, func(i, j int) bool { return daRulePriority(f.rules[i]) < daRulePriority(f.rules[j]) })
			f.rulesOf = msg.policyID
			f.rulesLoading = ""
			f.pf.errMsg = ""
			return f, f.pf.refresh()
		}
		f.loaded = true
		f.policies, f.assurances = msg.policies, msg.assurances
		f.pf.errMsg = ""
		if len(f.policies) == 0 {
			f.pf.errMsg = "The org has no app sign-in policies (ACCESS_POLICY)."
			return f, nil
		}
		return f, f.pf.start()
	case tea.KeyMsg:
		if key.Matches(msg, f.c.Keys.Refresh) && !f.pf.capturing() {
			f.pf.form = nil
			if !f.loaded || f.pf.cur == "policy" || f.pf.cur == "" {
				f.loaded = false
				return f, f.loadOrg()
			}
			f.rulesOf = ""
			f.rulesLoading = f.draft.PolicyID
			return f, f.loadRules(f.draft.PolicyID)
		}
	}
	cmd, back := f.pf.update(msg)
	if back {
		return f, func() tea.Msg { return BackMsg{} }
	}
	// After the policy page, read that policy's rules (once per policy).
	if f.pf.cur == "rule" && f.rulesOf != f.draft.PolicyID && f.rulesLoading != f.draft.PolicyID {
		f.rulesLoading = f.draft.PolicyID
		return f, tea.Batch(cmd, f.loadRules(f.draft.PolicyID))
	}
	return f, cmd
}

func (f *AssuranceRuleFlow) Reveal() tea.Cmd { return f.pf.reopen() }

func (f *AssuranceRuleFlow) View() string {
	if !f.loaded && f.loadErr == nil {
		return f.c.Styles.Title.Render("App sign-in policy") + "\n\n" + f.c.Styles.Subtle.Render("Loading app sign-in and device assurance policies...")
	}
	return f.pf.view()
}

func (f *AssuranceRuleFlow) SetSize(w, h int) { f.pf.setSize(w, h) }

func (f *AssuranceRuleFlow) ShortHelp() []key.Binding {
	return append(f.pf.keys(), f.c.Keys.Refresh)
}

func (f *AssuranceRuleFlow) Title() string { return "Device assurance in a rule" }

func (f *AssuranceRuleFlow) Explanation() string { return f.pf.explanation(ruleExplanation) }

func (f *AssuranceRuleFlow) CapturingInput() bool { return f.pf.capturing() }
