// Package sandboxtest starts sandbox orgs for tests and connects the real okta.Client (real
// SDK, real HTTP) to them, so test files do not each repeat the set-up and its clean-up order.
package sandboxtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// Option adjusts the sandbox or the client Start makes.
type Option func(*setup)

type setup struct {
	opts   sandbox.Options
	seed   *seedCounts
	config []func(*okta.Config)
	wrap   func(http.RoundTripper) http.RoundTripper
}

type seedCounts struct{ accessPolicies, rulesEach, assurances int }

// Faults injects faults from the start (latency set by Latency is kept).
func Faults(f sandbox.Faults) Option {
	return func(s *setup) {
		latency := s.opts.Faults.Latency
		s.opts.Faults = f
		if f.Latency == 0 {
			s.opts.Faults.Latency = latency
		}
	}
}

// RateLimits sets the sandbox's rate-limit buckets (enforced or only reported).
func RateLimits(rl sandbox.RateLimits) Option { return func(s *setup) { s.opts.RateLimits = rl } }

// Latency adds d to every request the sandbox answers.
func Latency(d time.Duration) Option { return func(s *setup) { s.opts.Faults.Latency = d } }

// StatePath keeps the org's state in a file (the sandbox's store) instead of memory.
func StatePath(path string) Option { return func(s *setup) { s.opts.StatePath = path } }

// Token sets the API token the sandbox accepts (default: random).
func Token(token string) Option { return func(s *setup) { s.opts.Token = token } }

// Now sets the sandbox's clock.
func Now(now func() time.Time) Option { return func(s *setup) { s.opts.Now = now } }

// SeedLarge adds generated objects before the server starts (see sandbox.Server.SeedLarge).
func SeedLarge(accessPolicies, rulesEach, assurances int) Option {
	return func(s *setup) { s.seed = &seedCounts{accessPolicies, rulesEach, assurances} }
}

// ClientConfig changes the client's configuration (timeouts, token, auth mode...) before
// okta.New; the org URL and token are already set.
func ClientConfig(mutate func(*okta.Config)) Option {
	return func(s *setup) { s.config = append(s.config, mutate) }
}

// RequestTimeout sets the client's per-request timeout.
func RequestTimeout(d time.Duration) Option {
	return ClientConfig(func(c *okta.Config) { c.RequestTimeout = d })
}

// Transport wraps the client's HTTP transport, e.g. to record or alter requests.
func Transport(wrap func(http.RoundTripper) http.RoundTripper) Option {
	return func(s *setup) { s.wrap = wrap }
}

func collect(opts []Option) *setup {
	s := &setup{}
	for _, o := range opts {
		o(s)
	}
	return s
}

// StartServer starts a sandbox org on a loopback port; t.Cleanup closes it.
func StartServer(t testing.TB, opts ...Option) *sandbox.Server {
	t.Helper()
	return startServer(t, collect(opts))
}

func startServer(t testing.TB, s *setup) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New(s.opts)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	if s.seed != nil {
		if err := srv.SeedLarge(s.seed.accessPolicies, s.seed.rulesEach, s.seed.assurances); err != nil {
			t.Fatalf("sandbox SeedLarge: %v", err)
		}
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// Start starts a sandbox org and returns it with a real okta.Client connected to it.
func Start(t testing.TB, opts ...Option) (*sandbox.Server, *okta.Client) {
	t.Helper()
	s := collect(opts)
	srv := startServer(t, s)
	return srv, newClient(t, srv, s)
}

// NewClient connects another real okta.Client to srv (with the server's token unless an
// option changes it). Its idle connections are closed when the test ends, before the server
// shuts down: a dialled but unused connection would hold the graceful shutdown.
func NewClient(t testing.TB, srv *sandbox.Server, opts ...Option) *okta.Client {
	t.Helper()
	return newClient(t, srv, collect(opts))
}

func newClient(t testing.TB, srv *sandbox.Server, s *setup) *okta.Client {
	t.Helper()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// Cleanups run last-in first-out: this one runs before the server's Close.
	t.Cleanup(transport.CloseIdleConnections)
	cfg := okta.Config{OrgURL: srv.URL(), Token: srv.Token(), Transport: transport}
	if s.wrap != nil {
		cfg.Transport = s.wrap(transport)
	}
	for _, m := range s.config {
		m(&cfg)
	}
	c, err := okta.New(cfg)
	if err != nil {
		t.Fatalf("okta.New: %v", err)
	}
	return c
}
