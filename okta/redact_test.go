package okta

import (
	"strings"
	"testing"
)

func TestRedactMasksCredentials(t *testing.T) {
	for _, in := range []string{
		`org URL "https://dev-1.okta.com/?token=SECRET1234" must be`,
		`GET https://x/api?a=1&access_token=SECRET1234&b=2`,
		`Authorization: SSWS SECRET1234`,
		`header bearer SECRET1234`,
		"line 4: cannot unmarshal !!str `SECRET1234` into int32",
		"key -----BEGIN PRIVATE KEY-----\nSECRET1234\n-----END PRIVATE KEY-----",
		`client_assertion%3DSECRET1234`,
	} {
		if out := Redact(in); strings.Contains(out, "SECRET") || !strings.Contains(out, Redacted) {
			t.Errorf("Redact(%q) = %q", in, out)
		}
	}
	for _, keep := range []string{"E0000001 Api validation failed: name", "errorCode=E0000047", "GET /api/v1/policies?type=ACCESS_POLICY&limit=200"} {
		if out := Redact(keep); out != keep {
			t.Errorf("Redact(%q) = %q, want it unchanged", keep, out)
		}
	}
}
