package simulate

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func prio(n int) *int { return &n }
func yes() *bool      { b := true; return &b }
func no() *bool       { b := false; return &b }

const (
	everyone = "00gEveryone"
	sales    = "00gSales"
	eng      = "00gEng"
	alice    = "00uAlice" // in Sales
	office   = "nzoOffice"
	macOK    = "daeMac"
)

func rule(id string, p int, c *okta.RuleConditions) okta.Rule {
	return okta.Rule{ID: id, Name: id, Type: okta.TypeAccessPolicy, Status: okta.StatusActive, Priority: prio(p), Conditions: c}
}

func catchAll() okta.Rule {
	return okta.Rule{ID: "catch", Name: "Catch-all Rule", Type: okta.TypeAccessPolicy, Status: okta.StatusActive, Priority: prio(99), System: true}
}

// org has one app using policy rst1 with the given rules and a catch-all.
func org(rules ...okta.Rule) Org {
	return Org{
		Apps:            []okta.App{{ID: "0oaSF", Label: "Salesforce.com", AccessPolicyID: "rst1"}},
		Policies:        []okta.Policy{{ID: "rst1", Name: "Sales apps", Type: okta.TypeAccessPolicy, Status: okta.StatusActive}},
		Rules:           map[string][]okta.Rule{"rst1": append(rules, catchAll())},
		UserGroups:      map[string][]string{alice: {sales}},
		EveryoneGroupID: everyone,
	}
}

func groupsCtx(ids ...string) okta.PolicyContext {
	return okta.PolicyContext{Groups: &okta.SimIDs{IDs: ids}}
}

func withDevice(pc okta.PolicyContext, d okta.SimDevice) okta.PolicyContext {
	pc.Device = &d
	return pc
}

func evaluate(t *testing.T, o Org, pc okta.PolicyContext) okta.PolicyEvaluation {
	t.Helper()
	res, err := Evaluate(o, okta.SimulationRequest{AppInstance: "0oaSF", PolicyTypes: []string{"ACCESS_POLICY"}, PolicyContext: pc})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Evaluation) != 1 {
		t.Fatalf("%d evaluations", len(res.Evaluation))
	}
	return res.Evaluation[0]
}

func decidingRule(ev okta.PolicyEvaluation) okta.SimRule {
	for _, p := range ev.Result.Policies {
		for _, r := range p.Rules {
			return r
		}
	}
	return okta.SimRule{}
}

func ruleIDs(ps okta.SimPolicies) []string {
	var out []string
	for _, p := range ps.Policies {
		for _, r := range p.Rules {
			out = append(out, r.ID+"="+r.Status)
		}
	}
	return out
}

