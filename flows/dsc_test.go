package flows

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// fullDSCDraft uses every option of the flow.
func fullDSCDraft() DSCDraft {
	return DSCDraft{
		AppPolicy: PolicyChoice{Name: "Contractors", Description: "Apps contractors sign in to"},
		AppRule: AppRuleDraft{
			Name: "Registered devices only", Access: AccessAllow, Managed: true,
			GroupIDs: []string{"00g1contractors", "00g2vendors"}, Priority: 2,
		},
		Name:               "Contractor devices",
		Description:        "Collect signals from contractor devices",
		ExtraMappings:      []string{"rst9extra1", "rst9extra2"},
		ExtraMappingNames:  map[string]string{"rst9extra1": "Partners"},
		RuleName:           "All providers",
		OktaVerify:         true,
		UserIdentification: UserIdentificationAllow,
		ChromeDeviceTrust:  true,
		DevicePostureIdPID: "0oa159mE9aOSpCwmr0g4",
		PlatformOS:         []string{okta.PlatformIOS, okta.PlatformMacOS, okta.PlatformAndroid, okta.PlatformWindows},
		ZoneIDs:            []string{"nzo1office"},
		Activate:           true,
	}
}

// wantStep is the request shape a step must have.
type wantStep struct {
	id, method, path string
	stage            int
	deps             []string
}

