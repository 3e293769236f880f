package flows_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

func TestCurlScriptShape(t *testing.T) {
	o := newRunOrg(t, sandbox.Faults{})
	script := flows.CurlScript(o.dscPlan(t), o.srv.URL())
	for _, want := range []string{
		"#!/usr/bin/env bash\n", "set -euo pipefail\n", `"${OKTA_API_TOKEN:?`,
		`APP_POLICY_ID=$(printf '%s' "$resp" | extract_id)`,
		`resp=$(okta_request POST "/api/v1/policies/${APP_POLICY_ID}/rules?activate=true" "$body")`,
		`body=${body//"{{app-policy.id}}"/"$APP_POLICY_ID"}`,
		`resp=$(okta_request POST "/api/v1/policies/${DSC_POLICY_ID}/lifecycle/activate")`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(script, o.srv.Token()) {
		t.Fatal("the script contains the token")
	}
	if out, err := exec.Command("bash", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}

// runCurlScript writes the plan's script and runs it with bash against the sandbox.
func runCurlScript(t *testing.T, o *runOrg, path string) (string, error) {
	t.Helper()
	script := flows.CurlScript(o.dscPlan(t), "https://wrong.example.invalid")
	file := filepath.Join(t.TempDir(), "plan.sh")
	if err := os.WriteFile(file, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", file)
	cmd.Env = []string{"PATH=" + path, "OKTA_API_TOKEN=" + o.srv.Token(), "OKTA_ORG_URL=" + o.srv.URL() + "/"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestCurlScriptCreatesObjects runs the export with bash and curl against a sandbox, with jq
// and, on a PATH without jq, with grep and sed, and checks the objects through the client.
func TestCurlScriptCreatesObjects(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	noJQ := t.TempDir()
	for _, tool := range []string{"bash", "curl", "grep", "sed", "head", "cat"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(noJQ, tool)); err != nil {
			t.Fatal(err)
		}
	}
	paths := map[string]string{"without jq": noJQ}
	if _, err := exec.LookPath("jq"); err == nil {
		paths["with jq"] = os.Getenv("PATH")
	}
	for name, path := range paths {
		t.Run(name, func(t *testing.T) {
			o := newRunOrg(t, sandbox.Faults{})
			base := o.counts(t)
			out, err := runCurlScript(t, o, path)
			if err != nil {
				t.Fatalf("script failed: %v\n%s", err, out)
			}
			wantComplete(t, o.counts(t), base)
			if strings.Contains(out, o.srv.Token()) {
				t.Fatal("the script printed the token")
			}
			// The DSC policy is mapped to the app policy the script created.
			dscs, _ := o.api.ListPolicies(context.Background(), "DEVICE_SIGNAL_COLLECTION")
			apps, _ := o.api.ListPolicies(context.Background(), "ACCESS_POLICY")
			var dscID, appID string
			for _, p := range dscs {
				if p.Name == runDSCPolicy {
					dscID = p.ID
				}
			}
			for _, p := range apps {
				if p.Name == runAppPolicy {
					appID = p.ID
				}
			}
			maps, err := o.api.ListMappings(context.Background(), dscID)
			if err != nil || len(maps) != 1 || maps[0].ID != appID {
				t.Fatalf("mappings %+v (%v), want %s", maps, err, appID)
			}
		})
	}
}

func TestCurlScriptStopsWithOktasError(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	o := newRunOrg(t, sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}})
	out, err := runCurlScript(t, o, os.Getenv("PATH"))
	if err == nil {
		t.Fatalf("script succeeded despite the fault:\n%s", out)
	}
	if !strings.Contains(out, "E0000001") || !strings.Contains(out, "HTTP 400") {
		t.Fatalf("output lacks Okta's error:\n%s", out)
	}
	if strings.Contains(out, "dsc-rule:") {
		t.Fatalf("the script went on after the failure:\n%s", out)
	}
}
