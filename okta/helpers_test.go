package okta_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// capturedRequest is one request the client sent, as it went on the wire.
type capturedRequest struct {
	Method string
	URL    string
	Path   string
	Header http.Header
	Body   []byte
}

// recorder wraps the client's transport (inside the SDK's HTTP client) and keeps every request.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []capturedRequest
	// onRequest, when set, may alter a request before it is sent (e.g. drop its auth).
	onRequest func(*http.Request)
	// failWith, when set and returning an error, fails the request without sending it, as a
	// connection lost before the server saw it.
	failWith func(*http.Request) error
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	if r.onRequest != nil {
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		r.onRequest(req)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, capturedRequest{Method: req.Method, URL: req.URL.String(), Path: req.URL.Path, Header: req.Header.Clone(), Body: body})
	r.mu.Unlock()
	if r.failWith != nil {
		if err := r.failWith(req); err != nil {
			return nil, err
		}
	}
	return r.next.RoundTrip(req)
}

func (r *recorder) all() []capturedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]capturedRequest(nil), r.reqs...)
}

// count returns how many requests had the method and a path for which match is true.
func (r *recorder) count(method string, match func(path string) bool) int {
	n := 0
	for _, c := range r.all() {
		if c.Method == method && match(c.Path) {
			n++
		}
	}
	return n
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.reqs = nil
	r.mu.Unlock()
}

func exactPath(p string) func(string) bool { return func(s string) bool { return s == p } }

// newClient builds the real okta.Client (real SDK, real HTTP) for the sandbox, with a
// recording transport.
func newClient(t testing.TB, srv *sandbox.Server, mutate ...func(*okta.Config)) (*okta.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	opts := []sandboxtest.Option{
		sandboxtest.Transport(func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec }),
		sandboxtest.ClientConfig(func(c *okta.Config) { c.RequestTimeout, c.MaxBackoff = 10*time.Second, 5*time.Second }),
	}
	for _, m := range mutate {
		opts = append(opts, sandboxtest.ClientConfig(m))
	}
	return sandboxtest.NewClient(t, srv, opts...), rec
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ptr[T any](v T) *T { return &v }

// uniqueName makes names that do not collide with seeded objects.
func uniqueName(t testing.TB, what string) string {
	return what + " " + strings.ReplaceAll(t.Name(), "/", " ")
}

func mustOktaError(t *testing.T, err error, status int, code string) *okta.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want Okta error %d %s, got success", status, code)
	}
	var oe *okta.Error
	if !errors.As(err, &oe) {
		t.Fatalf("want *okta.Error %d %s, got %T: %v", status, code, err, err)
	}
	if oe.Status != status || oe.ErrorCode != code {
		t.Fatalf("want %d %s, got %d %s (%v)", status, code, oe.Status, oe.ErrorCode, err)
	}
	if !okta.IsCode(err, code) {
		t.Fatalf("IsCode(%s) false for %v", code, err)
	}
	return oe
}

// assertReconciled checks that the write (method, path) was sent once and that the client's
// next request was a GET looking the object up: proof the answer was lost and reconciled.
func assertReconciled(t *testing.T, rec *recorder, method string, match func(string) bool) {
	t.Helper()
	reqs := rec.all()
	for i, r := range reqs {
		if r.Method == method && match(r.Path) {
			if i+1 >= len(reqs) || reqs[i+1].Method != "GET" {
				t.Fatalf("after the lost %s %s the client did not look the object up", method, r.Path)
			}
			return
		}
	}
	t.Fatalf("no %s request was sent", method)
}
