package okta

import (
	"net/http"
	"strings"
	"testing"
)

func TestNextLinkFindsRelNextAmongSeveral(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `<https://x.okta.com/api/v1/policies?type=ACCESS_POLICY&limit=2>; rel="self"`)
	h.Add("Link", `<https://x.okta.com/api/v1/policies?after=00p2&type=ACCESS_POLICY&limit=2>; rel="next"`)
	if got := nextLink(h); got != "https://x.okta.com/api/v1/policies?after=00p2&type=ACCESS_POLICY&limit=2" {
		t.Fatalf("nextLink = %q", got)
	}
	one := http.Header{"Link": {`<https://a/self>; rel="self", <https://a/next?after=1>; rel="next"`}}
	if got := nextLink(one); got != "https://a/next?after=1" {
		t.Fatalf("comma-joined: nextLink = %q", got)
	}
	if got := nextLink(http.Header{"Link": {`<https://a/self>; rel="self"`}}); got != "" {
		t.Fatalf("no next: got %q", got)
	}
}

func TestJSONContainsIgnoresServerManagedMembers(t *testing.T) {
	sent := []byte(`{"name":"A","conditions":{"people":{"groups":{"include":["g1"]}}},"_links":{"self":{"href":"x"}}}`)
	have := []byte(`{"id":"r1","name":"A","status":"ACTIVE","lastUpdated":"2024-01-01T00:00:00.000Z","conditions":{"people":{"groups":{"include":["g1"]}},"network":{"connection":"ANYWHERE"}}}`)
	if !jsonContains(have, sent) {
		t.Fatal("a stored object holding everything sent must match")
	}
	changed := []byte(`{"id":"r1","name":"A","conditions":{"people":{"groups":{"include":["g2"]}}}}`)
	if jsonContains(changed, sent) {
		t.Fatal("a different include list must not match")
	}
}

func TestScrubRemovesSecretsAndAssertions(t *testing.T) {
	s := scrubber{secrets: []string{"00abcdefTOKEN"}}
	in := `Post "https://x/oauth2/v1/token?client_assertion=eyJhbGciOi.payload.sig&scope=a": dial tcp: SSWS 00abcdefTOKEN refused`
	out := s.scrub(in)
	for _, bad := range []string{"eyJhbGciOi", "00abcdefTOKEN"} {
		if strings.Contains(out, bad) {
			t.Fatalf("scrubbed text still holds %q: %s", bad, out)
		}
	}
	if !strings.Contains(out, "client_assertion="+Redacted) {
		t.Fatalf("expected a redaction marker: %s", out)
	}
}

func TestNextLinkToAnotherHostIsRefused(t *testing.T) {
	c, err := New(Config{OrgURL: "http://127.0.0.1:1", Token: "tok-12345"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.resolve("https://evil.example.com/api/v1/policies?after=x", nil); err == nil {
		t.Fatal("a Link to another host must not be followed (it would receive the token)")
	}
	u, err := c.resolve("http://127.0.0.1:1/api/v1/policies?after=x&type=ACCESS_POLICY", nil)
	if err != nil || u.RawQuery != "after=x&type=ACCESS_POLICY" {
		t.Fatalf("same-org link: %v %v", u, err)
	}
}

// OKTA_DEBUG=true would make the SDK log whole requests, Authorization header included.
func TestSDKDebugModeIsNeverEnabled(t *testing.T) {
	t.Setenv("OKTA_DEBUG", "true")
	c, err := New(Config{OrgURL: "http://127.0.0.1:1", Token: "tok-12345"})
	if err != nil {
		t.Fatal(err)
	}
	if c.sdk.GetConfig().Debug {
		t.Fatal("SDK debug mode is on")
	}
	if c.sdk.GetConfig().Host != "127.0.0.1:1" {
		t.Fatalf("the SDK configuration lost the org's port: %q", c.sdk.GetConfig().Host)
	}
}
