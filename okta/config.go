package okta

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
	"gopkg.in/yaml.v3"
)

// Authorization modes the product supports.
const (
	AuthModeSSWS       = "SSWS"
	AuthModePrivateKey = "PrivateKey"
)

// Defaults applied when the configuration leaves a limit unset.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 3
	DefaultMaxBackoff     = 30 * time.Second
)

// DefaultScopes are the OAuth scopes every call of okta.API needs (SDK-NOTES.md).
var DefaultScopes = []string{
	"okta.policies.read", "okta.policies.manage",
	"okta.deviceAssurance.read", "okta.deviceAssurance.manage",
	"okta.logs.read", "okta.idps.read", "okta.groups.read", "okta.networkZones.read",
}

// Config is how to reach an org. Token and PrivateKey are secrets: every textual form of a
// Config (String, GoString, %v, %+v, %#v, slog, JSON) redacts them.
type Config struct {
	OrgURL       string
	Token        string `json:"-"`
	AuthMode     string // AuthModeSSWS (default) or AuthModePrivateKey
	ClientID     string
	PrivateKey   string `json:"-"` // PEM text
	PrivateKeyID string
	Scopes       []string

	RequestTimeout time.Duration
	MaxBackoff     time.Duration
	MaxRetries     int

	// Transport, when set, carries the SDK HTTP client's requests (tests observe traffic with it).
	Transport http.RoundTripper `json:"-"`
}

// Configured reports whether an org URL is set; without one the product uses the sandbox.
func (c Config) Configured() bool { return strings.TrimSpace(c.OrgURL) != "" }

func secretState(s string) string {
	if s == "" {
		return "<none>"
	}
	return "<redacted>"
}

