// Package sandbox is a local HTTP server that answers the Okta Management API endpoints the
// wizard uses (policies, rules, mappings, device assurance, apps and their sign-in policies,
// policy simulation, IdPs, groups, users, zones, System Log, OAuth token) the way a fresh Identity Engine org does: same status codes, JSON shapes,
// error bodies, paging and rate-limit headers. Its state lives in a transactional store (one
// bbolt file, see store.go) so an org survives restarts and kill -9; faults (429, 5xx, dropped connections, validation errors, latency) can be
// injected to test clients.
//
// Policy simulation is evaluated for real by okta/simulate over the org's own apps, rules and
// users (see simulate.go); the choices about apps are listed in apps.go.
//
// Where neither the 5.1.0 spec nor the recordings say what Okta answers, the sandbox chooses:
//   - Mapping an ACCESS_POLICY already mapped to the same DSC policy answers 200 with the
//     existing mapping; one mapped to another DSC policy is 400 E0000001 (resourceId).
//   - Names are unique: policies per type, rules per policy, device assurance policies
//     (400 E0000001 naming "name").
//   - Deleting a system policy or the catch-all rule is 403 E0000006; deactivating them is
//     400 E0000001. Deleting a device assurance policy a rule uses is 400 E0000001 (id).
//   - GET /api/v1/policies without limit returns every policy of the type in one page (as
//     the recorded org does); with limit, pages carry Link rel="next".
//   - New ACCESS_POLICY policies get the system "Catch-all Rule" (priority 99, kept last);
//     DEVICE_SIGNAL_COLLECTION policies start without rules.
//   - Mapping events are "policy.mapping.add" and "policy.mapping.delete".
//   - The X-Rate-Limit-* bucket is reported, not enforced; 429s come from faults.
//   - Device assurance members the 5.1.0 spec gives only other platforms (jailbreak on
//     WINDOWS, osVersion on CHROMEOS, ...) are 400 E0000001 naming the member; members the
//     spec never names are stored and echoed.
package sandbox

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	StatePath string // state file (a version 1 JSON one is migrated); "" = in memory only
	// Token is the API token accepted as "Authorization: SSWS <token>"; "" = random.
	Token  string
	Faults Faults
	// RateLimits sets the per-endpoint buckets reported in X-Rate-Limit-* and whether an
	// empty one is answered with 429 as Okta does (default: reported, never enforced).
	RateLimits RateLimits
	Logger     *slog.Logger     // nil = discard
	Now        func() time.Time // nil = time.Now
}

// Server is a sandbox org.
type Server struct {
	token string
	log   *slog.Logger
	now   func() time.Time

	// mu guards st: writes hold it while they change the org in memory (not while their
	// records are committed to disk), reads share it.
	mu    sync.RWMutex
	st    *state
	store *store
	// broken is set when a commit failed: memory may then hold what the disk does not, so
	// the server refuses everything until restarted.
	broken error

	notices []string

	faults faultState
	rate   rateLimiter
	oauth  oauthState

	httpMu  sync.Mutex
	httpSrv *http.Server
	ln      net.Listener
	url     string
	done    chan struct{}

	connMu sync.Mutex
	fresh  map[net.Conn]struct{} // connections that have not sent a request yet
}

// closeGrace is how long Close lets requests in flight finish before cutting them off.
const closeGrace = time.Second

