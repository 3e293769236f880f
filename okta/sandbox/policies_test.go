package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var policyIDPattern = regexp.MustCompile(`^rst[A-Za-z0-9]{17}$`)

func TestAuthRejectsMissingAndWrongTokens(t *testing.T) {
	o := startOrg(t, Options{Token: "right-token"})
	for _, auth := range []string{"", "SSWS wrong-token", "SSWS ", "Bearer right-token", "right-token", "SSWS right-token-longer"} {
		r := o.doAuth("GET", "/api/v1/policies?type=ACCESS_POLICY", nil, auth)
		wantError(t, r, 401, "E0000011", "Invalid token provided")
	}
	if r := o.doAuth("GET", "/api/v1/policies?type=ACCESS_POLICY", nil, "SSWS right-token"); r.status != 200 {
		t.Fatalf("right token: %d %s", r.status, r.raw)
	}
	// lower-case scheme is accepted like Okta's
	if r := o.doAuth("GET", "/api/v1/zones", nil, "ssws right-token"); r.status != 200 {
		t.Fatalf("ssws: %d", r.status)
	}
}

func TestRandomTokenWhenNoneGiven(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(Options{})
	if len(a.Token()) < 32 || a.Token() == b.Token() {
		t.Fatalf("tokens %q %q should be long and random", a.Token(), b.Token())
	}
}

func TestEveryResponseHasOktaHeaders(t *testing.T) {
	o := startOrg(t, Options{})
	for _, r := range []reply{
		o.do("GET", "/api/v1/policies?type=ACCESS_POLICY", nil),
		o.do("GET", "/api/v1/policies/nope", nil),
		o.doAuth("GET", "/api/v1/groups", nil, ""),
		o.do("GET", "/api/v1/logs", nil),
	} {
		for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", "Date", "X-Okta-Request-Id"} {
			if r.header.Get(h) == "" {
				t.Fatalf("status %d: header %s missing", r.status, h)
			}
		}
		reset, err := strconv.ParseInt(r.header.Get("X-Rate-Limit-Reset"), 10, 64)
		if err != nil || reset < time.Now().Unix() || reset > time.Now().Add(61*time.Second).Unix() {
			t.Fatalf("X-Rate-Limit-Reset %q is not epoch seconds within the minute", r.header.Get("X-Rate-Limit-Reset"))
		}
	}
	a := o.do("GET", "/api/v1/zones", nil)
	b := o.do("GET", "/api/v1/zones", nil)
	ra, _ := strconv.Atoi(a.header.Get("X-Rate-Limit-Remaining"))
	rb, _ := strconv.Atoi(b.header.Get("X-Rate-Limit-Remaining"))
	if rb >= ra && ra > 0 {
		t.Fatalf("remaining should drop: %d then %d", ra, rb)
	}
	if o.do("GET", "/api/v1/logs", nil).header.Get("X-Rate-Limit-Limit") != strconv.Itoa(rateLimitLogs) {
		t.Fatal("System Log has its own, smaller bucket")
	}
}

