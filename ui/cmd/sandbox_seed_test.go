package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// runSeed runs `sandbox seed` with args through the root command.
func runSeed(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out := &syncBuffer{}
	f := &Factory{IO: IOStreams{Out: out, ErrOut: out}, StateDir: t.TempDir()}
	root := NewRootCmd(f)
	root.SetArgs(append([]string{"sandbox", "seed"}, args...))
	root.SetOut(out)
	root.SetErr(out)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestSandboxSeedFillsTheOrgInTheStateFile(t *testing.T) {
	state := filepath.Join(t.TempDir(), "org.json")
	for range 2 { // twice: the second run adds to the first, with names of its own
		out, err := runSeed(t, "--state", state, "--app-policies", "30", "--rules-each", "3", "--dsc-policies", "4", "--assurances", "5")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "30 app sign-in policies") || !strings.Contains(out, "163 objects") || !strings.Contains(out, state) {
			t.Fatalf("seed output: %s", out)
		}
	}
	_, api := sandboxtest.Start(t, sandboxtest.StatePath(state))
	ctx := context.Background()
	apps, err := api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	generated := 0
	for _, p := range apps {
		if names[p.Name] {
			t.Fatalf("two app policies named %q", p.Name)
		}
		names[p.Name] = true
		if strings.HasPrefix(p.Name, "Load Test App Policy") {
			generated++
		}
	}
	if generated != 60 {
		t.Fatalf("%d generated app policies, want 60", generated)
	}
	rules, err := api.ListRules(ctx, apps[len(apps)-1].ID)
	if err != nil || len(rules) != 4 {
		t.Fatalf("a generated app policy has %d rules (want 3 and the catch-all): %v", len(rules), err)
	}
	dscs, err := api.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	if err != nil || len(dscs) != 8 {
		t.Fatalf("%d DSC policies, want 8: %v", len(dscs), err)
	}
	for _, d := range dscs {
		m, err := api.ListMappings(ctx, d.ID)
		if err != nil || len(m) != 1 {
			t.Fatalf("DSC policy %s has %d mappings, want 1: %v", d.Name, len(m), err)
		}
	}
	das, err := api.ListDeviceAssurances(ctx)
	if err != nil || len(das) != 2+10 {
		t.Fatalf("%d assurance policies, want the 2 seeded and 10: %v", len(das), err)
	}
}

func TestSandboxSeedRejectsBadInput(t *testing.T) {
	inUse := filepath.Join(t.TempDir(), "busy.json")
	sandboxtest.StartServer(t, sandboxtest.StatePath(inUse))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--app-policies", "-1"}, "negative"},
		{[]string{"--app-policies", "2", "--rules-each", "100"}, "at most 100 rules"},
		{nil, "nothing to add"},
		{[]string{"--app-policies", "x"}, "invalid argument"},
		{[]string{"--state", inUse, "--assurances", "1"}, "in use by another sandbox (pid"},
	} {
		if _, err := runSeed(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: error %v should mention %q", c.args, err, c.want)
		}
	}
}

func TestDefaultSandboxSaysItMigratedAnOlderStateFile(t *testing.T) {
	e := realConfigEnv(t)
	state := filepath.Join(e.f.StateDir, sandboxStateFile)
	v1 := `{"format":"okta-device-wizard-sandbox","version":1,"policies":[{"id":"rst1","type":"ACCESS_POLICY","name":"Kept from v1","status":"ACTIVE","priority":1,"system":false}],"rules":{"rst1":[]}}`
	if err := os.WriteFile(state, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := e.execute("inspect", "--json"); code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, e.err)
	}
	if !strings.Contains(e.err.String(), "migrated "+state) || !strings.Contains(e.err.String(), state+"-v1.bak") {
		t.Fatalf("stderr should say the state file was migrated and where the JSON went: %q", e.err)
	}
	if !strings.Contains(e.out.String(), "Kept from v1") {
		t.Fatalf("the migrated org lost its policy: %s", e.out)
	}
	if b, _ := os.ReadFile(state + "-v1.bak"); string(b) != v1 {
		t.Fatal("backup differs from the JSON file")
	}
}