func TestEachConditionKindMatchesFailsOrIsUndefined(t *testing.T) {
	c := func(rc okta.RuleConditions) *okta.RuleConditions { return &rc }
	zone := func(include, exclude []string) *okta.NetworkCondition {
		return &okta.NetworkCondition{Connection: "ZONE", Include: include, Exclude: exclude}
	}
	mobileIOS := []okta.PlatformEntry{{Type: "MOBILE", OS: &okta.PlatformOS{Type: "IOS"}}}
	anyDesktop := []okta.PlatformEntry{{Type: "DESKTOP", OS: &okta.PlatformOS{Type: "ANY"}}}
	risk := func(level string) okta.Extra {
		return okta.Extra{"riskScore": json.RawMessage(`{"level":"` + level + `"}`)}
	}
	cases := []struct {
		name     string
		cond     *okta.RuleConditions
		ctx      okta.PolicyContext
		condType string
		want     string
	}{
		{"group include, member", c(okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sales}}}}), groupsCtx(sales), "people.groups.include", okta.SimMatch},
		{"group include, other group", c(okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sales}}}}), groupsCtx(eng), "people.groups.include", okta.SimNotMatch},
		{"group include Everyone, any group", c(okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{everyone}}}}), groupsCtx(eng), "people.groups.include", okta.SimMatch},
		{"group include, user's group", c(okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sales}}}}), okta.PolicyContext{User: &okta.SimUser{ID: alice}}, "people.groups.include", okta.SimMatch},
		{"group exclude, member", c(okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Exclude: []string{sales}}}}), groupsCtx(sales), "people.groups.exclude", okta.SimNotMatch},
		{"group exclude, not member", c(okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Exclude: []string{sales}}}}), groupsCtx(eng), "people.groups.exclude", okta.SimMatch},
		{"user include, the user", c(okta.RuleConditions{People: &okta.PeopleCondition{Users: &okta.IncludeExclude{Include: []string{alice}}}}), okta.PolicyContext{User: &okta.SimUser{ID: alice}}, "people.users.include", okta.SimMatch},
		{"user include, groups only", c(okta.RuleConditions{People: &okta.PeopleCondition{Users: &okta.IncludeExclude{Include: []string{alice}}}}), groupsCtx(sales), "people.users.include", okta.SimUndefined},
		{"user exclude, the user", c(okta.RuleConditions{People: &okta.PeopleCondition{Users: &okta.IncludeExclude{Exclude: []string{alice}}}}), okta.PolicyContext{User: &okta.SimUser{ID: alice}}, "people.users.exclude", okta.SimNotMatch},
		{"registered, registered device", c(okta.RuleConditions{Device: &okta.DeviceCondition{Registered: yes()}}), withDevice(groupsCtx(sales), okta.SimDevice{Registered: yes()}), "device.registered", okta.SimMatch},
		{"registered, unregistered device", c(okta.RuleConditions{Device: &okta.DeviceCondition{Registered: yes()}}), withDevice(groupsCtx(sales), okta.SimDevice{Registered: no()}), "device.registered", okta.SimNotMatch},
		{"registered, unknown", c(okta.RuleConditions{Device: &okta.DeviceCondition{Registered: yes()}}), groupsCtx(sales), "device.registered", okta.SimUndefined},
		{"managed, managed", c(okta.RuleConditions{Device: &okta.DeviceCondition{Registered: yes(), Managed: yes()}}), withDevice(groupsCtx(sales), okta.SimDevice{Registered: yes(), Managed: yes()}), "device.managed", okta.SimMatch},
		{"managed, unmanaged", c(okta.RuleConditions{Device: &okta.DeviceCondition{Registered: yes(), Managed: yes()}}), withDevice(groupsCtx(sales), okta.SimDevice{Registered: yes(), Managed: no()}), "device.managed", okta.SimNotMatch},
		{"assurance, satisfied", c(okta.RuleConditions{Device: &okta.DeviceCondition{Assurance: &okta.AssuranceIDList{Include: []string{"daeWin", macOK}}}}), withDevice(groupsCtx(sales), okta.SimDevice{AssuranceID: macOK}), "device.assurance.include", okta.SimMatch},
		{"assurance, another policy", c(okta.RuleConditions{Device: &okta.DeviceCondition{Assurance: &okta.AssuranceIDList{Include: []string{"daeWin"}}}}), withDevice(groupsCtx(sales), okta.SimDevice{AssuranceID: macOK}), "device.assurance.include", okta.SimNotMatch},
		{"assurance, not given", c(okta.RuleConditions{Device: &okta.DeviceCondition{Assurance: &okta.AssuranceIDList{Include: []string{"daeWin"}}}}), groupsCtx(sales), "device.assurance.include", okta.SimUndefined},
		{"platform include, iOS", c(okta.RuleConditions{Platform: &okta.PlatformCondition{Include: mobileIOS}}), withDevice(groupsCtx(sales), okta.SimDevice{Platform: "IOS"}), "platform.include", okta.SimMatch},
		{"platform include, Android", c(okta.RuleConditions{Platform: &okta.PlatformCondition{Include: mobileIOS}}), withDevice(groupsCtx(sales), okta.SimDevice{Platform: "ANDROID"}), "platform.include", okta.SimNotMatch},
		{"platform include any desktop, macOS", c(okta.RuleConditions{Platform: &okta.PlatformCondition{Include: anyDesktop}}), withDevice(groupsCtx(sales), okta.SimDevice{Platform: "MACOS"}), "platform.include", okta.SimMatch},
		{"platform exclude desktop, Windows", c(okta.RuleConditions{Platform: &okta.PlatformCondition{Exclude: anyDesktop}}), withDevice(groupsCtx(sales), okta.SimDevice{Platform: "WINDOWS"}), "platform.exclude", okta.SimNotMatch},
		{"platform, not given", c(okta.RuleConditions{Platform: &okta.PlatformCondition{Include: mobileIOS}}), groupsCtx(sales), "platform.include", okta.SimUndefined},
		{"zone include, in office", c(okta.RuleConditions{Network: zone([]string{office}, nil)}), okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}, Zones: &okta.SimIDs{IDs: []string{office}}}, "network.zones.include", okta.SimMatch},
		{"zone include, elsewhere", c(okta.RuleConditions{Network: zone([]string{office}, nil)}), okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}, Zones: &okta.SimIDs{IDs: []string{"nzoHome"}}}, "network.zones.include", okta.SimNotMatch},
		{"zone include ALL_ZONES, any zone", c(okta.RuleConditions{Network: zone([]string{"ALL_ZONES"}, nil)}), okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}, Zones: &okta.SimIDs{IDs: []string{"nzoHome"}}}, "network.zones.include", okta.SimMatch},
		{"zone exclude, in it", c(okta.RuleConditions{Network: zone(nil, []string{office})}), okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}, Zones: &okta.SimIDs{IDs: []string{office}}}, "network.zones.exclude", okta.SimNotMatch},
		{"zone, none given", c(okta.RuleConditions{Network: zone([]string{office}, nil)}), groupsCtx(sales), "network.zones.include", okta.SimUndefined},
		{"risk HIGH, high", c(okta.RuleConditions{Extra: risk("HIGH")}), okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}, Risk: &okta.SimRisk{Level: "HIGH"}}, "riskScore", okta.SimMatch},
		{"risk HIGH, low", c(okta.RuleConditions{Extra: risk("HIGH")}), okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}, Risk: &okta.SimRisk{Level: "LOW"}}, "riskScore", okta.SimNotMatch},
		{"risk HIGH, not given", c(okta.RuleConditions{Extra: risk("HIGH")}), groupsCtx(sales), "riskScore", okta.SimUndefined},
		{"expression condition is not modelled", c(okta.RuleConditions{Extra: okta.Extra{"elCondition": json.RawMessage(`{"condition":"user.x"}`)}}), groupsCtx(sales), "elCondition", okta.SimUndefined},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := evaluateRule(rule("r1", 1, tc.cond), mustSignIn(t, tc.ctx))
			var got []string
			for _, c := range r.Conditions {
				got = append(got, c.Type+"="+c.Status)
			}
			if !slices.Contains(got, tc.condType+"="+tc.want) {
				t.Fatalf("conditions %v, want %s=%s", got, tc.condType, tc.want)
			}
			if tc.want == okta.SimNotMatch && r.Status != okta.SimNotMatch || tc.want == okta.SimMatch && len(got) == 1 && r.Status != okta.SimMatch {
				t.Fatalf("rule status %s with conditions %v", r.Status, got)
			}
		})
	}
}

