package okta_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

func TestErrorWrongAndMissingTokenIs401E0000011(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	ctx := testCtx(t)

	wrong, _ := newClient(t, srv, func(c *okta.Config) { c.Token = "00wrongTokenValue1234" })
	_, err := wrong.ListPolicies(ctx, okta.TypeAccessPolicy)
	oe := mustOktaError(t, err, 401, okta.CodeInvalidToken)
	if oe.ErrorSummary == "" || oe.ErrorID == "" {
		t.Fatalf("401 without summary or errorId: %+v", oe)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, "00wrongTokenValue1234") {
			t.Fatalf("error text shows the token: %s", s)
		}
	}

	missing, rec := newClient(t, srv)
	rec.onRequest = func(r *http.Request) { r.Header.Del("Authorization") }
	_, err = missing.GetPolicy(ctx, "00pAnything")
	mustOktaError(t, err, 401, okta.CodeInvalidToken)
}

func TestErrorNotFoundIs404E0000007(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	_, err := c.GetPolicy(ctx, "00pDoesNotExist000")
	oe := mustOktaError(t, err, 404, okta.CodeNotFound)
	if oe.Method != "GET" || oe.Path != "/api/v1/policies/00pDoesNotExist000" {
		t.Fatalf("error should say which request: %s %s", oe.Method, oe.Path)
	}
	_, err = c.GetDeviceAssurance(ctx, "daeNope")
	mustOktaError(t, err, 404, okta.CodeNotFound)
	err = c.DeleteRule(ctx, "00pNope", "0prNope")
	mustOktaError(t, err, 404, okta.CodeNotFound)
}

func TestErrorMalformedBodyIs400E0000003(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	_, _, err := c.RawCall(testCtx(t), "POST", "/api/v1/policies", []byte(`{"type":"ACCESS_POLICY","name":`))
	mustOktaError(t, err, 400, okta.CodeMalformed)
}

func TestErrorValidationIs400E0000001WithCauses(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	// An empty name is a validation error naming the field.
	_, err := c.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: "", Platform: okta.PlatformIOS, Jailbreak: ptr(false)})
	oe := mustOktaError(t, err, 400, okta.CodeValidation)
	if len(oe.ErrorCauses) == 0 || oe.ErrorCauses[0].ErrorSummary == "" {
		t.Fatalf("E0000001 without errorCauses: %+v", oe)
	}
	if !strings.HasPrefix(err.Error(), "E0000001 ") || !strings.Contains(err.Error(), "("+oe.ErrorCauses[0].ErrorSummary) {
		t.Fatalf("error should read `E0000001 summary (cause)`: %q", err.Error())
	}
	// Mappings are refused on an ACCESS_POLICY, as a real org answers.
	app, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "App")}, true)
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "Other")}, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.MapResource(ctx, app.ID, okta.MappingRequest{ResourceID: other.ID, ResourceType: "ACCESS_POLICY"})
	mustOktaError(t, err, 400, okta.CodeValidation)
}

func TestErrorRateLimitIs429E0000047AfterBoundedRetries(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: "429", Method: "GET", Path: "/api/v1/groups", ResetAfter: time.Second}}}))
	c, rec := newClient(t, srv, func(c *okta.Config) { c.MaxRetries = 1; c.MaxBackoff = time.Second })
	_, err := c.ListGroups(testCtx(t))
	mustOktaError(t, err, 429, okta.CodeRateLimited)
	if n := rec.count("GET", exactPath("/api/v1/groups")); n != 2 {
		t.Fatalf("MaxRetries 1 means 2 attempts, got %d", n)
	}
}

func TestRateLimitWithResetOneSecondAwayIsWaitedOut(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: "429", Method: "POST", Path: "/api/v1/device-assurances", Nth: 1, ResetAfter: time.Second},
		{Kind: "429", Method: "GET", Path: "/api/v1/policies", Nth: 1, ResetAfter: time.Second},
	}}))
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	start := time.Now()
	ps, err := c.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil || len(ps) == 0 {
		t.Fatalf("ListPolicies after a 429: %v", err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("the client did not wait for X-Rate-Limit-Reset (waited %v)", waited)
	}
	d, err := c.CreateDeviceAssurance(ctx, daFor(okta.PlatformAndroid, uniqueName(t, "DA")))
	if err != nil {
		t.Fatalf("create after a 429: %v", err)
	}
	if n := rec.count("POST", exactPath("/api/v1/device-assurances")); n != 2 {
		t.Fatalf("want the refused POST and one retry, got %d", n)
	}
	all, _ := c.ListDeviceAssurances(ctx)
	if countDA(all, d.Name) != 1 {
		t.Fatalf("want exactly one %q", d.Name)
	}
}

