package flows_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// inspectOrg is a sandbox org reached through the real okta.Client.
type inspectOrg struct {
	srv    *sandbox.Server
	api    *okta.Client
	flight *flightCounter
	clock  *atomic.Int64 // how far the sandbox's clock is ahead of ours
}

// flightCounter records the most requests ever in flight at once.
type flightCounter struct {
	next     http.RoundTripper
	now, max atomic.Int64
	total    atomic.Int64
}

func (f *flightCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	f.total.Add(1)
	for {
		m := f.max.Load()
		if n <= m || f.max.CompareAndSwap(m, n) {
			break
		}
	}
	return f.next.RoundTrip(r)
}

func newInspectOrg(tb testing.TB) *inspectOrg {
	tb.Helper()
	fc := &flightCounter{}
	clock := &atomic.Int64{}
	srv, api := sandboxtest.Start(tb, sandboxtest.Transport(func(next http.RoundTripper) http.RoundTripper {
		fc.next = next
		return fc
	}), sandboxtest.Now(func() time.Time { return time.Now().Add(time.Duration(clock.Load())) }))
	return &inspectOrg{srv: srv, api: api, flight: fc, clock: clock}
}

func inspPtr[T any](v T) *T { return &v }

func (o *inspectOrg) policy(t *testing.T, typ okta.PolicyType, name string, active bool) *okta.Policy {
	t.Helper()
	p, err := o.api.CreatePolicy(context.Background(), okta.Policy{Type: typ, Name: name}, active)
	if err != nil {
		t.Fatalf("create policy %q: %v", name, err)
	}
	return p
}

func (o *inspectOrg) deviceRule(t *testing.T, policyID, name string, priority int, dev *okta.DeviceCondition) *okta.Rule {
	t.Helper()
	r := okta.Rule{
		Type: okta.TypeAccessPolicy, Name: name, Priority: inspPtr(priority),
		Conditions: &okta.RuleConditions{Device: dev},
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}},
	}
	created, err := o.api.CreateRule(context.Background(), policyID, r, true)
	if err != nil {
		t.Fatalf("create rule %q: %v", name, err)
	}
	return created
}

func (o *inspectOrg) dscRule(t *testing.T, policyID, name string, providers ...okta.DeviceContextProvider) *okta.Rule {
	t.Helper()
	r := okta.Rule{
		Type: okta.TypeDeviceSignalCollection, Name: name,
		Actions: &okta.RuleActions{DeviceSignalCollection: &okta.DeviceSignalCollectionAction{DeviceContextProviders: providers}},
	}
	created, err := o.api.CreateRule(context.Background(), policyID, r, true)
	if err != nil {
		t.Fatalf("create DSC rule %q: %v", name, err)
	}
	return created
}

func (o *inspectOrg) mapPolicy(t *testing.T, dscID, appID string) {
	t.Helper()
	if _, err := o.api.MapResource(context.Background(), dscID, okta.MappingRequest{ResourceID: appID, ResourceType: string(okta.TypeAccessPolicy)}); err != nil {
		t.Fatalf("map %s to %s: %v", appID, dscID, err)
	}
}

// assignApp makes policyID the app sign-in policy of the seeded app labelled label.
func (o *inspectOrg) assignApp(t *testing.T, label, policyID string) okta.App {
	t.Helper()
	apps, err := o.api.ListApps(context.Background(), okta.AppQuery{Q: label})
	if err != nil || len(apps) == 0 {
		t.Fatalf("no app %q: %v", label, err)
	}
	if err := o.api.AssignAppPolicy(context.Background(), apps[0].ID, policyID); err != nil {
		t.Fatalf("assign %q to %s: %v", label, policyID, err)
	}
	return apps[0]
}

func (o *inspectOrg) assurance(t *testing.T, d okta.DeviceAssurance) *okta.DeviceAssurance {
	t.Helper()
	created, err := o.api.CreateDeviceAssurance(context.Background(), d)
	if err != nil {
		t.Fatalf("create assurance %q: %v", d.Name, err)
	}
	return created
}

func macOSAssurance(name string) okta.DeviceAssurance {
	return okta.DeviceAssurance{
		Name: name, Platform: okta.PlatformMacOS,
		OSVersion:          &okta.OSVersion{Minimum: "14.0"},
		DiskEncryptionType: &okta.IncludeStrings{Include: []string{"ALL_INTERNAL_VOLUMES"}},
		ScreenLockType:     &okta.IncludeStrings{Include: []string{"PASSCODE"}},
	}
}

