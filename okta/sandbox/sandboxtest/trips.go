package sandboxtest

import (
	"net/http"
	"sort"
	"sync"
	"time"
)

// Trips records the requests a client sends (through Transport(trips.Wrap)), so a test can
// count them and see how many round trips they cost one after another.
type Trips struct {
	mu       sync.Mutex
	requests []TripRequest
}

// TripRequest is one recorded exchange.
type TripRequest struct {
	Method, Path, Query string
	Status              int // 0 when no answer came
	Start, End          time.Time
}

// Wrap records every request sent through next.
func (t *Trips) Wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := next.RoundTrip(r)
		// The answer is read by the caller after RoundTrip returns; the round trip is the
		// server's latency, which RoundTrip has waited out by now.
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.mu.Lock()
		t.requests = append(t.requests, TripRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, Start: start, End: time.Now()})
		t.mu.Unlock()
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Requests returns what was recorded, in the order the requests started.
func (t *Trips) Requests() []TripRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]TripRequest(nil), t.requests...)
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Reset forgets what was recorded.
func (t *Trips) Reset() {
	t.mu.Lock()
	t.requests = nil
	t.mu.Unlock()
}

// Sequential is the longest chain of recorded requests each sent after the one before it
// had its answer: the round trips the requests cost when every answer takes the same time.
// Requests that overlap (sent together) count once.
func (t *Trips) Sequential() int {
	reqs := t.Requests()
	// chain[i] is the longest chain ending with reqs[i].
	chain := make([]int, len(reqs))
	longest := 0
	for i, r := range reqs {
		chain[i] = 1
		for k := 0; k < i; k++ {
			if !reqs[k].End.After(r.Start) && chain[k]+1 > chain[i] {
				chain[i] = chain[k] + 1
			}
		}
		longest = max(longest, chain[i])
	}
	return longest
}
