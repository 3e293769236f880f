package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// applyOrg is a sandbox org and a Factory whose Connect returns a real okta.Client on it.
type applyOrg struct{ *cmdEnv }

func newApplyOrg(t *testing.T) *applyOrg {
	t.Helper()
	return &applyOrg{newCmdEnv(t, sandboxtest.RequestTimeout(20*time.Second))}
}

// apply runs `okta-device-wizard apply ARGS` and returns the exit code.
func (o *applyOrg) apply(t *testing.T, args ...string) int {
	t.Helper()
	return o.execute(append([]string{"apply"}, args...)...)
}

// planFile saves a DSC plan made in o (with names of what it references) and returns its path.
func (o *applyOrg) planFile(t testing.TB, extraMapping string) (string, flows.Plan) {
	t.Helper()
	d := flows.DSCDraft{
		AppPolicy: flows.PolicyChoice{Name: "Sales apps"},
		AppRule: flows.AppRuleDraft{Name: "Registered devices", Access: flows.AccessAllow,
			GroupIDs: []string{sandboxtest.GroupID(t, o.api, "Sales")}},
		Name: "Sales signals", RuleName: "Okta Verify", OktaVerify: true,
		UserIdentification: flows.UserIdentificationAllow,
		DevicePostureIdPID: sandboxtest.IdPID(t, o.api, "Device Posture Provider"), Activate: true,
	}
	if extraMapping != "" {
		d.ExtraMappings = []string{sandboxtest.PolicyID(t, o.api, okta.TypeAccessPolicy, extraMapping)}
	}
	p, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	p, err = flows.CollectRefs(context.Background(), o.api, p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := flows.SavePlanWithDraft(path, p, d); err != nil {
		t.Fatal(err)
	}
	return path, p
}

type applyCounts struct{ apps, dscs, appRules, dscRules, mappings int }

// applied is what the plan adds: two policies, the mapping, the DSC rule, and in the new app
// sign-in policy its rule and the catch-all rule Okta creates with every such policy.
func applied(before applyCounts) applyCounts {
	return applyCounts{before.apps + 1, before.dscs + 1, before.appRules + 2, before.dscRules + 1, before.mappings + 1}
}

func (o *applyOrg) counts(t *testing.T) applyCounts {
	t.Helper()
	ctx := context.Background()
	var c applyCounts
	apps, _ := o.api.ListPolicies(ctx, okta.TypeAccessPolicy)
	dscs, _ := o.api.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	c.apps, c.dscs = len(apps), len(dscs)
	for _, p := range apps {
		rules, _ := o.api.ListRules(ctx, p.ID)
		c.appRules += len(rules)
	}
	for _, p := range dscs {
		rules, _ := o.api.ListRules(ctx, p.ID)
		c.dscRules += len(rules)
		m, _ := o.api.ListMappings(ctx, p.ID)
		c.mappings += len(m)
	}
	return c
}

func TestApplyDryRunPrintsThePlansRequests(t *testing.T) {
	o := newApplyOrg(t)
	path, plan := o.planFile(t, "")
	before := o.counts(t)
	if code := o.apply(t, "--file", path, "--dry-run"); code != 0 {
		t.Fatalf("exit %d: %s", code, o.err)
	}
	want, _ := flows.FormatRequests(plan)
	if o.out.String() != want {
		t.Fatalf("dry run output:\n%s\nwant:\n%s", o.out, want)
	}
	if o.counts(t) != before {
		t.Fatal("a dry run wrote")
	}

	if code := o.apply(t, "--file", path, "--dry-run", "--json"); code != 0 {
		t.Fatalf("exit %d: %s", code, o.err)
	}
	var got []flows.Request
	if err := json.Unmarshal(o.out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	wantReqs, _ := flows.Requests(plan)
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(wantReqs)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Fatalf("--json dry run:\n%s\nwant\n%s", gotJSON, wantJSON)
	}
}

func TestApplyCreatesObjectsAndTwiceCreatesNoDuplicates(t *testing.T) {
	o := newApplyOrg(t)
	path, _ := o.planFile(t, "")
	before := o.counts(t)
	if code := o.apply(t, "--file", path); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, o.err, o.out)
	}
	after := o.counts(t)
	want := applied(before)
	if after != want {
		t.Fatalf("after apply %+v, want %+v\n%s", after, want, o.out)
	}
	if !strings.Contains(o.out.String(), "adopted, not created again") || !strings.Contains(o.out.String(), "Done: 6 requests") {
		t.Fatalf("output:\n%s", o.out)
	}
	if code := o.apply(t, "--file", path); code != 0 {
		t.Fatalf("second apply exit %d: %s", code, o.err)
	}
	if got := o.counts(t); got != want {
		t.Fatalf("second apply changed the org: %+v, want %+v", got, want)
	}
	if n := strings.Count(o.out.String(), "(already existed; not created again)"); n != 6 {
		t.Fatalf("second apply adopted %d steps:\n%s", n, o.out)
	}
	entries, _ := os.ReadDir(flows.DefaultJournalDir(o.f.StateDir))
	if len(entries) != 0 {
		t.Fatalf("finished runs left journals: %v", entries)
	}
}