// New opens (or seeds) the org. A state file that exists but is not a sandbox state file,
// or is damaged, is an error and the file is left untouched.
func New(opts Options) (*Server, error) {
	s := &Server{token: opts.Token, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.token == "" {
		s.token = randomToken()
	}
	s.faults.set(opts.Faults)
	if err := s.rate.init(opts.RateLimits); err != nil {
		return nil, err
	}
	s.oauth.init()
	if opts.StatePath == "" {
		s.st = seedState(s.now())
		return s, nil
	}
	opened, err := openStateFile(opts.StatePath, s.now())
	if err != nil {
		return nil, err
	}
	for _, n := range opened.notices {
		s.log.Info("sandbox state: " + n)
	}
	s.notices = opened.notices
	s.st, s.store = opened.st, opened.store
	return s, nil
}

// Notices are what opening the state file did that the user should know: a migration from a
// version 1 JSON file (and where its backup is), temporary files of a crash removed.
func (s *Server) Notices() []string { return slices.Clone(s.notices) }

func randomToken() string {
	b := make([]byte, 21)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return "00" + hex.EncodeToString(b)
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
func (s *Server) Start(addr string) error {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	if s.httpSrv != nil {
		return errors.New("sandbox: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ConnState: s.trackFresh}
	done := make(chan struct{})
	s.httpSrv, s.done = srv, done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("sandbox server stopped", "err", err)
		}
	}()
	s.log.Info("sandbox listening", "url", s.url)
	return nil
}

// URL is the org URL, "http://127.0.0.1:PORT" once started.
func (s *Server) URL() string {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	return s.url
}

// Token is the API token the sandbox accepts.
func (s *Server) Token() string { return s.token }

// Handler serves the API; links are built from the request's Host.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Close stops serving and releases the state file.
func (s *Server) Close() error {
	s.httpMu.Lock()
	srv, done := s.httpSrv, s.done
	s.httpSrv = nil
	s.httpMu.Unlock()
	var err error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
		shut := make(chan error, 1)
		go func() { shut <- srv.Shutdown(ctx) }()
		// Serve returns once Shutdown has closed the listener, so no connection arrives after
		// this. Shutdown closes idle keep-alive connections itself but would wait 5 s for ones
		// that never sent a request; close those now.
		<-done
		s.closeFresh()
		err = <-shut
		cancel()
		if err != nil {
			err = srv.Close()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store != nil {
		// Under s.mu no write can start; close waits for the commits queued before.
		if cerr := s.store.close(); err == nil {
			err = cerr
		}
		s.store = nil
		// Without its lock the state must not change any more: later requests get a 500.
		s.st = nil
	}
	return err
}

// trackFresh (http.Server.ConnState) remembers connections that have not sent a request.
func (s *Server) trackFresh(c net.Conn, cs http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if cs == http.StateNew {
		if s.fresh == nil {
			s.fresh = map[net.Conn]struct{}{}
		}
		s.fresh[c] = struct{}{}
		return
	}
	delete(s.fresh, c)
}

func (s *Server) closeFresh() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
		delete(s.fresh, c)
	}
}

// SetFaults replaces the faults (and restarts their request counts).
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// AddOAuthClient registers a service app that authenticates to /oauth2/v1/token with
// private_key_jwt signed by the private key of pub (RSA or ECDSA P-256).
func (s *Server) AddOAuthClient(clientID string, pub crypto.PublicKey) {
	s.oauth.addClient(clientID, pub)
}

// errStateUnavailable marks a failure of the state file itself (answered as a 500).
var errStateUnavailable = errors.New("sandbox state unavailable")

// view runs fn with the current state, read-only; reads run concurrently with each other
// and wait for a write only while it changes memory, never while it is committed.
func (s *Server) view(fn func(st *state)) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.st == nil {
		return errStateUnavailable
	}
	if s.broken != nil {
		return fmt.Errorf("%w: %v", errStateUnavailable, s.broken)
	}
	fn(s.st)
	return nil
}

// transact runs fn on the current state under the write lock; when fn reports a change, the
// objects it touched are committed in one fsync'd transaction (grouped with concurrent
// writes) before transact returns, so an acknowledged write is on disk.
func (s *Server) transact(fn func(st *state) (changed bool)) error {
	s.mu.Lock()
	if s.st == nil {
		s.mu.Unlock()
		return errStateUnavailable
	}
	if s.broken != nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %v", errStateUnavailable, s.broken)
	}
	changed := fn(s.st)
	touched, all := s.st.takeTouched()
	if !changed || s.store == nil {
		s.mu.Unlock()
		return nil
	}
	if len(touched) == 0 && !all {
		// A change nobody touched cannot be saved record by record; save everything rather
		// than lose it (and say so: a handler misses a touch call).
		s.log.Error("sandbox: a write changed the org without touching any object; saving the whole org")
		if verifyStore {
			s.mu.Unlock()
			return fmt.Errorf("%w: a write changed the org without touching any object", errStateUnavailable)
		}
		all = true
	}
	recs, err := s.store.records(s.st, touched, all)
	if err != nil {
		s.broken = err
		s.mu.Unlock()
		return fmt.Errorf("%w: %v", errStateUnavailable, err)
	}
	if all {
		// After the commits queued before, so none of them overwrites this newer whole.
		s.store.commit.drain()
		err = s.store.writeAll(recs, s.st)
		if err != nil {
			s.broken = err
		}
		s.mu.Unlock()
		if err != nil {
			return fmt.Errorf("%w: %v", errStateUnavailable, err)
		}
		return nil
	}
	b := s.store.commit.enqueue(recs)
	if verifyStore {
		// Tests: commit under the lock and compare the store with memory after every write,
		// so a missing touch fails the test that made the write.
		defer s.mu.Unlock()
		if err := s.store.commit.wait(b); err != nil {
			s.broken = err
			return fmt.Errorf("%w: %v", errStateUnavailable, err)
		}
		if err := s.verifyStoreMatchesMemory(); err != nil {
			return fmt.Errorf("%w: %v", errStateUnavailable, err)
		}
		return nil
	}
	s.mu.Unlock()
	if err := s.store.commit.wait(b); err != nil {
		s.mu.Lock()
		s.broken = err
		s.mu.Unlock()
		return fmt.Errorf("%w: %v", errStateUnavailable, err)
	}
	return nil
}

// authorized checks the Authorization header in constant time.
func (s *Server) authorized(h string) bool {
	h = strings.TrimSpace(h)
	// Real Okta accepts "SSWS<token>" without a space (the Python SDK sends it so) and any run
	// of spaces after the scheme.
	for _, scheme := range []string{"SSWS", "Bearer"} {
		if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
			continue
		}
		cred := strings.TrimLeft(h[len(scheme):], " ")
		if cred == "" {
			return false
		}
		if scheme == "SSWS" {
			return subtle.ConstantTimeCompare([]byte(cred), []byte(s.token)) == 1
		}
		return s.oauth.validBearer(cred, s.now())
	}
	return false
}