func loadInv(t *testing.T, api okta.API, opts flows.LoadOptions) *flows.Inventory {
	t.Helper()
	inv, err := flows.LoadInventory(context.Background(), api, opts, nil)
	if err != nil {
		t.Fatalf("LoadInventory: %v", err)
	}
	return inv
}

func findApp(t *testing.T, inv *flows.Inventory, id string) flows.AppPolicyInfo {
	t.Helper()
	return findInInventory(t, inv.AppPolicies, id, func(a flows.AppPolicyInfo) string { return a.Policy.ID }, "app sign-in policy")
}

func findDSC(t *testing.T, inv *flows.Inventory, id string) flows.DSCInfo {
	t.Helper()
	return findInInventory(t, inv.DSCPolicies, id, func(d flows.DSCInfo) string { return d.Policy.ID }, "DSC policy")
}

func findAssurance(t *testing.T, inv *flows.Inventory, id string) flows.AssuranceInfo {
	t.Helper()
	return findInInventory(t, inv.Assurances, id, func(a flows.AssuranceInfo) string { return a.Assurance.ID }, "assurance policy")
}

// findInInventory returns the entry of list whose id (per idOf) is id; the test fails when none is.
func findInInventory[T any](t *testing.T, list []T, id string, idOf func(T) string, what string) T {
	t.Helper()
	for _, x := range list {
		if idOf(x) == id {
			return x
		}
	}
	t.Fatalf("%s %s not in the inventory", what, id)
	var zero T
	return zero
}

func warningsOf(inv *flows.Inventory, code, subjectID string) []flows.Warning {
	var out []flows.Warning
	for _, w := range inv.Warnings {
		if w.Code == code && w.Subject.ID == subjectID {
			out = append(out, w)
		}
	}
	return out
}

func TestLoadInventoryViewsAndCrossReferences(t *testing.T) {
	o := newInspectOrg(t)
	da := o.assurance(t, macOSAssurance("Mac baseline"))
	app := o.policy(t, okta.TypeAccessPolicy, "Inspect app policy", true)
	// Created out of priority order: the inventory lists rules by priority.
	o.deviceRule(t, app.ID, "Managed only", 1, &okta.DeviceCondition{Registered: inspPtr(true), Managed: inspPtr(true)})
	o.deviceRule(t, app.ID, "Registered with assurance", 0, &okta.DeviceCondition{Registered: inspPtr(true), Assurance: &okta.AssuranceIDList{Include: []string{da.ID}}})
	dsc := o.policy(t, okta.TypeDeviceSignalCollection, "Inspect DSC", true)
	o.dscRule(t, dsc.ID, "Collect from Okta Verify",
		okta.DeviceContextProvider{Key: okta.ProviderOktaVerify, UserIdentification: "ALLOW"},
		okta.DeviceContextProvider{Key: okta.ProviderChromeDeviceTrust})
	o.mapPolicy(t, dsc.ID, app.ID)
	workday := o.assignApp(t, "Workday", app.ID)

	inv := loadInv(t, o.api, flows.LoadOptions{})

	d := findDSC(t, inv, dsc.ID)
	if d.Policy.Status != okta.StatusActive {
		t.Errorf("DSC status = %q, want ACTIVE", d.Policy.Status)
	}
	if len(d.Mappings) != 1 || d.Mappings[0].PolicyID != app.ID || d.Mappings[0].PolicyName != app.Name {
		t.Errorf("DSC mappings = %+v, want one to %s %q", d.Mappings, app.ID, app.Name)
	}
	var providers []string
	for _, r := range d.Rules {
		providers = append(providers, r.Providers...)
	}
	if got := strings.Join(providers, "; "); !strings.Contains(got, "OKTA_VERIFY (userIdentification ALLOW)") || !strings.Contains(got, "CHROME_DEVICE_TRUST") {
		t.Errorf("DSC rule providers = %q", got)
	}

	a := findApp(t, inv, app.ID)
	if len(a.MappedDSC) != 1 || a.MappedDSC[0].ID != dsc.ID || a.MappedDSC[0].Name != "Inspect DSC" {
		t.Errorf("app policy mapped DSC = %+v, want %s", a.MappedDSC, dsc.ID)
	}
	var names []string
	for _, r := range a.Rules {
		names = append(names, r.Rule.Name)
	}
	if len(names) < 2 || names[0] != "Registered with assurance" || names[1] != "Managed only" {
		t.Errorf("rules in priority order = %q", names)
	}
	first := a.Rules[0]
	if !first.Registered || first.Managed || len(first.Assurances) != 1 || first.Assurances[0].ID != da.ID || first.Assurances[0].Name != "Mac baseline" {
		t.Errorf("first rule device conditions = %+v", first)
	}
	if second := a.Rules[1]; !second.Registered || !second.Managed {
		t.Errorf("second rule should require managed devices: %+v", second)
	}

	as := findAssurance(t, inv, da.ID)
	if len(as.UsedBy) != 1 || as.UsedBy[0].PolicyID != app.ID || as.UsedBy[0].RuleName != "Registered with assurance" {
		t.Errorf("assurance used by = %+v", as.UsedBy)
	}
	if got := strings.Join(as.Checks, ", "); !strings.Contains(got, "OS >= 14.0") || !strings.Contains(got, "disk encryption ALL_INTERNAL_VOLUMES") {
		t.Errorf("assurance checks = %q", got)
	}
	if as.GracePeriod != "none" {
		t.Errorf("grace period = %q, want none", as.GracePeriod)
	}
	// A well-configured chain has no warnings of its own.
	for _, w := range inv.Warnings {
		if w.Subject.ID == app.ID || w.Subject.ID == dsc.ID || w.Subject.ID == da.ID {
			t.Errorf("unexpected warning %+v", w)
		}
	}

	// Rows: the table cells carry the cross-references.
	if len(a.Apps) != 1 || a.Apps[0].ID != workday.ID || a.Apps[0].Name != "Workday" {
		t.Errorf("apps of the policy = %+v, want Workday (%s)", a.Apps, workday.ID)
	}
	rows := inv.Filter(flows.KindApp, "inspect app")
	if len(rows) != 1 || rows[0].Cells[2] != "1" || rows[0].Cells[6] != "Inspect DSC" || rows[0].Cells[5] != "Mac baseline" {
		t.Errorf("app rows for %q = %+v", "inspect app", rows)
	}
	js, err := inv.DetailJSON(rows[0])
	if err != nil || !strings.Contains(string(js), `"mappedDsc"`) || !strings.Contains(string(js), dsc.ID) {
		t.Errorf("detail JSON = %s, %v", js, err)
	}
}

