package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// testOrg is a started sandbox with a plain HTTP client.
type testOrg struct {
	t   *testing.T
	srv *Server
	url string
	hc  *http.Client
}

func startOrg(t *testing.T, opts Options) *testOrg {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	srv := startServer(t, opts)
	t.Cleanup(func() { srv.Close() })
	return &testOrg{t: t, srv: srv, url: srv.URL(), hc: &http.Client{Timeout: 10 * time.Second}}
}

// newServer opens an org without starting it (for tests of its Handler, Start or Close).
func newServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	srv, err := New(opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return srv
}

// startServer starts an org on a loopback port; the caller closes it.
func startServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	srv := newServer(tb, opts)
	if err := srv.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("Start: %v", err)
	}
	return srv
}

// seededServer is newServer with SeedLarge's generated policies and rules.
func seededServer(tb testing.TB, opts Options, accessPolicies, rulesEach int) *Server {
	tb.Helper()
	srv := newServer(tb, opts)
	if err := srv.SeedLarge(accessPolicies, rulesEach, 0); err != nil {
		tb.Fatalf("SeedLarge: %v", err)
	}
	return srv
}

type reply struct {
	status int
	header http.Header
	raw    []byte
}

func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.raw)
	}
	return m
}

func (r reply) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(r.raw, &l); err != nil {
		t.Fatalf("body is not a JSON array: %v: %s", err, r.raw)
	}
	return l
}

// do sends a request with the org's token; body may be nil, a string (sent as is) or a value
// marshalled to JSON.
func (o *testOrg) do(method, path string, body any) reply {
	o.t.Helper()
	return o.doAuth(method, path, body, "SSWS "+o.srv.Token())
}

func (o *testOrg) doAuth(method, path string, body any, auth string) reply {
	o.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			o.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	u := path
	if strings.HasPrefix(path, "/") {
		u = o.url + path
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		o.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := o.hc.Do(req)
	if err != nil {
		o.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// must asserts the status and returns the reply.
func (o *testOrg) must(status int, method, path string, body any) reply {
	o.t.Helper()
	r := o.do(method, path, body)
	if r.status != status {
		o.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r
}

// wantError asserts an Okta error answer with the code and, if given, the errorSummary.
func wantError(t *testing.T, r reply, status int, code, summary string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	e := r.obj(t)
	if e["errorCode"] != code {
		t.Fatalf("errorCode %v, want %s: %s", e["errorCode"], code, r.raw)
	}
	if summary != "" && e["errorSummary"] != summary {
		t.Fatalf("errorSummary %q, want %q", e["errorSummary"], summary)
	}
	for _, k := range []string{"errorSummary", "errorLink", "errorId", "errorCauses"} {
		if _, ok := e[k]; !ok {
			t.Fatalf("error body lacks %s: %s", k, r.raw)
		}
	}
	if !strings.HasPrefix(e["errorId"].(string), "oae") {
		t.Fatalf("errorId %v should start with oae", e["errorId"])
	}
	return e
}

func causes(e map[string]any) []string {
	var out []string
	list, _ := e["errorCauses"].([]any)
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, m["errorSummary"].(string))
		}
	}
	return out
}

// createPolicy creates a policy and returns it.
func (o *testOrg) createPolicy(t, name string, query string) map[string]any {
	o.t.Helper()
	return o.must(200, "POST", "/api/v1/policies"+query, map[string]any{"type": t, "name": name}).obj(o.t)
}

func (o *testOrg) findPolicy(ptype, name string) map[string]any {
	o.t.Helper()
	for _, p := range o.must(200, "GET", "/api/v1/policies?type="+ptype, nil).list(o.t) {
		if p["name"] == name {
			return p
		}
	}
	o.t.Fatalf("no %s policy named %q", ptype, name)
	return nil
}

func (o *testOrg) firstID(path, nameKey, name string) string {
	o.t.Helper()
	for _, x := range o.must(200, "GET", path, nil).list(o.t) {
		n := x[nameKey]
		if p, ok := x["profile"].(map[string]any); ok && nameKey == "profile.name" {
			n = p["name"]
		}
		if n == name {
			return x["id"].(string)
		}
	}
	o.t.Fatalf("%s: nothing named %q", path, name)
	return ""
}

// Every write of every test in this package compares the store with memory, so a handler that
// changes an object without touching it fails the test that exercised it. Not in the sandbox
// process of the store benchmarks, whose figures it would distort.
func init() { verifyStore = os.Getenv("OKTA_TEST_STORE_BENCH_SANDBOX") == "" }