func mustSignIn(t *testing.T, pc okta.PolicyContext) signIn {
	t.Helper()
	s, err := newSignIn(org(), pc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAnyNotMatchingConditionFailsTheRuleAndUndefinedWithoutNotMatchIsUndefined(t *testing.T) {
	cond := &okta.RuleConditions{
		People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sales}}},
		Device: &okta.DeviceCondition{Registered: yes()},
	}
	for _, tc := range []struct {
		ctx  okta.PolicyContext
		want string
	}{
		{withDevice(groupsCtx(sales), okta.SimDevice{Registered: yes()}), okta.SimMatch},
		{withDevice(groupsCtx(eng), okta.SimDevice{Registered: yes()}), okta.SimNotMatch},
		{groupsCtx(sales), okta.SimUndefined},
		{groupsCtx(eng), okta.SimNotMatch},
	} {
		if got := evaluateRule(rule("r", 1, cond), mustSignIn(t, tc.ctx)).Status; got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.ctx, got, tc.want)
		}
	}
}

func TestFirstMatchingRuleByPriorityDecidesAndEarlierOnesAreEvaluated(t *testing.T) {
	salesOnly := &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sales}}}}
	engOnly := &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{eng}}}}
	registered := &okta.RuleConditions{Device: &okta.DeviceCondition{Registered: yes()}}
	inactive := rule("sales-inactive", 1, salesOnly)
	inactive.Status = okta.StatusInactive
	cases := []struct {
		name          string
		rules         []okta.Rule
		ctx           okta.PolicyContext
		decides       string
		evaluated     []string
		undefinedList []string
	}{
		{"priority, not list order", []okta.Rule{rule("sales-2", 2, salesOnly), rule("eng-1", 1, engOnly)}, groupsCtx(sales), "sales-2", []string{"eng-1=NOT_MATCH"}, nil},
		{"the earlier of two matching rules", []okta.Rule{rule("a", 1, salesOnly), rule("b", 2, salesOnly)}, groupsCtx(sales), "a", nil, nil},
		{"inactive rules are skipped", []okta.Rule{inactive, rule("eng-2", 2, engOnly)}, groupsCtx(sales), "catch", []string{"eng-2=NOT_MATCH"}, nil},
		{"catch-all when nothing else matches", []okta.Rule{rule("eng-1", 1, engOnly)}, groupsCtx(sales), "catch", []string{"eng-1=NOT_MATCH"}, nil},
		{"undefined rules are passed over and listed", []okta.Rule{rule("reg-1", 1, registered), rule("sales-2", 2, salesOnly)}, groupsCtx(sales), "sales-2", nil, []string{"reg-1=UNDEFINED"}},
		{"rules after the deciding one are not evaluated", []okta.Rule{rule("sales-1", 1, salesOnly), rule("eng-2", 2, engOnly)}, groupsCtx(sales), "sales-1", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := evaluate(t, org(tc.rules...), tc.ctx)
			if got := decidingRule(ev); got.ID != tc.decides || got.Status != okta.SimMatch {
				t.Fatalf("decided by %+v, want %s", got, tc.decides)
			}
			if got := ruleIDs(ev.Evaluated); !slices.Equal(got, tc.evaluated) {
				t.Fatalf("evaluated %v, want %v", got, tc.evaluated)
			}
			if got := ruleIDs(ev.Undefined); !slices.Equal(got, tc.undefinedList) {
				t.Fatalf("undefined %v, want %v", got, tc.undefinedList)
			}
			if p := ev.Result.Policies[0]; p.ID != "rst1" || p.Name != "Sales apps" || p.Status != okta.SimMatch {
				t.Fatalf("result policy %+v", p)
			}
		})
	}
}