func TestLoadInventoryWarnings(t *testing.T) {
	o := newInspectOrg(t)
	now := time.Now()
	// 1. A rule requiring registered devices in a policy no DSC policy is mapped to.
	lonely := o.policy(t, okta.TypeAccessPolicy, "No DSC here", true)
	o.deviceRule(t, lonely.ID, "Needs registered", 0, &okta.DeviceCondition{Registered: inspPtr(true)})
	// 2. A managed rule in a policy mapped only to an inactive DSC policy: also warns, and the
	//    inactive DSC policy warns itself.
	servedByInactive := o.policy(t, okta.TypeAccessPolicy, "Inactive DSC only", true)
	o.deviceRule(t, servedByInactive.ID, "Needs managed", 0, &okta.DeviceCondition{Registered: inspPtr(true), Managed: inspPtr(true)})
	inactive := o.policy(t, okta.TypeDeviceSignalCollection, "Dormant DSC", false)
	o.mapPolicy(t, inactive.ID, servedByInactive.ID)
	// 3. An assurance policy no rule uses, with a grace period that ended yesterday.
	expired := macOSAssurance("Expired grace")
	expired.GracePeriod = &okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: now.Add(-24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")}
	expired.DisplayRemediationMode = "SHOW"
	o.clock.Store(int64(-48 * time.Hour)) // Okta refuses a due date in the past: set it two days ago
	exp := o.assurance(t, expired)
	o.clock.Store(0)
	// 4. A future date and a duration do not count as expired.
	future := macOSAssurance("Future grace")
	future.GracePeriod = &okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: now.Add(48 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")}
	future.DisplayRemediationMode = "SHOW"
	fut := o.assurance(t, future)
	duration := macOSAssurance("Duration grace")
	duration.GracePeriod = &okta.GracePeriod{Type: okta.GraceByDuration, Expiry: "P30D"}
	duration.DisplayRemediationMode = "HIDE"
	dur := o.assurance(t, duration)
	// 5. An inactive rule requiring devices does not warn.
	quiet := o.policy(t, okta.TypeAccessPolicy, "Inactive rule only", true)
	r := o.deviceRule(t, quiet.ID, "Switched off", 0, &okta.DeviceCondition{Registered: inspPtr(true)})
	if err := o.api.DeactivateRule(context.Background(), quiet.ID, r.ID); err != nil {
		t.Fatal(err)
	}

	inv := loadInv(t, o.api, flows.LoadOptions{})

	if ws := warningsOf(inv, flows.WarnUnmappedDeviceRule, lonely.ID); len(ws) != 1 || !strings.Contains(ws[0].Message, `"Needs registered" requires registered devices`) {
		t.Errorf("unmapped rule warnings for %q = %+v", lonely.Name, ws)
	}
	ws := warningsOf(inv, flows.WarnUnmappedDeviceRule, servedByInactive.ID)
	if len(ws) != 1 || !strings.Contains(ws[0].Message, "requires managed devices") || !strings.Contains(ws[0].Message, `inactive "Dormant DSC"`) {
		t.Errorf("warnings for a policy served by an inactive DSC policy = %+v", ws)
	}
	if ws := warningsOf(inv, flows.WarnInactiveDSC, inactive.ID); len(ws) != 1 || ws[0].Kind != flows.KindDSC {
		t.Errorf("inactive DSC warnings = %+v", ws)
	}
	for _, da := range []*okta.DeviceAssurance{exp, fut, dur} {
		if ws := warningsOf(inv, flows.WarnUnusedAssurance, da.ID); len(ws) != 1 {
			t.Errorf("unused assurance warnings for %q = %+v", da.Name, ws)
		}
	}
	if ws := warningsOf(inv, flows.WarnGraceExpired, exp.ID); len(ws) != 1 {
		t.Errorf("expired grace warnings = %+v", ws)
	}
	for _, da := range []*okta.DeviceAssurance{fut, dur} {
		if ws := warningsOf(inv, flows.WarnGraceExpired, da.ID); len(ws) != 0 {
			t.Errorf("%q is not expired but warns: %+v", da.Name, ws)
		}
	}
	if got := findAssurance(t, inv, dur.ID).GracePeriod; !strings.Contains(got, "Okta gives no start") {
		t.Errorf("duration grace summary = %q", got)
	}
	if got := findAssurance(t, inv, exp.ID).GracePeriod; !strings.Contains(got, "(expired)") {
		t.Errorf("expired grace summary = %q", got)
	}
	if ws := warningsOf(inv, flows.WarnUnmappedDeviceRule, quiet.ID); len(ws) != 0 {
		t.Errorf("an inactive rule warned: %+v", ws)
	}
	// Warning rows mark their subjects in the other views and filter by code.
	if rows := inv.Filter(flows.KindWarnings, "grace-expired"); len(rows) != 1 || rows[0].ID != exp.ID {
		t.Errorf("warning rows for grace-expired = %+v", rows)
	}
	for _, r := range inv.Filter(flows.KindApp, lonely.Name) {
		if !r.Warn {
			t.Errorf("row of %q not marked as warned", lonely.Name)
		}
	}

	// Mapping the lonely policy to an active DSC policy clears its warning.
	active := o.policy(t, okta.TypeDeviceSignalCollection, "Active DSC", true)
	o.mapPolicy(t, active.ID, lonely.ID)
	inv = loadInv(t, o.api, flows.LoadOptions{})
	if ws := warningsOf(inv, flows.WarnUnmappedDeviceRule, lonely.ID); len(ws) != 0 {
		t.Errorf("warning left after mapping an active DSC policy: %+v", ws)
	}
}

// TestLoadInventoryEvents: every System Log event about an object the inspection covers (DSC
// and app sign-in policies, their rules, assurance policies) is kept: policy creates, rule adds
// and updates included; events of a policy no longer in the org are not.
func TestLoadInventoryEvents(t *testing.T) {
	o := newInspectOrg(t)
	ctx := context.Background()
	da := o.assurance(t, macOSAssurance("Evented"))
	dsc := o.policy(t, okta.TypeDeviceSignalCollection, "Evented DSC", false)
	if err := o.api.ActivatePolicy(ctx, dsc.ID); err != nil {
		t.Fatal(err)
	}
	app := o.policy(t, okta.TypeAccessPolicy, "Evented app policy", true)
	rule := o.deviceRule(t, app.ID, "Evented rule", 1, &okta.DeviceCondition{Registered: inspPtr(true)})
	rule.Name = "Evented rule (renamed)"
	if _, err := o.api.ReplaceRule(ctx, app.ID, *rule); err != nil {
		t.Fatal(err)
	}
	gone := o.policy(t, okta.TypeAccessPolicy, "Deleted app policy", false)
	if err := o.api.DeletePolicy(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}

	inv := loadInv(t, o.api, flows.LoadOptions{})
	kept := map[string]bool{}
	for _, e := range inv.Events {
		kept[e.UUID] = true
	}
	all, err := o.api.QueryLogs(ctx, okta.LogQuery{Filter: `eventType sw "device." or eventType sw "policy."`, Since: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Minute), Limit: 1000, Max: 1000})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{da.ID: true, dsc.ID: true, app.ID: true, rule.ID: true}
	seen := map[string]bool{}
	for _, e := range all {
		about := ""
		for _, tg := range e.Target {
			if covered[tg.ID] {
				about = tg.ID
			}
			if tg.ID == gone.ID && kept[e.UUID] {
				t.Errorf("%s of a deleted policy kept", e.EventType)
			}
		}
		if about == "" {
			continue
		}
		if !kept[e.UUID] {
			t.Errorf("%s about %s missing from Inspect › Events", e.EventType, about)
		}
		seen[e.EventType] = true
	}
	for _, want := range []string{"policy.lifecycle.create", "policy.rule.add", "policy.rule.update", "device.assurance.policy.add"} {
		if !seen[want] {
			t.Errorf("no %s event in the org's log to check (saw %v)", want, seen)
		}
	}
	for i := 1; i < len(inv.Events); i++ {
		if inv.Events[i].Published.After(inv.Events[i-1].Published) {
			t.Fatalf("events not newest first at %d", i)
		}
	}
	if rows := inv.Filter(flows.KindEvents, "device.assurance"); len(rows) == 0 {
		t.Error("filtering events by type found nothing")
	}

	inv = loadInv(t, o.api, flows.LoadOptions{SkipEvents: true})
	if len(inv.Events) != 0 {
		t.Errorf("SkipEvents still read %d events", len(inv.Events))
	}
}

func TestLoadInventoryEventsFailureIsAWarning(t *testing.T) {
	o := newInspectOrg(t)
	o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/logs"}}})
	inv := loadInv(t, o.api, flows.LoadOptions{})
	found := false
	for _, w := range inv.Warnings {
		if w.Code == flows.WarnEventsUnavailable && strings.Contains(w.Message, "E0000001") {
			found = true
		}
	}
	if !found {
		t.Errorf("no events-unavailable warning: %+v", inv.Warnings)
	}
}

func TestLoadInventoryOktaErrorFails(t *testing.T) {
	o := newInspectOrg(t)
	bad := sandboxtest.NewClient(t, o.srv, sandboxtest.ClientConfig(func(c *okta.Config) { c.Token = "wrong-token" }))
	_, err := flows.LoadInventory(context.Background(), bad, flows.LoadOptions{}, nil)
	if !okta.IsCode(err, okta.CodeInvalidToken) {
		t.Fatalf("err = %v, want E0000011", err)
	}
	if strings.Contains(err.Error(), o.srv.Token()) {
		t.Fatal("error carries the token")
	}
}

func TestLoadInventoryHonoursCancel(t *testing.T) {
	o := newInspectOrg(t)
	if err := o.srv.SeedLarge(300, 2, 5); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	_, err := flows.LoadInventory(ctx, o.api, flows.LoadOptions{PageSize: 50}, func(p flows.Progress) {
		if calls.Add(1) == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestLoadInventoryLargeOrg(t *testing.T) {
	if testing.Short() {
		t.Skip("large org")
	}
	o := newInspectOrg(t)
	if err := o.srv.SeedLarge(2000, 5, 200); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wantApp, wantDSC, wantDA := listPolicies(t, o.api)
	if len(wantApp) < 2000 || len(wantDA) < 200 {
		t.Fatalf("seeded org has %d app policies, %d assurances", len(wantApp), len(wantDA))
	}

	var mu sync.Mutex
	var reports, streamed int
	lastRead := -1
	const concurrency = 8
	inv, err := flows.LoadInventory(ctx, o.api, flows.LoadOptions{Concurrency: concurrency}, func(p flows.Progress) {
		mu.Lock()
		defer mu.Unlock()
		reports++
		streamed += len(p.NewRows)
		if p.PoliciesRead < lastRead {
			t.Errorf("progress went backwards: %d after %d", p.PoliciesRead, lastRead)
		}
		lastRead = p.PoliciesRead
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.AppPolicies) != len(wantApp) || len(inv.DSCPolicies) != len(wantDSC) || len(inv.Assurances) != len(wantDA) {
		t.Fatalf("inventory has %d app, %d DSC, %d assurance; org has %d, %d, %d",
			len(inv.AppPolicies), len(inv.DSCPolicies), len(inv.Assurances), len(wantApp), len(wantDSC), len(wantDA))
	}
	seen := map[string]bool{}
	for _, a := range inv.AppPolicies {
		seen[a.Policy.ID] = true
	}
	for _, p := range wantApp {
		if !seen[p.ID] {
			t.Fatalf("policy %s %q missing from the inventory", p.ID, p.Name)
		}
	}
	// Every policy's rules were read: compare a sample against the API.
	for _, i := range []int{0, len(wantApp) / 2, len(wantApp) - 1} {
		id := wantApp[i].ID
		rules, err := o.api.ListRules(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := findApp(t, inv, id).Rules; len(got) != len(rules) {
			t.Errorf("policy %s: %d rules in the inventory, %d in the org", id, len(got), len(rules))
		}
	}
	totalRules := 0
	for _, a := range inv.AppPolicies {
		totalRules += len(a.Rules)
	}
	if totalRules < 2000*5 {
		t.Errorf("only %d app sign-in rules loaded", totalRules)
	}
	if streamed != len(wantApp)+len(wantDSC) {
		t.Errorf("progress streamed %d rows, want %d", streamed, len(wantApp)+len(wantDSC))
	}
	if reports < 10 {
		t.Errorf("only %d progress reports for a large org", reports)
	}
	if got := o.flight.max.Load(); got > concurrency {
		t.Errorf("%d requests in flight at once, bound is %d", got, concurrency)
	}
	if len(inv.Filter(flows.KindApp, "")) != len(wantApp) {
		t.Error("empty filter does not return every row")
	}
}

func TestFilterRows(t *testing.T) {
	o := newInspectOrg(t)
	o.policy(t, okta.TypeAccessPolicy, "Finance Apps", true)
	o.policy(t, okta.TypeAccessPolicy, "Finance Admin", true)
	o.policy(t, okta.TypeAccessPolicy, "HR portal", true)
	inv := loadInv(t, o.api, flows.LoadOptions{SkipEvents: true})
	names := func(rows []flows.Row) string {
		var out []string
		for _, r := range rows {
			out = append(out, r.Cells[0])
		}
		return strings.Join(out, ",")
	}
	if got := names(inv.Filter(flows.KindApp, "FINANCE")); got != "Finance Apps,Finance Admin" && got != "Finance Admin,Finance Apps" {
		t.Errorf("case-insensitive filter = %q", got)
	}
	if got := names(inv.Filter(flows.KindApp, "admin finance")); got != "Finance Admin" {
		t.Errorf("every word must match: %q", got)
	}
	if got := inv.Filter(flows.KindApp, "nothing-like-this"); len(got) != 0 {
		t.Errorf("no match returned %d rows", len(got))
	}
	if got, all := len(inv.Filter(flows.KindApp, "  ")), len(inv.Rows(flows.KindApp)); got != all {
		t.Errorf("blank filter returned %d of %d", got, all)
	}
	// Objects and Filtered keep the JSON shape for scripts.
	objs := inv.Objects(flows.KindApp, "hr portal")
	if len(objs) != 1 || objs[0].(*flows.AppPolicyInfo).Policy.Name != "HR portal" {
		t.Errorf("objects = %+v", objs)
	}
	sub := inv.Filtered("finance")
	if len(sub.AppPolicies) != 2 || len(sub.Rows(flows.KindApp)) != 2 {
		t.Errorf("filtered inventory has %d app policies", len(sub.AppPolicies))
	}
	b, _ := json.Marshal(sub)
	var back map[string]json.RawMessage
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"orgUrl", "loadedAt", "dscPolicies", "appPolicies", "assurances", "events", "warnings"} {
		if _, ok := back[k]; !ok {
			t.Errorf("inventory JSON lacks %q", k)
		}
	}
}

func TestGraceSummary(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		g       *okta.GracePeriod
		expired bool
		want    string
	}{
		{nil, false, "none"},
		{&okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: "2026-01-09T18:30:45.000Z"}, true, "expired"},
		{&okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: "2026-01-10T12:00:00Z"}, true, "expired"},
		{&okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: "2026-02-01T00:00:00"}, false, "until 2026-02-01T00:00:00Z"},
		{&okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: "soon"}, false, "unreadable date"},
		{&okta.GracePeriod{Type: okta.GraceByDuration, Expiry: "P30D"}, false, "P30D after a device first fails"},
	}
	for _, c := range cases {
		got, expired := flows.GraceSummary(c.g, now)
		if expired != c.expired || !strings.Contains(got, c.want) {
			t.Errorf("GraceSummary(%+v) = %q, %v; want %q, %v", c.g, got, expired, c.want, c.expired)
		}
	}
}

