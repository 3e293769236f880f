package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
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
)

// Helpers that drive the real wizard model (ui.New) from this package, so the plan files it
// saves can be run through the commands, and that compare what two orgs hold.

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// uiDriver runs the wizard's root model without a tea.Program: each message goes through Update
// and the commands it returns run to completion before the next key, so screens are
// deterministic. Animation ticks (cursor blink, spinner) are dropped so the loop ends.
type uiDriver struct {
	t *testing.T
	m tea.Model
}

// newUIDriver starts the wizard on api at 100x30.
func newUIDriver(t *testing.T, api okta.API) *uiDriver {
	t.Helper()
	c := &ui.Common{
		Width: 100, Height: 30, API: api, OrgLabel: "SANDBOX", Sandbox: true,
		JournalDir: t.TempDir(), Styles: ui.DefaultStyles(), Keys: ui.DefaultKeyMap(), Log: ui.DiscardLog(),
	}
	d := &uiDriver{t: t, m: ui.New(c)}
	for _, msg := range d.run(d.m.Init()) {
		d.send(msg)
	}
	d.send(tea.WindowSizeMsg{Width: c.Width, Height: c.Height})
	return d
}

func (d *uiDriver) send(msg tea.Msg) {
	d.t.Helper()
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 5000 {
			d.t.Fatal("ui driver: the message loop does not settle")
		}
		next := queue[0]
		queue = queue[1:]
		if _, ok := next.(tea.QuitMsg); ok {
			continue
		}
		m, cmd := d.m.Update(next)
		d.m = m
		queue = append(queue, d.run(cmd)...)
	}
}

// run executes cmd (batches and sequences too) and returns the messages to deliver.
func (d *uiDriver) run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	if fn := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()); fn != nil {
		if name := fn.Name(); strings.Contains(name, "/cursor.") || strings.Contains(name, "/spinner.") {
			return nil
		}
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(20 * time.Second):
		return nil // a timer that never fires in a test
	}
	if msg == nil {
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, d.run(c)...)
		}
		return out
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			out = append(out, d.run(v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	name := fmt.Sprintf("%T", msg)
	if strings.Contains(name, "cursor.") || strings.Contains(name, "spinner.") || strings.Contains(strings.ToLower(name), "blink") || name == "tea.windowSizeMsg" {
		return nil
	}
	return []tea.Msg{msg}
}

func (d *uiDriver) key(ks ...tea.KeyType) {
	for _, k := range ks {
		d.send(tea.KeyMsg{Type: k})
	}
}

func (d *uiDriver) typeText(s string) { d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

// flat is the screen with line breaks and padding folded into single spaces.
func (d *uiDriver) flat() string { return strings.Join(strings.Fields(d.m.View()), " ") }

// require fails unless the (folded) screen shows every want.
func (d *uiDriver) require(want ...string) {
	d.t.Helper()
	v := d.flat()
	for _, w := range want {
		if !strings.Contains(v, strings.Join(strings.Fields(w), " ")) {
			d.t.Fatalf("screen lacks %q:\n%s", w, d.m.View())
		}
	}
}

// review returns the plan the review screen on top shows.
func (d *uiDriver) review() flows.Plan {
	d.t.Helper()
	r, ok := d.m.(*ui.App).Top().(*ui.Review)
	if !ok {
		d.t.Fatalf("the review is not on top:\n%s", d.m.View())
	}
	return r.Plan()
}

// dscToReview walks the device signal collection flow with a new app sign-in policy (rule for
// the first group), Okta Verify and Chrome Device Trust, iOS only, to the review.
func (d *uiDriver) dscToReview(appPolicy, dscName string) {
	d.t.Helper()
	d.require("Device signal collection")
	d.key(tea.KeyEnter)
	d.require("Stage 1 of 5", "+ Create a new app sign-in policy")
	d.key(tea.KeyEnter)
	d.require("Name of the new app sign-in policy")
	d.typeText(appPolicy)
	d.key(tea.KeyEnter, tea.KeyEnter) // name, description
	d.require("New rule in “" + appPolicy + "”")
	d.key(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // rule name, ALLOW, not managed
	d.require("People: groups the rule applies to")
	d.typeText("x")
	d.key(tea.KeyEnter, tea.KeyEnter)
	d.require("Stage 2 of 5")
	d.typeText(dscName)
	d.key(tea.KeyEnter, tea.KeyEnter)
	d.require("Stage 3 of 5")
	d.key(tea.KeyEnter)
	d.require("Stage 4 of 5", "Device context providers")
	d.key(tea.KeyEnter, tea.KeyDown)
	d.typeText("x")
	d.key(tea.KeyEnter)
	d.require("Okta Verify: user identification")
	d.key(tea.KeyEnter)
	d.require("Only on these platforms")
	d.typeText("x")
	d.key(tea.KeyEnter, tea.KeyEnter)
	d.require("Stage 5 of 5", "POST /api/v1/policies?activate=true", "ctrl+s save plan")
}

// assuranceToReview walks the device assurance flow to the review of a new iOS policy: dynamic
// minimum OS version with the latest security patch, passcode screen lock, jailbreak blocked,
// no grace period, remediation shown.
func (d *uiDriver) assuranceToReview(name string) {
	d.t.Helper()
	d.require("Device assurance")
	d.key(tea.KeyDown, tea.KeyEnter)
	d.require("1. Create a device assurance policy")
	d.typeText("1")
	d.require("Name and platform", "Policy name")
	d.typeText(name)
	d.key(tea.KeyEnter)
	d.require("> iOS")
	d.key(tea.KeyEnter)
	d.require("Dynamic MINIMUM")
	d.key(tea.KeyDown, tea.KeyDown, tea.KeyEnter)
	d.require("Distance from the latest major version")
	d.key(tea.KeyEnter)
	d.typeText("y")
	d.require("Screen lock types allowed")
	d.typeText("x")
	d.key(tea.KeyEnter)
	d.require("Block jailbroken or rooted devices?")
	d.typeText("y")
	d.typeText("n")
	d.require("When a device fails the checks")
	d.key(tea.KeyEnter)
	d.require("In the Sign-In Widget")
	d.key(tea.KeyEnter)
	d.require("POST /api/v1/device-assurances", "ctrl+s save plan")
}

// savePlan saves the plan under review to path with ctrl+s and checks the message.
func (d *uiDriver) savePlan(path string) {
	d.t.Helper()
	d.key(tea.KeyCtrlS)
	d.require("Save plan to:")
	d.key(tea.KeyCtrlU)
	d.typeText(path)
	d.key(tea.KeyEnter)
	d.require(ui.SavedPlanMessage(path))
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
