package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseISODuration: any text is a duration of at least zero or an error; never a
// wrapped-around value, and never a panic.
func FuzzParseISODuration(f *testing.F) {
	for _, s := range []string{"P30D", "PT720H", "P1W2DT3H4M5S", "PT1.5S", "PT9223372036.854775807S", "PT9223372036.854775808S", "P15250W106755D", "P", "PT", "P1Y", "P99999999999999999999W", "PT0.0000000001S"} {
		f.Add(s)
	}
	valid := regexp.MustCompile(`^P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err != nil {
			if d != 0 {
				t.Fatalf("%q: %v with an error", s, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q = %v: negative", s, d)
		}
		if !valid.MatchString(s) {
			t.Fatalf("%q accepted but is not an ISO 8601 duration", s)
		}
		// Whole seconds written back parse to the same duration.
		if d%time.Second == 0 {
			back, err := ParseISODuration("PT" + strconv.FormatInt(int64(d/time.Second), 10) + "S")
			if err != nil || back != d {
				t.Fatalf("%q = %v, but PT%dS = %v, %v", s, d, int64(d/time.Second), back, err)
			}
		}
	})
}

// FuzzRedact: a credential planted anywhere in any text never survives, and redacting twice
// changes nothing more.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"", "org URL \"https://dev-1.okta.com/?token=", "Authorization: SSWS ", "cannot unmarshal !!str `", "-----BEGIN PRIVATE KEY-----\n", "a&access_token=", "Bearer\t", "E0000001 Api validation failed"} {
		f.Add(s)
	}
	const secret = "Zq8CanaryS3cret"
	f.Fuzz(func(t *testing.T, text string) {
		once := Redact(text)
		if twice := Redact(once); twice != once {
			t.Fatalf("Redact is not idempotent on %q: %q then %q", text, once, twice)
		}
		if strings.Contains(text, "Zq8") {
			return
		}
		for _, planted := range []string{
			text + " https://dev-1.okta.com/api/v1/policies?token=" + secret + "&limit=2",
			text + "\nAuthorization: SSWS " + secret,
			text + " Bearer " + secret,
			text + " client_assertion=" + secret,
			text + " line 3: cannot unmarshal !!str `" + secret + "` into int64",
			text + " -----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----",
		} {
			if out := Redact(planted); strings.Contains(out, secret) {
				t.Fatalf("Redact(%q) = %q keeps the secret", planted, out)
			}
		}
	})
}

// FuzzDecodeError: any error answer becomes an *Error whose text holds none of the client's
// secrets, whatever the answer echoes.
func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"errorCode":"E0000001","errorSummary":"Api validation failed: name","errorCauses":[{"errorSummary":"name: The field cannot be left blank."}]}`,
		`{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`, `not json`, ``, `{"errorCauses":"x"}`, `{"errorSummary":"SSWS 00tokenSECRET"}`,
	} {
		f.Add(401, s)
	}
	c, err := New(Config{OrgURL: "http://127.0.0.1:1", Token: "00tokenSECRET"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		echoed := strings.ReplaceAll(body, "ECHO", "00tokenSECRET")
		err := c.decodeError("GET", "/api/v1/policies", &response{status: status, body: []byte(echoed)})
		var e *Error
		if !errors.As(err, &e) || e.Status != status {
			t.Fatalf("decodeError(%d, %q) = %v", status, body, err)
		}
		text := err.Error()
		for _, c := range e.ErrorCauses {
			text += c.ErrorSummary
		}
		if strings.Contains(text+e.ErrorLink+e.ErrorID, "00tokenSECRET") {
			t.Fatalf("the token survives in %q", text)
		}
	})
}

// FuzzParseOktaYAML: any okta.yaml is a configuration or an error, and an error never quotes
// a value (a token typed into the wrong field).
func FuzzParseOktaYAML(f *testing.F) {
	for _, s := range []string{
		"okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: 00abc\n",
		"okta:\n  client:\n    requestTimeout: 00tokenvalue\n",
		"okta:\n  client:\n    rateLimit:\n      maxRetries: [1, 2]\n",
		"a: &a [*a]\n", "okta: {client: {scopes: [a, b]}}\n", "\t", "okta:\n  client:\n    privateKey: |\n      -----BEGIN PRIVATE KEY-----\n      abc\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseOktaYAML(b)
		if err == nil {
			return
		}
		if msg := Redact(err.Error()); strings.Contains(msg, "`") && !strings.Contains(msg, "`"+Redacted+"`") {
			t.Fatalf("the error quotes a value: %s", msg)
		}
	})
}

