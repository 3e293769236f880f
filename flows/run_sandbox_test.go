package flows_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// runOrg is a sandbox org reached through the real okta.Client over HTTP.
type runOrg struct {
	srv *sandbox.Server
	api *okta.Client
}

func newRunOrg(tb testing.TB, faults sandbox.Faults) *runOrg {
	tb.Helper()
	srv, api := sandboxtest.Start(tb, sandboxtest.Faults(faults), sandboxtest.RequestTimeout(20*time.Second))
	return &runOrg{srv: srv, api: api}
}

// Names of the objects the representative plan creates.
const (
	runAppPolicy = "Sales apps"
	runAppRule   = "Registered devices only"
	runDSCPolicy = "Sales signals"
	runDSCRule   = "Collect from Okta Verify"
)

// dscPlan is a representative device signal collection plan for the org: a new app sign-in
// policy with a rule for the Sales group, a new DSC policy mapped to it, its rule with Okta
// Verify, the device posture IdP and a zone, then activation.
func (o *runOrg) dscPlan(tb testing.TB) flows.Plan {
	tb.Helper()
	p, err := o.dscDraft(tb).Plan()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// dscDraft is the draft of dscPlan.
func (o *runOrg) dscDraft(tb testing.TB) flows.DSCDraft {
	tb.Helper()
	return flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{Name: runAppPolicy, Description: "Apps used by Sales"},
		AppRule: flows.AppRuleDraft{Name: runAppRule, Access: flows.AccessAllow, Managed: true,
			GroupIDs: []string{sandboxtest.GroupID(tb, o.api, "Sales")}, Priority: 1},
		Name: runDSCPolicy, Description: "Signals for Sales",
		RuleName: runDSCRule, OktaVerify: true, UserIdentification: flows.UserIdentificationAllow,
		DevicePostureIdPID: sandboxtest.IdPID(tb, o.api, "Device Posture Provider"),
		PlatformOS:         []string{okta.PlatformMacOS, okta.PlatformWindows},
		ZoneIDs:            []string{sandboxtest.ZoneID(tb, o.api, "Office Network")},
		Activate:           true,
	}
}

// orgCounts is what a plan can leave behind, counted by listing. It stays comparable with ==
// (the tallies are strings), so "nothing else changed" is one comparison.
type orgCounts struct {
	AccessPolicies, DSCPolicies, DeviceAssurances int // totals
	AppPolicies, DSCNamed                         int // policies with the DSC plan's names
	AppRules, DSCRules, Mappings                  int // with the DSC plan's names, in those policies
	DSCActive                                     bool
	// Assurances counts device assurance policies by name; RulesPerPolicy counts the rules of
	// every app sign-in and DSC policy (rulesKey).
	Assurances, RulesPerPolicy tally
}

// tally is a count per name, written "name=n; name=n" in name order: readable in a failure
// message and comparable with ==. Names hold no "; ".
type tally string

func tallyOf(counts map[string]int) tally {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		if counts[name] != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", name, counts[name]))
		}
	}
	return tally(strings.Join(parts, "; "))
}

func (t tally) counts() map[string]int {
	out := map[string]int{}
	if t == "" {
		return out
	}
	for _, part := range strings.Split(string(t), "; ") {
		i := strings.LastIndex(part, "=")
		n, err := strconv.Atoi(part[i+1:])
		if err != nil {
			panic(fmt.Sprintf("tally %q: %v", t, err))
		}
		out[part[:i]] = n
	}
	return out
}

// plus returns t with delta added to name's count.
func (t tally) plus(name string, delta int) tally {
	c := t.counts()
	c[name] += delta
	return tallyOf(c)
}

// rulesKey names a policy in orgCounts.RulesPerPolicy.
func rulesKey(typ okta.PolicyType, policyName string) string { return string(typ) + "/" + policyName }

