package flows

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// laughs is a nine-level "billion laughs" plan: 1 KB that expands to 10^9 strings.
func laughs() string {
	var b strings.Builder
	b.WriteString("version: 1\nflow: x\nlol0: &l0 \"lol\"\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "lol%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("steps:\n  - id: a\n    action: createPolicy\n    body: {type: ACCESS_POLICY, name: *l9}\n")
	return b.String()
}

func TestPlanFileYAMLAliasBombRefused(t *testing.T) {
	_, err := DecodePlanFile("laughs.yaml", []byte(laughs()))
	if err == nil || !strings.Contains(err.Error(), "aliases expand to more than") {
		t.Fatalf("err = %v, want the alias bomb refused", err)
	}
}

func TestPlanFileYAMLAliasCycleRefused(t *testing.T) {
	for name, content := range map[string]string{
		"sequence": "version: 1\nsteps: &s [*s]\n",
		"mapping":  "version: 1\nsteps:\n  - &m {id: a, action: createPolicy, body: {type: ACCESS_POLICY, name: A, x: *m}}\n",
		"nested":   "version: 1\nsteps: &s\n  - [[*s]]\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodePlanFile("cycle.yaml", []byte(content))
			if err == nil || !strings.Contains(err.Error(), "refers to a value that contains it") {
				t.Fatalf("err = %v, want the cycle refused", err)
			}
		})
	}
}

func TestPlanFileYAMLFewAliasesStillLoad(t *testing.T) {
	content := "version: 1\nflow: x\nsteps:\n" +
		"  - {id: a, action: createPolicy, body: &pol {type: ACCESS_POLICY, name: A}}\n" +
		"  - {id: b, action: replacePolicy, policyId: \"{{a.id}}\", body: *pol}\n"
	f, err := DecodePlanFile("ok.yaml", []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Steps) != 2 || f.Steps[1].Body == nil {
		t.Fatalf("steps = %+v", f.Steps)
	}
}

func TestLoadPlanRefusesDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := LoadPlanFile("/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "not a regular file (a device)") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadPlanRefusesDirectoriesAndPipes(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadPlanFile(dir); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("directory: err = %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	// Opening a FIFO for reading blocks until a writer comes: give it one.
	go func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	}()
	if _, err := LoadPlanFile(fifo); err == nil || !strings.Contains(err.Error(), "a named pipe") {
		t.Errorf("fifo: err = %v", err)
	}
}

func TestLoadPlanRefusesFilesOverTheSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxPlanFileBytes + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	_, err = LoadPlanFile(path)
	if err == nil || !strings.Contains(err.Error(), "limit of 10 MB") {
		t.Fatalf("err = %v, want the limit named", err)
	}
	if _, err := DecodePlanFile("big.json", make([]byte, MaxPlanFileBytes+1)); err == nil {
		t.Fatal("DecodePlanFile took more than the limit")
	}
}

func TestPlanFileRefusesIDsThatChangeThePath(t *testing.T) {
	for _, id := range []string{"../policies/rst1", "..", "a/b", "a?b=1", "a#b", "a%2Fb", `a\b`, "a b", "a\x00b"} {
		t.Run(id, func(t *testing.T) {
			quoted, _ := json.Marshal(id)
			content := fmt.Sprintf("{\"version\": 1, \"steps\": [{\"id\": \"d\", \"action\": \"deleteDeviceAssurance\", \"objectId\": %s}]}", quoted)
			_, err := DecodePlanFile("p.json", []byte(content))
			if err == nil || !strings.Contains(err.Error(), "objectId") || !strings.Contains(err.Error(), "which no Okta id has") {
				t.Fatalf("err = %v, want the id refused", err)
			}
		})
	}
	content := "{\"version\": 1, \"steps\": [{\"id\": \"r\", \"action\": \"deleteRule\", \"policyId\": \"a/../b\", \"objectId\": \"0pr1\"}]}"
	if _, err := DecodePlanFile("p.json", []byte(content)); err == nil || !strings.Contains(err.Error(), "policyId") {
		t.Fatalf("policyId: err = %v", err)
	}
}

