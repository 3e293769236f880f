package sandbox

import (
	"fmt"
	"sync"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// RateLimits are the sandbox's rate-limit buckets. Okta counts requests per endpoint family
// (policies, groups, logs, ...) in fixed windows of a minute and answers each request with the
// bucket's X-Rate-Limit-Limit, -Remaining and -Reset (epoch seconds of the window's end).
type RateLimits struct {
	// Enforce answers 429 E0000047 once a bucket is empty, until its window ends.
	Enforce bool
	// Limit is every bucket's size (0 = Okta's usual: 600 a minute, 120 for the System Log).
	Limit int
	// Window is how long a bucket lasts (0 = a minute).
	Window time.Duration
}

// Default bucket sizes, per minute.
const (
	rateLimitManagement = 600
	rateLimitLogs       = 120
)

// rateLimiter counts the requests of each endpoint family in the current window.
type rateLimiter struct {
	mu     sync.Mutex
	cfg    RateLimits
	window int64 // index of the current window
	used   map[string]int
}

func (rl *rateLimiter) init(cfg RateLimits) error {
	if cfg.Limit < 0 {
		return fmt.Errorf("sandbox: rate limit %d must not be negative", cfg.Limit)
	}
	if cfg.Window < 0 || (cfg.Window > 0 && cfg.Window < time.Second) {
		return fmt.Errorf("sandbox: rate-limit window %s must be at least 1s (X-Rate-Limit-Reset counts seconds)", cfg.Window)
	}
	if cfg.Window == 0 {
		cfg.Window = time.Minute
	}
	rl.cfg = cfg
	return nil
}

func (rl *rateLimiter) limitOf(family string) int {
	if rl.cfg.Limit > 0 {
		return rl.cfg.Limit
	}
	if family == "/api/v1/logs" {
		return rateLimitLogs
	}
	return rateLimitManagement
}

// take counts a request to path. allowed is false when the bucket is enforced and empty (the
// request is then not counted); reset is the window's end in epoch seconds.
func (rl *rateLimiter) take(path string, now time.Time) (limit, remaining int, reset int64, allowed bool) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	window := rl.cfg.Window
	if window <= 0 {
		window = time.Minute
	}
	w := now.UnixNano() / int64(window)
	if w != rl.window || rl.used == nil {
		rl.window, rl.used = w, map[string]int{}
	}
	end := time.Unix(0, (w+1)*int64(window))
	reset = end.Unix()
	if end.After(time.Unix(reset, 0)) {
		reset++ // a window ending within a second is reset at the next whole second
	}
	family := okta.RateLimitFamily(path)
	limit = rl.limitOf(family)
	if rl.cfg.Enforce && rl.used[family] >= limit {
		return limit, 0, reset, false
	}
	rl.used[family]++
	return limit, max(limit-rl.used[family], 0), reset, true
}