// String describes the config without its secrets.
func (c Config) String() string {
	return fmt.Sprintf("okta.Config{OrgURL:%q, AuthMode:%q, Token:%s, ClientID:%q, PrivateKey:%s, PrivateKeyID:%q, Scopes:%q, RequestTimeout:%s, MaxRetries:%d, MaxBackoff:%s}",
		c.OrgURL, c.AuthMode, secretState(c.Token), c.ClientID, secretState(c.PrivateKey), c.PrivateKeyID,
		c.Scopes, c.RequestTimeout, c.MaxRetries, c.MaxBackoff)
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format makes every verb (%v, %+v, %s, %q, %#v) print the redacted form.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue keeps secrets out of structured logs.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// numericEnv are the SDK's environment variables that must parse; the SDK itself prints
// "error parsing" to stdout and silently drops the rest of the environment when one does not.
var numericEnv = map[string]int{ // name -> bit size (1 = bool)
	"OKTA_CLIENT_CACHE_ENABLED":          1,
	"OKTA_CLIENT_CACHE_DEFAULT_TTL":      32,
	"OKTA_CLIENT_CACHE_DEFAULT_TTI":      32,
	"OKTA_CLIENT_PROXY_PORT":             32,
	"OKTA_CLIENT_CONNECTION_TIMEOUT":     64,
	"OKTA_CLIENT_REQUEST_TIMEOUT":        64,
	"OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES": 32,
	"OKTA_CLIENT_RATE_LIMIT_MAX_BACKOFF": 64,
	"OKTA_TESTING_DISABLE_HTTPS_CHECK":   1,
	"OKTA_DEBUG":                         1,
}

func checkNumericEnv() error {
	for name, bits := range numericEnv {
		v, ok := os.LookupEnv(name)
		if !ok {
			continue
		}
		if v == "" {
			return fmt.Errorf("environment variable %s is set but empty: unset it or give it a value", name)
		}
		var err error
		if bits == 1 {
			_, err = strconv.ParseBool(v)
		} else {
			_, err = strconv.ParseInt(v, 0, bits)
		}
		if err != nil {
			if bits == 1 {
				return fmt.Errorf("environment variable %s=%q is not true or false", name, v)
			}
			return fmt.Errorf("environment variable %s=%q is not a whole number", name, v)
		}
	}
	return nil
}

// sdkFileConfig is the part of okta.yaml we read: the SDK's own Configuration, so the keys are
// exactly the SDK's.
func readOktaYAML(path string) (*sdk.Configuration, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	c, err := parseOktaYAML(b)
	if err != nil {
		// yaml type errors quote the value ("cannot unmarshal !!str `s3cr...`"): a token typed
		// into a numeric field would be echoed, so values are masked.
		return nil, fmt.Errorf("%s is not valid YAML: %s", path, Redact(err.Error()))
	}
	return c, nil
}

// maxOktaYAMLBytes bounds okta.yaml: a few settings, never megabytes.
const maxOktaYAMLBytes = 1 << 20

// parseOktaYAML decodes okta.yaml content into the SDK's configuration.
func parseOktaYAML(b []byte) (*sdk.Configuration, error) {
	if len(b) > maxOktaYAMLBytes {
		return nil, fmt.Errorf("%d bytes is more than okta.yaml's limit of 1 MB", len(b))
	}
	var c sdk.Configuration
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// LoadConfig resolves the configuration the way Okta's SDKs do: ~/.okta/okta.yaml, then the
// OKTA_CLIENT_* environment (both read by okta-sdk-golang's NewConfiguration), then the
// non-empty fields of overrides (command-line flags). The result is validated and defaulted.
func LoadConfig(overrides Config) (Config, error) {
	if err := checkNumericEnv(); err != nil {
		return Config{}, err
	}
	// The SDK finds okta.yaml through the account's home directory and ignores $HOME; a
	// malformed file is silently skipped by it, so we check the file ourselves.
	sdkHome := ""
	if u, err := user.Current(); err == nil {
		sdkHome = u.HomeDir
	}
	if sdkHome != "" {
		if _, err := readOktaYAML(filepath.Join(sdkHome, ".okta", "okta.yaml")); err != nil {
			return Config{}, err
		}
	}
	sc, err := sdk.NewConfiguration()
	if err != nil {
		return Config{}, fmt.Errorf("reading Okta configuration: %w", err)
	}
	cl := sc.Okta.Client
	// $HOME/.okta/okta.yaml when $HOME is not the account's home (sudo -E, containers, tests):
	// it sits between the account's file and the environment.
	if home, herr := os.UserHomeDir(); herr == nil && home != "" && filepath.Clean(home) != filepath.Clean(sdkHome) {
		hc, err := readOktaYAML(filepath.Join(home, ".okta", "okta.yaml"))
		if err != nil {
			return Config{}, err
		}
		if hc != nil {
			h := hc.Okta.Client
			pick := func(dst *string, v, env string) {
				if v != "" && os.Getenv(env) == "" {
					*dst = v
				}
			}
			pick(&cl.OrgUrl, h.OrgUrl, "OKTA_CLIENT_ORGURL")
			pick(&cl.Token, h.Token, "OKTA_CLIENT_TOKEN")
			pick(&cl.AuthorizationMode, h.AuthorizationMode, "OKTA_CLIENT_AUTHORIZATIONMODE")
			pick(&cl.ClientId, h.ClientId, "OKTA_CLIENT_CLIENTID")
			pick(&cl.PrivateKey, h.PrivateKey, "OKTA_CLIENT_PRIVATEKEY")
			pick(&cl.PrivateKeyId, h.PrivateKeyId, "OKTA_CLIENT_PRIVATEKEYID")
			if len(h.Scopes) > 0 && os.Getenv("OKTA_CLIENT_SCOPES") == "" {
				cl.Scopes = h.Scopes
			}
			if h.RequestTimeout != 0 && os.Getenv("OKTA_CLIENT_REQUEST_TIMEOUT") == "" {
				cl.RequestTimeout = h.RequestTimeout
			}
			if h.RateLimit.MaxRetries != 0 && os.Getenv("OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES") == "" {
				cl.RateLimit.MaxRetries = h.RateLimit.MaxRetries
			}
			if h.RateLimit.MaxBackoff != 0 && os.Getenv("OKTA_CLIENT_RATE_LIMIT_MAX_BACKOFF") == "" {
				cl.RateLimit.MaxBackoff = h.RateLimit.MaxBackoff
			}
		}
	}

	cfg := Config{
		OrgURL:       cl.OrgUrl,
		Token:        cl.Token,
		AuthMode:     cl.AuthorizationMode,
		ClientID:     cl.ClientId,
		PrivateKey:   cl.PrivateKey,
		PrivateKeyID: cl.PrivateKeyId,
		Scopes:       cl.Scopes,
		MaxRetries:   int(cl.RateLimit.MaxRetries),
	}
	// Seconds as the SDK reads them; too many would wrap around to a tiny (or negative) timeout.
	if cfg.RequestTimeout, err = SecondsDuration("request timeout (OKTA_CLIENT_REQUEST_TIMEOUT)", cl.RequestTimeout); err != nil {
		return Config{}, err
	}
	if cfg.MaxBackoff, err = SecondsDuration("rate limit max backoff (OKTA_CLIENT_RATE_LIMIT_MAX_BACKOFF)", cl.RateLimit.MaxBackoff); err != nil {
		return Config{}, err
	}
	applyOverrides(&cfg, overrides)
	if err := cfg.normalize(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func applyOverrides(cfg *Config, o Config) {
	set := func(dst *string, v string) {
		if strings.TrimSpace(v) != "" {
			*dst = v
		}
	}
	set(&cfg.OrgURL, o.OrgURL)
	set(&cfg.Token, o.Token)
	set(&cfg.AuthMode, o.AuthMode)
	set(&cfg.ClientID, o.ClientID)
	set(&cfg.PrivateKey, o.PrivateKey)
	set(&cfg.PrivateKeyID, o.PrivateKeyID)
	if len(o.Scopes) > 0 {
		cfg.Scopes = o.Scopes
	}
	if o.RequestTimeout != 0 {
		cfg.RequestTimeout = o.RequestTimeout
	}
	if o.MaxBackoff != 0 {
		cfg.MaxBackoff = o.MaxBackoff
	}
	if o.MaxRetries != 0 {
		cfg.MaxRetries = o.MaxRetries
	}
	if o.Transport != nil {
		cfg.Transport = o.Transport
	}
}

// normalize validates c and fills defaults. Messages never quote a secret.
func (c *Config) normalize() error {
	c.OrgURL = strings.TrimRight(strings.TrimSpace(c.OrgURL), "/")
	c.Token = strings.TrimSpace(c.Token)
	switch strings.ToLower(strings.TrimSpace(c.AuthMode)) {
	case "", "ssws":
		c.AuthMode = AuthModeSSWS
	case "privatekey":
		c.AuthMode = AuthModePrivateKey
	default:
		return fmt.Errorf("authorization mode %q is not supported: use SSWS (API token) or PrivateKey (OAuth service app)", c.AuthMode)
	}
	if c.RequestTimeout < 0 || c.MaxBackoff < 0 || c.MaxRetries < 0 {
		return errors.New("request timeout, max backoff and max retries must not be negative")
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if len(c.Scopes) == 0 {
		c.Scopes = append([]string(nil), DefaultScopes...)
	}
	if !c.Configured() {
		return nil
	}
	if err := validateOrgURL(c.OrgURL); err != nil {
		return err
	}
	switch c.AuthMode {
	case AuthModeSSWS:
		if c.Token == "" {
			return fmt.Errorf("no API token for %s: set OKTA_CLIENT_TOKEN or okta.client.token in ~/.okta/okta.yaml (there is no token flag: it would show in the process list)", c.OrgURL)
		}
	case AuthModePrivateKey:
		var missing []string
		if c.ClientID == "" {
			missing = append(missing, "client id (OKTA_CLIENT_CLIENTID)")
		}
		if c.PrivateKey == "" {
			missing = append(missing, "private key (OKTA_CLIENT_PRIVATEKEY)")
		}
		if len(missing) > 0 {
			return fmt.Errorf("PrivateKey authorization needs %s", strings.Join(missing, " and "))
		}
		if err := c.loadPrivateKey(); err != nil {
			return err
		}
	}
	return nil
}

// loadPrivateKey accepts the PEM text itself (with real or escaped newlines, as the SDK does)
// or a path to a PEM file, and checks that it is PEM without ever echoing it.
func (c *Config) loadPrivateKey() error {
	key := c.PrivateKey
	if !strings.Contains(key, "-----BEGIN") {
		if b, err := os.ReadFile(key); err == nil {
			key = string(b)
		} else {
			return errors.New("private key is neither PEM text nor a readable PEM file")
		}
	}
	if block, _ := pem.Decode([]byte(strings.ReplaceAll(key, `\n`, "\n"))); block == nil {
		return errors.New("private key is not valid PEM (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)")
	}
	c.PrivateKey = key
	return nil
}

// validateOrgURL: https for real orgs, http only on loopback, never the -admin console host.
func validateOrgURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("org URL %q is not a URL like https://dev-123456.okta.com", raw)
	}
	if u.User != nil {
		return fmt.Errorf("org URL must not carry credentials")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("org URL %q must be just the org's address, like https://dev-123456.okta.com (no path)", raw)
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, "{") || strings.Contains(host, "youroktadomain") {
		return fmt.Errorf("org URL %q is the SDK's placeholder: set your org's address", raw)
	}
	if first, _, _ := strings.Cut(host, "."); strings.HasSuffix(first, "-admin") {
		return fmt.Errorf("org URL %q is the Admin Console address; the API is served at the org URL without -admin (https://%s)",
			raw, strings.Replace(u.Host, "-admin.", ".", 1))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(host) {
			return nil
		}
		return fmt.Errorf("org URL %q uses http: a real org must use https (http is accepted only for loopback addresses such as the sandbox)", raw)
	default:
		return fmt.Errorf("org URL %q must start with https://", raw)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
