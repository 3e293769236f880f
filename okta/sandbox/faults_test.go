package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	f, err := ParseFaults("latency=50ms;429@POST /api/v1/policies#1;drop@POST /api/v1/policies/*/mappings#1;E0000001@POST /api/v1/policies/*/rules; 503 ;500@/api/v1/logs#2 times=3;429@GET reset=5s")
	if err != nil {
		t.Fatal(err)
	}
	if f.Latency != 50*time.Millisecond || len(f.Rules) != 6 {
		t.Fatalf("%+v", f)
	}
	want := []FaultRule{
		{Kind: "429", Method: "POST", Path: "/api/v1/policies", Nth: 1},
		{Kind: "drop", Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1},
		{Kind: "E0000001", Method: "POST", Path: "/api/v1/policies/*/rules"},
		{Kind: "503"},
		{Kind: "500", Path: "/api/v1/logs", Nth: 2, Times: 3},
		{Kind: "429", Method: "GET", ResetAfter: 5 * time.Second},
	}
	for i, w := range want {
		if f.Rules[i] != w {
			t.Fatalf("rule %d: %+v, want %+v", i, f.Rules[i], w)
		}
	}
	// String renders the same syntax back
	again, err := ParseFaults(f.String())
	if err != nil || again.String() != f.String() {
		t.Fatalf("round trip %q -> %q (%v)", f.String(), again.String(), err)
	}
	for _, bad := range []string{"latency=soon", "418@GET /x", "429@GET /x#0", "429@GET /x#two", "429@FETCH /x", "429@GET /x times=0", "429@GET /x reset=-1s", "@GET /x", "429@GET /a /b"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Fatalf("%q should not parse", bad)
		}
	}
	if f, err := ParseFaults(""); err != nil || len(f.Rules) != 0 || f.Latency != 0 {
		t.Fatal("empty spec is no faults")
	}
}

func TestFaultsFromEnv(t *testing.T) {
	t.Setenv(FaultsEnv, "500@GET /api/v1/zones")
	f, err := FaultsFromEnv()
	if err != nil || len(f.Rules) != 1 || f.Rules[0].Kind != "500" {
		t.Fatalf("%+v %v", f, err)
	}
	t.Setenv(FaultsEnv, "bogus")
	if _, err := FaultsFromEnv(); err == nil || !strings.Contains(err.Error(), FaultsEnv) {
		t.Fatalf("error should name the variable: %v", err)
	}
	t.Setenv(FaultsEnv, "")
	if f, err := FaultsFromEnv(); err != nil || len(f.Rules) != 0 {
		t.Fatal("unset means none")
	}
}

func TestPathPatterns(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api/v1/policies/*/mappings", "/api/v1/policies/rst1/mappings", true},
		{"/api/v1/policies/*/mappings", "/api/v1/policies/rst1/rules", false},
		{"/api/v1/policies/*/mappings", "/api/v1/policies/rst1/mappings/x", false},
		{"/api/v1/policies", "/api/v1/policies/", true},
		{"/api/v1/policies", "/api/v1/policies/rst1", false},
		{"", "/anything", true},
	} {
		if got := pathMatches(c.pattern, c.path); got != c.want {
			t.Fatalf("%s ~ %s = %v", c.pattern, c.path, got)
		}
	}
}

func countPolicies(t *testing.T, o *testOrg, name string) int {
	n := 0
	for _, p := range o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil).list(t) {
		if p["name"] == name {
			n++
		}
	}
	return n
}

func TestFault429(t *testing.T) {
	o := startOrg(t, Options{Faults: Faults{Rules: []FaultRule{{Kind: "429", Method: "POST", Path: "/api/v1/policies", Nth: 2, ResetAfter: 7 * time.Second}}}})
	body := map[string]any{"type": "ACCESS_POLICY", "name": "first"}
	o.must(200, "POST", "/api/v1/policies", body)
	before := time.Now().Unix()
	r := o.do("POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": "second"})
	wantError(t, r, 429, "E0000047", "")
	reset, _ := strconv.ParseInt(r.header.Get("X-Rate-Limit-Reset"), 10, 64)
	if reset < before+6 || reset > before+8 || r.header.Get("X-Rate-Limit-Remaining") != "0" || r.header.Get("Date") == "" {
		t.Fatalf("429 headers: %v", r.header)
	}
	if countPolicies(t, o, "second") != 0 {
		t.Fatal("a 429 applies nothing")
	}
	o.must(200, "POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": "second"})
}

