package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Stage 1: the app sign-in policy (picked or created) and its rule requiring registered devices.
func newStage1(f *dscFlow) *dscStage {
	d := &f.draft
	existing := func() bool { return f.appPick != newPolicyPick }
	reusing := func() bool { return existing() && d.AppRule.ReuseID != "" }
	return newDSCStage(f, flows.StageAppPolicy, []page{
		{
			needs: "access",
			load:  f.loadAccessPoliciesAndGroups,
			group: func() *huh.Group {
				opts := []huh.Option[string]{huh.NewOption("+ Create a new app sign-in policy", newPolicyPick)}
				for _, p := range f.org.accessPolicies {
					label := p.Name
					if p.Status == okta.StatusInactive {
						label += " (inactive)"
					}
					if dsc, mapped := f.org.dscOrg().MappedTo(p.ID); mapped {
						label += " · mapped to “" + dsc.Name + "”: can't be picked"
					}
					opts = append(opts, huh.NewOption(label, p.ID))
				}
				return huh.NewGroup(
					huh.NewSelect[string]().
						Title("App sign-in policy").
						Description("Apps using this policy will require a registered device.\nPick one of the org's policies (/ filters) or create one.").
						Options(opts...).
						Height(min(len(opts)+3, 12)).
						Validate(f.validatePick).
						Value(&f.appPick),
				)
			},
			done: func() {
				if f.appPick == newPolicyPick {
					d.AppPolicy.ExistingID, d.AppPolicy.ExistingName = "", ""
					d.AppRule.ReuseID, d.AppRule.ReuseName = "", ""
					return
				}
				if d.AppPolicy.ExistingID != f.appPick {
					d.AppRule.ReuseID, d.AppRule.ReuseName = "", ""
				}
				d.AppPolicy.ExistingID = f.appPick
				d.AppPolicy.ExistingName = f.policyName(f.appPick)
			},
		},
		{
			skip: existing,
			group: func() *huh.Group {
				return huh.NewGroup(
					huh.NewInput().Title("Name of the new app sign-in policy").
						Placeholder("e.g. Registered devices only").
						Validate(keepOr(&d.AppPolicy.Name, f.validateNewPolicyName)).
						CharLimit(flows.MaxNameLength+10).
						Value(&d.AppPolicy.Name),
					huh.NewInput().Title("Description (optional)").
						Validate(flows.ValidateDescription("App sign-in policy description")).
						Value(&d.AppPolicy.Description),
				).Description("It is created ACTIVE with Okta's catch-all rule; assign apps to it in the Admin Console.")
			},
		},
		{
			// Offered only when the picked policy already has a rule that requires a registered device.
			skip: func() bool {
				if !existing() {
					return true
				}
				rules, ok := f.org.rules[f.appPick]
				return ok && len(suitableRules(rules)) == 0
			},
			needs: "", // keyed per policy, see loadRules
			load:  f.loadRulesOfPick,
			group: func() *huh.Group {
				opts := []huh.Option[string]{}
				suitable := suitableRules(f.org.rules[f.appPick])
				// Reusing is the default the first time the offer is made for a policy.
				if !f.reuseOffered[f.appPick] && len(suitable) > 0 {
					f.reuseOffered[f.appPick] = true
					d.AppRule.ReuseID = suitable[0].ID
				}
				for _, r := range suitable {
					opts = append(opts, huh.NewOption(fmt.Sprintf("Reuse “%s” (%s)", r.Name, describeAppRule(r)), r.ID))
				}
				opts = append(opts, huh.NewOption("Create a new rule in this policy", ""))
				return huh.NewGroup(
					huh.NewSelect[string]().
						Title("A rule of “" + d.AppPolicy.ExistingName + "” already requires registered devices").
						Description("Reusing it sends no request for this stage.").
						Options(opts...).
						Height(min(len(opts)+2, 8)).
						Value(&d.AppRule.ReuseID),
				)
			},
			done: func() {
				d.AppRule.ReuseName = ""
				for _, r := range f.org.rules[f.appPick] {
					if r.ID == d.AppRule.ReuseID {
						d.AppRule.ReuseName = r.Name
					}
				}
			},
		},
		{
			skip: reusing,
			group: func() *huh.Group {
				return huh.NewGroup(
					huh.NewInput().Title(withDefault(f.c, "Rule name", d.AppRule.Name)).
						Validate(keepOr(&d.AppRule.Name, f.validateAppRuleName)).
						CharLimit(flows.MaxNameLength+10).
						Value(&d.AppRule.Name),
					huh.NewSelect[string]().Title("Access for a registered device").
						Options(
							huh.NewOption("ALLOW: let registered devices in", flows.AccessAllow),
							huh.NewOption("DENY: block them", flows.AccessDeny),
						).Value(&d.AppRule.Access),
					huh.NewConfirm().Title("Require managed devices too?").
						Description("Managed means enrolled in device management (MDM).").
						Affirmative("Yes").Negative("No").
						Value(&d.AppRule.Managed),
				).Title("New rule in “" + f.appPolicyLabel() + "”").
					Description("It matches sign-ins from registered devices (device.registered true).")
			},
		},
		{
			skip: func() bool { return reusing() || len(f.org.groups) == 0 },
			group: func() *huh.Group {
				groupOpts := make([]huh.Option[string], 0, len(f.org.groups))
				for _, g := range f.org.groups {
					groupOpts = append(groupOpts, huh.NewOption(g.Profile.Name, g.ID))
				}
				return huh.NewGroup(huh.NewMultiSelect[string]().
					Title("People: groups the rule applies to").
					Description("None chosen means everyone. x toggles, / filters.").
					Options(groupOpts...).
					Filterable(true).
					Height(min(len(groupOpts)+2, 7)).
					Value(&d.AppRule.GroupIDs))
			},
		},
		{
			// Its own page: whether a position can ever match depends on the groups just chosen.
			skip: reusing,
			load: f.loadRulesOfPick,
			group: func() *huh.Group {
				prio := f.priorityOptions()
				if d.AppRule.Priority < 1 || d.AppRule.Priority > len(prio) {
					d.AppRule.Priority = 1
				}
				note := f.shadowedNote()
				noteLines := 0
				if note != "" {
					noteLines = 2 // it may wrap once at 80 columns
				}
				return huh.NewGroup(huh.NewSelect[int]().
					Title("Priority: where the rule goes").
					Description("Okta applies the first rule that matches." + note).
					Options(prio...).
					Height(min(len(prio)+2, 7) + noteLines).
					Value(&d.AppRule.Priority))
			},
		},
	})
}