// An Okta error stops the run with the error on stderr and a non-zero exit; --resume finishes
// it without sending the done steps again, --rollback undoes it.
func TestApplyFailureThenResumeOrRollback(t *testing.T) {
	for _, then := range []string{"--resume", "--rollback"} {
		t.Run(then, func(t *testing.T) {
			o := newApplyOrg(t)
			path, _ := o.planFile(t, "")
			before := o.counts(t)
			o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}})
			code := o.apply(t, "--file", path)
			if code == 0 {
				t.Fatal("apply succeeded despite the fault")
			}
			stderr := o.err.String()
			for _, want := range []string{"stage 3, Mapping", "E0000001", "Api validation failed", "cause: injected fault", "--resume", "--rollback"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr+o.out.String(), o.srv.Token()) {
				t.Fatal("output holds the token")
			}
			// A fresh apply of the same plan is refused while the run is unfinished.
			if code := o.apply(t, "--file", path); code == 0 || !strings.Contains(o.err.String(), "unfinished") {
				t.Fatalf("fresh apply beside an unfinished run: exit %d, %s", code, o.err)
			}
			o.srv.SetFaults(sandbox.Faults{})
			args := []string{then}
			if then == "--rollback" {
				args = append(args, "--yes") // no terminal here to ask on
			}
			if code := o.apply(t, args...); code != 0 {
				t.Fatalf("%s exit %d: %s\n%s", then, code, o.err, o.out)
			}
			got := o.counts(t)
			want := before
			if then == "--resume" {
				want = applied(before)
			}
			if got != want {
				t.Fatalf("after %s: %+v, want %+v\n%s", then, got, want, o.out)
			}
			if code := o.apply(t, args...); code == 0 || !strings.Contains(o.err.String(), "no unfinished run") {
				t.Fatalf("second %s: exit %d, %s", then, code, o.err)
			}
		})
	}
}

// TestApplyRefusedFirstRequestKeepsNoJournal: Okta refuses the first requests (both policy creates),
// so nothing changed:
// apply says so, keeps no journal (nothing to resume), and the same plan applies afterwards.
func TestApplyRefusedFirstRequestKeepsNoJournal(t *testing.T) {
	o := newApplyOrg(t)
	path, _ := o.planFile(t, "")
	before := o.counts(t)
	o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies"}}})
	if code := o.apply(t, "--file", path); code != ExitError {
		t.Fatalf("exit %d, want %d", code, ExitError)
	}
	if !strings.Contains(o.err.String(), "Okta changed nothing, so no journal is kept") || strings.Contains(o.err.String(), "--resume") {
		t.Errorf("stderr does not say that nothing is kept:\n%s", o.err)
	}
	if js, _ := flows.OpenJournals(flows.DefaultJournalDir(o.f.StateDir)); len(js) != 0 {
		t.Fatalf("a refused run left %d journal(s)", len(js))
	}
	if got := o.counts(t); got != before {
		t.Fatalf("org changed: %+v, want %+v", got, before)
	}
	o.srv.SetFaults(sandbox.Faults{})
	if code := o.apply(t, "--file", path); code != 0 {
		t.Fatalf("the fixed apply: exit %d, %s", code, o.err)
	}
}