func TestSeededOrgLooksLikeANewIdentityEngineOrg(t *testing.T) {
	o := startOrg(t, Options{})
	access := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil).list(t)
	names := map[string]map[string]any{}
	for _, p := range access {
		names[p["name"].(string)] = p
		if !policyIDPattern.MatchString(p["id"].(string)) {
			t.Fatalf("policy id %v", p["id"])
		}
	}
	for _, want := range []string{"Any two factors", "Okta Admin Console", "Okta Dashboard", "One factor access"} {
		if names[want] == nil {
			t.Fatalf("seeded org lacks app sign-in policy %q", want)
		}
	}
	def := names["Any two factors"]
	if def["system"] != true {
		t.Fatal("the default app sign-in policy is a system policy")
	}
	links := def["_links"].(map[string]any)
	if _, ok := links["deactivate"]; ok {
		t.Fatal("system policy must not offer deactivate")
	}
	if got := links["self"].(map[string]any)["hints"].(map[string]any)["allow"]; fmt.Sprint(got) != "[GET PUT]" {
		t.Fatalf("system policy allows %v", got)
	}
	for _, p := range access {
		rules := o.must(200, "GET", "/api/v1/policies/"+p["id"].(string)+"/rules", nil).list(t)
		if len(rules) != 1 || rules[0]["name"] != "Catch-all Rule" || rules[0]["system"] != true || fmt.Sprint(rules[0]["priority"]) != "99" {
			t.Fatalf("policy %v rules %v", p["name"], rules)
		}
		if !strings.HasPrefix(rules[0]["id"].(string), "rul") || len(rules[0]["id"].(string)) != 20 {
			t.Fatalf("rule id %v", rules[0]["id"])
		}
	}
	if dsc := o.must(200, "GET", "/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION", nil).list(t); len(dsc) != 0 {
		t.Fatalf("a new org has no DSC policy: %v", dsc)
	}
	groups := o.must(200, "GET", "/api/v1/groups", nil).list(t)
	if len(groups) < 4 || groups[0]["profile"].(map[string]any)["name"] != "Everyone" || groups[0]["type"] != "BUILT_IN" {
		t.Fatalf("groups %v", groups)
	}
	for _, g := range groups {
		if !strings.HasPrefix(g["id"].(string), "00g") {
			t.Fatalf("group id %v", g["id"])
		}
	}
	idps := o.must(200, "GET", "/api/v1/idps", nil).list(t)
	if len(idps) < 2 || idps[0]["name"] != "Device Posture Provider" || !strings.HasPrefix(idps[0]["id"].(string), "0oa") {
		t.Fatalf("idps %v", idps)
	}
	zones := o.must(200, "GET", "/api/v1/zones", nil).list(t)
	zoneNames := map[string]bool{}
	for _, z := range zones {
		zoneNames[z["name"].(string)] = true
		if !strings.HasPrefix(z["id"].(string), "nzo") {
			t.Fatalf("zone id %v", z["id"])
		}
	}
	for _, want := range []string{"LegacyIpZone", "BlockedIpZone", "DefaultEnhancedDynamicZone", "Office Network"} {
		if !zoneNames[want] {
			t.Fatalf("zones %v lack %s", zoneNames, want)
		}
	}
	das := o.must(200, "GET", "/api/v1/device-assurances", nil).list(t)
	if len(das) < 2 || !strings.HasPrefix(das[0]["id"].(string), "dae") {
		t.Fatalf("device assurances %v", das)
	}
}

func TestPolicyCreateGetReplaceDelete(t *testing.T) {
	o := startOrg(t, Options{})
	body := map[string]any{"type": "ACCESS_POLICY", "name": "Contractor apps", "description": "d",
		"futureMember": map[string]any{"kept": true}}
	p := o.must(200, "POST", "/api/v1/policies", body).obj(t)
	id := p["id"].(string)
	if !policyIDPattern.MatchString(id) || p["status"] != "ACTIVE" || p["system"] != false || p["conditions"] != nil {
		t.Fatalf("created %v", p)
	}
	if _, ok := p["created"].(string); !ok {
		t.Fatal("created missing")
	}
	if p["futureMember"].(map[string]any)["kept"] != true {
		t.Fatal("unknown members are echoed back like Okta does")
	}
	links := p["_links"].(map[string]any)
	for _, k := range []string{"self", "rules", "mappings", "deactivate"} {
		if _, ok := links[k]; !ok {
			t.Fatalf("_links lacks %s: %v", k, links)
		}
	}
	if !strings.HasSuffix(links["self"].(map[string]any)["href"].(string), "/api/v1/policies/"+id) {
		t.Fatalf("self %v", links["self"])
	}
	got := o.must(200, "GET", "/api/v1/policies/"+id, nil).obj(t)
	if got["name"] != "Contractor apps" || got["futureMember"] == nil {
		t.Fatalf("get %v", got)
	}
	got["name"] = "Contractor apps v2"
	time.Sleep(1100 * time.Millisecond) // lastUpdated has second precision
	put := o.must(200, "PUT", "/api/v1/policies/"+id, got).obj(t)
	if put["name"] != "Contractor apps v2" || put["created"] != p["created"] || put["lastUpdated"] == p["lastUpdated"] || put["id"] != id {
		t.Fatalf("put %v", put)
	}
	o.must(204, "DELETE", "/api/v1/policies/"+id, nil)
	wantError(t, o.do("GET", "/api/v1/policies/"+id, nil), 404, "E0000007", "Not found: Resource not found: "+id+" (Policy)")
	wantError(t, o.do("DELETE", "/api/v1/policies/"+id, nil), 404, "E0000007", "")
	wantError(t, o.do("PUT", "/api/v1/policies/"+id, got), 404, "E0000007", "")
	wantError(t, o.do("GET", "/api/v1/policies/"+id+"/rules", nil), 404, "E0000007", "")
}