// loadAccessPoliciesAndGroups reads the ACCESS_POLICY list and the groups for stage 1.
func (f *dscFlow) loadAccessPoliciesAndGroups(ctx context.Context) (func(*orgData), error) {
	api := f.c.API
	policies, err := api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		return nil, fmt.Errorf("listing app sign-in policies: %w", err)
	}
	groups, err := api.ListGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing groups: %w", err)
	}
	// What is mapped already: a mapped policy can't be picked (Okta refuses the mapping), and
	// stage 2 refuses a signal collection policy name in use.
	dsc, mappings, err := readDSCMappings(ctx, api)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(groups, func(i, j int) bool {
		return strings.ToLower(groups[i].Profile.Name) < strings.ToLower(groups[j].Profile.Name)
	})
	return func(o *orgData) {
		o.accessPolicies, o.groups = policies, groups
		o.dscPolicies, o.mappings = dsc, mappings
		o.loaded["dsc"] = true
	}, nil
}

// loadRulesOfPick reads the rules of the picked policy (cached per policy).
func (f *dscFlow) loadRulesOfPick(ctx context.Context) (func(*orgData), error) {
	id := f.appPick
	if id == newPolicyPick {
		return nil, nil
	}
	if _, ok := f.org.rules[id]; ok {
		return nil, nil
	}
	rules, err := f.c.API.ListRules(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("listing the rules of “%s”: %w", f.policyName(id), err)
	}
	sortRules(rules)
	return func(o *orgData) { o.rules[id] = rules }, nil
}

// appPolicyLabel names the stage 1 policy, new or picked.
func (f *dscFlow) appPolicyLabel() string {
	if f.draft.AppPolicy.IsNew() {
		return f.draft.AppPolicy.Name
	}
	return f.draft.AppPolicy.ExistingName
}