func TestMappingTarget(t *testing.T) {
	links := func(href string) okta.Links {
		b, _ := json.Marshal(okta.Link{Href: href})
		return okta.Links{"policy": b}
	}
	if got := flows.MappingTarget(okta.PolicyMapping{ID: "m1", Links: links("https://x/api/v1/policies/rst1")}, "dsc1"); got != "rst1" {
		t.Errorf("from _links.policy: %q", got)
	}
	// A link back to the DSC policy itself says nothing about the target: fall back to the id.
	if got := flows.MappingTarget(okta.PolicyMapping{ID: "rst2", Links: links("https://x/api/v1/policies/dsc1")}, "dsc1"); got != "rst2" {
		t.Errorf("fallback to id: %q", got)
	}
}

func TestParseKind(t *testing.T) {
	if k, err := flows.ParseKind("Assurance"); err != nil || k != flows.KindAssurance {
		t.Errorf("ParseKind(Assurance) = %q, %v", k, err)
	}
	if k, err := flows.ParseKind("apps"); err != nil || k != flows.KindApps {
		t.Errorf("ParseKind(apps) = %q, %v", k, err)
	}
	if _, err := flows.ParseKind("users"); err == nil || !strings.Contains(err.Error(), "dsc, app, apps, assurance, events, warnings") {
		t.Errorf("ParseKind(users) error = %v", err)
	}
}

