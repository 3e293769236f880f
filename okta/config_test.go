package okta_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// isolateOktaEnv gives the test an empty HOME and no OKTA_* variables, so neither the
// developer's nor the machine's Okta configuration leaks in. It returns the temp HOME.
func isolateOktaEnv(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OKTA_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	return home
}

func writeOktaYAML(t *testing.T, home, content string) {
	t.Helper()
	dir := filepath.Join(home, ".okta")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "okta.yaml"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func rsaKeyPEM(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// captureStdout runs fn and returns what it printed to os.Stdout.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	fn()
	os.Stdout = old
	w.Close()
	return <-done
}

func TestLoadConfigReadsOktaYAML(t *testing.T) {
	home := isolateOktaEnv(t)
	writeOktaYAML(t, home, `okta:
  client:
    orgUrl: https://dev-123456.okta.com/
    token: 00yamlTokenValue123
    requestTimeout: 12
    rateLimit:
      maxRetries: 5
      maxBackoff: 7
`)
	cfg, err := okta.LoadConfig(okta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OrgURL != "https://dev-123456.okta.com" || cfg.Token != "00yamlTokenValue123" || cfg.AuthMode != okta.AuthModeSSWS {
		t.Fatalf("from okta.yaml: got %+v (token set: %v)", cfg, cfg.Token != "")
	}
	if cfg.RequestTimeout != 12*time.Second || cfg.MaxRetries != 5 || cfg.MaxBackoff != 7*time.Second {
		t.Fatalf("limits from okta.yaml: got %v %d %v", cfg.RequestTimeout, cfg.MaxRetries, cfg.MaxBackoff)
	}
	if !cfg.Configured() {
		t.Fatal("an org URL is set: Configured must be true")
	}
}

func TestLoadConfigEnvironmentBeatsFileAndFlagsBeatEnvironment(t *testing.T) {
	home := isolateOktaEnv(t)
	writeOktaYAML(t, home, "okta:\n  client:\n    orgUrl: https://file.okta.com\n    token: fileToken0001\n")
	t.Setenv("OKTA_CLIENT_ORGURL", "https://env.okta.com")
	t.Setenv("OKTA_CLIENT_REQUEST_TIMEOUT", "9")
	cfg, err := okta.LoadConfig(okta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OrgURL != "https://env.okta.com" || cfg.Token != "fileToken0001" || cfg.RequestTimeout != 9*time.Second {
		t.Fatalf("env over file: got %v", cfg)
	}
	cfg, err = okta.LoadConfig(okta.Config{OrgURL: "https://flag.oktapreview.com", Token: "flagToken0002", MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OrgURL != "https://flag.oktapreview.com" || cfg.Token != "flagToken0002" || cfg.MaxRetries != 1 || cfg.RequestTimeout != 9*time.Second {
		t.Fatalf("flags over env: got %v", cfg)
	}
}

func TestLoadConfigDefaultsAndUnconfigured(t *testing.T) {
	isolateOktaEnv(t)
	cfg, err := okta.LoadConfig(okta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Configured() {
		t.Fatalf("nothing configured, yet Configured() is true: %v", cfg)
	}
	if cfg.RequestTimeout != 30*time.Second || cfg.MaxRetries != 3 || cfg.MaxBackoff != 30*time.Second || cfg.AuthMode != "SSWS" {
		t.Fatalf("defaults: %v", cfg)
	}
	if _, err := okta.New(cfg); err == nil {
		t.Fatal("New without an org URL must fail")
	}
}

func TestLoadConfigPrivateKeyFromEnvironment(t *testing.T) {
	isolateOktaEnv(t)
	_, keyPEM := rsaKeyPEM(t)
	t.Setenv("OKTA_CLIENT_ORGURL", "https://dev-1.okta.com")
	t.Setenv("OKTA_CLIENT_AUTHORIZATIONMODE", "PrivateKey")
	t.Setenv("OKTA_CLIENT_CLIENTID", "0oaClient1")
	t.Setenv("OKTA_CLIENT_PRIVATEKEY", keyPEM)
	t.Setenv("OKTA_CLIENT_PRIVATEKEYID", "kid-1")
	cfg, err := okta.LoadConfig(okta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AuthMode != okta.AuthModePrivateKey || cfg.ClientID != "0oaClient1" || cfg.PrivateKeyID != "kid-1" || cfg.PrivateKey != keyPEM {
		t.Fatalf("private key config: %v", cfg)
	}
	if strings.Join(cfg.Scopes, " ") != strings.Join(okta.DefaultScopes, " ") {
		t.Fatalf("default scopes expected, got %v", cfg.Scopes)
	}
	t.Setenv("OKTA_CLIENT_SCOPES", "okta.policies.read,okta.logs.read")
	cfg, err = okta.LoadConfig(okta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Scopes, " ") != "okta.policies.read okta.logs.read" {
		t.Fatalf("scopes from env: %v", cfg.Scopes)
	}

	// A key given as a file path is read.
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(keyFile, []byte(keyPEM), 0o600)
	cfg, err = okta.LoadConfig(okta.Config{PrivateKey: keyFile})
	if err != nil || cfg.PrivateKey != keyPEM {
		t.Fatalf("key from file: err=%v", err)
	}

	t.Setenv("OKTA_CLIENT_CLIENTID", "")
	os.Unsetenv("OKTA_CLIENT_CLIENTID")
	_, err = okta.LoadConfig(okta.Config{})
	if err == nil || !strings.Contains(err.Error(), "client id") {
		t.Fatalf("missing client id must be named, got %v", err)
	}

	_, err = okta.LoadConfig(okta.Config{ClientID: "x", PrivateKey: "-----BEGIN PRIVATE KEY-----\nnot base64 at all"})
	if err == nil || strings.Contains(err.Error(), "not base64") {
		t.Fatalf("a broken key must fail without being echoed, got %v", err)
	}
}

func TestLoadConfigValidatesOrgURL(t *testing.T) {
	isolateOktaEnv(t)
	cases := []struct {
		url     string
		wantErr string // "" = accepted
	}{
		{"https://dev-123456.okta.com", ""},
		{"http://127.0.0.1:8099", ""},
		{"http://127.9.9.9:1", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:8080", ""},
		{"http://dev-123456.okta.com", "https"},
		{"http://10.0.0.5:8080", "https"},
		{"https://dev-123456-admin.okta.com", "-admin"},
		{"https://dev-123456.okta.com/api/v1", "no path"},
		{"ftp://dev-123456.okta.com", "https://"},
		{"dev-123456.okta.com", "not a URL"},
	}
	for _, c := range cases {
		_, err := okta.LoadConfig(okta.Config{OrgURL: c.url, Token: "tok-12345"})
		if c.wantErr == "" && err != nil {
			t.Errorf("%s: unexpected error %v", c.url, err)
		}
		if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s: want error containing %q, got %v", c.url, c.wantErr, err)
		}
	}
	_, err := okta.LoadConfig(okta.Config{OrgURL: "https://dev-9-admin.okta.com", Token: "t"})
	if err == nil || !strings.Contains(err.Error(), "https://dev-9.okta.com") {
		t.Fatalf("-admin error should suggest the org URL, got %v", err)
	}
	_, err = okta.LoadConfig(okta.Config{OrgURL: "https://dev-9.okta.com"})
	if err == nil || !strings.Contains(err.Error(), "OKTA_CLIENT_TOKEN") {
		t.Fatalf("a missing token must be explained, got %v", err)
	}
	_, err = okta.LoadConfig(okta.Config{OrgURL: "https://dev-9.okta.com", Token: "t", AuthMode: "JWT"})
	if err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("unsupported auth mode: got %v", err)
	}
}

func TestLoadConfigRejectsMalformedNumbersWithoutSDKNoise(t *testing.T) {
	isolateOktaEnv(t)
	t.Setenv("OKTA_CLIENT_ORGURL", "https://dev-1.okta.com")
	t.Setenv("OKTA_CLIENT_TOKEN", "tok-12345")
	t.Setenv("OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES", "three")
	var err error
	out := captureStdout(t, func() { _, err = okta.LoadConfig(okta.Config{}) })
	if err == nil || !strings.Contains(err.Error(), "OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES") {
		t.Fatalf("want an error naming the variable, got %v", err)
	}
	if strings.Contains(out, "error parsing") {
		t.Fatalf("the SDK's stdout noise leaked: %q", out)
	}
	t.Setenv("OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES", "")
	if _, err = okta.LoadConfig(okta.Config{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("set-but-empty numeric variable: got %v", err)
	}
}

func TestLoadConfigMalformedYAMLIsReported(t *testing.T) {
	home := isolateOktaEnv(t)
	writeOktaYAML(t, home, "okta:\n  client:\n    orgUrl: [unclosed\n    token: secretInYaml999\n")
	_, err := okta.LoadConfig(okta.Config{})
	if err == nil || !strings.Contains(err.Error(), "okta.yaml") {
		t.Fatalf("want an error naming okta.yaml, got %v", err)
	}
	if strings.Contains(err.Error(), "secretInYaml999") {
		t.Fatal("the error quotes the token")
	}
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	_, keyPEM := rsaKeyPEM(t)
	cfg := okta.Config{OrgURL: "https://dev-1.okta.com", Token: "00SuperSecretToken42", AuthMode: "PrivateKey",
		ClientID: "0oa1", PrivateKey: keyPEM, PrivateKeyID: "kid"}
	keyLine := strings.Split(keyPEM, "\n")[1]
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("config", "cfg", cfg)
	jsonBytes, _ := json.Marshal(cfg)
	forms := map[string]string{
		"%v":   fmt.Sprintf("%v", cfg),
		"%+v":  fmt.Sprintf("%+v", cfg),
		"%#v":  fmt.Sprintf("%#v", cfg),
		"%s":   fmt.Sprintf("%s", cfg),
		"%q":   fmt.Sprintf("%q", cfg),
		"ptr":  fmt.Sprintf("%+v", &cfg),
		"in":   fmt.Sprintf("%+v", struct{ C okta.Config }{cfg}),
		"Str":  cfg.String(),
		"slog": logBuf.String(),
		"json": string(jsonBytes),
	}
	for name, s := range forms {
		if strings.Contains(s, "00SuperSecretToken42") || strings.Contains(s, keyLine) || strings.Contains(s, "PRIVATE KEY") {
			t.Errorf("%s shows a secret: %s", name, s)
		}
	}
	if !strings.Contains(forms["%+v"], "https://dev-1.okta.com") || !strings.Contains(forms["%+v"], "<redacted>") {
		t.Errorf("%%+v should still show the org and that a token is set: %s", forms["%+v"])
	}
}
