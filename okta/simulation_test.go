package okta_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// salesOrg protects Salesforce.com with a new policy: rule 1 allows Sales on registered
// devices, rule 2 denies Contractors, then the catch-all.
func salesOrg(t *testing.T) (*sandbox.Server, *okta.Client, *recorder, string) {
	t.Helper()
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Sales apps"}, true)
	if err != nil {
		t.Fatal(err)
	}
	registered := true
	for _, r := range []okta.Rule{
		{Type: okta.TypeAccessPolicy, Name: "Sales on registered devices", Priority: ptr(1),
			Conditions: &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sandboxtest.GroupID(t, c, "Sales")}}},
				Device: &okta.DeviceCondition{Registered: &registered}},
			Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}},
		{Type: okta.TypeAccessPolicy, Name: "Deny contractors", Priority: ptr(2),
			Conditions: &okta.RuleConditions{People: &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{sandboxtest.GroupID(t, c, "Contractors")}}}},
			Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "DENY"}}},
	} {
		if _, err := c.CreateRule(ctx, p.ID, r, true); err != nil {
			t.Fatal(err)
		}
	}
	apps, _ := c.ListApps(ctx, okta.AppQuery{Q: "Salesforce"})
	sf := appLabeled(t, apps, "Salesforce.com")
	if err := c.AssignAppPolicy(ctx, sf.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	rec.reset()
	return srv, c, rec, sf.ID
}

func simRuleNames(ps okta.SimPolicies) []string {
	var out []string
	for _, p := range ps.Policies {
		for _, r := range p.Rules {
			out = append(out, r.Name)
		}
	}
	return out
}

func userID(t *testing.T, c *okta.Client, q string) string {
	t.Helper()
	us, err := c.ListUsers(testCtx(t), q)
	if err != nil || len(us) != 1 {
		t.Fatalf("users %q: %v %v", q, us, err)
	}
	return us[0].ID
}

func TestSimulatePolicyEvaluatesTheAppsPolicyRuleByRule(t *testing.T) {
	_, c, _, sf := salesOrg(t)
	ctx := testCtx(t)
	yes, no := true, false
	salesGroup := sandboxtest.GroupID(t, c, "Sales")
	cases := []struct {
		name               string
		pc                 okta.PolicyContext
		decides            string
		evaluated, undefed []string
	}{
		{"Sales on a registered device", okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{salesGroup}}, Device: &okta.SimDevice{Platform: "MACOS", Registered: &yes}},
			"Sales on registered devices", nil, nil},
		{"contractor Carol, unregistered", okta.PolicyContext{User: &okta.SimUser{ID: userID(t, c, "carol")}, Device: &okta.SimDevice{Registered: &no}},
			"Deny contractors", []string{"Sales on registered devices"}, nil},
		{"Sales, device unknown", okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{salesGroup}}},
			"Catch-all Rule", []string{"Deny contractors"}, []string{"Sales on registered devices"}},
		{"Alice (Sales) on a registered phone", okta.PolicyContext{User: &okta.SimUser{ID: userID(t, c, "alice")}, Device: &okta.SimDevice{Platform: "IOS", Registered: &yes}},
			"Sales on registered devices", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.SimulatePolicy(ctx, okta.SimulationRequest{PolicyTypes: []string{"ACCESS_POLICY"}, AppInstance: sf, PolicyContext: tc.pc})
			if err != nil {
				t.Fatal(err)
			}
			p, r, ok := res.Decision("ACCESS_POLICY")
			if !ok || p.Name != "Sales apps" || r.Name != tc.decides {
				t.Fatalf("decided by %q/%q (%v), want %q", p.Name, r.Name, ok, tc.decides)
			}
			ev := res.Evaluation[0]
			if got := simRuleNames(ev.Evaluated); !slices.Equal(got, tc.evaluated) {
				t.Fatalf("evaluated %v, want %v", got, tc.evaluated)
			}
			if got := simRuleNames(ev.Undefined); !slices.Equal(got, tc.undefed) {
				t.Fatalf("undefined %v, want %v", got, tc.undefed)
			}
		})
	}
}

func TestSimulatePolicySendsOneObjectAskingForEvaluatedAndUndefined(t *testing.T) {
	_, c, rec, sf := salesOrg(t)
	_, err := c.SimulatePolicy(testCtx(t), okta.SimulationRequest{AppInstance: sf,
		PolicyContext: okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sandboxtest.GroupID(t, c, "Sales")}}}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	last := reqs[len(reqs)-1]
	u, _ := url.Parse(last.URL)
	if last.Method != "POST" || u.Path != "/api/v1/policies/simulate" || !slices.Equal(u.Query()["expand"], []string{"EVALUATED", "UNDEFINED"}) {
		t.Fatalf("sent %s %s", last.Method, last.URL)
	}
	var body map[string]any
	if err := json.Unmarshal(last.Body, &body); err != nil {
		t.Fatalf("body is not one object (real Okta refuses an array): %s", last.Body)
	}
	if body["appInstance"] != sf || body["policyContext"] == nil {
		t.Fatalf("body %s", last.Body)
	}
}

