package cmd

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

// Helpers that drive the real wizard model (ui.New) from this package, so the plan files it
// saves can be run through the commands, and that compare what two orgs hold.

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// uiDriver steps the wizard's root model message by message (see uitest.Driver); a command
// (a request to the sandbox) gets up to 20 s before its message is dropped.
type uiDriver struct {
	*uitest.Driver
	t *testing.T
}

// newUIDriver starts the wizard on api at 100x30.
func newUIDriver(t *testing.T, api okta.API) *uiDriver {
	t.Helper()
	c := &ui.Common{
		Width: 100, Height: 30, API: api, OrgLabel: "SANDBOX", Sandbox: true,
		JournalDir: t.TempDir(), Styles: ui.DefaultStyles(), Keys: ui.DefaultKeyMap(), Log: ui.DiscardLog(),
	}
	return &uiDriver{Driver: uitest.New(t, ui.New(c), c.Width, c.Height, uitest.CommandTimeout(20*time.Second)), t: t}
}

// review returns the plan the review screen on top shows.
func (d *uiDriver) review() flows.Plan {
	d.t.Helper()
	r, ok := d.Model().(*ui.App).Top().(*run.Review)
	if !ok {
		d.t.Fatalf("the review is not on top:\n%s", d.View())
	}
	return r.Plan()
}

// dscToReview walks the device signal collection flow with a new app sign-in policy (rule for
// the first group), Okta Verify and Chrome Device Trust, iOS only, to the review.
func (d *uiDriver) dscToReview(appPolicy, dscName string) {
	d.t.Helper()
	d.RequireFlat("Device signal collection")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Stage 1 of 5", "+ Create a new app sign-in policy")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Name of the new app sign-in policy")
	d.TypeText(appPolicy)
	d.Key(tea.KeyEnter, tea.KeyEnter) // name, description
	d.RequireFlat("New rule in “" + appPolicy + "”")
	d.Key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // rule name, ALLOW, not managed
	d.RequireFlat("People: groups the rule applies to")
	d.TypeText("x")
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("Protect these apps with “" + appPolicy + "” (optional)")
	d.Key(tea.KeyEnter) // no app
	d.RequireFlat("Stage 2 of 5")
	d.TypeText(dscName)
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("Stage 3 of 5")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Stage 4 of 5", "Device context providers")
	d.Key(tea.KeyEnter, tea.KeyDown)
	d.TypeText("x")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Okta Verify: user identification")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Only on these platforms")
	d.TypeText("x")
	d.Key(tea.KeyEnter, tea.KeyEnter)
	d.RequireFlat("Stage 5 of 5", "POST /api/v1/policies?activate=true", "ctrl+s save")
}

// assuranceToReview walks the device assurance flow to the review of a new iOS policy: dynamic
// minimum OS version with the latest security patch, passcode screen lock, jailbreak blocked,
// no grace period, remediation shown.
func (d *uiDriver) assuranceToReview(name string) {
	d.t.Helper()
	d.RequireFlat("Device assurance")
	d.Key(tea.KeyDown, tea.KeyEnter)
	d.RequireFlat("1. Create a device assurance policy")
	d.TypeText("1")
	d.RequireFlat("Name and platform", "Policy name")
	d.TypeText(name)
	d.Key(tea.KeyEnter)
	d.RequireFlat("> iOS")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Dynamic MINIMUM")
	d.Key(tea.KeyDown, tea.KeyDown, tea.KeyEnter)
	d.RequireFlat("Distance from the latest major version")
	d.Key(tea.KeyEnter)
	d.TypeText("y")
	d.RequireFlat("Screen lock types allowed")
	d.TypeText("x")
	d.Key(tea.KeyEnter)
	d.RequireFlat("Block jailbroken or rooted devices?")
	d.TypeText("y")
	d.TypeText("n")
	d.RequireFlat("When a device fails the checks")
	d.Key(tea.KeyEnter)
	d.RequireFlat("In the Sign-In Widget")
	d.Key(tea.KeyEnter)
	d.RequireFlat("POST /api/v1/device-assurances", "ctrl+s save")
}

// savePlan saves the plan under review to path with ctrl+s and checks the message.
func (d *uiDriver) savePlan(path string) {
	d.t.Helper()
	d.Key(tea.KeyCtrlS)
	d.RequireFlat("Save plan to:")
	d.Key(tea.KeyCtrlU)
	d.TypeText(path)
	d.Key(tea.KeyEnter)
	d.RequireFlat(run.SavedPlanMessage(path))
}