func countDA(ds []okta.DeviceAssurance, name string) int {
	n := 0
	for _, d := range ds {
		if d.Name == name {
			n++
		}
	}
	return n
}

func countPolicies(ps []okta.Policy, name string) int {
	n := 0
	for _, p := range ps {
		if p.Name == name {
			n++
		}
	}
	return n
}

func drop(method, path string) sandbox.Faults {
	return sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: "drop", Method: method, Path: path, Nth: 1}}}
}

func TestDroppedCreateLeavesExactlyOneObject(t *testing.T) {
	t.Run("policy", func(t *testing.T) {
		srv := sandboxtest.StartServer(t, sandboxtest.Faults(drop("POST", "/api/v1/policies")))
		c, rec := newClient(t, srv)
		ctx := testCtx(t)
		name := uniqueName(t, "Dropped")
		p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: name}, true)
		if err != nil {
			t.Fatalf("CreatePolicy after a dropped answer: %v", err)
		}
		if p.ID == "" || p.Name != name {
			t.Fatalf("reconciled policy: %+v", p)
		}
		if n := rec.count("POST", exactPath("/api/v1/policies")); n != 1 {
			t.Fatalf("the create was sent %d times", n)
		}
		assertReconciled(t, rec, "POST", exactPath("/api/v1/policies"))
		ps, _ := c.ListPolicies(ctx, okta.TypeAccessPolicy)
		if countPolicies(ps, name) != 1 {
			t.Fatalf("want exactly one %q, got %d", name, countPolicies(ps, name))
		}
	})
	t.Run("rule", func(t *testing.T) {
		srv := sandboxtest.StartServer(t, sandboxtest.Faults(drop("POST", "/api/v1/policies/*/rules")))
		c, rec := newClient(t, srv)
		ctx := testCtx(t)
		app, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "App")}, true)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.CreateRule(ctx, app.ID, okta.Rule{Type: okta.TypeAccessPolicy, Name: "Dropped rule", Priority: ptr(0),
			Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "DENY"}}}, true)
		if err != nil || r.ID == "" {
			t.Fatalf("CreateRule after a dropped answer: %+v %v", r, err)
		}
		if n := rec.count("POST", func(p string) bool { return strings.HasSuffix(p, "/rules") }); n != 1 {
			t.Fatalf("the create was sent %d times", n)
		}
		assertReconciled(t, rec, "POST", func(p string) bool { return strings.HasSuffix(p, "/rules") })
		rules, _ := c.ListRules(ctx, app.ID)
		n := 0
		for _, x := range rules {
			if x.Name == "Dropped rule" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("want exactly one rule, got %d", n)
		}
	})
	t.Run("mapping", func(t *testing.T) {
		srv := sandboxtest.StartServer(t, sandboxtest.Faults(drop("POST", "/api/v1/policies/*/mappings")))
		c, rec := newClient(t, srv)
		ctx := testCtx(t)
		dsc, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: uniqueName(t, "DSC")}, true)
		if err != nil {
			t.Fatal(err)
		}
		app, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "App")}, true)
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.MapResource(ctx, dsc.ID, okta.MappingRequest{ResourceID: app.ID, ResourceType: "ACCESS_POLICY"})
		if err != nil || m.ID == "" {
			t.Fatalf("MapResource after a dropped answer: %+v %v", m, err)
		}
		if n := rec.count("POST", func(p string) bool { return strings.HasSuffix(p, "/mappings") }); n != 1 {
			t.Fatalf("the mapping was sent %d times", n)
		}
		assertReconciled(t, rec, "POST", func(p string) bool { return strings.HasSuffix(p, "/mappings") })
		ms, _ := c.ListMappings(ctx, dsc.ID)
		if len(ms) != 1 {
			t.Fatalf("want exactly one mapping, got %d", len(ms))
		}
	})
	t.Run("device assurance", func(t *testing.T) {
		srv := sandboxtest.StartServer(t, sandboxtest.Faults(drop("POST", "/api/v1/device-assurances")))
		c, rec := newClient(t, srv)
		ctx := testCtx(t)
		want := daFor(okta.PlatformWindows, uniqueName(t, "DA"))
		d, err := c.CreateDeviceAssurance(ctx, want)
		if err != nil || d.ID == "" || d.GracePeriod == nil {
			t.Fatalf("CreateDeviceAssurance after a dropped answer: %+v %v", d, err)
		}
		if n := rec.count("POST", exactPath("/api/v1/device-assurances")); n != 1 {
			t.Fatalf("the create was sent %d times", n)
		}
		assertReconciled(t, rec, "POST", exactPath("/api/v1/device-assurances"))
		all, _ := c.ListDeviceAssurances(ctx)
		if countDA(all, want.Name) != 1 {
			t.Fatalf("want exactly one %q", want.Name)
		}
	})
}