// TestApplyRollbackAsksFirst: --rollback lists the requests that undo the run; without a
// terminal it undoes nothing and names --yes; on a terminal "n" undoes nothing and "y" rolls
// back.
func TestApplyRollbackAsksFirst(t *testing.T) {
	o := newApplyOrg(t)
	path, _ := o.planFile(t, "")
	before := o.counts(t)
	o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}})
	if code := o.apply(t, "--file", path); code == 0 {
		t.Fatal("apply succeeded despite the fault")
	}
	o.srv.SetFaults(sandbox.Faults{})
	stopped := o.counts(t)

	if code := o.apply(t, "--rollback"); code != ExitUsage || !strings.Contains(o.err.String(), "pass --yes") {
		t.Fatalf("--rollback without a terminal: exit %d, stderr %s", code, o.err)
	}
	if !strings.Contains(o.out.String(), "DELETE /api/v1/policies/") || !strings.Contains(o.out.String(), "not run, nothing to undo") {
		t.Errorf("the requests are not listed:\n%s", o.out)
	}
	if got := o.counts(t); got != stopped {
		t.Fatalf("--rollback without --yes changed the org: %+v, want %+v", got, stopped)
	}
	o.f.IO.InTTY = true
	o.f.IO.In = strings.NewReader("n\n")
	if code := o.apply(t, "--rollback"); code != 0 || !strings.Contains(o.err.String(), "Nothing was undone") {
		t.Fatalf("answer n: exit %d, %s", code, o.err)
	}
	if got := o.counts(t); got != stopped {
		t.Fatalf("answering n changed the org: %+v", got)
	}
	o.f.IO.In = strings.NewReader("y\n")
	if code := o.apply(t, "--rollback"); code != 0 {
		t.Fatalf("answer y: exit %d, %s", code, o.err)
	}
	if got := o.counts(t); got != before {
		t.Fatalf("after the roll back: %+v, want %+v", got, before)
	}
}

func TestApplyReportsMissingRefsByNameBeforeWriting(t *testing.T) {
	source := newApplyOrg(t)
	if _, err := source.api.CreatePolicy(context.Background(), okta.Policy{Type: okta.TypeAccessPolicy, Name: "Partner apps"}, true); err != nil {
		t.Fatal(err)
	}
	path, _ := source.planFile(t, "Partner apps")
	target := newApplyOrg(t)
	before := target.counts(t)
	code := target.apply(t, "--file", path)
	if code == 0 {
		t.Fatal("apply succeeded with a missing reference")
	}
	if !strings.Contains(target.err.String(), `"Partner apps"`) || !strings.Contains(target.err.String(), "nothing was sent") {
		t.Fatalf("stderr:\n%s", target.err)
	}
	if target.counts(t) != before {
		t.Fatal("apply wrote before reporting the missing reference")
	}
	// Once the target has it, the same file applies there.
	if _, err := target.api.CreatePolicy(context.Background(), okta.Policy{Type: okta.TypeAccessPolicy, Name: "Partner apps"}, true); err != nil {
		t.Fatal(err)
	}
	if code := target.apply(t, "--file", path, "--json"); code != 0 {
		t.Fatalf("exit %d: %s", code, target.err)
	}
	lines := strings.Split(strings.TrimSpace(target.out.String()), "\n")
	var last struct {
		Event   string            `json:"event"`
		Created map[string]string `json:"created"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Event != "outcome" || len(last.Created) != 7 {
		t.Fatalf("last JSON line %q: %+v %v", lines[len(lines)-1], last, err)
	}
}

func TestApplyExportCurl(t *testing.T) {
	// No configured org: apply resolves in the in-process sandbox Connect returns.
	t.Setenv("HOME", t.TempDir())
	t.Setenv("OKTA_CLIENT_ORGURL", "")
	o := newApplyOrg(t)
	path, plan := o.planFile(t, "")
	script := filepath.Join(t.TempDir(), "plan.sh")
	if code := o.apply(t, "--file", path, "--export-curl", script); code != 0 {
		t.Fatalf("exit %d: %s", code, o.err)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// The in-process sandbox is gone when apply ends: the script takes the org from OKTA_ORG_URL.
	if string(b) != flows.CurlScript(plan, "") {
		t.Fatal("exported script differs from flows.CurlScript")
	}
	if strings.Contains(string(b), o.srv.URL()) || !strings.Contains(string(b), `ORG_URL="${OKTA_ORG_URL:?set OKTA_ORG_URL`) {
		t.Error("the script names the port of a sandbox that is gone instead of requiring OKTA_ORG_URL")
	}
	if strings.Contains(string(b), o.srv.Token()) {
		t.Fatal("the script holds the token")
	}
}