var (
	volatileKeys = map[string]bool{"id": true, "created": true, "lastUpdated": true, "createdDate": true,
		"lastUpdate": true, "createdBy": true, "lastUpdatedBy": true}
	leftoverIDRE = regexp.MustCompile(`\b[0-9a-z]{3}[A-Za-z0-9]{17}\b`)
)

// orgSnapshot describes every policy (with its rules and mappings) and device assurance
// policy of an org as sorted lines of JSON, ids replaced by the names of what they point at
// and the org URL by ORG, so orgs with different ids compare equal when they hold the same
// objects.
func orgSnapshot(t *testing.T, api okta.API) []string {
	t.Helper()
	ctx := context.Background()
	names := map[string]string{}
	groups, err := api.ListGroups(ctx)
	must(t, err)
	for _, g := range groups {
		names[g.ID] = "group:" + g.Profile.Name
	}
	idps, err := api.ListIdentityProviders(ctx)
	must(t, err)
	for _, x := range idps {
		names[x.ID] = "idp:" + x.Name
	}
	zones, err := api.ListNetworkZones(ctx)
	must(t, err)
	for _, z := range zones {
		names[z.ID] = "zone:" + z.Name
	}
	das, err := api.ListDeviceAssurances(ctx)
	must(t, err)
	for _, x := range das {
		names[x.ID] = "assurance:" + x.Name
	}
	type policyRules struct {
		p     okta.Policy
		rules []okta.Rule
		maps  []okta.PolicyMapping
	}
	var all []policyRules
	for _, typ := range []okta.PolicyType{okta.TypeAccessPolicy, okta.TypeDeviceSignalCollection} {
		ps, err := api.ListPolicies(ctx, typ)
		must(t, err)
		for _, p := range ps {
			names[p.ID] = "policy:" + p.Name
			rules, err := api.ListRules(ctx, p.ID)
			must(t, err)
			for _, r := range rules {
				names[r.ID] = "rule:" + r.Name
			}
			pr := policyRules{p: p, rules: rules}
			if typ == okta.TypeDeviceSignalCollection {
				pr.maps, err = api.ListMappings(ctx, p.ID)
				must(t, err)
			}
			all = append(all, pr)
		}
	}
	describe := func(v any) string {
		b, err := json.Marshal(v)
		must(t, err)
		var generic any
		must(t, json.Unmarshal(b, &generic))
		b, err = json.Marshal(dropVolatile(generic, true))
		must(t, err)
		s := strings.ReplaceAll(string(b), strings.TrimRight(api.OrgURL(), "/"), "ORG")
		s = leftoverIDRE.ReplaceAllStringFunc(s, func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			return "<id>"
		})
		return s
	}
	var out []string
	for _, pr := range all {
		out = append(out, "policy "+describe(pr.p))
		for _, r := range pr.rules {
			out = append(out, "rule of "+pr.p.Name+" "+describe(r))
		}
		for _, m := range pr.maps {
			out = append(out, "mapping of "+pr.p.Name+" "+describe(m))
		}
	}
	for _, x := range das {
		out = append(out, "assurance "+describe(x))
	}
	sort.Strings(out)
	return out
}

// dropVolatile removes timestamps, and the object's own id (nested ids are references, kept
// and named), from a decoded JSON value.
func dropVolatile(v any, top bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if volatileKeys[k] && (k != "id" || top) {
				delete(x, k)
				continue
			}
			x[k] = dropVolatile(e, false)
		}
	case []any:
		for i, e := range x {
			x[i] = dropVolatile(e, false)
		}
	}
	return v
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// requireSameSnapshot fails with the lines that differ.
func requireSameSnapshot(t *testing.T, what string, got, want []string) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	g, w := in(got), in(want)
	var b strings.Builder
	for _, s := range want {
		if !g[s] {
			b.WriteString("- " + s + "\n")
		}
	}
	for _, s := range got {
		if !w[s] {
			b.WriteString("+ " + s + "\n")
		}
	}
	t.Fatalf("%s: the orgs differ (%d vs %d objects; - only in the reference, + only here):\n%s", what, len(got), len(want), b.String())
}