func BenchmarkLoadInventoryLargeOrg(b *testing.B) {
	o := newInspectOrg(b)
	if err := o.srv.SeedLarge(2000, 5, 200); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	var inv *flows.Inventory
	b.ResetTimer()
	for b.Loop() {
		inv = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		var err error
		if inv, err = flows.LoadInventory(context.Background(), o.api, flows.LoadOptions{}, nil); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	// What the loaded inventory itself keeps on the heap (the in-process sandbox excluded).
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "inventory-MB")
	runtime.KeepAlive(inv)
}

func BenchmarkFilterLargeOrg(b *testing.B) {
	o := newInspectOrg(b)
	if err := o.srv.SeedLarge(2000, 5, 200); err != nil {
		b.Fatal(err)
	}
	inv, err := flows.LoadInventory(context.Background(), o.api, flows.LoadOptions{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"a", "ac", "acc", "active 1", "policy 19", "zzz-no-match"}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		inv.Filter(flows.KindApp, queries[i%len(queries)])
		i++
	}
}

// rejectDSCListing answers the listing of DEVICE_SIGNAL_COLLECTION policies as an org without
// the feature does (400 E0000001) and passes every other request to the sandbox.
type rejectDSCListing struct{ next http.RoundTripper }

func (r rejectDSCListing) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/api/v1/policies" && req.URL.Query().Get("type") == string(okta.TypeDeviceSignalCollection) {
		body := `{"errorCode":"E0000001","errorSummary":"Api validation failed: type","errorLink":"E0000001","errorId":"oaeX","errorCauses":[{"errorSummary":"type: Invalid policy type."}]}`
		return &http.Response{StatusCode: 400, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)), Request: req}, nil
	}
	return r.next.RoundTrip(req)
}

