package flows

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func planFileTestDraft() DSCDraft {
	return DSCDraft{
		AppPolicy: PolicyChoice{Name: "123", Description: "yes"}, // names YAML would misread unquoted
		AppRule:   AppRuleDraft{Name: "true", Access: AccessAllow, GroupIDs: []string{"00gSALES"}, Priority: 2},
		Name:      "Sales: signals # not a comment", Description: "line one\nline two",
		ExtraMappings: []string{"rstOTHER"}, RuleName: "null",
		OktaVerify: true, UserIdentification: UserIdentificationAllow,
		DevicePostureIdPID: "0oaIDP", ZoneIDs: []string{"nzoOFFICE"}, PlatformOS: []string{okta.PlatformIOS},
		Activate: true,
	}
}

func planFileTestPlan(t *testing.T) (Plan, DSCDraft) {
	t.Helper()
	d := planFileTestDraft()
	p, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	p.Steps[1].Refs = []Ref{{Kind: RefGroup, ID: "00gSALES", Name: "Sales"}}
	return p, d
}

func requestsOf(t *testing.T, p Plan) []Request {
	t.Helper()
	r, err := Requests(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPlanFileRoundTrip(t *testing.T) {
	p, d := planFileTestPlan(t)
	for _, name := range []string{"plan.yaml", "plan.yml", "plan.json"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := SavePlanWithDraft(path, p, d); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(path)
			if isYAMLPath(name) == strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
				t.Fatalf("%s was not written in its extension's format:\n%s", name, raw)
			}
			f, err := LoadPlanFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(requestsOf(t, f.Plan()), requestsOf(t, p)) {
				t.Fatalf("requests differ after the round trip")
			}
			want, _ := json.Marshal(p)
			got, _ := json.Marshal(f.Plan())
			if string(got) != string(want) {
				t.Fatalf("plan differs:\n got %s\nwant %s", got, want)
			}
			back, err := f.Draft.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*back.(*DSCDraft), d) {
				t.Fatalf("draft = %+v, want %+v", back, d)
			}
		})
	}
}

func TestSavePlanWithoutDraft(t *testing.T) {
	p, _ := planFileTestPlan(t)
	path := filepath.Join(t.TempDir(), "p.yaml")
	if err := SavePlan(path, p); err != nil {
		t.Fatal(err)
	}
	f, err := LoadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Draft != nil || f.Version != PlanFileVersion || f.Flow != FlowDSC {
		t.Fatalf("file = %+v", f)
	}
}

func TestLoadPlanErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, file, content string
		want                []string
	}{
		{"yaml syntax", "p.yaml", "version: 1\nsteps:\n  - id: a\n    action: [unclosed\n", []string{"p.yaml:", "line"}},
		{"unknown action", "p.yaml", "version: 1\nflow: x\nsteps:\n  - id: a\n    action: createPolicy\n    body: {type: ACCESS_POLICY, name: A}\n  - id: b\n    action: createRulez\n    policyId: \"{{a.id}}\"\n",
			[]string{"p.yaml:7:", `step 2 "b"`, `unknown action "createRulez"`, "createRule"}},
		{"placeholder to a later step", "p.yaml", "version: 1\nsteps:\n  - id: r\n    action: createRule\n    policyId: \"{{p.id}}\"\n    body: {type: ACCESS_POLICY, name: R}\n  - id: p\n    action: createPolicy\n    body: {type: ACCESS_POLICY, name: P}\n",
			[]string{"p.yaml:3:", "{{p.id}} names no earlier step"}},
		{"missing body", "p.json", "{\"version\": 1,\n \"steps\": [\n  {\"id\": \"a\", \"action\": \"createPolicy\"}\n ]}\n",
			[]string{"p.json:3:", "createPolicy needs a body"}},
		{"json syntax", "p.json", "{\"version\": 1,\n \"steps\": [\n  {\"id\": \"a\",, }\n ]}\n", []string{"p.json:3:", "not valid JSON"}},
		{"typo in a step member", "p.yaml", "version: 1\nsteps:\n  - id: a\n    action: createPolicy\n    polcyId: x\n    body: {type: ACCESS_POLICY, name: A}\n", []string{"p.yaml:3:", `unknown member "polcyId"`}},
		{"missing version", "p.yaml", "steps: []\n", []string{"missing version"}},
		{"empty", "p.yaml", "\n", []string{"empty"}},
		{"bad draft", "p.yaml", "version: 1\ndraft: {kind: nope, answers: {}}\nsteps:\n  - id: a\n    action: activatePolicy\n    policyId: x\n", []string{"draft", `"nope"`}},
		{"body on a bodiless action", "p.yaml", "version: 1\nsteps:\n  - id: a\n    action: activatePolicy\n    policyId: x\n    body: {name: A}\n", []string{"p.yaml:3:", "sends no body"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodePlanFile(c.file, []byte(c.content))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestFormatRequestsShowsEveryRequest(t *testing.T) {
	p, _ := planFileTestPlan(t)
	text, err := FormatRequests(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Steps {
		if !strings.Contains(text, s.Method()+" "+s.Path()+"\n") {
			t.Errorf("missing %s %s", s.Method(), s.Path())
		}
		if b, _ := s.BodyJSON(); b != nil && !strings.Contains(text, string(b)) {
			t.Errorf("missing body of %s", s.ID)
		}
	}
	if !strings.Contains(text, "/api/v1/policies/{{dsc-policy.id}}/mappings") {
		t.Error("placeholders must stay in the preview")
	}
}
