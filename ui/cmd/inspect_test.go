package cmd

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// inspectEnv is a sandbox org and a Factory whose Connect returns a real okta.Client for it.
type inspectEnv struct{ *cmdEnv }

// newInspectEnv connects with token, or with the org's own token when token is "".
func newInspectEnv(t *testing.T, token string) *inspectEnv {
	t.Helper()
	var opts []sandboxtest.Option
	if token != "" {
		opts = append(opts, sandboxtest.ClientConfig(func(c *okta.Config) { c.Token = token }))
	}
	return &inspectEnv{newCmdEnv(t, opts...)}
}

// run runs `okta-device-wizard inspect ARGS` and returns the exit code.
func (e *inspectEnv) run(t *testing.T, args ...string) int {
	t.Helper()
	return e.execute(append([]string{"inspect"}, args...)...)
}

// seed creates, through the API, an app sign-in policy with a registered-device rule that no
// DSC policy serves (a warning) and an assurance policy that rule uses.
func (e *inspectEnv) seed(t *testing.T) (app *okta.Policy, da *okta.DeviceAssurance) {
	t.Helper()
	ctx := context.Background()
	da, err := e.api.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: "Script Mac", Platform: okta.PlatformMacOS, OSVersion: &okta.OSVersion{Minimum: "14.0"}})
	if err != nil {
		t.Fatal(err)
	}
	app, err = e.api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Script app policy"}, true)
	if err != nil {
		t.Fatal(err)
	}
	yes, zero := true, 0
	if _, err := e.api.CreateRule(ctx, app.ID, okta.Rule{Type: okta.TypeAccessPolicy, Name: "Registered only", Priority: &zero,
		Conditions: &okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes, Assurance: &okta.AssuranceIDList{Include: []string{da.ID}}}},
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}}, true); err != nil {
		t.Fatal(err)
	}
	return app, da
}

