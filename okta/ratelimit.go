package okta

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Okta counts requests in buckets per endpoint family and answers every request with the
// bucket's X-Rate-Limit-Limit, -Remaining and -Reset (epoch seconds). The client reads them on
// every answer and, before sending, waits for the reset when its bucket is nearly empty, so a
// large read paces itself instead of running into 429s.

// RateLimitFamily is the bucket a path counts against: /api/v1/policies/x/rules counts as
// /api/v1/policies, /oauth2/v1/token as /oauth2/v1.
func RateLimitFamily(path string) string {
	segs := strings.SplitN(strings.Trim(path, "/"), "/", 4)
	n := 2
	if len(segs) >= 3 && segs[0] == "api" {
		n = 3
	}
	return "/" + strings.Join(segs[:min(n, len(segs))], "/")
}

// rateBucket is what the latest answers said of one bucket, less the requests sent since.
type rateBucket struct {
	limit, remaining int
	resetAt          time.Time // on our clock
	// assumed is set once the window Okta reported has passed: until an answer comes the
	// bucket is taken as full for a minute.
	assumed bool
}

// rateBuckets are the client's view of the org's buckets, shared by all its requests.
type rateBuckets struct {
	mu      sync.Mutex
	buckets map[string]*rateBucket
	now     func() time.Time
}

// reserve is how many requests of a bucket are left unused for other clients of the org.
func (b *rateBucket) reserve() int { return max(1, b.limit/50) }

// observe reads an answer's rate-limit headers into the bucket of family.
func (rb *rateBuckets) observe(family string, h http.Header) {
	limit, errL := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, errT := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if errL != nil || errR != nil || errT != nil || limit <= 0 {
		return
	}
	now := rb.now()
	resetAt := time.Unix(reset, 0)
	// The reset is on Okta's clock; Date says how far ours is from it (to the second, and
	// rounded so we never send early).
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		resetAt = resetAt.Add(now.Sub(d))
	}
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if rb.buckets == nil {
		rb.buckets = map[string]*rateBucket{}
	}
	b := rb.buckets[family]
	if b == nil || b.assumed || resetAt.Sub(b.resetAt) > time.Second/2 || !now.Before(b.resetAt) {
		rb.buckets[family] = &rateBucket{limit: limit, remaining: remaining, resetAt: resetAt}
		return
	}
	// Same window: requests sent after this one was counted may be in flight still.
	b.limit, b.remaining = limit, min(b.remaining, remaining)
}

// take claims one request of family's bucket, or says how long to wait for its reset.
func (rb *rateBuckets) take(family string) (wait time.Duration, b rateBucket) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	bk := rb.buckets[family]
	if bk == nil {
		return 0, rateBucket{}
	}
	now := rb.now()
	if !now.Before(bk.resetAt) {
		// A new window: assume it full until an answer says otherwise, a minute long as Okta's.
		bk.remaining, bk.resetAt, bk.assumed = bk.limit, now.Add(time.Minute), true
	}
	if bk.remaining <= bk.reserve() {
		return bk.resetAt.Sub(now), *bk
	}
	bk.remaining--
	return 0, *bk
}

// pace waits until family's bucket has room for one more request (each wait at most
// maxWait, in case a reset is far off), reporting each wait.
func (rb *rateBuckets) pace(ctx context.Context, method, path string, maxWait time.Duration) error {
	family := RateLimitFamily(path)
	for {
		wait, b := rb.take(family)
		if wait <= 0 {
			return nil
		}
		if maxWait > 0 && wait > maxWait {
			wait = maxWait
		}
		notify(ctx, Notice{Kind: NoticeRateLimitWait, Method: method, Path: path, Wait: wait,
			Detail: fmt.Sprintf("rate limit: %d of %d requests left for %s until %s", b.remaining, b.limit, family, b.resetAt.Format("15:04:05"))})
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}