func TestPolicyCreateActivateParameter(t *testing.T) {
	o := startOrg(t, Options{})
	if p := o.createPolicy("ACCESS_POLICY", "inactive one", "?activate=false"); p["status"] != "INACTIVE" {
		t.Fatalf("activate=false: %v", p["status"])
	} else if _, ok := p["_links"].(map[string]any)["activate"]; !ok {
		t.Fatal("inactive policy offers activate")
	}
	if p := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc", "?activate=false"); p["status"] != "INACTIVE" || p["type"] != "DEVICE_SIGNAL_COLLECTION" {
		t.Fatalf("dsc: %v", p)
	}
	if p := o.createPolicy("ACCESS_POLICY", "active one", "?activate=true"); p["status"] != "ACTIVE" {
		t.Fatalf("activate=true: %v", p["status"])
	}
	p := o.must(200, "POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": "by body", "status": "INACTIVE"}).obj(t)
	if p["status"] != "INACTIVE" {
		t.Fatal("status in body respected when activate is absent")
	}
	wantError(t, o.do("POST", "/api/v1/policies?activate=maybe", map[string]any{"type": "ACCESS_POLICY", "name": "x"}), 400, "E0000001", "Api validation failed: activate")
}

func TestPolicyLifecycle(t *testing.T) {
	o := startOrg(t, Options{})
	id := o.createPolicy("ACCESS_POLICY", "lc", "")["id"].(string)
	r := o.must(204, "POST", "/api/v1/policies/"+id+"/lifecycle/deactivate", nil)
	if len(r.raw) != 0 {
		t.Fatalf("204 with body %s", r.raw)
	}
	if got := o.must(200, "GET", "/api/v1/policies/"+id, nil).obj(t); got["status"] != "INACTIVE" {
		t.Fatal("not deactivated")
	}
	o.must(204, "POST", "/api/v1/policies/"+id+"/lifecycle/deactivate", nil) // idempotent
	o.must(204, "POST", "/api/v1/policies/"+id+"/lifecycle/activate", nil)
	if got := o.must(200, "GET", "/api/v1/policies/"+id, nil).obj(t); got["status"] != "ACTIVE" {
		t.Fatal("not activated")
	}
	wantError(t, o.do("POST", "/api/v1/policies/nope/lifecycle/activate", nil), 404, "E0000007", "")
	wantError(t, o.do("GET", "/api/v1/policies/"+id+"/lifecycle/activate", nil), 405, "E0000022", "")
	sys := o.findPolicy("ACCESS_POLICY", "Any two factors")["id"].(string)
	wantError(t, o.do("POST", "/api/v1/policies/"+sys+"/lifecycle/deactivate", nil), 400, "E0000001", "")
}

func TestSystemPolicyCannotBeDeleted(t *testing.T) {
	o := startOrg(t, Options{})
	sys := o.findPolicy("ACCESS_POLICY", "Any two factors")["id"].(string)
	wantError(t, o.do("DELETE", "/api/v1/policies/"+sys, nil), 403, "E0000006", "")
	o.must(200, "GET", "/api/v1/policies/"+sys, nil)
}