func TestSimulatePolicyAnswersAllTypesWhenNoneAreGiven(t *testing.T) {
	_, c, _, sf := salesOrg(t)
	res, err := c.SimulatePolicy(testCtx(t), okta.SimulationRequest{AppInstance: sf,
		PolicyContext: okta.PolicyContext{User: &okta.SimUser{ID: userID(t, c, "bob")}}})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range res.Evaluation {
		types = append(types, e.PolicyType)
	}
	if !slices.Equal(types, []string{"OKTA_SIGN_ON", "MFA_ENROLL", "ACCESS_POLICY", "PROFILE_ENROLLMENT"}) {
		t.Fatalf("types %v", types)
	}
	if _, r, ok := res.Decision("ACCESS_POLICY"); !ok || r.Name != "Catch-all Rule" {
		t.Fatalf("Bob (Engineering) decided by %q", r.Name)
	}
}

func TestSimulatePolicyRefusesBadRequestsAsOktaDoes(t *testing.T) {
	_, c, _, sf := salesOrg(t)
	ctx := testCtx(t)
	sales := sandboxtest.GroupID(t, c, "Sales")
	_, err := c.SimulatePolicy(ctx, okta.SimulationRequest{AppInstance: "0oaNOPE", PolicyContext: okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sales}}}})
	if oe := mustOktaError(t, err, 404, "E0000007"); !strings.Contains(oe.ErrorSummary, "0oaNOPE (AppInstance)") {
		t.Fatalf("unknown app: %v", oe)
	}
	_, err = c.SimulatePolicy(ctx, okta.SimulationRequest{AppInstance: sf, PolicyContext: okta.PolicyContext{User: &okta.SimUser{ID: "00uNOPE"}}})
	mustOktaError(t, err, 404, "E0000007")
	_, err = c.SimulatePolicy(ctx, okta.SimulationRequest{AppInstance: sf, PolicyContext: okta.PolicyContext{
		User: &okta.SimUser{ID: "00u1"}, Groups: &okta.SimIDs{IDs: []string{sales}}, Risk: &okta.SimRisk{Level: "EXTREME"}}})
	oe := mustOktaError(t, err, 400, "E0000001")
	if len(oe.ErrorCauses) != 2 || !strings.Contains(oe.ErrorCauses[0].ErrorSummary, "not both") || !strings.HasPrefix(oe.ErrorCauses[1].ErrorSummary, "policyContext.risk.level") {
		t.Fatalf("causes %+v", oe.ErrorCauses)
	}
}

func TestSimulateArrayBodyIsMalformedAsRecorded(t *testing.T) {
	srv, c, _, sf := salesOrg(t)
	body := `[{"appInstance": "` + sf + `", "policyContext": {"user": {"id": "` + userID(t, c, "alice") + `"}}, "policyTypes": ["OKTA_SIGN_ON"]}]`
	r := rawPost(t, srv, "/api/v1/policies/simulate?expand=EVALUATED", body)
	if r.status != 400 || r.body["errorCode"] != "E0000003" || r.body["errorSummary"] != "The request body was not well-formed." {
		t.Fatalf("array body: %d %v", r.status, r.body)
	}
}

func TestUsersAndTheirGroupsIncludeEveryone(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	all, err := c.ListUsers(ctx, "")
	if err != nil || len(all) < 4 {
		t.Fatalf("users %v %v", all, err)
	}
	gs, err := c.ListUserGroups(ctx, userID(t, c, "carol"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gs {
		names = append(names, g.Profile.Name)
	}
	if !slices.Equal(names, []string{"Everyone", "Contractors", "Engineering"}) {
		t.Fatalf("Carol's groups %v", names)
	}
	_, err = c.ListUserGroups(ctx, "00uNOPE")
	mustOktaError(t, err, 404, "E0000007")
}

type rawReply struct {
	status int
	body   map[string]any
}

// rawPost sends body as is, as another SDK would, with the sandbox's token.
func rawPost(t *testing.T, srv *sandbox.Server, path, body string) rawReply {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return rawReply{status: resp.StatusCode, body: out}
}

// BenchmarkSimulatePolicyOverHTTP is one simulation through the real client and the sandbox:
// the round trip an admin waits for on the Try a sign-in screen.
func BenchmarkSimulatePolicyOverHTTP(b *testing.B) {
	srv := sandboxtest.StartServer(b)
	c, _ := newClient(b, srv)
	ctx := context.Background()
	apps, err := c.ListApps(ctx, okta.AppQuery{Q: "Salesforce"})
	if err != nil || len(apps) != 1 {
		b.Fatal(apps, err)
	}
	req := okta.SimulationRequest{AppInstance: apps[0].ID, PolicyTypes: []string{"ACCESS_POLICY"},
		PolicyContext: okta.PolicyContext{Groups: &okta.SimIDs{IDs: []string{sandboxtest.GroupID(b, c, "Sales")}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.SimulatePolicy(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