func TestStepPathEscapesEverySegment(t *testing.T) {
	cases := []struct {
		step Step
		want string
	}{
		{Step{Action: ActDeleteDeviceAssurance, ObjectID: "../policies/rst1"}, "/api/v1/device-assurances/..%2Fpolicies%2Frst1"},
		{Step{Action: ActDeleteDeviceAssurance, ObjectID: ".."}, "/api/v1/device-assurances/%2E%2E"},
		{Step{Action: ActDeleteRule, PolicyID: "a?b", ObjectID: "c#d"}, "/api/v1/policies/a%3Fb/rules/c%23d"},
		{Step{Action: ActDeleteMapping, PolicyID: "{{p.id}}", ObjectID: "m%"}, "/api/v1/policies/{{p.id}}/mappings/m%25"},
		{Step{Action: ActActivatePolicy, PolicyID: "x/{{p.id}}"}, "/api/v1/policies/x%2F{{p.id}}/lifecycle/activate"},
	}
	for _, c := range cases {
		if got := c.step.Path(); got != c.want {
			t.Errorf("%s %q %q: path %s, want %s", c.step.Action, c.step.PolicyID, c.step.ObjectID, got, c.want)
		}
	}
}

func TestCurlExportEscapesIDs(t *testing.T) {
	p := Plan{Flow: "x", Steps: []Step{{ID: "d", Action: ActDeleteDeviceAssurance, ObjectID: "../policies/rst1"}}}
	script := CurlScript(p, "https://example.okta.com")
	if !strings.Contains(script, `okta_request DELETE "/api/v1/device-assurances/..%2Fpolicies%2Frst1"`) || strings.Contains(script, "/../") {
		t.Fatalf("script does not escape the id:\n%s", script)
	}
}

func TestPlanFileUnknownActionWithBodySaysUnknown(t *testing.T) {
	content := "version: 1\nsteps:\n  - id: a\n    action: createPolicyz\n    body: {type: ACCESS_POLICY, name: A}\n"
	_, err := DecodePlanFile("p.yaml", []byte(content))
	if err == nil || !strings.Contains(err.Error(), `unknown action "createPolicyz"`) || !strings.Contains(err.Error(), "createPolicy, ") || strings.Contains(err.Error(), "sends no body") {
		t.Fatalf("err = %v", err)
	}
}

func TestUntitledStepIsNamedByItsID(t *testing.T) {
	s := Step{ID: "app-rule", Action: ActCreateRule}
	if got := s.Label(1); got != `step 2 "app-rule" (createRule)` {
		t.Errorf("label = %s", got)
	}
	text, err := FormatRequests(Plan{Steps: []Step{{ID: "pol", Action: ActActivatePolicy, PolicyID: "rst1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "# 1/1 pol\n") {
		t.Errorf("preview = %q", text)
	}
	e := &StepError{Index: 0, Step: Step{ID: "pol", Action: ActActivatePolicy}, Err: fmt.Errorf("boom")}
	if strings.Contains(e.Error(), `""`) || strings.Contains(e.Error(), "stage 0") {
		t.Errorf("step error = %s", e)
	}
}

// manyStepsPlan is a JSON plan of n independent policy creates.
func manyStepsPlan(n int) []byte {
	var b strings.Builder
	b.WriteString("{\n  \"version\": 1,\n  \"flow\": \"x\",\n  \"steps\": [\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "    {\n      \"id\": \"s%d\",\n      \"title\": \"Create %d\",\n      \"action\": \"createPolicy\",\n      \"body\": {\"type\": \"ACCESS_POLICY\", \"name\": \"P%d\"}\n    }", i, i, i)
	}
	b.WriteString("\n  ]\n}\n")
	return []byte(b.String())
}

func TestJSONStepLinesCountedInOnePassAreRight(t *testing.T) {
	data := manyStepsPlan(50)
	lines := jsonStepLines(data)
	if len(lines) != 50 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		if want := 5 + 6*i; l != want {
			t.Fatalf("step %d at line %d, want %d", i+1, l, want)
		}
	}
}

// BenchmarkLoadPlanSteps loads JSON and YAML plans of growing size: time per step must stay flat
// (it grew 3.6x per doubling when line numbers were counted from the start for each step).
func BenchmarkLoadPlanSteps(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		js := manyStepsPlan(n)
		f, err := DecodePlanFile("p.json", js)
		if err != nil {
			b.Fatal(err)
		}
		yml, err := EncodePlanFile(f, true)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			data []byte
		}{{"json", js}, {"yaml", yml}} {
			b.Run(fmt.Sprintf("%s/steps=%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(c.data)))
				for i := 0; i < b.N; i++ {
					if _, err := DecodePlanFile("p."+c.name, c.data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
