package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// response is what a handler answers; it is written only after the handler returns, so a
// "drop" fault can apply the request and then close the connection instead.
type response struct {
	status int
	body   any // marshalled as JSON; nil = no body
	header http.Header
}

func jsonResp(status int, body any) response { return response{status: status, body: body} }

func noContent() response { return response{status: http.StatusNoContent} }

// oktaError is Okta's error body.
type oktaError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

func errResp(status int, code, summary string, causes ...string) response {
	e := oktaError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: newErrorID(), ErrorCauses: []errorCause{}}
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, errorCause{ErrorSummary: c})
	}
	return jsonResp(status, e)
}

// validationErr is 400 E0000001 naming the field: "Api validation failed: <field>" with the
// cause "<field>: <message>".
func validationErr(field, message string) response {
	return errResp(http.StatusBadRequest, "E0000001", "Api validation failed: "+field, field+": "+message)
}

func malformedErr() response {
	return errResp(http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
}

func notFoundErr(id, entity string) response {
	return errResp(http.StatusNotFound, "E0000007", fmt.Sprintf("Not found: Resource not found: %s (%s)", id, entity))
}

func methodNotAllowed(allow ...string) response {
	r := errResp(http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
	r.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
	return r
}

func invalidTokenErr() response {
	return errResp(http.StatusUnauthorized, "E0000011", "Invalid token provided")
}

func internalErr() response {
	return errResp(http.StatusInternalServerError, "E0000009", "Internal Server Error")
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// newID returns an Okta-like id: a 3-character prefix and 17 characters.
func newID(prefix string) string { return prefix + randomString(17, idAlphabet) }

func newErrorID() string { return "oae" + randomString(22, idAlphabet+"-_") }

func newRequestID() string { return randomString(20, idAlphabet) }

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// oktaTime formats like Okta: millisecond precision, UTC, "Z".
func oktaTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05.000Z")
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	h := w.Header()
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	h.Set("X-Okta-Request-Id", newRequestID())
	h.Set("Cache-Control", "no-cache, no-store")
	limit, remaining, reset, allowed := s.rate.take(r.URL.Path, now)
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
	if !allowed {
		s.log.Info("sandbox rate limit", "method", r.Method, "path", r.URL.Path, "limit", limit)
		s.write(w, r, errResp(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests."))
		return
	}

	if d := s.faults.latency(); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}

	drop := false
	if rule, ok := s.faults.match(r.Method, r.URL.Path); ok {
		s.log.Info("sandbox fault", "kind", rule.Kind, "method", r.Method, "path", r.URL.Path)
		switch rule.Kind {
		case FaultRateLimit:
			after := rule.ResetAfter
			if after <= 0 {
				after = time.Second
			}
			h.Set("X-Rate-Limit-Remaining", "0")
			h.Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(after).Unix(), 10))
			s.write(w, r, errResp(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests."))
			return
		case FaultServerError:
			s.write(w, r, internalErr())
			return
		case FaultUnavailable:
			s.write(w, r, errResp(http.StatusServiceUnavailable, "E0000010", "Service is temporarily unavailable. Please try again later."))
			return
		case FaultValidation:
			s.write(w, r, errResp(http.StatusBadRequest, "E0000001", "Api validation failed: injected fault", "injected fault: the sandbox was asked to reject this request"))
			return
		case FaultDrop:
			drop = true
		}
	}

	resp := s.route(r)
	if drop && s.dropConnection(w) {
		return
	}
	if drop {
		// The write happened but the connection cannot be dropped: answer as a gateway
		// that lost the upstream answer would, so the client still cannot know the outcome.
		s.log.Warn("sandbox drop fault: connection cannot be hijacked; answering 502", "method", r.Method, "path", r.URL.Path)
		resp = errResp(http.StatusBadGateway, "E0000009", "Bad Gateway: the connection was dropped before an answer (sandbox drop fault).")
	}
	s.write(w, r, resp)
}

// dropConnection closes the connection without an answer; false when w cannot be hijacked
// (httptest.ResponseRecorder, HTTP/2), and nothing has been written then.
func (s *Server) dropConnection(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, resp response) {
	for k, vs := range resp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp.body); err != nil {
		s.log.Error("sandbox encode", "err", err)
		resp = internalErr()
		buf.Reset()
		_ = enc.Encode(resp.body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()-1))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	if resp.status >= 400 {
		s.log.Debug("sandbox answered an error", "method", r.Method, "path", r.URL.Path, "status", resp.status)
	}
}

// maxBody bounds request bodies; Okta objects are small.
const maxBody = 1 << 20

// readObject decodes a JSON object body; a body that is not a JSON object is E0000003.
func readObject(r *http.Request) (obj, *response) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		e := malformedErr()
		return nil, &e
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var o obj
	if err := dec.Decode(&o); err != nil || o == nil {
		e := malformedErr()
		return nil, &e
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		e := malformedErr()
		return nil, &e
	}
	return o, nil
}

// baseURL is the org URL as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func link(href string, allow ...string) obj {
	l := obj{"href": href}
	if len(allow) > 0 {
		a := make([]any, len(allow))
		for i, m := range allow {
			a[i] = m
		}
		l["hints"] = obj{"allow": a}
	}
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// intOf reads a JSON number (json.Number, float64 or int).
func intOf(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	case int:
		return n, true
	}
	return 0, false
}

// deepCopy copies a JSON value so stored objects never alias what a handler returns.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	default:
		return v
	}
}

func copyObj(o obj) obj { return deepCopy(o).(map[string]any) }