func TestFault5xx(t *testing.T) {
	o := startOrg(t, Options{Faults: Faults{Rules: []FaultRule{
		{Kind: "500", Method: "GET", Path: "/api/v1/zones"},
		{Kind: "503", Path: "/api/v1/idps", Times: 2},
	}}})
	for range 3 {
		wantError(t, o.do("GET", "/api/v1/zones", nil), 500, "E0000009", "")
	}
	wantError(t, o.do("GET", "/api/v1/idps", nil), 503, "E0000010", "")
	wantError(t, o.do("GET", "/api/v1/idps", nil), 503, "E0000010", "")
	o.must(200, "GET", "/api/v1/idps", nil)
	o.must(200, "GET", "/api/v1/groups", nil)
}

func TestFaultDropAppliesTheWriteThenClosesTheConnection(t *testing.T) {
	o := startOrg(t, Options{})
	dsc := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc", "")["id"].(string)
	app := o.createPolicy("ACCESS_POLICY", "app", "")["id"].(string)
	o.srv.SetFaults(Faults{Rules: []FaultRule{{Kind: "drop", Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}})
	req, _ := http.NewRequest("POST", o.url+"/api/v1/policies/"+dsc+"/mappings",
		strings.NewReader(`{"resourceId":"`+app+`","resourceType":"ACCESS_POLICY"}`))
	req.Header.Set("Authorization", "SSWS "+o.srv.Token())
	tr := &http.Transport{DisableKeepAlives: true}
	// A bare transport: http.Client would retry nothing for POST, but be explicit.
	resp, err := tr.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("expected a dropped connection, got %d", resp.StatusCode)
	}
	l := o.must(200, "GET", "/api/v1/policies/"+dsc+"/mappings", nil).list(t)
	if len(l) != 1 || l[0]["id"] != app {
		t.Fatalf("the dropped write was applied: %v", l)
	}
	// fired once only
	o.must(200, "POST", "/api/v1/policies/"+dsc+"/mappings", map[string]any{"resourceId": app, "resourceType": "ACCESS_POLICY"})
}

// Through a ResponseWriter that cannot be hijacked (httptest.ResponseRecorder) the drop
// fault still applies the write, then answers 502 instead of panicking.
func TestFaultDropWithoutHijackAnswers502(t *testing.T) {
	srv := newServer(t, Options{Token: "t", Faults: Faults{Rules: []FaultRule{{Kind: "drop", Method: "POST", Path: "/api/v1/policies", Nth: 1}}}})
	send := func(method, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://org.example/api/v1/policies?type=ACCESS_POLICY", strings.NewReader(body))
		req.Header.Set("Authorization", "SSWS t")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	rec := send("POST", `{"type":"ACCESS_POLICY","name":"dropped"}`)
	if rec.Code != http.StatusBadGateway {
		t.Fatalf("status %d, want 502: %s", rec.Code, rec.Body)
	}
	var e map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["errorCode"] == nil || e["errorSummary"] == nil {
		t.Fatalf("502 body should be an Okta error: %v %s", err, rec.Body)
	}
	if list := send("GET", "").Body.String(); !strings.Contains(list, `"name":"dropped"`) {
		t.Fatalf("the write behind a dropped answer is applied: %s", list)
	}
}

func TestFaultValidationAppliesNothing(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	o.srv.SetFaults(Faults{Rules: []FaultRule{{Kind: "E0000001", Method: "POST", Path: "/api/v1/policies/*/rules"}}})
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", accessRule("r", nil)), 400, "E0000001", "")
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", accessRule("r", nil)), 400, "E0000001", "")
	if got := ruleNames(t, o, pid); got != "Catch-all Rule:99" {
		t.Fatalf("rules %s", got)
	}
	o.srv.SetFaults(Faults{})
	o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", accessRule("r", nil))
}

func TestFaultNthAndTimesCountMatchingRequestsOnly(t *testing.T) {
	o := startOrg(t, Options{Faults: Faults{Rules: []FaultRule{{Kind: "500", Method: "GET", Path: "/api/v1/groups", Nth: 2, Times: 2}}}})
	statuses := []int{}
	for i := range 5 {
		o.do("GET", "/api/v1/zones", nil) // not matching: does not count
		if i == 0 {
			o.do("POST", "/api/v1/groups", nil) // wrong method: does not count
		}
		statuses = append(statuses, o.do("GET", "/api/v1/groups", nil).status)
	}
	if got := fmt.Sprint(statuses); got != "[200 500 500 200 200]" {
		t.Fatalf("statuses %s", got)
	}
}

func TestFaultLatency(t *testing.T) {
	o := startOrg(t, Options{Faults: Faults{Latency: 80 * time.Millisecond}})
	start := time.Now()
	o.must(200, "GET", "/api/v1/zones", nil)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("latency not applied: %v", d)
	}
}
