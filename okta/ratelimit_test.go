package okta_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

func TestRateLimitFamily(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/policies":                    "/api/v1/policies",
		"/api/v1/policies/rst1/rules/r1":      "/api/v1/policies",
		"/api/v1/logs":                        "/api/v1/logs",
		"/oauth2/v1/token":                    "/oauth2/v1",
		"/api/v1/device-assurances/dae1":      "/api/v1/device-assurances",
		"/":                                   "/",
		"/api":                                "/api",
		"/api/v1/policies/rst1/lifecycle/act": "/api/v1/policies",
	} {
		if got := okta.RateLimitFamily(path); got != want {
			t.Errorf("RateLimitFamily(%q) = %q, want %q", path, got, want)
		}
	}
}

// notices collects what the client reports through the context.
type notices struct {
	mu   sync.Mutex
	list []okta.Notice
}

func (n *notices) ctx() context.Context {
	return okta.WithNotifier(context.Background(), func(x okta.Notice) {
		n.mu.Lock()
		n.list = append(n.list, x)
		n.mu.Unlock()
	})
}

func (n *notices) waits() []okta.Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []okta.Notice
	for _, x := range n.list {
		if x.Kind == okta.NoticeRateLimitWait {
			out = append(out, x)
		}
	}
	return out
}

func TestClientPacesBeforeTheBucketRunsDry(t *testing.T) {
	trips := &sandboxtest.Trips{}
	_, api := sandboxtest.Start(t, sandboxtest.Transport(trips.Wrap),
		sandboxtest.RateLimits(sandbox.RateLimits{Enforce: true, Limit: 6, Window: 2 * time.Second}))
	var n notices
	ctx := n.ctx()
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ { // 12 requests against buckets of 6 every 2 s, 4 at a time
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := api.ListGroups(ctx); err != nil {
				errs <- err
			}
		}()
		if i%4 == 3 {
			wg.Wait()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, r := range trips.Requests() {
		if r.Status == 429 {
			t.Fatalf("%s %s answered 429: the client did not pace", r.Method, r.Path)
		}
	}
	waits := n.waits()
	if len(waits) == 0 {
		t.Fatal("no rate-limit wait was reported")
	}
	if w := waits[0]; w.Wait <= 0 || w.Wait > 3*time.Second || w.Path != "/api/v1/groups" || w.Detail == "" {
		t.Fatalf("wait notice %+v", w)
	}
}
