package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/simulate"
)

// ExitRuleNotDecided: `simulate --expect-rule NAME` and another rule (or none) decides.
const ExitRuleNotDecided = 7

type simulateOptions struct {
	f          *Factory
	app        string
	groups     []string
	user       string
	platform   string
	registered bool
	managed    bool
	assurance  string
	zones      []string
	risk       string
	json       bool
	expectRule string
	planFile   string
	// set reports whether a flag was given (registered/managed are unknown unless given).
	set func(name string) bool
}

func newSimulateCmd(f *Factory) *cobra.Command {
	o := &simulateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "simulate --app APP (--group GROUP... | --user USER) [flags]",
		Short: "Ask Okta which app sign-in policy and rule decide a sign-in",
		Long: `Simulate asks Okta (POST /api/v1/policies/simulate) which app sign-in policy and rule
decide a sign-in to an app, and why: each condition of each rule tried, MATCH, NOT_MATCH or
UNDEFINED (the sign-in does not say). Nothing in the org changes.

With --plan PLAN (a plan saved from a review screen) nothing is asked of Okta's simulation: the
plan is applied to a copy of the app, the policies and the rules it touches, and the sign-in is
evaluated there. That is the wizard's prediction of what Okta will decide once the plan is sent,
and the output says so.

Name the app, groups, user (login, email or id), device assurance policy and zones by name or id.
--registered and --managed are unknown unless given (--registered=false for an unregistered device).

Exit codes: 0 ok, 1 error (Okta's error is printed), 2 bad usage (also an app, group, user,
assurance policy or zone the org does not have), 7 --expect-rule names a rule that does not
decide (and the codes every command shares: 5 bad configuration, 6 credentials refused).`,
		Example: `  okta-device-wizard simulate --app Salesforce.com --group Sales --platform MACOS --registered
  okta-device-wizard simulate --app Workday --user alice@example.com --registered=false --json
  okta-device-wizard simulate --app Salesforce.com --group Sales --registered --managed \
      --assurance "macOS encrypted" --expect-rule "Compliant Macs"
  okta-device-wizard simulate --plan dsc.plan.json --app Workday --group Sales --registered \
      --expect-rule "Registered devices only"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Errorf("simulate takes no arguments, got %q", strings.Join(args, " ")))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.set = func(name string) bool { return cmd.Flags().Changed(name) }
			err := o.run(cmd.Context())
			var coded *CodedError
			if err != nil && !(errors.As(err, &coded) && coded.Code == ExitUsage) {
				cmd.SilenceUsage = true
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.app, "app", "", "the app signed in to (label or id)")
	fl.StringArrayVar(&o.groups, "group", nil, "a group of the signing-in user (name or id; repeat for several)")
	fl.StringVar(&o.user, "user", "", "the signing-in user (login, email or id); excludes --group")
	fl.StringVar(&o.platform, "platform", "", "device platform: "+strings.Join(simulate.Platforms, ", "))
	fl.BoolVar(&o.registered, "registered", false, "the device is registered (Okta Verify); =false for not")
	fl.BoolVar(&o.managed, "managed", false, "the device is managed; =false for not")
	fl.StringVar(&o.assurance, "assurance", "", "the device assurance policy the device meets (name or id)")
	fl.StringArrayVar(&o.zones, "zone", nil, "a network zone the sign-in comes from (name or id; repeat for several)")
	fl.StringVar(&o.risk, "risk", "", "risk level: "+strings.Join(simulate.RiskLevels, ", "))
	fl.BoolVar(&o.json, "json", false, "print the request, the decision and Okta's whole answer as JSON")
	fl.StringVar(&o.expectRule, "expect-rule", "", "exit 7 unless the rule named NAME decides")
	fl.StringVar(&o.planFile, "plan", "", "predict instead: the saved PLAN applied to a copy of the org, evaluated here, nothing sent")
	return cmd
}

// checkFlags refuses what can be refused without asking Okta.
func (o *simulateOptions) checkFlags() error {
	switch {
	case strings.TrimSpace(o.app) == "":
		return errors.New("--app is required: the app signed in to, by label or id")
	case len(o.groups) == 0 && o.user == "":
		return errors.New("give --user or at least one --group: whose sign-in to simulate")
	case len(o.groups) > 0 && o.user != "":
		return errors.New("--user and --group exclude each other (Okta simulates a user or groups, not both)")
	case o.platform != "" && !slices.Contains(simulate.Platforms, strings.ToUpper(o.platform)):
		return fmt.Errorf("--platform %q is not a platform: use %s", o.platform, strings.Join(simulate.Platforms, ", "))
	case o.risk != "" && !slices.Contains(simulate.RiskLevels, strings.ToUpper(o.risk)):
		return fmt.Errorf("--risk %q is not a risk level: use %s", o.risk, strings.Join(simulate.RiskLevels, ", "))
	case o.set("managed") && o.managed && o.set("registered") && !o.registered:
		return errors.New("--managed needs a registered device: drop --registered=false")
	}
	return nil
}

func (o *simulateOptions) run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := o.checkFlags(); err != nil {
		return usageError(err)
	}
	var plan flows.Plan
	if o.planFile != "" {
		p, err := flows.LoadPlan(o.planFile)
		if err == nil {
			err = flows.CheckPlan(p, time.Now())
		}
		if err != nil {
			return usageError(fmt.Errorf("%s: %w", o.planFile, err))
		}
		plan = p
	}
	if o.f.Connect == nil {
		return errors.New("no way to connect to an org")
	}
	org, err := o.f.Connect(ctx)
	if err != nil {
		return err
	}
	if org.Close != nil {
		defer org.Close()
	}
	if o.planFile != "" {
		if plan, err = resolvePlanRefs(ctx, org, plan); err != nil {
			return err
		}
	}
	req, app, err := o.request(ctx, org.API, plan)
	if err != nil {
		return err
	}
	var (
		res *okta.SimulationResult
		d   *simDecision
		doc = simulationJSON{Source: "okta", Org: org.Label, Request: req}
	)
	if o.planFile == "" {
		if res, err = org.API.SimulatePolicy(ctx, req); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		if d, err = decisionOf(ctx, org.API, res); err != nil {
			return err
		}
	} else {
		snap, err := flows.LoadSnapshot(ctx, org.API, plan, req)
		if err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		pred, err := flows.Predict(plan, snap, req)
		if err != nil {
			return fmt.Errorf("simulate: predicting: %w", err)
		}
		res, d = pred.Result, predictedDecision(pred)
		doc.Source, doc.Label, doc.Plan = "prediction", pred.Label, o.planFile
	}
	doc.Decision, doc.Result = d, res
	if o.json {
		err = writeSimulationJSON(o.f.IO.Out, doc)
	} else {
		err = writeSimulationText(o.f.IO.Out, doc, app, o.describe())
	}
	if err != nil {
		return err
	}
	if o.expectRule != "" && (d == nil || d.Rule.Name != o.expectRule) {
		decided := "no rule decides"
		if d != nil {
			decided = fmt.Sprintf("rule %q of %q decides", d.Rule.Name, d.Policy.Name)
		}
		return &CodedError{Code: ExitRuleNotDecided, Err: fmt.Errorf("expected rule %q to decide, but %s", o.expectRule, decided)}
	}
	return nil
}

// request resolves the flags' names to ids in the org.
// A device assurance policy the plan creates may be named too: it stands for the one the plan
// will create.
func (o *simulateOptions) request(ctx context.Context, api okta.API, plan flows.Plan) (okta.SimulationRequest, okta.App, error) {
	req := okta.SimulationRequest{PolicyTypes: []string{string(okta.TypeAccessPolicy)}}
	apps, err := api.ListApps(ctx, okta.AppQuery{})
	if err != nil {
		return req, okta.App{}, fmt.Errorf("listing apps: %w", err)
	}
	app, err := pickNamed("app", o.app, apps, func(a okta.App) []string { return []string{a.ID, a.Label, a.Name} })
	if err != nil {
		return req, app, err
	}
	req.AppInstance = app.ID
	pc := &req.PolicyContext
	if o.user != "" {
		users, err := api.ListUsers(ctx, "")
		if err != nil {
			return req, app, fmt.Errorf("listing users: %w", err)
		}
		u, err := pickNamed("user", o.user, users, func(u okta.User) []string { return []string{u.ID, u.Profile.Login, u.Profile.Email} })
		if err != nil {
			return req, app, err
		}
		pc.User = &okta.SimUser{ID: u.ID}
	}
	if len(o.groups) > 0 {
		groups, err := api.ListGroups(ctx)
		if err != nil {
			return req, app, fmt.Errorf("listing groups: %w", err)
		}
		pc.Groups = &okta.SimIDs{}
		for _, name := range o.groups {
			g, err := pickNamed("group", name, groups, func(g okta.Group) []string { return []string{g.ID, g.Profile.Name} })
			if err != nil {
				return req, app, err
			}
			pc.Groups.IDs = append(pc.Groups.IDs, g.ID)
		}
	}
	dev := okta.SimDevice{Platform: strings.ToUpper(o.platform)}
	if o.set("registered") {
		dev.Registered = &o.registered
	}
	if o.set("managed") {
		dev.Managed = &o.managed
	}
	if o.assurance != "" {
		das, err := api.ListDeviceAssurances(ctx)
		if err != nil {
			return req, app, fmt.Errorf("listing device assurance policies: %w", err)
		}
		for _, s := range plan.Steps {
			if b, ok := s.Body.(*okta.DeviceAssurance); ok && s.Action == flows.ActCreateDeviceAssurance && b.Name == o.assurance {
				das = append(das, okta.DeviceAssurance{ID: flows.Placeholder(s.ID), Name: b.Name})
			}
		}
		d, err := pickNamed("device assurance policy", o.assurance, das, func(d okta.DeviceAssurance) []string { return []string{d.ID, d.Name} })
		if err != nil {
			return req, app, err
		}
		dev.AssuranceID = d.ID
	}
	if dev != (okta.SimDevice{}) {
		pc.Device = &dev
	}
	if len(o.zones) > 0 {
		zones, err := api.ListNetworkZones(ctx)
		if err != nil {
			return req, app, fmt.Errorf("listing network zones: %w", err)
		}
		pc.Zones = &okta.SimIDs{}
		for _, name := range o.zones {
			z, err := pickNamed("network zone", name, zones, func(z okta.NetworkZone) []string { return []string{z.ID, z.Name} })
			if err != nil {
				return req, app, err
			}
			pc.Zones.IDs = append(pc.Zones.IDs, z.ID)
		}
	}
	if o.risk != "" {
		pc.Risk = &okta.SimRisk{Level: strings.ToUpper(o.risk)}
	}
	return req, app, nil
}

// pickNamed finds the one object whose id or a name is given; none or several is a usage error
// naming what the org has.
func pickNamed[T any](what, given string, list []T, names func(T) []string) (T, error) {
	var hits []T
	for _, x := range list {
		if slices.Contains(names(x), given) {
			hits = append(hits, x)
		}
	}
	var zero T
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		var known []string
		for i, x := range list {
			if i == 8 {
				known = append(known, "...")
				break
			}
			known = append(known, fmt.Sprintf("%q", names(x)[1]))
		}
		return zero, usageError(fmt.Errorf("no %s %q in the org (it has %s)", what, given, strings.Join(known, ", ")))
	}
	return zero, usageError(fmt.Errorf("%d objects answer to %s %q: give its id", len(hits), what, given))
}

// describe is the simulated sign-in in words.
func (o *simulateOptions) describe() string {
	var parts []string
	if o.user != "" {
		parts = append(parts, "user "+o.user)
	} else {
		parts = append(parts, "groups "+strings.Join(o.groups, ", "))
	}
	if o.platform != "" {
		parts = append(parts, strings.ToUpper(o.platform))
	}
	for _, f := range []struct {
		name string
		val  bool
	}{{"registered", o.registered}, {"managed", o.managed}} {
		switch {
		case !o.set(f.name):
		case f.val:
			parts = append(parts, f.name)
		default:
			parts = append(parts, "not "+f.name)
		}
	}
	if o.assurance != "" {
		parts = append(parts, "meets "+o.assurance)
	}
	if len(o.zones) > 0 {
		parts = append(parts, "from "+strings.Join(o.zones, ", "))
	}
	if o.risk != "" {
		parts = append(parts, strings.ToUpper(o.risk)+" risk")
	}
	return strings.Join(parts, ", ")
}