func TestDroppedReplaceActivateDeleteAreReconciled(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "P")}, false)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/policies/" + p.ID

	srv.SetFaults(drop("PUT", path))
	p.Description = "after drop"
	rep, err := c.ReplacePolicy(ctx, *p)
	if err != nil || rep.Description != "after drop" {
		t.Fatalf("ReplacePolicy after a dropped answer: %+v %v", rep, err)
	}
	if n := rec.count("PUT", exactPath(path)); n != 1 {
		t.Fatalf("an applied PUT was sent %d times", n)
	}
	assertReconciled(t, rec, "PUT", exactPath(path))

	srv.SetFaults(drop("POST", path+"/lifecycle/activate"))
	if err := c.ActivatePolicy(ctx, p.ID); err != nil {
		t.Fatalf("ActivatePolicy after a dropped answer: %v", err)
	}
	if got, _ := c.GetPolicy(ctx, p.ID); got.Status != okta.StatusActive {
		t.Fatalf("status %q", got.Status)
	}
	if n := rec.count("POST", exactPath(path+"/lifecycle/activate")); n != 1 {
		t.Fatalf("an applied activate was sent %d times", n)
	}
	assertReconciled(t, rec, "POST", exactPath(path+"/lifecycle/activate"))

	srv.SetFaults(drop("DELETE", path))
	if err := c.DeletePolicy(ctx, p.ID); err != nil {
		t.Fatalf("DeletePolicy after a dropped answer: %v", err)
	}
	if n := rec.count("DELETE", exactPath(path)); n != 1 {
		t.Fatalf("an applied delete was sent %d times", n)
	}
	assertReconciled(t, rec, "DELETE", exactPath(path))
	_, err = c.GetPolicy(ctx, p.ID)
	mustOktaError(t, err, 404, okta.CodeNotFound)
}

// A write whose answer is lost and whose lookup also fails is reported as outcome unknown.
func TestLostWriteWithFailedLookupIsOutcomeUnknown(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: "drop", Method: "POST", Path: "/api/v1/device-assurances", Nth: 1},
		{Kind: "500", Method: "GET", Path: "/api/v1/device-assurances"},
	}}))
	c, rec := newClient(t, srv)
	_, err := c.CreateDeviceAssurance(testCtx(t), daFor(okta.PlatformIOS, uniqueName(t, "DA")))
	if !errors.Is(err, okta.ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
	if n := rec.count("POST", exactPath("/api/v1/device-assurances")); n != 1 {
		t.Fatalf("the create was re-sent: %d", n)
	}
}

func TestCancellingTheContextStopsPaging(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	for i := 0; i < 6; i++ {
		if _, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: fmt.Sprintf("Paged %d", i)}, false); err != nil {
			t.Fatal(err)
		}
	}
	rec.reset()
	cctx, cancel := context.WithCancel(ctx)
	pages := 0
	err := c.ListPoliciesPaged(cctx, okta.TypeAccessPolicy, 2, func(p []okta.Policy) error {
		pages++
		if len(p) == 0 || len(p) > 2 {
			t.Errorf("page of %d with limit 2", len(p))
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if pages != 1 {
		t.Fatalf("paging went on after cancel: %d pages", pages)
	}
	if n := rec.count("GET", exactPath("/api/v1/policies")); n != 1 {
		t.Fatalf("requests after cancel: %d", n)
	}

	// An error from the page callback stops paging and comes back as is.
	rec.reset()
	stop := errors.New("enough")
	err = c.ListPoliciesPaged(ctx, okta.TypeAccessPolicy, 2, func([]okta.Policy) error { return stop })
	if !errors.Is(err, stop) || rec.count("GET", exactPath("/api/v1/policies")) != 1 {
		t.Fatalf("callback error: got %v after %d requests", err, rec.count("GET", exactPath("/api/v1/policies")))
	}

	// Without cancelling, every page is followed through its Link header.
	rec.reset()
	total := 0
	err = c.ListPoliciesPaged(ctx, okta.TypeAccessPolicy, 2, func(p []okta.Policy) error { total += len(p); return nil })
	all, _ := c.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil || total != len(all) || total < 6 {
		t.Fatalf("paged total %d, list %d, err %v", total, len(all), err)
	}
	reqs := rec.all()
	if len(reqs) < 4 || !strings.Contains(reqs[1].URL, "after=") {
		t.Fatalf("next pages must follow the Link header URL: %d requests, second %v", len(reqs), reqs[1:2])
	}
}

func TestCancelledContextStopsA429Wait(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: "429", Method: "GET", Path: "/api/v1/zones", ResetAfter: 20 * time.Second}}}))
	c, _ := newClient(t, srv, func(c *okta.Config) { c.MaxBackoff = 30 * time.Second })
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	_, err := c.ListNetworkZones(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !okta.IsCode(err, okta.CodeRateLimited) {
		t.Fatalf("want the 429 and the context's end, got %v", err)
	}
}