func TestCatchAllHasNoConditionsAndMatchesAnySignIn(t *testing.T) {
	ev := evaluate(t, org(), groupsCtx(eng))
	r := decidingRule(ev)
	if r.ID != "catch" || r.Name != "Catch-all Rule" || len(r.Conditions) != 0 || r.Conditions == nil {
		t.Fatalf("catch-all %+v", r)
	}
}

func TestAppWithoutPolicyOrInactivePolicyDecidesNothing(t *testing.T) {
	o := org()
	o.Policies[0].Status = okta.StatusInactive
	ev := evaluate(t, o, groupsCtx(sales))
	if len(ev.Result.Policies) != 0 || len(ev.Evaluated.Policies) != 1 || ev.Evaluated.Policies[0].Status != okta.SimNotMatch {
		t.Fatalf("inactive policy: %+v", ev)
	}
	o = org()
	o.Apps[0].AccessPolicyID = ""
	if ev := evaluate(t, o, groupsCtx(sales)); len(ev.Result.Policies) != 0 {
		t.Fatalf("no policy: %+v", ev)
	}
}

func TestUnknownAppOrUserIsNotFound(t *testing.T) {
	_, err := Evaluate(org(), okta.SimulationRequest{AppInstance: "0oaNope", PolicyContext: groupsCtx(sales)})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "AppInstance" || nf.ID != "0oaNope" {
		t.Fatalf("unknown app: %v", err)
	}
	_, err = Evaluate(org(), okta.SimulationRequest{AppInstance: "0oaSF", PolicyContext: okta.PolicyContext{User: &okta.SimUser{ID: "00uNope"}}})
	if !errors.As(err, &nf) || nf.Kind != "User" {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestAllPolicyTypesWhenNoneAreAskedForInOktasOrder(t *testing.T) {
	o := org()
	o.DefaultPolicies = map[string]okta.Policy{"OKTA_SIGN_ON": {ID: "00p1", Name: "Default Policy"}}
	res, err := Evaluate(o, okta.SimulationRequest{AppInstance: "0oaSF", PolicyContext: groupsCtx(sales)})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range res.Evaluation {
		types = append(types, e.PolicyType)
	}
	if !slices.Equal(types, PolicyTypes) {
		t.Fatalf("types %v", types)
	}
	if p := res.Evaluation[0].Result.Policies; len(p) != 1 || p[0].Name != "Default Policy" {
		t.Fatalf("OKTA_SIGN_ON result %+v", p)
	}
}

func TestParseRequestRefusesWhatOktaRefuses(t *testing.T) {
	for _, body := range []string{
		`[{"appInstance":"0oa1","policyContext":{"groups":{"ids":["00g1"]}}}]`, // recorded 400 E0000003
		`{"appInstance": 5}`, `null`, ``, `{"appInstance":"0oa1"} {}`, `{"policyContext": []}`,
	} {
		if _, err := ParseRequest([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want malformed", body, err)
		}
	}
	for _, tc := range []struct{ body, field string }{
		{`{"policyContext":{"groups":{"ids":["00g1"]}}}`, "appInstance"},
		{`{"appInstance":"0oa1","policyContext":{}}`, "policyContext"},
		{`{"appInstance":"0oa1","policyContext":{"user":{"id":"00u1"},"groups":{"ids":["00g1"]}}}`, "policyContext"},
		{`{"appInstance":"0oa1","policyTypes":["PASSWORD"],"policyContext":{"groups":{"ids":["00g1"]}}}`, "policyTypes"},
		{`{"appInstance":"0oa1","policyContext":{"groups":{"ids":["00g1"]},"risk":{"level":"EXTREME"}}}`, "policyContext.risk.level"},
		{`{"appInstance":"0oa1","policyContext":{"groups":{"ids":["00g1"]},"device":{"platform":"BEOS"}}}`, "policyContext.device.platform"},
		{`{"appInstance":"0oa1","policyContext":{"groups":{"ids":["00g1"]},"device":{"registered":false,"managed":true}}}`, "policyContext.device.managed"},
	} {
		_, err := ParseRequest([]byte(tc.body))
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Causes[0].Field != tc.field {
			t.Errorf("%s: %v, want a cause on %s", tc.body, err, tc.field)
		}
	}
	req, err := ParseRequest([]byte(`{"policyTypes":["ACCESS_POLICY"],"appInstance":"0oa1","policyContext":{"user":{"id":"00u1"},"device":{"platform":"IOS","registered":true,"managed":true,"assuranceId":"dae1"},"zones":{"ids":["nzo1"]},"risk":{"level":"LOW"}}}`))
	if err != nil || req.PolicyContext.Device.AssuranceID != "dae1" || !strings.EqualFold(req.PolicyContext.Risk.Level, "low") {
		t.Fatalf("valid body: %+v, %v", req, err)
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"appInstance":"0oa1","policyContext":{"groups":{"ids":["00g1"]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ParseRequest(b)
		if err != nil {
			var inv *InvalidError
			if !errors.Is(err, ErrMalformed) && !errors.As(err, &inv) {
				t.Fatalf("unexpected error kind %T: %v", err, err)
			}
			return
		}
		if len(Validate(req)) != 0 {
			t.Fatalf("accepted an invalid request %+v", req)
		}
		// An accepted request always evaluates (or names what it lacks) without panicking.
		_, _ = Evaluate(org(), req)
	})
}

func TestOutcomeOfAllowWithFactorsAndDeny(t *testing.T) {
	allow := okta.Rule{Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW",
		Extra: okta.Extra{"verificationMethod": json.RawMessage(`{"factorMode":"2FA","type":"ASSURANCE","reauthenticateIn":"PT12H"}`)}}}}
	if got := OutcomeOf(allow).String(); got != "ALLOW with 2FA, re-authenticate every PT12H" {
		t.Fatalf("allow: %q", got)
	}
	deny := okta.Rule{Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "DENY",
		Extra: okta.Extra{"verificationMethod": json.RawMessage(`{"factorMode":"2FA"}`)}}}}
	if got := OutcomeOf(deny); got.String() != "DENY" || got.FactorMode != "" {
		t.Fatalf("deny: %+v", got)
	}
	if got := OutcomeOf(okta.Rule{}).String(); got != "no access decision" {
		t.Fatalf("none: %q", got)
	}
}
