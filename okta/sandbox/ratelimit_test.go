package sandbox

import (
	"strconv"
	"testing"
	"time"
)

func TestEnforcedBucketAnswers429UntilItsWindowEnds(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	o := startOrg(t, Options{Now: clock, RateLimits: RateLimits{Enforce: true, Limit: 3, Window: 10 * time.Second}})
	for i := 0; i < 3; i++ {
		r := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil)
		if got := r.header.Get("X-Rate-Limit-Remaining"); got != strconv.Itoa(2-i) {
			t.Fatalf("request %d: remaining %s, want %d", i+1, got, 2-i)
		}
	}
	// Another endpoint family has a bucket of its own.
	o.must(200, "GET", "/api/v1/groups", nil)
	r := o.do("GET", "/api/v1/policies/whatever/rules", nil)
	wantError(t, r, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if r.header.Get("X-Rate-Limit-Limit") != "3" || r.header.Get("X-Rate-Limit-Remaining") != "0" ||
		r.header.Get("X-Rate-Limit-Reset") != strconv.FormatInt(now.Add(10*time.Second).Unix(), 10) {
		t.Fatalf("429 headers %v", r.header)
	}
	now = now.Add(10 * time.Second)
	if r := o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil); r.header.Get("X-Rate-Limit-Remaining") != "2" {
		t.Fatalf("after the window: remaining %s", r.header.Get("X-Rate-Limit-Remaining"))
	}
}

func TestBucketsAreReportedNotEnforcedByDefault(t *testing.T) {
	o := startOrg(t, Options{RateLimits: RateLimits{Limit: 2}})
	for i := 0; i < 4; i++ {
		o.must(200, "GET", "/api/v1/zones", nil)
	}
}

func TestBadRateLimitsAreRefused(t *testing.T) {
	for _, rl := range []RateLimits{{Limit: -1}, {Window: 10 * time.Millisecond}} {
		if _, err := New(Options{RateLimits: rl}); err == nil {
			t.Errorf("%+v accepted", rl)
		}
	}
}