func TestApplyUsageErrors(t *testing.T) {
	o := newApplyOrg(t)
	path, _ := o.planFile(t, "")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nsteps:\n  - id: a\n    action: nope\n"), 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitUsage, "--file"},
		{[]string{"--file", path, "--resume", "--rollback"}, ExitUsage, "exclude each other"},
		{[]string{"--file", path, "--dry-run", "--rollback"}, ExitUsage, "do not combine"},
		{[]string{"--file", bad}, ExitUsage, `bad.yaml:3: step 1 "a": unknown action "nope"`},
		{[]string{"--file", filepath.Join(t.TempDir(), "none.yaml")}, ExitUsage, "no such file"},
		{[]string{"--resume"}, ExitError, "no unfinished run"},
	}
	for _, c := range cases {
		if code := o.apply(t, c.args...); code != c.code || !strings.Contains(o.err.String(), c.want) {
			t.Errorf("apply %v: exit %d, stderr %q; want exit %d and %q", c.args, code, o.err, c.code, c.want)
		}
	}
	if o.connects != 1 { // only --resume needed the org
		t.Errorf("connected %d times", o.connects)
	}
}

func TestApplyResumeRefusesAnotherOrgsRun(t *testing.T) {
	o := newApplyOrg(t)
	path, _ := o.planFile(t, "")
	plan, _ := flows.LoadPlan(path)
	j, err := flows.NewJournal(flows.DefaultJournalDir(o.f.StateDir), plan, "https://acme.okta.com")
	if err != nil {
		t.Fatal(err)
	}
	if code := o.apply(t, "--resume"); code == 0 || !strings.Contains(o.err.String(), "acme.okta.com") {
		t.Fatalf("exit %d, %s", code, o.err)
	}
	if _, err := os.Stat(j.Path()); err != nil {
		t.Fatal("the other org's journal was touched")
	}
}

// After a failure the user fixes the plan file; --resume with it keeps the steps already done
// (same ids, not sent again) and sends the fixed ones.
func TestApplyResumeWithFixedPlan(t *testing.T) {
	o := newApplyOrg(t)
	path, plan := o.planFile(t, "")
	before := o.counts(t)
	o.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/rules", Nth: 2}}})
	if code := o.apply(t, "--file", path, "--concurrency", "1"); code == 0 {
		t.Fatal("want the DSC rule to fail")
	}
	o.srv.SetFaults(sandbox.Faults{})
	j, err := flows.OpenJournals(flows.DefaultJournalDir(o.f.StateDir))
	if err != nil || len(j) != 1 {
		t.Fatalf("journals: %v %v", j, err)
	}
	firstApp := j[0].Created()[flows.StepAppPolicy]
	for i, s := range plan.Steps {
		if s.ID == flows.StepDSCRule {
			plan.Steps[i].Body.(*okta.Rule).Name = "Fixed rule name"
		}
	}
	if err := flows.SavePlan(path, plan); err != nil {
		t.Fatal(err)
	}
	if code := o.apply(t, "--file", path, "--resume", "--json"); code != 0 {
		t.Fatalf("resume exit %d: %s", code, o.err)
	}
	if got := o.counts(t); got != applied(before) {
		t.Fatalf("after resume %+v, want %+v", got, applied(before))
	}
	lines := strings.Split(strings.TrimSpace(o.out.String()), "\n")
	var last struct{ Created map[string]string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Created[flows.StepAppPolicy] != firstApp {
		t.Fatalf("app policy id changed: %s, first run made %s", last.Created[flows.StepAppPolicy], firstApp)
	}
	rule, err := o.api.GetRule(context.Background(), last.Created[flows.StepDSCPolicy], last.Created[flows.StepDSCRule])
	if err != nil || rule.Name != "Fixed rule name" {
		t.Fatalf("DSC rule = %+v, %v", rule, err)
	}
}
