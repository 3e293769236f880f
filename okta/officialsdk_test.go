package okta_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// What the official Python (3.4.x) and Node (8.x) SDKs send, and real Okta accepts, the
// sandbox accepts too.

func TestSandboxAcceptsSSWSWithoutASpaceOrWithManySpaces(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	for _, tc := range []struct {
		header string
		ok     bool
	}{
		{"SSWS" + srv.Token(), true}, // the Python SDK's form
		{"SSWS    " + srv.Token(), true},
		{"ssws " + srv.Token(), true},
		{"SSWS ", false},
		{"SSWS", false},
		{"SSWSx" + srv.Token(), false},
		{srv.Token(), false},
	} {
		c, rec := newClient(t, srv)
		rec.onRequest = func(r *http.Request) { r.Header.Set("Authorization", tc.header) }
		_, err := c.ListPolicies(testCtx(t), okta.TypeAccessPolicy)
		if tc.ok && err != nil {
			t.Errorf("%q refused: %v", strings.ReplaceAll(tc.header, srv.Token(), "<token>"), err)
		}
		if !tc.ok {
			mustOktaError(t, err, 401, "E0000011")
		}
	}
}

func TestGracePeriodExpiryObjectFormIsAcceptedAndAnsweredAsAString(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	body := `{"name":"Python SDK grace","platform":"MACOS","osVersion":{"minimum":"14.0"},` +
		`"gracePeriod":{"type":"BY_DURATION","expiry":{"value":"P30D"}},"displayRemediationMode":"SHOW"}`
	req, _ := http.NewRequest("POST", srv.URL()+"/api/v1/device-assurances", strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS"+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("object form refused: %d %s", resp.StatusCode, raw)
	}
	if !bytes.Contains(raw, []byte(`"expiry":"P30D"`)) {
		t.Fatalf("answer does not carry expiry as a string: %s", raw)
	}
	var created struct{ ID string }
	_ = json.Unmarshal(raw, &created)
	got, err := c.GetDeviceAssurance(testCtx(t), created.ID)
	if err != nil || got.GracePeriod == nil || got.GracePeriod.Expiry != "P30D" || got.GracePeriod.Type != okta.GraceByDuration {
		t.Fatalf("read back %+v, %v", got, err)
	}
	// okta/ decodes the object form too, should any server answer it.
	var g okta.GracePeriod
	if err := json.Unmarshal([]byte(`{"type":"BY_DURATION","expiry":{"value":"P7D"}}`), &g); err != nil || g.Expiry != "P7D" {
		t.Fatalf("object form decoded to %+v, %v", g, err)
	}
}

func TestRuleOfADeletedPolicyIsNotFoundNamingTheRule(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "p")}, true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.CreateRule(ctx, p.ID, okta.Rule{Type: okta.TypeAccessPolicy, Name: "r",
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePolicy(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRule(ctx, p.ID, r.ID)
	oe := mustOktaError(t, err, 404, "E0000007")
	if want := "Not found: Resource not found: " + r.ID + " (PolicyRule)"; oe.ErrorSummary != want {
		t.Fatalf("summary %q, want %q (recorded)", oe.ErrorSummary, want)
	}
}