func TestLoadInventoryWithoutDSCFeature(t *testing.T) {
	o := newInspectOrg(t)
	api := sandboxtest.NewClient(t, o.srv, sandboxtest.Transport(func(next http.RoundTripper) http.RoundTripper {
		return rejectDSCListing{next}
	}))
	inv := loadInv(t, api, flows.LoadOptions{SkipEvents: true})
	if len(inv.AppPolicies) == 0 || len(inv.DSCPolicies) != 0 {
		t.Fatalf("inventory: %d app, %d DSC policies", len(inv.AppPolicies), len(inv.DSCPolicies))
	}
	found := false
	for _, w := range inv.Warnings {
		found = found || (w.Code == flows.WarnDSCUnavailable && strings.Contains(w.Message, "E0000001"))
	}
	if !found {
		t.Errorf("no dsc-unavailable warning: %+v", inv.Warnings)
	}
}

// TestLoadInventoryAppsAndTheirPolicies: the apps view lists every app with the app sign-in
// policy it uses, each policy lists the apps it protects, and a policy no app uses warns
// until an app is assigned to it.
func TestLoadInventoryAppsAndTheirPolicies(t *testing.T) {
	o := newInspectOrg(t)
	fresh := o.policy(t, okta.TypeAccessPolicy, "Nobody uses me", true)
	inv := loadInv(t, o.api, flows.LoadOptions{SkipEvents: true})

	if ws := warningsOf(inv, flows.WarnPolicyWithoutApps, fresh.ID); len(ws) != 1 || ws[0].Kind != flows.KindApp ||
		!strings.Contains(ws[0].Message, "no app uses this app sign-in policy") {
		t.Errorf("warnings for a policy no app uses = %+v", ws)
	}
	for _, r := range inv.Filter(flows.KindApp, fresh.Name) {
		if !r.Warn || r.Cells[2] != "0" {
			t.Errorf("row of a policy no app uses: warn %v, apps %q", r.Warn, r.Cells[2])
		}
	}
	twoFactors := findApp(t, inv, sandboxtest.PolicyID(t, o.api, okta.TypeAccessPolicy, "Any two factors"))
	var names []string
	for _, a := range twoFactors.Apps {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "Salesforce.com") || !strings.Contains(got, "Workday") {
		t.Errorf("apps of “Any two factors” = %s", got)
	}
	if ws := warningsOf(inv, flows.WarnPolicyWithoutApps, twoFactors.Policy.ID); len(ws) != 0 {
		t.Errorf("a policy with apps warns: %+v", ws)
	}
	if rows := inv.Filter(flows.KindApps, "salesforce"); len(rows) != 1 ||
		strings.Join(rows[0].Cells, "|") != "Salesforce.com|SAML|ACTIVE|Any two factors" {
		t.Errorf("apps rows for salesforce = %+v", rows)
	}
	if n := inv.Count(flows.KindApps); n != len(inv.Apps) || n == 0 {
		t.Errorf("apps view has %d rows for %d apps", n, len(inv.Apps))
	}
	if got := inv.Filtered("salesforce").Apps; len(got) != 1 || got[0].Policy.Name != "Any two factors" {
		t.Errorf("filtered inventory apps = %+v", got)
	}

	o.assignApp(t, "Slack", fresh.ID)
	inv = loadInv(t, o.api, flows.LoadOptions{SkipEvents: true})
	if ws := warningsOf(inv, flows.WarnPolicyWithoutApps, fresh.ID); len(ws) != 0 {
		t.Errorf("warning left after assigning an app: %+v", ws)
	}
	rows := inv.Filter(flows.KindApps, "slack")
	if len(rows) != 1 || rows[0].Cells[3] != fresh.Name {
		t.Errorf("Slack's row after the assignment = %+v", rows)
	}
}

// TestLoadInventoryWithoutAppsAccess: an org that refuses the apps list still inspects; one
// warning says the apps are unknown and no policy is blamed for protecting none.
func TestLoadInventoryWithoutAppsAccess(t *testing.T) {
	_, api := sandboxtest.Start(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/apps"},
	}}))
	inv := loadInv(t, api, flows.LoadOptions{SkipEvents: true})
	var codes []string
	for _, w := range inv.Warnings {
		codes = append(codes, w.Code)
	}
	if got := strings.Join(codes, ","); !strings.Contains(got, flows.WarnAppsUnavailable) || strings.Contains(got, flows.WarnPolicyWithoutApps) {
		t.Errorf("warnings without the apps list = %s", got)
	}
	if len(inv.AppPolicies) == 0 {
		t.Error("no app sign-in policies listed when only the apps list failed")
	}
}
