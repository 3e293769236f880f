package okta_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func TestParseISODurationIsExact(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"P30D": 30 * 24 * time.Hour, "PT720H": 720 * time.Hour, "P1W2DT3H": 9*24*time.Hour + 3*time.Hour,
		"PT1.5S": 1500 * time.Millisecond, "PT0.0000000019S": 1, "PT9223372036.854775807S": math.MaxInt64,
	} {
		if got, err := okta.ParseISODuration(in); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestParseISODurationOverflowIsAnError(t *testing.T) {
	for _, in := range []string{"PT9223372036.854775808S", "P15250W106755D", "P15251W", "PT2562048H", "P99999999999999999999D", "P106752D"} {
		d, err := okta.ParseISODuration(in)
		if !errors.Is(err, okta.ErrDurationTooLong) {
			t.Errorf("%s = %v, %v; want ErrDurationTooLong", in, d, err)
		}
	}
	for _, in := range []string{"", "P", "PT", "P1Y", "P1M", "P-1D", "P1.5D", "PT.5S"} {
		if _, err := okta.ParseISODuration(in); err == nil || errors.Is(err, okta.ErrDurationTooLong) {
			t.Errorf("%q: err = %v, want a format error", in, err)
		}
	}
}

func TestRequestTimeoutOverflowIsAnError(t *testing.T) {
	isolateOktaEnv(t)
	t.Setenv("OKTA_CLIENT_ORGURL", "https://dev-1.okta.com")
	t.Setenv("OKTA_CLIENT_TOKEN", "00token")
	for _, env := range []string{"OKTA_CLIENT_REQUEST_TIMEOUT", "OKTA_CLIENT_RATE_LIMIT_MAX_BACKOFF"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "18446744074")
			cfg, err := okta.LoadConfig(okta.Config{})
			if err == nil || !strings.Contains(err.Error(), env) || !errors.Is(err, okta.ErrDurationTooLong) {
				t.Fatalf("err = %v (timeout %s, backoff %s)", err, cfg.RequestTimeout, cfg.MaxBackoff)
			}
		})
	}
	t.Setenv("OKTA_CLIENT_REQUEST_TIMEOUT", "9223372036")
	if cfg, err := okta.LoadConfig(okta.Config{}); err != nil || cfg.RequestTimeout <= 0 {
		t.Fatalf("the longest timeout: %v, %v", cfg.RequestTimeout, err)
	}
}