func (f *dscFlow) policyName(id string) string {
	for _, p := range f.org.accessPolicies {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// priorityOptions lists the positions a new rule can take among the picked policy's rules; the
// catch-all (system) rule always stays last.
func (f *dscFlow) priorityOptions() []huh.Option[int] {
	var rules []okta.Rule
	if f.appPick != newPolicyPick {
		for _, r := range f.org.rules[f.appPick] {
			if !r.System {
				rules = append(rules, r)
			}
		}
	}
	if len(rules) == 0 {
		return []huh.Option[int]{huh.NewOption("1: first, before the catch-all rule", 1)}
	}
	body := *f.draft.AppRuleBody()
	opts := make([]huh.Option[int], 0, len(rules)+1)
	for i := 0; i <= len(rules); i++ {
		label := fmt.Sprintf("%d: last, before the catch-all rule", i+1)
		if i < len(rules) {
			label = fmt.Sprintf("%d: before “%s”", i+1, rules[i].Name)
		}
		opts = append(opts, huh.NewOption(label+neverMatchesNote(rules, body, i+1), i+1))
	}
	return opts
}

// validatePick refuses an app sign-in policy another signal collection policy maps: Okta
// would refuse the mapping after the rule was already created.
func (f *dscFlow) validatePick(id string) error {
	if id == newPolicyPick {
		return nil
	}
	if why := f.org.dscOrg().MappedElsewhereReason(id); why != "" {
		return fmt.Errorf("“%s” can't be picked: %s. Pick another or create one", f.policyName(id), why)
	}
	return nil
}

// validateNewPolicyName refuses a name another app sign-in policy has.
func (f *dscFlow) validateNewPolicyName(name string) error {
	if err := flows.ValidateName("App sign-in policy name")(name); err != nil {
		return err
	}
	if _, taken := f.org.dscOrg().PolicyNameTaken(okta.TypeAccessPolicy, name); taken {
		return fmt.Errorf("an app sign-in policy named “%s” exists: pick it from the list or choose another name", strings.TrimSpace(name))
	}
	return nil
}

// validateAppRuleName refuses a name another rule of the picked policy has.
func (f *dscFlow) validateAppRuleName(name string) error {
	if err := flows.ValidateName("App sign-in rule name")(name); err != nil {
		return err
	}
	if f.appPick == newPolicyPick {
		return nil
	}
	for _, r := range f.org.rules[f.appPick] {
		if strings.TrimSpace(r.Name) == strings.TrimSpace(name) {
			return fmt.Errorf("“%s” has a rule named “%s”: choose another name", f.policyName(f.appPick), r.Name)
		}
	}
	return nil
}

func sortRules(rules []okta.Rule) {
	sort.SliceStable(rules, func(i, j int) bool {
		pi, pj := 1<<30, 1<<30
		if rules[i].Priority != nil {
			pi = *rules[i].Priority
		}
		if rules[j].Priority != nil {
			pj = *rules[j].Priority
		}
		return pi < pj
	})
}

// suitableRules are the rules that already require a registered device.
func suitableRules(rules []okta.Rule) []okta.Rule {
	var out []okta.Rule
	for _, r := range rules {
		c := r.Conditions
		if c != nil && c.Device != nil && c.Device.Registered != nil && *c.Device.Registered {
			out = append(out, r)
		}
	}
	return out
}

func describeAppRule(r okta.Rule) string {
	var parts []string
	if r.Actions != nil && r.Actions.AppSignOn != nil && r.Actions.AppSignOn.Access != "" {
		parts = append(parts, r.Actions.AppSignOn.Access)
	}
	if c := r.Conditions; c != nil && c.Device != nil && c.Device.Managed != nil && *c.Device.Managed {
		parts = append(parts, "managed")
	}
	if r.Status != "" && r.Status != okta.StatusActive {
		parts = append(parts, strings.ToLower(r.Status))
	}
	if len(parts) == 0 {
		return "registered"
	}
	return strings.Join(parts, ", ")
}

// neverMatchesNote marks a priority option at which the rule could never match.
func neverMatchesNote(before []okta.Rule, rule okta.Rule, position int) string {
	if _, shadowed := flows.Shadowing(before, rule, position); shadowed {
		return " · never matches"
	}
	return ""
}

// shadowNote explains the marks: which earlier rule decides first, for the last position
// (the one every shadowing rule is ahead of). "" when every position can match.
func shadowNote(before []okta.Rule, rule okta.Rule) string {
	if w := flows.ShadowWarning(before, rule, len(before)+1); w != "" {
		return "\n· " + w + "."
	}
	return ""
}

// shadowedNote is shadowNote for the stage 1 rule among the picked policy's rules.
func (f *dscFlow) shadowedNote() string {
	if f.appPick == newPolicyPick {
		return ""
	}
	var rules []okta.Rule
	for _, r := range f.org.rules[f.appPick] {
		if !r.System {
			rules = append(rules, r)
		}
	}
	return shadowNote(rules, *f.draft.AppRuleBody())
}
