package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePlan writes content to a plan file named name in a fresh directory.
func writePlan(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestApplyRefusesDevZeroAsAPlan(t *testing.T) {
	o := newApplyOrg(t)
	for _, args := range [][]string{{"--file", "/dev/zero"}, {"--file", "/dev/zero", "--dry-run"}} {
		if code := o.apply(t, args...); code != ExitUsage || !strings.Contains(o.err.String(), "not a regular file") {
			t.Errorf("apply %v: exit %d, stderr %q", args, code, o.err)
		}
	}
	if o.connects != 0 {
		t.Errorf("connected %d times for a plan that does not load", o.connects)
	}
}

func TestApplyBadPlansExitTwo(t *testing.T) {
	o := newApplyOrg(t)
	bomb := "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nsteps: *e\n"
	cases := map[string]struct{ content, want string }{
		"alias bomb":    {bomb, "aliases expand to more than"},
		"alias cycle":   {"version: 1\nsteps: &s [*s]\n", "refers to a value that contains it"},
		"path in an id": {"version: 1\nsteps:\n  - id: d\n    action: deleteDeviceAssurance\n    objectId: ../policies/rst1\n", `objectId "../policies/rst1" contains ".."`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writePlan(t, "plan.yaml", c.content)
			for _, extra := range [][]string{nil, {"--dry-run"}, {"--export-curl", filepath.Join(t.TempDir(), "x.sh")}} {
				args := append([]string{"--file", path}, extra...)
				if code := o.apply(t, args...); code != ExitUsage || !strings.Contains(o.err.String(), c.want) {
					t.Errorf("apply %v: exit %d, stderr %q; want exit 2 and %q", extra, code, o.err, c.want)
				}
			}
		})
	}
}

func TestApplyChecksEveryBodyBeforeTheFirstWrite(t *testing.T) {
	o := newApplyOrg(t)
	before, err := o.api.ListDeviceAssurances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	path := writePlan(t, "plan.yaml", "version: 1\nflow: device-assurance\nsteps:\n"+
		"  - {id: a, title: First, action: createDeviceAssurance, body: {name: Fine, platform: IOS, osVersion: {minimum: 17.0.0}}}\n"+
		"  - {id: b, title: Second, action: createDeviceAssurance, body: {name: Bad, platform: NOPE, description: \"{{a.idd}}\"}}\n"+
		"  - {id: c, title: Third, action: createDeviceAssurance, body: {name: Late, platform: IOS, osVersion: {minimum: 17.0.0}, gracePeriod: {type: BY_DURATION, expiry: banana}}}\n")
	if code := o.apply(t, "--file", path); code != ExitUsage {
		t.Fatalf("exit %d, stderr %q", code, o.err)
	}
	for _, w := range []string{`step 2 "b": body.platform`, `step 2 "b": body.description: {{a.idd}} is not a placeholder`, `step 3 "c": body.gracePeriod.expiry`, "nothing was sent"} {
		if !strings.Contains(o.err.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, o.err)
		}
	}
	after, _ := o.api.ListDeviceAssurances(context.Background())
	if len(after) != len(before) {
		t.Errorf("%d device assurance policies created by a plan that does not check", len(after)-len(before))
	}
}

const canary = "CANARYs3cr3tT0ken42"

// realConfigEnv is a Factory that connects the way the binary does (flags, environment,
// okta.yaml), with a fresh HOME and state directory.
func realConfigEnv(t *testing.T) *cmdEnv {
	t.Helper()
	for _, k := range []string{"OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN", "OKTA_CLIENT_AUTHORIZATIONMODE", "OKTA_CLIENT_PRIVATEKEY", "OKTA_CLIENT_CLIENTID", "OKTA_CLIENT_REQUEST_TIMEOUT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", t.TempDir())
	e := &cmdEnv{out: &bytes.Buffer{}, err: &bytes.Buffer{}}
	e.f = &Factory{IO: IOStreams{In: strings.NewReader(""), Out: e.out, ErrOut: e.err}, StateDir: t.TempDir()}
	e.f.Connect = func(ctx context.Context) (*Org, error) { return connect(ctx, e.f) }
	return e
}

func TestSecretsNeverInErrorOutput(t *testing.T) {
	plan := writePlan(t, "plan.yaml", "version: 1\nflow: device-assurance\nsteps:\n  - {id: a, title: A, action: createDeviceAssurance, body: {name: A, platform: IOS, osVersion: {minimum: 17.0.0}}}\n")
	commands := [][]string{{"inspect", "--json"}, {"inspect", "--plain"}, {"apply", "--file", plan}, {"apply", "--file", plan, "--json"}, {"apply", "--rollback"}}
	setups := map[string]func(t *testing.T){
		"token in the org URL query": func(t *testing.T) {
			t.Setenv("OKTA_CLIENT_ORGURL", "https://dev-1.okta.com/?token="+canary)
			t.Setenv("OKTA_CLIENT_TOKEN", "00tokenvalue")
		},
		"token in a numeric okta.yaml field": func(t *testing.T) {
			dir := filepath.Join(os.Getenv("HOME"), ".okta")
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, "okta.yaml"), []byte("okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: x\n    requestTimeout: "+canary+"\n"), 0o600)
		},
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) {
			e := realConfigEnv(t)
			setup(t)
			for _, args := range commands {
				code := e.execute(args...)
				if code == 0 {
					t.Errorf("%v succeeded with a bad configuration", args)
				}
				if out := e.out.String() + e.err.String(); strings.Contains(out, canary) || strings.Contains(out, canary[:8]) {
					t.Errorf("%v shows the secret:\n%s", args, out)
				}
			}
		})
	}
}

func TestMissingTokenMessageNamesNoFlag(t *testing.T) {
	e := realConfigEnv(t)
	t.Setenv("OKTA_CLIENT_ORGURL", "https://dev-1.okta.com")
	if code := e.execute("inspect", "--json"); code != ExitConfig || strings.Contains(e.err.String(), "--token") || !strings.Contains(e.err.String(), "OKTA_CLIENT_TOKEN") {
		t.Fatalf("exit %d, stderr %q", code, e.err)
	}
}