// closingListener accepts connections and closes them at once: every request through it is
// answered by EOF.
func closingListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var closed atomic.Bool
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			conn.Read(buf)
			conn.Close()
		}
	}()
	t.Cleanup(func() { closed.Store(true); ln.Close() })
	return "http://" + ln.Addr().String()
}

func TestSecretsNeverAppearInErrors(t *testing.T) {
	ctx := testCtx(t)
	const token = "00SecretTokenValueXYZ987"
	_, keyPEM := rsaKeyPEM(t)
	keyLines := strings.Split(strings.TrimSpace(keyPEM), "\n")

	assertClean := func(t *testing.T, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("want an error")
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, token) || strings.Contains(s, "eyJ") || strings.Contains(s, "client_assertion=e") {
				t.Fatalf("error shows a secret: %s", s)
			}
			for _, l := range keyLines[1 : len(keyLines)-1] {
				if strings.Contains(s, l) {
					t.Fatalf("error shows the private key: %s", s)
				}
			}
		}
		for e := err; e != nil; e = errors.Unwrap(e) {
			if s := fmt.Sprintf("%+v", e); strings.Contains(s, token) || strings.Contains(s, "eyJ") {
				t.Fatalf("a wrapped error shows a secret: %s", s)
			}
		}
	}

	t.Run("unreachable host", func(t *testing.T) {
		c, err := okta.New(okta.Config{OrgURL: "http://127.0.0.1:1", Token: token, RequestTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListGroups(ctx)
		assertClean(t, err)
	})
	t.Run("401", func(t *testing.T) {
		srv := sandboxtest.StartServer(t)
		c, _ := newClient(t, srv, func(c *okta.Config) { c.Token = token })
		_, err := c.ListGroups(ctx)
		assertClean(t, err)
	})
	t.Run("connection closed", func(t *testing.T) {
		c, err := okta.New(okta.Config{OrgURL: closingListener(t), Token: token, RequestTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "x"}, true)
		assertClean(t, err)
	})
	t.Run("private key token fetch network error", func(t *testing.T) {
		c, err := okta.New(okta.Config{OrgURL: closingListener(t), AuthMode: okta.AuthModePrivateKey, ClientID: "0oaX",
			PrivateKey: keyPEM, RequestTimeout: 2 * time.Second, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListGroups(ctx)
		assertClean(t, err)
		var ae *okta.AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("want an *okta.AuthError, got %T %v", err, err)
		}
	})
	t.Run("private key refused by the token endpoint", func(t *testing.T) {
		srv := sandboxtest.StartServer(t)
		c, _ := newClient(t, srv, func(c *okta.Config) {
			c.Token, c.AuthMode, c.ClientID, c.PrivateKey = "", okta.AuthModePrivateKey, "0oaUnknownClient", keyPEM
		})
		_, err := c.ListGroups(ctx)
		assertClean(t, err)
		if !strings.Contains(err.Error(), "refused the client credentials") {
			t.Fatalf("the refusal should be explained: %v", err)
		}
	})
}

func TestPrivateKeyAuthEndToEnd(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	key, keyPEM := rsaKeyPEM(t)
	srv.AddOAuthClient("0oaServiceApp1", &key.PublicKey)
	c, rec := newClient(t, srv, func(c *okta.Config) {
		c.Token, c.AuthMode, c.ClientID, c.PrivateKey, c.PrivateKeyID = "", okta.AuthModePrivateKey, "0oaServiceApp1", keyPEM, "kid-test"
	})
	ctx := testCtx(t)
	if _, err := c.ListPolicies(ctx, okta.TypeAccessPolicy); err != nil {
		t.Fatalf("ListPolicies with private key auth: %v", err)
	}
	p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "PK")}, true)
	if err != nil {
		t.Fatalf("CreatePolicy with private key auth: %v", err)
	}
	if p.ID == "" {
		t.Fatal("no id")
	}
	if n := rec.count("POST", exactPath("/oauth2/v1/token")); n != 1 {
		t.Fatalf("the access token should be fetched once and cached, fetched %d times", n)
	}
	var apiCalls int
	for _, r := range rec.all() {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			apiCalls++
			if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "Bearer ") && !strings.HasPrefix(a, "DPoP ") {
				t.Fatalf("API call without an OAuth access token: %q", a)
			}
		}
		if strings.Contains(r.URL, "/oauth2/v1/token") && !strings.Contains(r.URL, "scope=okta.policies.read") {
			t.Fatalf("token request without the default scopes")
		}
	}
	if apiCalls < 2 {
		t.Fatalf("expected API calls, saw %d", apiCalls)
	}
}

