package flows_test

import (
	"context"
	"net/http"
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
		sandboxtest.RateLimits(sandbox.RateLimits{Enforce: true, Limit: 5, Window: 2 * time.Second}))
	if err := srv.SeedLarge(1500, 5, 20); err != nil {
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
	inv, err := flows.LoadInventory(ctx, api, flows.LoadOptions{SkipEvents: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.AppPolicies) < 1500 || len(inv.Assurances) < 20 {
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
