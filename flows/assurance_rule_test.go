package flows

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func TestAssuranceRuleNewPlan(t *testing.T) {
	cases := map[string]AssuranceRuleDraft{
		"new-rule-two-policies-managed": {
			PolicyID: "rstApp1", PolicyName: "Office 365", Name: "Compliant devices",
			Access: AccessAllow, AssuranceIDs: []string{"dae1ios", "dae2mac"}, Managed: true, Priority: 1,
		},
		"new-rule-deny": {
			PolicyID: "rstApp1", PolicyName: "Office 365", Name: "Deny noncompliant",
			Access: AccessDeny, AssuranceIDs: []string{"dae1ios"}, Priority: 3,
		},
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			plan, err := d.Plan()
			if err != nil {
				t.Fatal(err)
			}
			s := plan.Steps[0]
			if s.Method() != "POST" || s.Path() != "/api/v1/policies/rstApp1/rules?activate=true" || plan.Flow != FlowAssuranceRule {
				t.Errorf("request %s %s flow %s", s.Method(), s.Path(), plan.Flow)
			}
			b, _ := json.Marshal(s.Body)
			want := `"device":{"registered":true`
			if !strings.Contains(string(b), want) || !strings.Contains(string(b), `"assurance":{"include":["dae1ios"`) {
				t.Errorf("body %s", b)
			}
			if strings.Contains(string(b), `"managed"`) != d.Managed {
				t.Errorf("managed sent = %v, chosen %v: %s", !d.Managed, d.Managed, b)
			}
			checkPlanConsistent(t, plan)
			checkGolden(t, "rule/"+name+".json", planGolden(t, plan))
		})
	}
}

// existingRule is an app sign-in rule as Okta returns it, with members the wizard does not model.
const existingRule = `{
  "id": "rul1",
  "status": "ACTIVE",
  "name": "Office access",
  "priority": 2,
  "created": "2026-01-01T00:00:00.000Z",
  "lastUpdated": "2026-01-02T00:00:00.000Z",
  "system": false,
  "type": "ACCESS_POLICY",
  "conditions": {
    "people": {"groups": {"include": ["00gStaff"]}},
    "network": {"connection": "ZONE", "include": ["nzoOffice"]},
    "riskScore": {"level": "ANY"},
    "device": {"registered": true, "managed": true, "assurance": {"include": ["daeOld"]}, "trust": "ANY"}
  },
  "actions": {
    "appSignOn": {
      "access": "ALLOW",
      "verificationMethod": {"factorMode": "2FA", "type": "ASSURANCE", "reauthenticateIn": "PT2H", "constraints": []},
      "keepMeSignedIn": {"postAuth": "NOT_ALLOWED"}
    }
  },
  "_links": {"self": {"href": "https://example.okta.com/api/v1/policies/rstApp1/rules/rul1"}}
}`

func readRule(t *testing.T) okta.Rule {
	t.Helper()
	var r okta.Rule
	if err := json.Unmarshal([]byte(existingRule), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAssuranceRuleEditKeepsEverythingElse(t *testing.T) {
	d := DraftFromRule("rstApp1", "Office 365", readRule(t))
	if d.Name != "Office access" || d.Priority != 2 || d.Access != AccessAllow || !d.Managed || len(d.AssuranceIDs) != 1 {
		t.Fatalf("draft not filled from rule: %+v", d)
	}
	d.AssuranceIDs = []string{"daeOld", "dae1ios"}
	plan, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	s := plan.Steps[0]
	if s.Method() != "PUT" || s.Path() != "/api/v1/policies/rstApp1/rules/rul1" {
		t.Errorf("request %s %s", s.Method(), s.Path())
	}
	if s.Before == nil || s.Before.(*okta.Rule).ID != "rul1" {
		t.Error("Before should be the rule as read")
	}
	// Expected body: the rule as read, read-only members removed, the assurance list changed.
	var want map[string]any
	_ = json.Unmarshal([]byte(existingRule), &want)
	for _, k := range []string{"id", "status", "created", "lastUpdated", "_links"} {
		delete(want, k)
	}
	delete(want, "system") // false is the default; okta.Rule omits it
	want["conditions"].(map[string]any)["device"].(map[string]any)["assurance"] = map[string]any{"include": []any{"daeOld", "dae1ios"}}
	wantJSON, _ := json.Marshal(want)
	gotBody, _ := json.Marshal(s.Body)
	var got map[string]any
	_ = json.Unmarshal(gotBody, &got)
	gotJSON, _ := json.Marshal(got)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("PUT body\n got %s\nwant %s", gotJSON, wantJSON)
	}
	var changed []string
	for _, l := range s.Diff() {
		if l.Op != ' ' {
			changed = append(changed, string(l.Op)+strings.TrimSpace(l.Text))
		}
	}
	if strings.Join(changed, "|") != `-"daeOld"|+"daeOld",|+"dae1ios"` {
		t.Errorf("diff should show only the added assurance policy, got %q", changed)
	}
	checkPlanConsistent(t, plan)
	checkGolden(t, "rule/edit-existing-rule.json", planGolden(t, plan))
}

func TestAssuranceRuleEditChangesOnlyWhatChanged(t *testing.T) {
	d := DraftFromRule("rstApp1", "Office 365", readRule(t))
	d.Managed = false
	d.Access = AccessDeny
	d.Priority = 1
	b, err := d.Body()
	if err != nil {
		t.Fatal(err)
	}
	if b.Conditions.Device.Managed != nil || *b.Conditions.Device.Registered != true {
		t.Errorf("device condition %+v", b.Conditions.Device)
	}
	if b.Actions.AppSignOn.Access != AccessDeny || b.Actions.AppSignOn.Extra["verificationMethod"] == nil {
		t.Errorf("appSignOn %+v", b.Actions.AppSignOn)
	}
	if *b.Priority != 1 || b.Conditions.Extra["riskScore"] == nil || b.Conditions.Device.Extra["trust"] == nil {
		t.Errorf("members lost: %+v", b.Conditions)
	}
}

func TestAssuranceRuleRefusesCatchAll(t *testing.T) {
	r := readRule(t)
	r.System = true
	d := DraftFromRule("rstApp1", "", r)
	if _, err := d.Plan(); err == nil || !strings.Contains(err.Error(), "catch-all") {
		t.Errorf("catch-all rule accepted: %v", err)
	}
}
