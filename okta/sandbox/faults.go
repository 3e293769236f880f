package sandbox

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault kinds.
const (
	FaultRateLimit   = "429"
	FaultServerError = "500"
	FaultUnavailable = "503"
	// FaultDrop applies the request, then closes the connection without answering: the
	// client cannot know whether its write happened. Where the connection cannot be taken
	// over (httptest.ResponseRecorder, HTTP/2) the answer is a 502 instead, the write still applied.
	FaultDrop = "drop"
	// FaultValidation answers 400 E0000001 without applying anything.
	FaultValidation = "E0000001"
)

// FaultsEnv is the environment variable read by FaultsFromEnv.
const FaultsEnv = "OKTA_SANDBOX_FAULTS"

// Faults makes the sandbox misbehave on purpose, so clients can be tested against the
// failures a real org produces.
type Faults struct {
	// Latency is added to every request.
	Latency time.Duration
	Rules   []FaultRule
}

// FaultRule fires a fault on matching requests.
type FaultRule struct {
	Kind   string // "429", "500", "503", "drop", "E0000001"
	Method string // "" = any
	// Path is matched segment by segment; '*' matches one segment ("/api/v1/policies/*/mappings").
	// "" matches any path.
	Path string
	// Nth: fire from the Nth matching request on (1-based). 0 = from the first matching request,
	// with no limit unless Times is set.
	Nth int
	// Times is how many times the rule fires (0 = once when Nth > 0, unlimited when Nth == 0).
	Times int
	// ResetAfter sets X-Rate-Limit-Reset this far ahead on a 429 (default 1s).
	ResetAfter time.Duration
}

// String renders the rule in ParseFaults syntax.
func (r FaultRule) String() string {
	var b strings.Builder
	b.WriteString(r.Kind)
	if r.Method != "" || r.Path != "" {
		b.WriteString("@")
		if r.Method != "" {
			b.WriteString(r.Method)
			if r.Path != "" {
				b.WriteString(" ")
			}
		}
		b.WriteString(r.Path)
	}
	if r.Nth > 0 {
		if r.Path == "" {
			b.WriteString(" ") // "429 #3", "drop@POST #1": the count is a token of its own
		}
		fmt.Fprintf(&b, "#%d", r.Nth)
	}
	if r.Times > 0 {
		fmt.Fprintf(&b, " times=%d", r.Times)
	}
	if r.ResetAfter > 0 {
		fmt.Fprintf(&b, " reset=%s", r.ResetAfter)
	}
	return b.String()
}

// String renders the faults in ParseFaults syntax.
func (f Faults) String() string {
	var parts []string
	if f.Latency > 0 {
		parts = append(parts, "latency="+f.Latency.String())
	}
	for _, r := range f.Rules {
		parts = append(parts, r.String())
	}
	return strings.Join(parts, ";")
}

var validFaultKinds = map[string]bool{
	FaultRateLimit: true, FaultServerError: true, FaultUnavailable: true, FaultDrop: true, FaultValidation: true,
}

// ParseFaults reads a fault specification: items separated by ';', each either
// "latency=DURATION" or "KIND[@[METHOD ]PATH][#N][ times=T][ reset=DURATION]" (Faults.String
// writes what it reads: parse, print and parse again give the same faults), e.g.
//
//	latency=50ms;429@POST /api/v1/policies#1;drop@POST /api/v1/policies/*/mappings#1 times=2
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	for _, item := range strings.Split(spec, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if v, ok := strings.CutPrefix(item, "latency="); ok {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 {
				return Faults{}, fmt.Errorf("fault %q: latency must be a duration such as 50ms", item)
			}
			f.Latency = d
			continue
		}
		r, err := parseFaultRule(item)
		if err != nil {
			return Faults{}, fmt.Errorf("fault %q: %w", item, err)
		}
		f.Rules = append(f.Rules, r)
	}
	return f, nil
}