// A write lost before the server saw it is looked up, found absent and reported as not
// applied (safe to send again) without being re-sent.
func TestLostWriteThatWasNotAppliedIsReportedNotResent(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	rec.failWith = func(r *http.Request) error {
		if r.Method == "POST" {
			return io.ErrUnexpectedEOF
		}
		return nil
	}
	ctx := testCtx(t)
	name := uniqueName(t, "Never")
	_, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: name}, true)
	var na *okta.WriteNotAppliedError
	if !errors.As(err, &na) || errors.Is(err, okta.ErrOutcomeUnknown) {
		t.Fatalf("want WriteNotAppliedError, got %T %v", err, err)
	}
	if n := rec.count("POST", exactPath("/api/v1/policies")); n != 1 {
		t.Fatalf("the create was sent %d times", n)
	}
	ps, _ := c.ListPolicies(ctx, okta.TypeAccessPolicy)
	if countPolicies(ps, name) != 0 {
		t.Fatal("the policy exists")
	}
}

// The per-request timeout ends a request that gets no answer; GETs are retried a bounded number
// of times, a timed-out write is never re-sent and, when the lookup also fails, is outcome unknown.
func TestRequestTimeout(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Latency(time.Second))
	c, rec := newClient(t, srv, func(c *okta.Config) { c.RequestTimeout = 150 * time.Millisecond })
	ctx := testCtx(t)
	_, err := c.ListGroups(ctx)
	var te *okta.TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("want a timeout TransportError, got %T %v", err, err)
	}
	if n := rec.count("GET", exactPath("/api/v1/groups")); n != 3 {
		t.Fatalf("a timed-out GET should be tried 3 times in all, got %d", n)
	}
	_, err = c.CreateDeviceAssurance(ctx, daFor(okta.PlatformIOS, uniqueName(t, "DA")))
	if !errors.Is(err, okta.ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
	if n := rec.count("POST", exactPath("/api/v1/device-assurances")); n != 1 {
		t.Fatalf("a timed-out create was sent %d times", n)
	}
}

// A 503 on a GET is retried; the same on a write is reported, never re-sent.
func TestServerErrorsRetryReadsOnly(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: "503", Method: "GET", Path: "/api/v1/groups", Nth: 1},
		{Kind: "503", Method: "POST", Path: "/api/v1/device-assurances", Nth: 1},
		{Kind: "500", Method: "GET", Path: "/api/v1/zones", Nth: 1},
	}}))
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	if _, err := c.ListGroups(ctx); err != nil {
		t.Fatalf("a 503 GET should be retried: %v", err)
	}
	if n := rec.count("GET", exactPath("/api/v1/groups")); n != 2 {
		t.Fatalf("want 2 GETs, got %d", n)
	}
	_, err := c.CreateDeviceAssurance(ctx, daFor(okta.PlatformIOS, uniqueName(t, "DA")))
	var oe *okta.Error
	if !errors.As(err, &oe) || oe.Status != 503 {
		t.Fatalf("want the 503, got %v", err)
	}
	if n := rec.count("POST", exactPath("/api/v1/device-assurances")); n != 1 {
		t.Fatalf("a refused write was re-sent: %d", n)
	}
	_, err = c.ListNetworkZones(ctx)
	if !errors.As(err, &oe) || oe.Status != 500 {
		t.Fatalf("want the 500 reported, got %v", err)
	}
}
