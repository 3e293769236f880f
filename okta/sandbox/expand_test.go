package sandbox

import (
	"net/url"
	"strings"
	"testing"
)

// startSeededOrg is startOrg with SeedLarge's generated policies and rules.
func startSeededOrg(t *testing.T, accessPolicies, rulesEach int) *testOrg {
	t.Helper()
	o := startOrg(t, Options{})
	if err := o.srv.SeedLarge(accessPolicies, rulesEach, 0); err != nil {
		t.Fatal(err)
	}
	return o
}

func embeddedRuleIDs(t *testing.T, p map[string]any) ([]string, bool) {
	t.Helper()
	emb, ok := p["_embedded"].(map[string]any)
	if !ok {
		return nil, false
	}
	rules, ok := emb["rules"].([]any)
	if !ok {
		t.Fatalf("_embedded without a rules list: %v", emb)
	}
	var ids []string
	for _, r := range rules {
		rule := r.(map[string]any)
		if rule["_links"] == nil {
			t.Fatalf("embedded rule without _links: %v", rule)
		}
		ids = append(ids, rule["id"].(string))
	}
	return ids, true
}

func ruleIDsOf(t *testing.T, o *testOrg, policyID string) []string {
	t.Helper()
	var ids []string
	for _, r := range o.must(200, "GET", "/api/v1/policies/"+policyID+"/rules", nil).list(t) {
		ids = append(ids, r["id"].(string))
	}
	return ids
}

func TestPolicyListWithExpandRulesEmbedsEachPolicysRules(t *testing.T) {
	o := startSeededOrg(t, 3, 2)
	listed := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY&expand=rules&limit=2", nil)
	if linkURL(listed, "next") == "" || !strings.Contains(linkURL(listed, "next"), "expand=rules") {
		t.Fatalf("next link %q should keep expand=rules", linkURL(listed, "next"))
	}
	for _, p := range listed.list(t) {
		got, ok := embeddedRuleIDs(t, p)
		if !ok {
			t.Fatalf("policy %v has no _embedded", p["name"])
		}
		if want := ruleIDsOf(t, o, p["id"].(string)); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("policy %v embeds rules %v, its rules list answers %v", p["name"], got, want)
		}
	}
	for _, p := range o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil).list(t) {
		if _, ok := p["_embedded"]; ok {
			t.Fatalf("policy listed without expand has _embedded: %v", p["name"])
		}
	}
}

func TestPolicyGetWithExpandRulesEmbedsItsRules(t *testing.T) {
	o := startSeededOrg(t, 1, 3)
	id := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY&q=Load+Test", nil).list(t)[0]["id"].(string)
	got, ok := embeddedRuleIDs(t, o.must(200, "GET", "/api/v1/policies/"+id+"?expand=rules", nil).obj(t))
	if want := ruleIDsOf(t, o, id); !ok || len(got) != 4 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("embedded %v (present %v), rules list %v", got, ok, want)
	}
	if _, ok := embeddedRuleIDs(t, o.must(200, "GET", "/api/v1/policies/"+id, nil).obj(t)); ok {
		t.Fatal("a get without expand embeds rules")
	}
}

func TestGroupSearchByExactName(t *testing.T) {
	o := startOrg(t, Options{})
	if err := o.srv.SeedGroups("Sales East", `Say "hi"`); err != nil {
		t.Fatal(err)
	}
	search := func(expr string) reply { return o.do("GET", "/api/v1/groups?search="+url.QueryEscape(expr), nil) }
	for expr, want := range map[string]string{
		`profile.name eq "Sales"`:      "Sales",
		`profile.name eq "Say \"hi\""`: `Say "hi"`,
	} {
		l := search(expr).list(t)
		if len(l) != 1 || l[0]["profile"].(map[string]any)["name"] != want {
			t.Fatalf("search %s: %v", expr, l)
		}
	}
	if l := search(`profile.name eq "Nobody"`).list(t); len(l) != 0 {
		t.Fatalf("search for a missing name: %v", l)
	}
	wantError(t, search(`profile.name sw "Sa"`), 400, "E0000031", "Invalid search criteria.")
}

func TestGroupQueryIsCappedNotPaged(t *testing.T) {
	o := startOrg(t, Options{})
	names := make([]string, groupQueryLimit+5)
	for i := range names {
		names[i] = "Team " + strings.Repeat("x", i%7) + string(rune('a'+i%26))
	}
	if err := o.srv.SeedGroups(names...); err != nil {
		t.Fatal(err)
	}
	r := o.must(200, "GET", "/api/v1/groups?q=Team", nil)
	if n := len(r.list(t)); n != groupQueryLimit || linkURL(r, "next") != "" {
		t.Fatalf("q answered %d groups, next %q; want %d and no next link", n, linkURL(r, "next"), groupQueryLimit)
	}
	if all := o.must(200, "GET", "/api/v1/groups", nil).list(t); len(all) < len(names) {
		t.Fatalf("a list without q answers %d groups", len(all))
	}
}

func FuzzParseGroupNameSearch(f *testing.F) {
	f.Add(`profile.name eq "Sales"`)
	f.Add(`profile.name eq "a \"b\" \\ c"`)
	f.Add(`profile.name eq "unterminated`)
	f.Add(`profile.name eq "bad " quote"`)
	f.Add(`type eq "OKTA_GROUP"`)
	f.Fuzz(func(t *testing.T, expr string) {
		name, ok := parseGroupNameSearch(expr)
		if !ok {
			return
		}
		// What parses names one string: escaping it again parses back to the same name.
		again := `profile.name eq "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
		if back, ok := parseGroupNameSearch(again); !ok || back != name {
			t.Fatalf("%q -> %q; re-escaped %q -> %q %v", expr, name, again, back, ok)
		}
	})
}