func TestInspectJSONOutputShape(t *testing.T) {
	e := newInspectEnv(t, "")
	app, da := e.seed(t)
	if code := e.run(t, "--json"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	var inv map[string]json.RawMessage
	if err := json.Unmarshal(e.out.Bytes(), &inv); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, e.out)
	}
	for _, k := range []string{"orgUrl", "loadedAt", "dscPolicies", "appPolicies", "assurances", "events", "warnings"} {
		if _, ok := inv[k]; !ok {
			t.Errorf("inventory JSON lacks %q", k)
		}
	}
	var apps []struct {
		Policy    okta.Policy `json:"policy"`
		MappedDSC []any       `json:"mappedDsc"`
		Rules     []struct {
			Registered bool `json:"registered"`
			Assurances []struct {
				ID, Name string
			} `json:"assurances"`
			Rule okta.Rule `json:"rule"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(inv["appPolicies"], &apps); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range apps {
		if a.Policy.ID != app.ID {
			continue
		}
		found = true
		if a.MappedDSC == nil || len(a.Rules) == 0 || !a.Rules[0].Registered || len(a.Rules[0].Assurances) != 1 || a.Rules[0].Assurances[0].Name != "Script Mac" {
			t.Errorf("app policy JSON = %+v", a)
		}
	}
	if !found {
		t.Errorf("policy %s missing from --json", app.ID)
	}

	// --kind prints a JSON array of that kind; --filter narrows it.
	if code := e.run(t, "--json", "--kind", "assurance", "--filter", "script mac"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	var das []struct {
		Assurance okta.DeviceAssurance `json:"assurance"`
		UsedBy    []struct{ RuleName string }
		Checks    []string `json:"checks"`
	}
	if err := json.Unmarshal(e.out.Bytes(), &das); err != nil {
		t.Fatalf("--kind output is not a JSON array: %v\n%s", err, e.out)
	}
	if len(das) != 1 || das[0].Assurance.ID != da.ID || len(das[0].UsedBy) != 1 || das[0].UsedBy[0].RuleName != "Registered only" {
		t.Errorf("assurance JSON = %+v", das)
	}
	if strings.Contains(e.out.String()+e.err.String(), e.srv.Token()) {
		t.Error("the token is in the output")
	}
}

func TestInspectPlainWithoutTTY(t *testing.T) {
	e := newInspectEnv(t, "")
	e.seed(t)
	if code := e.run(t); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	out := e.out.String()
	for _, want := range []string{"Org: SANDBOX (http://127.0.0.1:", "DSC policies (", "App sign-in policies (", "Device assurance (", "Events (", "Warnings (",
		"Script app policy", "Script Mac", "unmapped-device-rule", "Name  ", "Platform"} {
		if !strings.Contains(out, want) {
			t.Errorf("plain output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("plain output has escape sequences")
	}
	// The warned policy is marked in its own table (event rows name it too, unmarked).
	eventRow := regexp.MustCompile(`^\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+policy\.`)
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Script app policy") && !eventRow.MatchString(line) && !strings.HasPrefix(line, "! ") && !strings.HasPrefix(line, "  unmapped") && !strings.HasPrefix(line, "  policy-without-apps") {
			t.Errorf("warned row not marked: %q", line)
		}
	}

	if code := e.run(t, "--plain", "--kind", "app", "--filter", "script"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	out = e.out.String()
	if !strings.Contains(out, "App sign-in policies (1)") || strings.Contains(out, "Device assurance (") || strings.Contains(out, "Okta Dashboard") {
		t.Errorf("--kind app --filter script:\n%s", out)
	}
}

func TestInspectFailOnWarnings(t *testing.T) {
	e := newInspectEnv(t, "")
	e.seed(t)
	if code := e.run(t, "--kind", "warnings"); code != 0 {
		t.Fatalf("without --fail-on-warnings: exit %d", code)
	}
	if code := e.run(t, "--kind", "warnings", "--fail-on-warnings"); code != ExitWarnings {
		t.Fatalf("with warnings and --fail-on-warnings: exit %d, want %d", code, ExitWarnings)
	}
	if !strings.Contains(e.out.String(), "unmapped-device-rule") {
		t.Errorf("the warnings are not printed:\n%s", e.out)
	}
	if code := e.run(t, "--json", "--fail-on-warnings"); code != ExitWarnings {
		t.Fatalf("--json --fail-on-warnings: exit %d", code)
	}
	if !json.Valid(e.out.Bytes()) {
		t.Error("--json output is not valid JSON when failing on warnings")
	}
}

func TestInspectBadUsage(t *testing.T) {
	e := newInspectEnv(t, "")
	for _, args := range [][]string{
		{"--kind", "users"},
		{"extra-arg"},
		{"--json", "--plain"},
		{"--no-such-flag"},
	} {
		if code := e.run(t, args...); code != ExitUsage {
			t.Errorf("inspect %q: exit %d, want %d (stderr %s)", args, code, ExitUsage, e.err)
		}
		if e.err.Len() == 0 {
			t.Errorf("inspect %q: no message on stderr", args)
		}
	}
	if code := e.run(t, "--kind", "users"); code == ExitUsage && !strings.Contains(e.err.String(), "dsc, app, apps, assurance, events, warnings") {
		t.Errorf("bad kind message does not list the kinds: %s", e.err)
	}
}

func TestInspectOktaErrorExitCode(t *testing.T) {
	e := newInspectEnv(t, "")
	e.srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/device-assurances"}}})
	code := e.run(t, "--json")
	if code != ExitError {
		t.Fatalf("exit %d, want %d", code, ExitError)
	}
	if !strings.Contains(e.err.String(), "E0000001") || !strings.Contains(e.err.String(), "Api validation failed") {
		t.Errorf("stderr lacks Okta's code and summary: %s", e.err)
	}
	if e.out.Len() != 0 {
		t.Errorf("something was printed on stdout: %s", e.out)
	}

	bad := newInspectEnv(t, "not-the-token")
	if code := bad.run(t, "--plain"); code != ExitAuth {
		t.Errorf("refused token: exit %d, want %d", code, ExitAuth)
	}
	if !strings.Contains(bad.err.String(), "E0000011") || strings.Contains(bad.err.String(), "not-the-token") {
		t.Errorf("stderr = %s", bad.err)
	}
}

func TestInspectOpensScreenOnTTY(t *testing.T) {
	e := newInspectEnv(t, "")
	e.seed(t)
	pr, pw := io.Pipe()
	e.f.IO.In, e.f.IO.InTTY, e.f.IO.OutTTY = pr, true, true
	go func() {
		// Let the screen draw, then quit with ctrl+c.
		time.Sleep(500 * time.Millisecond)
		pw.Write([]byte{0x03})
	}()
	done := make(chan int)
	go func() { done <- e.run(t, "--kind", "app") }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, e.err)
		}
	case <-time.After(20 * time.Second):
		pw.Close()
		t.Fatal("the inspection screen did not quit on ctrl+c")
	}
	pw.Close()
	out := e.out.String()
	if !strings.Contains(out, "okta-device-wizard · Inspect") || !strings.Contains(out, "\x1b[") || strings.Contains(out, "Org: ") {
		t.Errorf("expected the interactive screen, got:\n%q", out)
	}
}

// Waiting for a rate limit is said on stderr; stdout stays the inventory JSON alone.
func TestInspectJSONReportsRateLimitWaitsOnStderr(t *testing.T) {
	e := &inspectEnv{newCmdEnv(t, sandboxtest.RateLimits(sandbox.RateLimits{Enforce: true, Limit: 3, Window: 2 * time.Second}))}
	if err := e.srv.SeedLarge(1200, 1, 0); err != nil { // 6 pages of policies, a bucket of 3
		t.Fatal(err)
	}
	if code := e.run(t, "--json", "--no-events"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.err)
	}
	if !strings.Contains(e.err.String(), "inspect: waiting") || !strings.Contains(e.err.String(), "for Okta's rate limit (/api/v1/policies)") {
		t.Fatalf("stderr %q names no rate-limit wait", e.err.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(e.out.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v", err)
	}
}
