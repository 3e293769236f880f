package flows

import (
	"strings"
	"testing"
	"time"
)

var planCheckNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// twoStepAssurancePlan is a valid first step and a second step whose body has the given
// members (YAML flow mapping content).
func twoStepAssurancePlan(second string) string {
	return "version: 1\nflow: device-assurance\nsteps:\n" +
		"  - {id: a, title: First, action: createDeviceAssurance, body: {name: A, platform: IOS, osVersion: {minimum: 17.0.0}}}\n" +
		"  - {id: b, title: Second, action: createDeviceAssurance, body: {name: B, " + second + "}}\n"
}

func checkPlanText(t *testing.T, content string) error {
	t.Helper()
	f, err := DecodePlanFile("p.yaml", []byte(content))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return CheckPlan(f.Plan(), planCheckNow)
}

func TestCheckPlanRefusesBadBodiesBeforeTheFirstWrite(t *testing.T) {
	cases := map[string]struct{ second, field, want string }{
		"unknown platform":      {"platform: NOPE, osVersion: {minimum: \"1.0\"}", "body.platform", `platform "NOPE" is not a choice`},
		"grace days over 180":   {"platform: IOS, osVersion: {minimum: 17.0.0}, gracePeriod: {type: BY_DURATION, expiry: P999D}", "body.gracePeriod.expiry", "999 days is out of range"},
		"grace not a duration":  {"platform: IOS, osVersion: {minimum: 17.0.0}, gracePeriod: {type: BY_DURATION, expiry: banana}", "body.gracePeriod.expiry", `"banana" is not an ISO 8601 duration`},
		"due date in the past":  {"platform: IOS, osVersion: {minimum: 17.0.0}, gracePeriod: {type: BY_DATE_TIME, expiry: '2020-01-01T00:00:00.000Z'}", "body.gracePeriod.expiry", "not in the future"},
		"due date not a date":   {"platform: IOS, osVersion: {minimum: 17.0.0}, gracePeriod: {type: BY_DATE_TIME, expiry: soon}", "body.gracePeriod.expiry", `"soon" is not a date and time`},
		"unknown grace type":    {"platform: IOS, osVersion: {minimum: 17.0.0}, gracePeriod: {type: WHENEVER, expiry: P1D}", "body.gracePeriod.type", `"WHENEVER" is not a choice`},
		"bad OS version":        {"platform: IOS, osVersion: {minimum: seventeen}", "body.osVersion.minimum", "seventeen"},
		"typo in a placeholder": {"platform: IOS, osVersion: {minimum: 17.0.0}, description: \"{{a.idd}}\"", "body.description", "{{a.idd}} is not a placeholder"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkPlanText(t, twoStepAssurancePlan(c.second))
			ps, ok := err.(PlanProblems)
			if !ok {
				t.Fatalf("err = %v, want PlanProblems", err)
			}
			found := false
			for _, p := range ps {
				if p.Index == 1 && p.StepID == "b" && p.Field == c.field && strings.Contains(p.Msg, c.want) {
					found = true
				}
				if p.Index == 0 {
					t.Errorf("the valid first step has a problem: %s", p)
				}
			}
			if !found {
				t.Fatalf("no problem at step 2 %s containing %q in:\n%v", c.field, c.want, err)
			}
		})
	}
}

func TestCheckPlanReportsEveryProblemAtOnce(t *testing.T) {
	content := "version: 1\nflow: device-signal-collection\nsteps:\n" +
		"  - {id: p, title: Policy, action: createPolicy, body: {type: ACCESS_POLICY, name: \"\"}}\n" +
		"  - {id: r, title: Rule, action: createRule, policyId: \"{{p.id}}\", body: {type: ACCESS_POLICY, name: R, priority: -1, actions: {appSignOn: {access: MAYBE}}, conditions: {people: {groups: {include: [\"{{p.idd}}\"]}}, device: {managed: true}}}}\n" +
		"  - {id: m, title: Map, action: mapResource, policyId: \"{{p.id}}\", body: {resourceId: \"{{ p.id }}\", resourceType: APP}}\n" +
		"  - {id: x, title: Rule 2, action: replaceRule, policyId: \"{{p.id}}\", objectId: \"0pr{{r.id\", body: {type: ACCESS_POLICY, name: \"a\\0b\"}}\n"
	err := checkPlanText(t, content)
	want := []string{
		`step 1 "p": body.name: Policy name is required`,
		`step 2 "r": body.priority: priority -1 is not a position`,
		`step 2 "r": body.actions.appSignOn.access: access "MAYBE" is not a choice`,
		`step 2 "r": body.conditions.device.managed: managed devices must be registered`,
		`step 2 "r": body.conditions.people.groups.include[0]: {{p.idd}} is not a placeholder`,
		`step 3 "m": body.resourceId: {{ p.id }} is not a placeholder`,
		`step 3 "m": body.resourceType: resource type "APP" is not a choice`,
		`step 4 "x": objectId: "0pr{{r.id" has an unclosed {{`,
		`step 4 "x": body.name: Rule name contains a control character`,
		"nothing was sent",
	}
	if err == nil {
		t.Fatal("no problems found")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems lack %q:\n%v", w, err)
		}
	}
}

func TestCheckPlanAcceptsTheWizardsPlans(t *testing.T) {
	p, _ := planFileTestPlan(t)
	if err := CheckPlan(p, planCheckNow); err != nil {
		t.Fatal(err)
	}
}
