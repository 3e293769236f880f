package flows_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// ignoreExpand passes requests on without expand=, as an org that does not embed answers.
type ignoreExpand struct{ next http.RoundTripper }

func (i ignoreExpand) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query()
	if q.Has("expand") {
		r = r.Clone(r.Context())
		q.Del("expand")
		r.URL.RawQuery = q.Encode()
	}
	return i.next.RoundTrip(r)
}

// loadSeededInventory seeds appPolicies app sign-in policies of rulesEach+1 rules, loads the
// inventory through the recorded client and checks every rule arrived.
func loadSeededInventory(t *testing.T, appPolicies, rulesEach int, wrap func(http.RoundTripper) http.RoundTripper) []sandboxtest.TripRequest {
	t.Helper()
	trips := &sandboxtest.Trips{}
	srv, api := sandboxtest.Start(t, sandboxtest.Transport(func(next http.RoundTripper) http.RoundTripper {
		return trips.Wrap(wrap(next))
	}))
	if err := srv.SeedLarge(appPolicies, rulesEach, 0); err != nil {
		t.Fatal(err)
	}
	all, err := api.ListPolicies(context.Background(), okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	trips.Reset()
	inv, err := flows.LoadInventory(context.Background(), api, flows.LoadOptions{SkipEvents: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reqs := trips.Requests()
	if len(inv.AppPolicies) != len(all) {
		t.Fatalf("inventory has %d app sign-in policies, the org %d", len(inv.AppPolicies), len(all))
	}
	seeded := 0
	for _, a := range inv.AppPolicies {
		if strings.HasPrefix(a.Policy.Name, "Load Test") {
			seeded++
			if len(a.Rules) != rulesEach+1 {
				t.Fatalf("%s: %d rules in the inventory, want %d", a.Policy.Name, len(a.Rules), rulesEach+1)
			}
		}
	}
	if seeded != appPolicies {
		t.Fatalf("%d seeded policies in the inventory, want %d", seeded, appPolicies)
	}
	return reqs
}

func ruleListings(reqs []sandboxtest.TripRequest) int {
	n := 0
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/rules") {
			n++
		}
	}
	return n
}

func TestInventoryTakesRulesFromEmbeddedAnswersNotAListPerPolicy(t *testing.T) {
	reqs := loadSeededInventory(t, 300, 4, func(next http.RoundTripper) http.RoundTripper { return next })
	if n := ruleListings(reqs); n != 0 {
		t.Errorf("%d rules lists: the inventory asked per policy although the answers embed the rules", n)
	}
	t.Logf("%d requests", len(reqs))
	if len(reqs) > 25 {
		t.Errorf("%d requests for 300 policies x 5 rules, want at most 25", len(reqs))
	}
}

func TestInventoryListsRulesPerPolicyWhereAnswersLackEmbedded(t *testing.T) {
	reqs := loadSeededInventory(t, 40, 2, func(next http.RoundTripper) http.RoundTripper { return ignoreExpand{next} })
	if n := ruleListings(reqs); n < 40 {
		t.Errorf("%d rules lists for 40+ policies answered without _embedded", n)
	}
}

// Against an org enforcing small buckets, a large inventory waits for the resets instead of
// running into 429s, and says so through the context's notifier.
func TestInventoryOfABigOrgPacesItselfUnderEnforcedRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for rate-limit windows")
	}
	trips := &sandboxtest.Trips{}
	srv, api := sandboxtest.Start(t, sandboxtest.Transport(trips.Wrap),
		sandboxtest.RateLimits(sandbox.RateLimits{Enforce: true, Limit: 5, Window: time.Second}))
	// Small pages of a mid-sized org: each answer is quick even on a loaded machine, so the
	// pages outrun the bucket and pacing must wait (big pages can be slower than the refill).
	if err := srv.SeedLarge(300, 2, 20); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	waits := 0
	ctx := okta.WithNotifier(context.Background(), func(n okta.Notice) {
		if n.Kind == okta.NoticeRateLimitWait {
			mu.Lock()
			waits++
			mu.Unlock()
		}
	})
	inv, err := flows.LoadInventory(ctx, api, flows.LoadOptions{SkipEvents: true, PageSize: 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.AppPolicies) < 300 || len(inv.Assurances) < 20 {
		t.Fatalf("inventory has %d app sign-in and %d assurance policies", len(inv.AppPolicies), len(inv.Assurances))
	}
	for _, r := range trips.Requests() {
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("%s %s?%s answered 429", r.Method, r.Path, r.Query)
		}
	}
	if waits == 0 {
		t.Fatal("no rate-limit wait reported although the policy pages outnumber the bucket")
	}
}

// seedInventoryOrg is a sandbox org with appPolicies app sign-in policies of rulesEach rules
// besides their catch-all, and assurances assurance policies.
func seedInventoryOrg(b *testing.B, appPolicies, rulesEach, assurances int) *okta.Client {
	b.Helper()
	srv, api := sandboxtest.Start(b)
	if err := srv.SeedLarge(appPolicies, rulesEach, assurances); err != nil {
		b.Fatal(err)
	}
	return api
}

// BenchmarkLoadInventory10k loads an org of 10,500 policies and rules (1,500 app sign-in
// policies with 6 rules each) through the real client over HTTP, the sandbox in process
// (whole-process time and peak RSS of the wizard alone are measured with inspect --json).
func BenchmarkLoadInventory10k(b *testing.B) {
	api := seedInventoryOrg(b, 1500, 5, 0)
	b.ReportAllocs()
	for b.Loop() {
		inv, err := flows.LoadInventory(context.Background(), api, flows.LoadOptions{SkipEvents: true}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.AppPolicies) < 1500 {
			b.Fatalf("%d app sign-in policies", len(inv.AppPolicies))
		}
	}
}

// BenchmarkFilter10kRows filters 10,000 app sign-in policy rows by what a person types, one
// query per iteration (the budget is a keystroke: 1 ms).
func BenchmarkFilter10kRows(b *testing.B) {
	api := seedInventoryOrg(b, 10000, 0, 0)
	inv, err := flows.LoadInventory(context.Background(), api, flows.LoadOptions{SkipEvents: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(inv.Rows(flows.KindApp)); n < 10000 {
		b.Fatalf("%d rows", n)
	}
	queries := []string{"l", "lo", "load", "load test", "policy 0999", "active 099", "zzz-no-match"}
	b.ReportAllocs()
	// cpu-ns/op is the filtering goroutine's own CPU time: on a loaded machine ns/op also
	// counts the time spent waiting for a core.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	i := 0
	for b.Loop() {
		inv.Filter(flows.KindApp, queries[i%len(queries)])
		i++
	}
	b.ReportMetric(float64(threadCPU()-start)/float64(i), "cpu-ns/op")
}
