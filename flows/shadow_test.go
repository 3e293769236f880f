package flows

import (
	"encoding/json"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func accessRule(id, name, access string, cond *okta.RuleConditions) okta.Rule {
	return okta.Rule{ID: id, Name: name, Type: okta.TypeAccessPolicy, Status: okta.StatusActive,
		Conditions: cond, Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: access}}}
}

func registered(managed bool, assurance ...string) *okta.DeviceCondition {
	d := &okta.DeviceCondition{Registered: boolPtr(true)}
	if managed {
		d.Managed = boolPtr(true)
	}
	if len(assurance) > 0 {
		d.Assurance = &okta.AssuranceIDList{Include: assurance}
	}
	return d
}

func groups(ids ...string) *okta.PeopleCondition {
	return &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: ids}}
}

func TestShadowingFindsAnEarlierRuleThatDecidesTheSameSignIns(t *testing.T) {
	plainRegisteredAllow := accessRule("r1", "Registered devices", AccessAllow, &okta.RuleConditions{Device: registered(false)})
	assuranceDraft := AssuranceRuleDraft{PolicyID: "rst1", Name: "Compliant", Access: AccessAllow, AssuranceIDs: []string{"dae1"}, Priority: 2}
	assuranceRule, err := assuranceDraft.Body()
	if err != nil {
		t.Fatal(err)
	}
	inactive := plainRegisteredAllow
	inactive.Status = okta.StatusInactive
	networkOnly := accessRule("r2", "Office only", AccessAllow, &okta.RuleConditions{Device: registered(false),
		Network: &okta.NetworkCondition{Connection: "ZONE", Include: []string{"nzo1"}}})
	riskOnly := accessRule("r3", "Low risk", AccessAllow, &okta.RuleConditions{Device: registered(false),
		Extra: okta.Extra{"riskScore": json.RawMessage(`{"level":"LOW"}`)}})
	anywhere := accessRule("r4", "Anywhere", AccessDeny, &okta.RuleConditions{Network: &okta.NetworkCondition{Connection: "ANYWHERE"}})
	salesOnly := accessRule("r5", "Sales", AccessAllow, &okta.RuleConditions{People: groups("00gSales"), Device: registered(false)})
	managedOnly := accessRule("r6", "Managed", AccessAllow, &okta.RuleConditions{Device: registered(true)})
	assuranceAorB := accessRule("r7", "A or B", AccessAllow, &okta.RuleConditions{Device: registered(false, "dae1", "dae2")})
	noAction := accessRule("r8", "No action", "", &okta.RuleConditions{})

	cases := []struct {
		name     string
		before   []okta.Rule
		rule     okta.Rule
		position int
		want     string // the shadowing rule's name, "" for none
	}{
		{"assurance rule at 2 behind a plain registered-device ALLOW", []okta.Rule{plainRegisteredAllow}, *assuranceRule, 2, "Registered devices"},
		{"the same rule at 1 comes first", []okta.Rule{plainRegisteredAllow}, *assuranceRule, 1, ""},
		{"an inactive rule decides nothing", []okta.Rule{inactive}, *assuranceRule, 2, ""},
		{"a network zone rule is narrower", []okta.Rule{networkOnly}, *assuranceRule, 2, ""},
		{"an unknown condition (risk) is narrower", []okta.Rule{riskOnly}, *assuranceRule, 2, ""},
		{"ANYWHERE with no device condition denies everything first", []okta.Rule{anywhere}, *assuranceRule, 2, "Anywhere"},
		{"a group rule does not shadow an everyone rule", []okta.Rule{salesOnly}, *assuranceRule, 2, ""},
		{"a group rule shadows a rule for the same group", []okta.Rule{salesOnly},
			accessRule("", "Sales registered", AccessAllow, &okta.RuleConditions{People: groups("00gSales"), Device: registered(true)}), 2, "Sales"},
		{"a managed rule does not shadow a registered-only rule", []okta.Rule{managedOnly},
			accessRule("", "Registered", AccessAllow, &okta.RuleConditions{Device: registered(false)}), 2, ""},
		{"assurance A or B shadows a rule requiring A", []okta.Rule{assuranceAorB}, *assuranceRule, 2, "A or B"},
		{"assurance A or B does not shadow a rule without assurance", []okta.Rule{assuranceAorB},
			accessRule("", "Registered", AccessAllow, &okta.RuleConditions{Device: registered(false)}), 2, ""},
		{"a rule without allow or deny decides nothing", []okta.Rule{noAction}, *assuranceRule, 2, ""},
		{"the edited rule does not shadow itself", []okta.Rule{plainRegisteredAllow},
			accessRule("r1", "Registered devices", AccessAllow, &okta.RuleConditions{Device: registered(false, "dae1")}), 2, ""},
		{"only rules ahead of the position count", []okta.Rule{salesOnly, plainRegisteredAllow}, *assuranceRule, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Shadowing(tc.before, tc.rule, tc.position)
			if tc.want == "" {
				if ok {
					t.Fatalf("reported shadowed by %q", got.Name)
				}
				if w := ShadowWarning(tc.before, tc.rule, tc.position); w != "" {
					t.Fatalf("warning %q for a rule that can match", w)
				}
				return
			}
			if !ok || got.Name != tc.want {
				t.Fatalf("Shadowing = %q %v, want %q", got.Name, ok, tc.want)
			}
			if w := ShadowWarning(tc.before, tc.rule, tc.position); w == "" {
				t.Fatal("no warning for a shadowed rule")
			}
		})
	}
}

func TestDSCAppRuleShadowedByAnExistingRegisteredRule(t *testing.T) {
	d := DSCDraft{AppPolicy: PolicyChoice{ExistingID: "rst1"}, AppRule: AppRuleDraft{Name: "Mine", Access: AccessDeny, GroupIDs: []string{"00gSales"}}}
	before := []okta.Rule{accessRule("r1", "Registered devices", AccessAllow, &okta.RuleConditions{Device: registered(false)})}
	want := "never matches: “Registered devices” comes first and allows the same sign-ins"
	if got := ShadowWarning(before, *d.AppRuleBody(), 2); got != want {
		t.Fatalf("warning = %q, want %q", got, want)
	}
}