func TestPolicyValidation(t *testing.T) {
	o := startOrg(t, Options{})
	long := strings.Repeat("x", 256)
	cases := []struct {
		body  any
		field string
	}{
		{map[string]any{"type": "ACCESS_POLICY"}, "name"},
		{map[string]any{"type": "ACCESS_POLICY", "name": ""}, "name"},
		{map[string]any{"type": "ACCESS_POLICY", "name": "   "}, "name"},
		{map[string]any{"type": "ACCESS_POLICY", "name": 5}, "name"},
		{map[string]any{"type": "ACCESS_POLICY", "name": long}, "name"},
		{map[string]any{"name": "no type"}, "type"},
		{map[string]any{"type": "NOT_A_TYPE", "name": "x"}, "type"},
		{map[string]any{"type": "ACCESS_POLICY", "name": "x", "status": "ON"}, "status"},
		{map[string]any{"type": "ACCESS_POLICY", "name": "x", "priority": "high"}, "priority"},
		{map[string]any{"type": "DEVICE_SIGNAL_COLLECTION", "name": "x", "conditions": map[string]any{"people": map[string]any{}}}, "conditions"},
		{map[string]any{"type": "ACCESS_POLICY", "name": "Okta Dashboard"}, "name"},
	}
	for _, c := range cases {
		e := wantError(t, o.do("POST", "/api/v1/policies", c.body), 400, "E0000001", "Api validation failed: "+c.field)
		cs := causes(e)
		if len(cs) != 1 || !strings.HasPrefix(cs[0], c.field+": ") {
			t.Fatalf("%v: causes %v should name %s", c.body, cs, c.field)
		}
	}
	if p := o.createPolicy("ACCESS_POLICY", strings.Repeat("y", 255), ""); p["id"] == nil {
		t.Fatal("255 characters is allowed")
	}
	// type cannot change on PUT
	id := o.createPolicy("ACCESS_POLICY", "typed", "")["id"].(string)
	wantError(t, o.do("PUT", "/api/v1/policies/"+id, map[string]any{"type": "DEVICE_SIGNAL_COLLECTION", "name": "typed"}), 400, "E0000001", "Api validation failed: type")
}

func TestMalformedBodiesAre400E0000003(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "m", "")["id"].(string)
	for _, path := range []string{"/api/v1/policies", "/api/v1/policies/" + pid + "/rules", "/api/v1/device-assurances", "/api/v1/policies/" + pid + "/mappings"} {
		for _, body := range []string{"{", "[]", "\"x\"", "{\"name\": \u201cquoted\u201d}", "{\"a\":1,}", "{} {}", "null"} {
			wantError(t, o.do("POST", path, body), 400, "E0000003", "The request body was not well-formed.")
		}
	}
	wantError(t, o.do("PUT", "/api/v1/policies/"+pid, "{"), 400, "E0000003", "")
}

func TestMethodNotAllowedHasErrorBody(t *testing.T) {
	o := startOrg(t, Options{})
	for _, c := range []struct{ method, path string }{
		{"DELETE", "/api/v1/policies"},
		{"PUT", "/api/v1/policies/x/rules"}, // one guide's way to create a rule
		{"PATCH", "/api/v1/policies/x/mappings"},
		{"PUT", "/api/v1/policies/x/lifecycle/activate"},
		{"PATCH", "/api/v1/policies/x"},
		{"PUT", "/api/v1/device-assurances"},
		{"POST", "/api/v1/groups"},
		{"POST", "/api/v1/logs"},
		{"GET", "/oauth2/v1/token"},
	} {
		r := o.do(c.method, c.path, nil)
		wantError(t, r, 405, "E0000022", "")
		if r.header.Get("Allow") == "" {
			t.Fatalf("%s %s: no Allow header", c.method, c.path)
		}
	}
	wantError(t, o.do("GET", "/api/v1/unknown", nil), 404, "E0000007", "")
}