func parseFaultRule(item string) (FaultRule, error) {
	var r FaultRule
	kind, target, hasTarget := strings.Cut(item, "@")
	fields := strings.Fields(kind)
	if len(fields) == 0 {
		return r, fmt.Errorf("missing kind (one of 429, 500, 503, drop, E0000001)")
	}
	// "429#3" is how String writes a rule with a count and no target.
	kindTok, nth, hasNth := strings.Cut(fields[0], "#")
	r.Kind = kindTok
	rest := fields[1:]
	if hasNth {
		rest = append([]string{"#" + nth}, rest...)
	}
	if hasTarget {
		if strings.TrimSpace(target) == "" {
			return r, fmt.Errorf("nothing after '@': name a METHOD and/or a /path (\"429@POST /api/v1/policies\"), or leave out the '@' for every request")
		}
		rest = append(rest, strings.Fields(target)...)
	}
	if !validFaultKinds[r.Kind] {
		return r, fmt.Errorf("unknown kind %q (one of 429, 500, 503, drop, E0000001)", r.Kind)
	}
	for _, tok := range rest {
		switch {
		case strings.HasPrefix(tok, "times="):
			n, err := strconv.Atoi(strings.TrimPrefix(tok, "times="))
			if err != nil || n < 1 {
				return r, fmt.Errorf("times must be a positive number")
			}
			r.Times = n
		case strings.HasPrefix(tok, "reset="):
			d, err := time.ParseDuration(strings.TrimPrefix(tok, "reset="))
			if err != nil || d <= 0 {
				return r, fmt.Errorf("reset must be a positive duration such as 2s")
			}
			r.ResetAfter = d
		case strings.HasPrefix(tok, "/") || strings.HasPrefix(tok, "#"):
			path, nth, hasNth := strings.Cut(tok, "#")
			if r.Path != "" && path != "" {
				return r, fmt.Errorf("more than one path")
			}
			if path != "" {
				r.Path = path
			}
			if hasNth {
				n, err := strconv.Atoi(nth)
				if err != nil || n < 1 {
					return r, fmt.Errorf("#N must be a positive number")
				}
				r.Nth = n
			}
		case strings.Contains(tok, "#") && isHTTPMethod(tok[:strings.Index(tok, "#")]):
			// "POST#1": a method with its count attached.
			method, nth, _ := strings.Cut(tok, "#")
			if r.Method != "" {
				return r, fmt.Errorf("more than one method")
			}
			r.Method = method
			n, err := strconv.Atoi(nth)
			if err != nil || n < 1 {
				return r, fmt.Errorf("#N must be a positive number")
			}
			r.Nth = n
		case isHTTPMethod(tok):
			if r.Method != "" {
				return r, fmt.Errorf("more than one method")
			}
			r.Method = tok
		default:
			return r, fmt.Errorf("cannot read %q (expected METHOD, /path, #N, times=N or reset=DURATION)", tok)
		}
	}
	return r, nil
}

func isHTTPMethod(s string) bool {
	switch s {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// FaultsFromEnv reads OKTA_SANDBOX_FAULTS; unset or empty means no faults.
func FaultsFromEnv() (Faults, error) {
	spec := os.Getenv(FaultsEnv)
	if strings.TrimSpace(spec) == "" {
		return Faults{}, nil
	}
	f, err := ParseFaults(spec)
	if err != nil {
		return Faults{}, fmt.Errorf("%s: %w", FaultsEnv, err)
	}
	return f, nil
}

// pathMatches reports whether path matches pattern, '*' standing for one segment.
func pathMatches(pattern, path string) bool {
	if pattern == "" {
		return true
	}
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// faultState counts matching requests per rule.
type faultState struct {
	mu      sync.Mutex
	faults  Faults
	matched []int
	fired   []int
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = f
	fs.matched = make([]int, len(f.Rules))
	fs.fired = make([]int, len(f.Rules))
}

func (fs *faultState) latency() time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.faults.Latency
}

// match returns the rule that fires for this request, if any. Every rule that matches the
// request counts it, whether or not an earlier rule fires.
func (fs *faultState) match(method, path string) (FaultRule, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var hit FaultRule
	found := false
	for i, r := range fs.faults.Rules {
		if r.Method != "" && !strings.EqualFold(r.Method, method) {
			continue
		}
		if !pathMatches(r.Path, path) {
			continue
		}
		fs.matched[i]++
		if found {
			continue
		}
		limit := r.Times
		if limit == 0 && r.Nth > 0 {
			limit = 1
		}
		if r.Nth > 0 && fs.matched[i] < r.Nth {
			continue
		}
		if limit > 0 && fs.fired[i] >= limit {
			continue
		}
		fs.fired[i]++
		hit, found = r, true
	}
	return hit, found
}
