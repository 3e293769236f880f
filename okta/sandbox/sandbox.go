// Package sandbox is a local HTTP server that answers the Okta Management API endpoints the
// wizard uses (policies, rules, mappings, device assurance, IdPs, groups, zones, System Log,
// OAuth token) the way a fresh Identity Engine org does: same status codes, JSON shapes,
// error bodies, paging and rate-limit headers. Its state lives in a JSON file so an org
// survives restarts; faults (429, 5xx, dropped connections, validation errors, latency) can be
// injected to test clients.
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
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	StatePath string // JSON state file; "" = in memory only
	// Token is the API token accepted as "Authorization: SSWS <token>"; "" = random.
	Token  string
	Faults Faults
	Logger *slog.Logger     // nil = discard
	Now    func() time.Time // nil = time.Now
}

// Server is a sandbox org.
type Server struct {
	token string
	log   *slog.Logger
	now   func() time.Time

	mu    sync.Mutex // guards st and store (in-process); store adds the cross-process lock
	st    *state
	store *fileStore

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
	s.oauth.init()
	if opts.StatePath == "" {
		s.st = seedState(s.now())
		return s, nil
	}
	store, err := newFileStore(opts.StatePath)
	if err != nil {
		return nil, err
	}
	if err := store.lock(); err != nil {
		store.close()
		return nil, fmt.Errorf("sandbox state lock: %w", err)
	}
	defer store.unlock()
	st, err := store.load()
	if err != nil {
		store.close()
		return nil, err
	}
	if st == nil {
		st = seedState(s.now())
		if err := store.save(st); err != nil {
			store.close()
			return nil, err
		}
	}
	s.st, s.store = st, store
	return s, nil
}

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

// view runs fn with the current state, read-only.
func (s *Server) view(fn func(st *state)) error {
	return s.transact(func(st *state) bool { fn(st); return false })
}

// transact runs fn on the current state under the in-process mutex and, with a state file,
// the cross-process lock; the state is reloaded first if another process changed the file and
// saved when fn reports a change.
func (s *Server) transact(fn func(st *state) (changed bool)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store == nil {
		if s.st == nil {
			return errStateUnavailable
		}
		fn(s.st)
		return nil
	}
	if err := s.store.lock(); err != nil {
		return fmt.Errorf("%w: %v", errStateUnavailable, err)
	}
	defer s.store.unlock()
	if changed, err := s.store.changed(); err != nil {
		return fmt.Errorf("%w: %v", errStateUnavailable, err)
	} else if changed {
		st, err := s.store.load()
		if err != nil {
			return fmt.Errorf("%w: %v", errStateUnavailable, err)
		}
		if st == nil {
			// Deleted under us: start again from a fresh org rather than resurrect stale data.
			st = seedState(s.now())
		}
		s.st = st
	}
	if fn(s.st) {
		if err := s.store.save(s.st); err != nil {
			// Memory and disk now differ; reload on the next request.
			s.store.loadedIno = 0
			return fmt.Errorf("%w: %v", errStateUnavailable, err)
		}
	}
	return nil
}

// authorized checks the Authorization header in constant time.
func (s *Server) authorized(h string) bool {
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || cred == "" {
		return false
	}
	switch strings.ToUpper(scheme) {
	case "SSWS":
		return subtle.ConstantTimeCompare([]byte(cred), []byte(s.token)) == 1
	case "BEARER":
		return s.oauth.validBearer(cred, s.now())
	}
	return false
}