func TestListPoliciesPagingWithLinkHeaders(t *testing.T) {
	o := startOrg(t, Options{})
	if err := o.srv.SeedLarge(45, 0, 0); err != nil {
		t.Fatal(err)
	}
	all := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil)
	total := len(all.list(t))
	if total != 45+6 {
		t.Fatalf("without limit every policy comes in one page: %d", total)
	}
	if links := all.header.Values("Link"); len(links) != 1 || !strings.Contains(links[0], `rel="self"`) {
		t.Fatalf("single page Link %v", links)
	}
	seen := map[string]bool{}
	next := "/api/v1/policies?type=ACCESS_POLICY&limit=20"
	pages := 0
	for next != "" {
		r := o.must(200, "GET", next, nil)
		pages++
		for _, p := range r.list(t) {
			if seen[p["id"].(string)] {
				t.Fatalf("policy %v on two pages", p["id"])
			}
			seen[p["id"].(string)] = true
			if p["type"] != "ACCESS_POLICY" {
				t.Fatalf("type filter broken: %v", p["type"])
			}
		}
		next = ""
		hasSelf := false
		for _, l := range r.header.Values("Link") {
			if strings.HasSuffix(l, `rel="self"`) {
				hasSelf = true
			}
			if strings.HasSuffix(l, `rel="next"`) {
				next = strings.TrimSuffix(strings.TrimPrefix(strings.Split(l, ">")[0], "<"), "")
				if !strings.Contains(next, "limit=20") || !strings.Contains(next, "type=ACCESS_POLICY") || !strings.Contains(next, "after=") {
					t.Fatalf("next link %s keeps the query and adds after", next)
				}
			}
		}
		if !hasSelf {
			t.Fatal("every page has rel=self")
		}
	}
	if len(seen) != total || pages != 3 {
		t.Fatalf("paged %d policies in %d pages, want %d in 3", len(seen), pages, total)
	}
	wantError(t, o.do("GET", "/api/v1/policies", nil), 400, "E0000001", "Api validation failed: type")
	wantError(t, o.do("GET", "/api/v1/policies?type=BOGUS", nil), 400, "E0000001", "")
	wantError(t, o.do("GET", "/api/v1/policies?type=ACCESS_POLICY&limit=0", nil), 400, "E0000001", "")
	// status and q filters
	o.createPolicy("ACCESS_POLICY", "Zeta inactive", "?activate=false")
	if l := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY&status=INACTIVE", nil).list(t); len(l) != 1 || l[0]["name"] != "Zeta inactive" {
		t.Fatalf("status filter %v", l)
	}
	if l := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY&q=zeta", nil).list(t); len(l) != 1 {
		t.Fatalf("q filter %v", l)
	}
}

func TestCloneCopiesPolicyAndRules(t *testing.T) {
	o := startOrg(t, Options{})
	id := o.createPolicy("ACCESS_POLICY", "Original", "")["id"].(string)
	o.must(200, "POST", "/api/v1/policies/"+id+"/rules", map[string]any{"name": "r1", "type": "ACCESS_POLICY"})
	c := o.must(200, "POST", "/api/v1/policies/"+id+"/clone", nil).obj(t)
	if c["name"] != "[cloned] Original" || c["id"] == id || c["created"] != nil {
		t.Fatalf("clone %v", c)
	}
	rules := o.must(200, "GET", "/api/v1/policies/"+c["id"].(string)+"/rules", nil).list(t)
	if len(rules) != 2 || rules[0]["name"] != "r1" {
		t.Fatalf("cloned rules %v", rules)
	}
}

func TestHandlerServesWithoutStart(t *testing.T) {
	srv := newServer(t, Options{Token: "t"})
	if srv.URL() != "" {
		t.Fatal("URL is empty before Start")
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/policies?type=ACCESS_POLICY", nil)
	req.Header.Set("Authorization", "SSWS t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), ts.URL+"/api/v1/policies/rst") {
		t.Fatalf("links are built from the request host: %d %s", resp.StatusCode, b)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Start("127.0.0.1:0"); err == nil {
		t.Fatal("second Start must fail")
	}
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL())
	}
}