// FuzzDecodeObjects: what Okta answers decodes into the product's types or fails; what
// decodes encodes again and decodes to the same JSON, unknown members kept.
func FuzzDecodeObjects(f *testing.F) {
	for _, s := range []string{
		`{"id":"rst1","type":"ACCESS_POLICY","name":"A","status":"ACTIVE","priority":1,"system":false,"created":"2024-01-01T00:00:00.000Z","_links":{"self":{"href":"x"}},"somethingNew":{"a":[1,2]}}`,
		`{"id":"0pr1","type":"ACCESS_POLICY","name":"R","priority":2,"conditions":{"device":{"registered":true,"assurance":{"include":["dae1"]}},"network":{"connection":"ZONE","include":["nzo1"]},"riskScore":{"level":"ANY"}},"actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"1FA"}}}}`,
		`{"id":"dae1","name":"D","platform":"WINDOWS","osVersionConstraints":[{"majorVersionConstraint":"WINDOWS_11","minimum":"10.0.22631"}],"gracePeriod":{"type":"BY_DURATION","expiry":"P30D"},"thirdPartySignalProviders":{"dtc":{"osFirewall":true}}}`,
		`{"id":"pmp1","_links":{"application":{"href":"https://x/api/v1/policies/rst1"}}}`, `{}`, `[]`, `{"created":"yesterday"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip[Policy](t, b)
		roundTrip[Rule](t, b)
		roundTrip[DeviceAssurance](t, b)
		roundTrip[PolicyMapping](t, b)
	})
}

func roundTrip[T any](t *testing.T, b []byte) {
	var v T
	if json.Unmarshal(b, &v) != nil {
		return
	}
	once, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%T decoded from %q does not encode: %v", v, b, err)
	}
	var again T
	if err := json.Unmarshal(once, &again); err != nil {
		t.Fatalf("%T: its own encoding %s does not decode: %v", v, once, err)
	}
	twice, _ := json.Marshal(again)
	if !bytes.Equal(once, twice) {
		t.Fatalf("%T changes on a round trip:\n%s\n%s", v, once, twice)
	}
}

// FuzzNextLink: whatever Link header an answer carries, the next page is on the org or not
// followed: a Link never takes the token to another host.
func FuzzNextLink(f *testing.F) {
	for _, s := range []string{
		`<http://127.0.0.1:1/api/v1/policies?after=00p2&limit=2>; rel="next"`,
		`<https://evil.example.com/api/v1/policies?after=x>; rel="next"`,
		`<https://a/self>; rel="self", <//evil.example.com/x>; rel=next`,
		`<http://127.0.0.1:1@evil.example.com/>; rel="next"`, `<>; rel="next"`, `;;,<`, `<http://[::1>; rel=next`,
	} {
		f.Add(s)
	}
	c, err := New(Config{OrgURL: "http://127.0.0.1:1", Token: "tok-12345"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, link string) {
		target := nextLink(http.Header{"Link": {link}})
		if target == "" {
			return
		}
		u, err := c.resolve(target, nil)
		if err != nil {
			return
		}
		if u.Scheme != c.base.Scheme || u.Host != c.base.Host || u.User != nil {
			t.Fatalf("Link %q leads to %s, off the org %s", link, u, c.base)
		}
	})
}