// listPolicies lists every app sign-in, device signal collection and device assurance policy.
func listPolicies(tb testing.TB, api okta.API) (apps, dscs []okta.Policy, das []okta.DeviceAssurance) {
	tb.Helper()
	ctx := context.Background()
	apps, err := api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	dscs, err = api.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	if err != nil {
		tb.Fatal(err)
	}
	das, err = api.ListDeviceAssurances(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return apps, dscs, das
}

func (o *runOrg) counts(tb testing.TB) orgCounts {
	tb.Helper()
	ctx := context.Background()
	var c orgCounts
	apps, dscs, das := listPolicies(tb, o.api)
	c.AccessPolicies, c.DSCPolicies, c.DeviceAssurances = len(apps), len(dscs), len(das)
	assurances := map[string]int{}
	for _, d := range das {
		assurances[d.Name]++
	}
	c.Assurances = tallyOf(assurances)
	rulesPerPolicy := map[string]int{}
	for _, p := range append(slices.Clone(apps), dscs...) {
		rules, err := o.api.ListRules(ctx, p.ID)
		if err != nil {
			tb.Fatal(err)
		}
		rulesPerPolicy[rulesKey(p.Type, p.Name)] += len(rules)
		switch {
		case p.Type == okta.TypeAccessPolicy && p.Name == runAppPolicy:
			c.AppPolicies++
			for _, r := range rules {
				if r.Name == runAppRule {
					c.AppRules++
				}
			}
		case p.Type == okta.TypeDeviceSignalCollection && p.Name == runDSCPolicy:
			c.DSCNamed++
			c.DSCActive = p.Status == okta.StatusActive
			for _, r := range rules {
				if r.Name == runDSCRule {
					c.DSCRules++
				}
			}
			maps, err := o.api.ListMappings(ctx, p.ID)
			if err != nil {
				tb.Fatal(err)
			}
			c.Mappings += len(maps)
		}
	}
	c.RulesPerPolicy = tallyOf(rulesPerPolicy)
	return c
}

// wantComplete checks the DSC plan's objects exist exactly once, and nothing else was added.
func wantComplete(tb testing.TB, got, baseline orgCounts) {
	tb.Helper()
	want := orgCounts{
		AccessPolicies: baseline.AccessPolicies + 1, DSCPolicies: baseline.DSCPolicies + 1, DeviceAssurances: baseline.DeviceAssurances,
		AppPolicies: 1, DSCNamed: 1, AppRules: 1, DSCRules: 1, Mappings: 1, DSCActive: true,
		Assurances: baseline.Assurances,
		// The new app sign-in policy has its catch-all rule besides the plan's.
		RulesPerPolicy: baseline.RulesPerPolicy.plus(rulesKey(okta.TypeAccessPolicy, runAppPolicy), 2).
			plus(rulesKey(okta.TypeDeviceSignalCollection, runDSCPolicy), 1),
	}
	if got != want {
		tb.Fatalf("org after the run:\n got %+v\nwant %+v", got, want)
	}
}

// wantRolledBack checks nothing the plan created is left.
func wantRolledBack(tb testing.TB, got, baseline orgCounts) {
	tb.Helper()
	if got != baseline {
		tb.Fatalf("org after roll back:\n got %+v\nwant %+v (the org before the run)", got, baseline)
	}
}

// reopen reads the only unfinished journal in dir back from disk, as a new process would.
func reopen(tb testing.TB, dir string) *flows.Journal {
	tb.Helper()
	js, err := flows.OpenJournals(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if len(js) != 1 {
		tb.Fatalf("want 1 unfinished journal in %s, got %d", dir, len(js))
	}
	return js[0]
}

func journalFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRunDSCPlanCreatesObjectsAndFinishesJournal(t *testing.T) {
	o := newRunOrg(t, sandbox.Faults{})
	base := o.counts(t)
	dir := t.TempDir()
	j, err := flows.NewJournal(dir, o.dscPlan(t), o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	var events []flows.Event
	out, err := flows.Run(context.Background(), o.api, j, func(e flows.Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	wantComplete(t, o.counts(t), base)
	if len(out.Created) != 6 {
		t.Fatalf("created = %v, want 6 ids", out.Created)
	}
	// The DSC rule went into the created DSC policy, with the chosen providers.
	rule, err := o.api.GetRule(context.Background(), out.Created[flows.StepDSCPolicy], out.Created[flows.StepDSCRule])
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rule.Actions.DeviceSignalCollection.DeviceContextProviders); got != 2 {
		t.Fatalf("DSC rule providers = %d, want 2", got)
	}
	maps, err := o.api.ListMappings(context.Background(), out.Created[flows.StepDSCPolicy])
	if err != nil || len(maps) != 1 || maps[0].ID != out.Created[flows.StepAppPolicy] {
		t.Fatalf("mappings = %+v (%v), want the app policy %s", maps, err, out.Created[flows.StepAppPolicy])
	}
	running, done := 0, 0
	for _, e := range events {
		switch e.State {
		case flows.StateRunning:
			running++
		case flows.StateDone:
			done++
		}
	}
	if running != 6 || done != 6 {
		t.Fatalf("events: %d running, %d done; want 6 and 6", running, done)
	}
	// Activation is last: after every other step finished.
	last := events[len(events)-1]
	if last.Step.ID != flows.StepActivateDSC || last.State != flows.StateDone {
		t.Fatalf("last event = %s %s, want activate-dsc done", last.Step.ID, last.State)
	}
	if files := journalFiles(t, dir); len(files) != 0 {
		t.Fatalf("a finished run left %v in the journal directory", files)
	}
}

// faultStep describes how to hit one step of a plan with a sandbox fault rule: the nth
// request of the plan matching method and path is the step's. lookup is the path the client
// reads (GET) to find out whether a write whose answer was lost took effect.
type faultStep struct {
	id     string
	method string
	path   string
	nth    int
	lookup string
}

// faultScenario is a plan run in a fresh sandbox with a fault injected at each of its steps
// in turn.
type faultScenario struct {
	name  string
	steps []faultStep // one per plan step, in plan order
	// prepare sets up the org (before the baseline is counted) and builds the plan with the
	// real plan builder.
	prepare func(t *testing.T, o *runOrg) scenarioRun
}

// scenarioRun is a prepared scenario: its plan and what the org must look like afterwards.
type scenarioRun struct {
	plan flows.Plan
	// complete checks the org once the plan took effect exactly once (a finished run or a resume).
	complete func(t *testing.T, got, base orgCounts)
	// rolledBack, when set, checks what the counts cannot see after a roll back (which already
	// found the counts equal to the baseline): e.g. a replaced object equals the original again.
	rolledBack func(t *testing.T)
}

var dscFaultSteps = []faultStep{
	{flows.StepAppPolicy, "POST", "/api/v1/policies", 1, "/api/v1/policies"},
	{flows.StepAppRule, "POST", "/api/v1/policies/*/rules", 1, "/api/v1/policies/*/rules"},
	{flows.StepDSCPolicy, "POST", "/api/v1/policies", 2, "/api/v1/policies"},
	{flows.MappingStepID(1), "POST", "/api/v1/policies/*/mappings", 1, "/api/v1/policies/*/mappings"},
	{flows.StepDSCRule, "POST", "/api/v1/policies/*/rules", 2, "/api/v1/policies/*/rules"},
	{flows.StepActivateDSC, "POST", "/api/v1/policies/*/lifecycle/activate", 1, "/api/v1/policies/*"},
}

var dscScenario = faultScenario{
	name:  "dsc",
	steps: dscFaultSteps,
	prepare: func(t *testing.T, o *runOrg) scenarioRun {
		return scenarioRun{plan: o.dscPlan(t), complete: func(t *testing.T, got, base orgCounts) { wantComplete(t, got, base) }}
	},
}

// dropUnreconciled drops the connection after the write and answers the client's look-up of
// the object with a 500: the outcome stays unknown, so the run fails and the journal must
// find out itself on resume or roll back.
const dropUnreconciled = "drop-unreconciled"

// faultKinds are the faults injected at every step: an Okta error, a 500, a connection
// dropped after the write (reconciled by the client or not), and a process killed before and
// after the request reached Okta.
var faultKinds = []string{sandbox.FaultValidation, sandbox.FaultServerError, sandbox.FaultDrop, dropUnreconciled, "killed-before-send", "killed-after-send"}

// TestRunFaultsThenResumeOrRollback injects, for each step of each plan (device signal
// collection; device assurance create and edit; assurance added to a new and to an existing
// app sign-in rule), every fault kind, then resumes or rolls back from the journal on disk,
// and counts the objects: no duplicate after a resume, no orphan after a roll back, and a
// replaced object restored as it was. A run Okta refused at its first request leaves no journal.
func TestRunFaultsThenResumeOrRollback(t *testing.T) {
	for _, sc := range append([]faultScenario{dscScenario}, assuranceFaultScenarios...) {
		for k, fs := range sc.steps {
			for _, kind := range faultKinds {
				for _, then := range []string{"resume", "rollback"} {
					t.Run(fmt.Sprintf("%s/%d-%s/%s/%s", sc.name, k+1, fs.id, kind, then), func(t *testing.T) {
						t.Parallel() // each case has its own sandbox
						runFaultCase(t, sc, k, kind, then)
					})
				}
			}
		}
	}
}

func runFaultCase(t *testing.T, sc faultScenario, k int, kind, then string) {
	fs := sc.steps[k]
	o := newRunOrg(t, sandbox.Faults{})
	run := sc.prepare(t, o)
	base := o.counts(t)
	dir := t.TempDir()
	plan := run.plan
	if len(plan.Steps) != len(sc.steps) {
		t.Fatalf("plan has %d steps, the scenario describes %d", len(plan.Steps), len(sc.steps))
	}
	if plan.Steps[k].ID != fs.id || plan.Steps[k].Method() != fs.method {
		t.Fatalf("plan step %d is %s %s, want %s %s", k, plan.Steps[k].Method(), plan.Steps[k].ID, fs.method, fs.id)
	}
	j, err := flows.NewJournal(dir, plan, o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var snapshot []byte
	onEvent := func(e flows.Event) {}
	switch kind {
	case "killed-before-send":
		// The process dies right after "running" reached the disk: the request never leaves.
		onEvent = func(e flows.Event) {
			if e.Index == k && e.State == flows.StateRunning {
				cancel()
			}
		}
	case "killed-after-send":
		// The request reaches Okta, then the process dies before "done" is written: the
		// journal on disk is the one from before the answer.
		onEvent = func(e flows.Event) {
			if e.Index == k && e.State == flows.StateRunning {
				snapshot, err = os.ReadFile(j.Path())
				if err != nil {
					t.Error(err)
				}
			}
			if e.Index == k && e.State == flows.StateDone {
				cancel()
			}
		}
	case dropUnreconciled:
		// The run sends no GET of its own, so the first one is the client's look-up.
		o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{
			{Kind: sandbox.FaultDrop, Method: fs.method, Path: fs.path, Nth: fs.nth},
			{Kind: sandbox.FaultServerError, Method: "GET", Path: fs.lookup, Nth: 1},
		}})
	default:
		o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: kind, Method: fs.method, Path: fs.path, Nth: fs.nth}}})
	}
	// Sequential, so the fault's Nth counts the plan's requests in order.
	_, runErr := flows.RunWith(ctx, o.api, j, flows.RunOptions{Concurrency: 1}, onEvent)
	o.srv.SetFaults(sandbox.Faults{})
	t.Logf("run with %s at %s: %v", kind, fs.id, runErr)
	if kind == "killed-after-send" {
		if snapshot == nil {
			t.Fatal("no journal snapshot was taken")
		}
		if err := os.WriteFile(j.Path(), snapshot, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if runErr == nil {
		// Only a dropped connection can end well: the client found the object by name, or
		// read back the replaced object.
		if kind != sandbox.FaultDrop {
			t.Fatalf("run succeeded despite %s at step %s", kind, fs.id)
		}
		run.complete(t, o.counts(t), base)
		if files := journalFiles(t, dir); len(files) != 0 {
			t.Fatalf("finished run left %v", files)
		}
		return
	}
	var se *flows.StepError
	if kind == sandbox.FaultValidation || kind == sandbox.FaultServerError {
		if !errors.As(runErr, &se) || se.Index != k {
			t.Fatalf("run error = %v, want a StepError for step %d", runErr, k)
		}
		var oe *okta.Error
		if !errors.As(runErr, &oe) {
			t.Fatalf("run error %v does not keep the *okta.Error", runErr)
		}
		if kind == sandbox.FaultValidation && (oe.ErrorCode != okta.CodeValidation || len(oe.ErrorCauses) == 0) {
			t.Fatalf("okta error = %+v, want E0000001 with causes", oe)
		}
		if k == 0 && kind == sandbox.FaultValidation {
			// Refused before anything took effect: nothing to resume or roll back, no journal.
			if files := journalFiles(t, dir); len(files) != 0 {
				t.Fatalf("a run refused at its first request left %v", files)
			}
			if !j.Gone() {
				t.Fatal("the refused run's journal does not report it is gone")
			}
			wantRolledBack(t, o.counts(t), base)
			return
		}
		rec := reopen(t, dir).Steps()[k]
		if rec.State != flows.StateFailed || !strings.Contains(rec.Error, oe.ErrorSummary) {
			t.Fatalf("journal record of the failed step = %+v", rec)
		}
	}
	if kind == dropUnreconciled {
		if !errors.As(runErr, &se) || se.Index != k || !errors.Is(runErr, okta.ErrOutcomeUnknown) {
			t.Fatalf("run error = %v, want a StepError for step %d with an unknown outcome", runErr, k)
		}
		if rec := reopen(t, dir).Steps()[k]; rec.State != flows.StateFailed || !rec.Uncertain {
			t.Fatalf("journal record of the step whose outcome is unknown = %+v, want failed and uncertain", rec)
		}
	}

	j2 := reopen(t, dir)
	switch then {
	case "resume":
		if _, err := flows.Run(context.Background(), o.api, j2, nil); err != nil {
			t.Fatalf("resume: %v", err)
		}
		run.complete(t, o.counts(t), base)
	case "rollback":
		if err := flows.Rollback(context.Background(), o.api, j2, nil); err != nil {
			t.Fatalf("roll back: %v", err)
		}
		wantRolledBack(t, o.counts(t), base)
		if run.rolledBack != nil {
			run.rolledBack(t)
		}
	}
	if files := journalFiles(t, dir); len(files) != 0 {
		t.Fatalf("after %s the journal directory holds %v", then, files)
	}
}
