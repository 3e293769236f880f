package cmd

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// TestEveryUsageErrorExits2: unknown flags, flag values that don't parse, unknown commands and
// bad fault specs are bad usage (exit 2, as the README says), and nothing connects to an org.
func TestEveryUsageErrorExits2(t *testing.T) {
	t.Setenv("OKTA_SANDBOX_FAULTS", "")
	cases := [][]string{
		{"--bogus"},
		{"bogus"},
		{"apply", "--fiel", "x"},
		{"apply", "--concurrency", "abc"},
		{"inspect", "--jsn"},
		{"sandbox", "bogus"},
		{"sandbox", "serve", "--bogus"},
		{"sandbox", "serve", "--addr", "127.0.0.1:0", "--state", "STATE", "--faults", "xyz"},
		{"sandbox", "serve", "--addr", "127.0.0.1:0", "--state", "STATE", "--faults", "latency=soon"},
		{"sandbox", "serve", "--addr", "127.0.0.1:0", "--state", "STATE", "--faults", "500@GET /api/v1/policies#x"},
	}
	e := newCmdEnv(t)
	for _, args := range cases {
		for i, a := range args {
			if a == "STATE" {
				args[i] = t.TempDir() + "/state.db"
			}
		}
		e.connects = 0
		if code := e.execute(args...); code != ExitUsage {
			t.Errorf("%v: exit code %d, want %d; stderr:\n%s", args, code, ExitUsage, e.err.String())
		}
		if n := strings.Count(e.err.String(), "Error:"); n != 1 {
			t.Errorf("%v: %d error lines, want one:\n%s", args, n, e.err.String())
		}
		if e.connects != 0 {
			t.Errorf("%v: connected to an org on bad usage", args)
		}
	}
}

// TestNoTerminalErrorPrintedOnce: without a terminal the alternatives are named and the error
// line appears once.
func TestNoTerminalErrorPrintedOnce(t *testing.T) {
	e := newCmdEnv(t)
	if code := e.execute(); code != ExitNoTTY {
		t.Fatalf("exit code %d, want %d", code, ExitNoTTY)
	}
	if n := strings.Count(e.err.String(), "no terminal"); n != 1 {
		t.Errorf("\"no terminal\" printed %d times:\n%s", n, e.err.String())
	}
}

// TestWrongTokenFoundAtStart: a token the org refuses is found by one read at start: exit 6,
// the fix named, nothing asked, the token never printed.
func TestWrongTokenFoundAtStart(t *testing.T) {
	e := newCmdEnv(t)
	const wrong = "00wrongTOKENwrongTOKENwrongTOKEN"
	var requests atomic.Int32
	bad := sandboxtest.NewClient(t, e.srv, sandboxtest.ClientConfig(func(c *okta.Config) { c.Token = wrong }),
		sandboxtest.Transport(func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				requests.Add(1)
				return rt.RoundTrip(r)
			})
		}))
	e.f.IO.InTTY, e.f.IO.OutTTY = true, true
	e.f.Connect = func(context.Context) (*Org, error) {
		return &Org{API: bad, Label: e.srv.URL(), Close: func() {}}, nil
	}
	code := e.execute("--accessible")
	if code != ExitAuth {
		t.Fatalf("exit code %d, want %d; stderr:\n%s\nstdout:\n%s", code, ExitAuth, e.err.String(), e.out.String())
	}
	for _, want := range []string{"refused the credentials", "E0000011", "OKTA_CLIENT_TOKEN"} {
		if !strings.Contains(e.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, e.err.String())
		}
	}
	if strings.Contains(e.err.String()+e.out.String(), wrong) {
		t.Error("the token was printed")
	}
	if e.out.Len() != 0 {
		t.Errorf("the wizard asked questions before checking the token:\n%s", e.out.String())
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the check sent %d requests, want one cheap read", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
