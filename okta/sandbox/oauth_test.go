package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func signJWT(t *testing.T, key crypto.Signer, alg string, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]any{"alg": alg, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = s
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func tokenRequest(o *testOrg, assertion, scope string) reply {
	q := url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {clientAssertionType}, "client_assertion": {assertion}}
	// The SDK sends the parameters in the query string with an empty body.
	return o.doAuth("POST", "/oauth2/v1/token?"+q.Encode(), nil, "")
}

func TestOAuthPrivateKeyJWT(t *testing.T) {
	o := startOrg(t, Options{})
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	o.srv.AddOAuthClient("0oaRSAclient", &rsaKey.PublicKey)
	o.srv.AddOAuthClient("0oaECclient", &ecKey.PublicKey)
	claims := func(client string, exp time.Time) map[string]any {
		return map[string]any{"iss": client, "sub": client, "aud": "http://127.0.0.1/oauth2/v1/token", "exp": exp.Unix(), "iat": time.Now().Unix()}
	}
	for _, c := range []struct {
		client, alg string
		key         crypto.Signer
	}{{"0oaRSAclient", "RS256", rsaKey}, {"0oaECclient", "ES256", ecKey}} {
		r := tokenRequest(o, signJWT(t, c.key, c.alg, claims(c.client, time.Now().Add(time.Hour))), "okta.policies.read okta.policies.manage")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.client, r.status, r.raw)
		}
		tok := r.obj(t)
		if tok["token_type"] != "Bearer" || tok["access_token"] == "" || tok["expires_in"] != float64(3600) || tok["scope"] != "okta.policies.read okta.policies.manage" {
			t.Fatalf("token %v", tok)
		}
		if g := o.doAuth("GET", "/api/v1/policies?type=ACCESS_POLICY", nil, "Bearer "+tok["access_token"].(string)); g.status != 200 {
			t.Fatalf("bearer token rejected: %d", g.status)
		}
	}
	bad := []struct {
		name, assertion, scope, code string
	}{
		{"wrong key", signJWT(t, ecKey, "ES256", claims("0oaRSAclient", time.Now().Add(time.Hour))), "okta.policies.read", "invalid_client"},
		{"unknown client", signJWT(t, rsaKey, "RS256", claims("0oaNobody", time.Now().Add(time.Hour))), "okta.policies.read", "invalid_client"},
		{"expired", signJWT(t, rsaKey, "RS256", claims("0oaRSAclient", time.Now().Add(-time.Minute))), "okta.policies.read", "invalid_client"},
		{"not a jwt", "abc", "okta.policies.read", "invalid_client"},
		{"no scope", signJWT(t, rsaKey, "RS256", claims("0oaRSAclient", time.Now().Add(time.Hour))), "", "invalid_scope"},
	}
	for _, b := range bad {
		r := tokenRequest(o, b.assertion, b.scope)
		if r.status < 400 || r.obj(t)["error"] != b.code {
			t.Fatalf("%s: %d %s", b.name, r.status, r.raw)
		}
	}
	wrongAud := claims("0oaRSAclient", time.Now().Add(time.Hour))
	wrongAud["aud"] = "https://elsewhere.example.com/api"
	if r := tokenRequest(o, signJWT(t, rsaKey, "RS256", wrongAud), "okta.policies.read"); r.status != 401 {
		t.Fatalf("wrong audience: %d", r.status)
	}
	listAud := claims("0oaRSAclient", time.Now().Add(time.Hour))
	listAud["aud"] = []any{"https://elsewhere.example.com", "http://127.0.0.1:1234/oauth2/v1/token"}
	if r := tokenRequest(o, signJWT(t, rsaKey, "RS256", listAud), "okta.policies.read"); r.status != 200 {
		t.Fatalf("audience list holding the token endpoint: %d %s", r.status, r.raw)
	}
	if r := o.doAuth("POST", "/oauth2/v1/token?grant_type=password", nil, ""); r.status != 400 || r.obj(t)["error"] != "unsupported_grant_type" {
		t.Fatalf("grant type: %d %s", r.status, r.raw)
	}
	if g := o.doAuth("GET", "/api/v1/zones", nil, "Bearer made-up"); g.status != 401 {
		t.Fatal("unknown bearer tokens are rejected")
	}
}

func TestBearerTokensExpire(t *testing.T) {
	clock := time.Now()
	o := startOrg(t, Options{Now: func() time.Time { return clock }})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	o.srv.AddOAuthClient("c", &key.PublicKey)
	r := tokenRequest(o, signJWT(t, key, "ES256", map[string]any{"iss": "c", "sub": "c", "aud": "x/oauth2/v1/token", "exp": clock.Add(time.Hour).Unix()}), "okta.logs.read")
	tok := r.obj(t)["access_token"].(string)
	o.must(200, "GET", "/api/v1/zones", nil)
	clock = clock.Add(61 * time.Minute)
	if g := o.doAuth("GET", "/api/v1/zones", nil, "Bearer "+tok); g.status != 401 {
		t.Fatal("expired access token accepted")
	}
}