func TestDSCPlanRequests(t *testing.T) {
	existingReuse := DSCDraft{
		AppPolicy:          PolicyChoice{ExistingID: "rstApp1", ExistingName: "Office 365"},
		AppRule:            AppRuleDraft{ReuseID: "rulReg1", ReuseName: "Registered"},
		Name:               "Verify only",
		RuleName:           "Okta Verify",
		OktaVerify:         true,
		UserIdentification: UserIdentificationIgnore,
	}
	existingNewRule := DSCDraft{
		AppPolicy:          PolicyChoice{ExistingID: "rstApp1", ExistingName: "Office 365"},
		AppRule:            AppRuleDraft{Name: "Deny unregistered", Access: AccessDeny},
		Name:               "Posture",
		RuleName:           "Posture IdP",
		DevicePostureIdPID: "0oaPosture1",
		Activate:           true,
	}
	cases := []struct {
		name  string
		draft DSCDraft
		want  []wantStep
	}{
		{"new-policy-all-options", fullDSCDraft(), []wantStep{
			{"app-policy", "POST", "/api/v1/policies?activate=true", 1, nil},
			{"app-rule", "POST", "/api/v1/policies/{{app-policy.id}}/rules?activate=true", 1, []string{"app-policy"}},
			{"dsc-policy", "POST", "/api/v1/policies?activate=false", 2, nil},
			{"mapping-1", "POST", "/api/v1/policies/{{dsc-policy.id}}/mappings", 3, []string{"dsc-policy", "app-policy"}},
			{"mapping-2", "POST", "/api/v1/policies/{{dsc-policy.id}}/mappings", 3, []string{"dsc-policy"}},
			{"mapping-3", "POST", "/api/v1/policies/{{dsc-policy.id}}/mappings", 3, []string{"dsc-policy"}},
			{"dsc-rule", "POST", "/api/v1/policies/{{dsc-policy.id}}/rules?activate=true", 4, []string{"dsc-policy"}},
			{"activate-dsc", "POST", "/api/v1/policies/{{dsc-policy.id}}/lifecycle/activate", 5, []string{"app-policy", "app-rule", "dsc-policy", "mapping-1", "mapping-2", "mapping-3", "dsc-rule"}},
		}},
		{"existing-policy-reused-rule", existingReuse, []wantStep{
			{"dsc-policy", "POST", "/api/v1/policies?activate=false", 2, nil},
			{"mapping-1", "POST", "/api/v1/policies/{{dsc-policy.id}}/mappings", 3, []string{"dsc-policy"}},
			{"dsc-rule", "POST", "/api/v1/policies/{{dsc-policy.id}}/rules?activate=true", 4, []string{"dsc-policy"}},
		}},
		{"existing-policy-new-rule", existingNewRule, []wantStep{
			{"app-rule", "POST", "/api/v1/policies/rstApp1/rules?activate=true", 1, nil},
			{"dsc-policy", "POST", "/api/v1/policies?activate=false", 2, nil},
			{"mapping-1", "POST", "/api/v1/policies/{{dsc-policy.id}}/mappings", 3, []string{"dsc-policy"}},
			{"dsc-rule", "POST", "/api/v1/policies/{{dsc-policy.id}}/rules?activate=true", 4, []string{"dsc-policy"}},
			{"activate-dsc", "POST", "/api/v1/policies/{{dsc-policy.id}}/lifecycle/activate", 5, []string{"app-rule", "dsc-policy", "mapping-1", "dsc-rule"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := tc.draft.Plan()
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if plan.Flow != FlowDSC {
				t.Errorf("flow %q", plan.Flow)
			}
			var got []wantStep
			for _, s := range plan.Steps {
				got = append(got, wantStep{s.ID, s.Method(), s.Path(), s.Stage, s.DependsOn})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("steps:\n got %+v\nwant %+v", got, tc.want)
			}
			checkPlanConsistent(t, plan)
			checkGolden(t, "dsc/"+tc.name+".json", planGolden(t, plan))
		})
	}
}

// checkPlanConsistent: ids unique, every placeholder names an earlier step listed in DependsOn,
// titles set, and the plan resolves once every step has an id.
func checkPlanConsistent(t *testing.T, p Plan) {
	t.Helper()
	seen := map[string]bool{}
	created := map[string]string{}
	for _, s := range p.Steps {
		if seen[s.ID] {
			t.Errorf("step id %q twice", s.ID)
		}
		if s.Title == "" || s.Stage == 0 {
			t.Errorf("step %q lacks title or stage", s.ID)
		}
		for _, ref := range s.Placeholders() {
			if !seen[ref] {
				t.Errorf("step %q refers to %q, which is not an earlier step", s.ID, ref)
			}
			if !contains(s.DependsOn, ref) {
				t.Errorf("step %q refers to %q without depending on it", s.ID, ref)
			}
		}
		for _, dep := range s.DependsOn {
			if !seen[dep] {
				t.Errorf("step %q depends on %q, which is not an earlier step", s.ID, dep)
			}
		}
		seen[s.ID] = true
		created[s.ID] = "id-of-" + s.ID
	}
	// A plan saved to disk (journal, plan file) reads back with the same requests.
	saved, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(saved, &back); err != nil {
		t.Fatal(err)
	}
	for i, s := range p.Steps {
		want, _ := s.BodyJSON()
		got, _ := back.Steps[i].BodyJSON()
		if string(want) != string(got) || back.Steps[i].Path() != s.Path() {
			t.Errorf("step %s changes through JSON:\n%s\n%s", s.ID, want, got)
		}
	}
	for _, s := range p.Steps {
		r, err := s.Resolve(created)
		if err != nil {
			t.Fatalf("resolve %s: %v", s.ID, err)
		}
		b, _ := r.BodyJSON()
		if strings.Contains(r.Path()+string(b), "{{") {
			t.Errorf("step %s still has a placeholder after resolve: %s %s", s.ID, r.Path(), b)
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestDSCPlanBodies(t *testing.T) {
	plan, err := fullDSCDraft().Plan()
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]map[string]any{}
	for _, s := range plan.Steps {
		b, _ := s.BodyJSON()
		var m map[string]any
		if b != nil {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
		}
		bodies[s.ID] = m
	}
	get := func(step string, path ...string) any {
		var v any = bodies[step]
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		}
		return v
	}
	checks := []struct {
		step string
		path []string
		want any
	}{
		{"app-policy", []string{"type"}, "ACCESS_POLICY"},
		{"app-policy", []string{"name"}, "Contractors"},
		{"app-rule", []string{"type"}, "ACCESS_POLICY"},
		{"app-rule", []string{"priority"}, 2.0},
		{"app-rule", []string{"conditions", "device", "registered"}, true},
		{"app-rule", []string{"conditions", "device", "managed"}, true},
		{"app-rule", []string{"conditions", "people", "groups", "include"}, []any{"00g1contractors", "00g2vendors"}},
		{"app-rule", []string{"actions", "appSignOn", "access"}, "ALLOW"},
		{"dsc-policy", []string{"type"}, "DEVICE_SIGNAL_COLLECTION"},
		{"dsc-policy", []string{"status"}, nil}, // created inactive via ?activate=false, not a status member
		{"mapping-1", []string{"resourceId"}, "{{app-policy.id}}"},
		{"mapping-1", []string{"resourceType"}, "ACCESS_POLICY"},
		{"mapping-2", []string{"resourceId"}, "rst9extra1"},
		{"dsc-rule", []string{"type"}, "DEVICE_SIGNAL_COLLECTION"},
		{"dsc-rule", []string{"actions", "deviceSignalCollection", "deviceContextProviders"}, []any{
			map[string]any{"key": "OKTA_VERIFY", "userIdentification": "ALLOW"},
			map[string]any{"key": "CHROME_DEVICE_TRUST"},
			map[string]any{"key": "DEVICE_POSTURE_IDP", "id": "0oa159mE9aOSpCwmr0g4"},
		}},
		{"dsc-rule", []string{"conditions", "network"}, map[string]any{"connection": "ZONE", "include": []any{"nzo1office"}}},
		{"dsc-rule", []string{"conditions", "platform", "include"}, []any{
			map[string]any{"type": "MOBILE", "os": map[string]any{"type": "IOS"}},
			map[string]any{"type": "DESKTOP", "os": map[string]any{"type": "OSX"}},
			map[string]any{"type": "MOBILE", "os": map[string]any{"type": "ANDROID"}},
			map[string]any{"type": "DESKTOP", "os": map[string]any{"type": "WINDOWS"}},
		}},
		{"activate-dsc", nil, map[string]any(nil)},
	}
	for _, c := range checks {
		if got := get(c.step, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s = %#v, want %#v", c.step, strings.Join(c.path, "."), got, c.want)
		}
	}
	if strings.Contains(plan.Steps[0].Title, "\"") || !strings.Contains(plan.Steps[0].Title, "“Contractors”") {
		t.Errorf("title %q", plan.Steps[0].Title)
	}
	if got := plan.Steps[4].Title; !strings.Contains(got, "“Partners”") {
		t.Errorf("extra mapping title should use the given name: %q", got)
	}
}

func TestDSCPlanOmitsUnchosenMembers(t *testing.T) {
	d := fullDSCDraft()
	d.AppRule.Managed, d.AppRule.GroupIDs, d.AppRule.Priority = false, nil, 0
	d.PlatformOS, d.ZoneIDs = nil, nil
	d.ChromeDeviceTrust, d.DevicePostureIdPID = false, ""
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	rule, _ := plan.Steps[1].BodyJSON()
	for _, absent := range []string{"managed", "people", `"status"`} {
		if strings.Contains(string(rule), absent) {
			t.Errorf("app rule body has %s though not chosen:\n%s", absent, rule)
		}
	}
	if !strings.Contains(string(rule), `"priority": 1`) {
		t.Errorf("priority 0 should be sent as 1 (first):\n%s", rule)
	}
	dsc, _ := plan.Steps[len(plan.Steps)-2].BodyJSON()
	if strings.Contains(string(dsc), "conditions") || strings.Contains(string(dsc), "CHROME") {
		t.Errorf("dsc rule has members not chosen:\n%s", dsc)
	}
}

func TestDSCPlanRefusesInvalidDraft(t *testing.T) {
	d := fullDSCDraft()
	d.Name = ""
	d.OktaVerify, d.ChromeDeviceTrust, d.DevicePostureIdPID, d.UserIdentification = false, false, "", ""
	plan, err := d.Plan()
	var verrs ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("want ValidationErrors, got %v", err)
	}
	if len(plan.Steps) != 0 {
		t.Errorf("invalid draft produced %d steps", len(plan.Steps))
	}
	if len(verrs.For("name")) != 1 || len(verrs.For("providers")) != 1 {
		t.Errorf("errors %v", verrs)
	}
	if DSCFieldStage("name") != StageDSCPolicy || DSCFieldStage("appRule.access") != StageAppPolicy ||
		DSCFieldStage("extraMappings[0]") != StageMapping || DSCFieldStage("providers") != StageDSCRule {
		t.Error("DSCFieldStage maps fields to the wrong stage")
	}
}
