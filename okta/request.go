package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
)

// maxErrorBody bounds how much of an error answer we read.
const maxErrorBody = 1 << 20

// getRetries is how many times an idempotent GET is re-sent after a transport failure or a
// 502/503/504; getRetryBase is the first wait, doubled each time.
const (
	getRetries   = 2
	getRetryBase = 200 * time.Millisecond
)

// response is a 2xx answer, read fully.
type response struct {
	status int
	header http.Header
	body   []byte
}

// TransportError is a request that got no HTTP answer. Its text never holds a URL query or a
// header, so no token, key or client assertion can travel in it.
type TransportError struct {
	Method string
	Path   string
	// NotSent is true when the connection was never made (dial failure): the server cannot
	// have applied the request.
	NotSent bool
	// Timeout is true when the per-request timeout expired.
	Timeout bool
	msg     string
	cause   error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.msg)
}

// Unwrap exposes the cause (io.EOF, context errors, net errors) without its URL.
func (e *TransportError) Unwrap() error { return e.cause }

// AuthError is a failure to authorize a request (e.g. fetching the OAuth access token).
type AuthError struct{ msg string }

func (e *AuthError) Error() string { return e.msg }

// scrubber removes the client's secrets from any text that might reach a user.
type scrubber struct{ secrets []string }

func (s scrubber) scrub(text string) string { return redactExact(text, s.secrets) }

// transportError turns an http.Client error into a TransportError that carries no URL.
func (c *Client) transportError(ctx context.Context, method, path string, err error) error {
	te := &TransportError{Method: method, Path: path}
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	te.cause = inner
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case ctx.Err() != nil:
		te.cause = ctx.Err()
		te.msg = "cancelled: " + ctx.Err().Error()
	case errors.Is(inner, context.DeadlineExceeded) || (errors.As(inner, &netErr) && netErr.Timeout()):
		te.Timeout = true
		te.msg = fmt.Sprintf("no answer within %s", c.cfg.RequestTimeout)
	case errors.As(inner, &opErr) && opErr.Op == "dial":
		te.NotSent = true
		te.msg = "cannot connect to " + c.base.Host + ": " + c.scrub.scrub(opErr.Err.Error())
	case errors.Is(inner, io.EOF) || errors.Is(inner, io.ErrUnexpectedEOF):
		te.msg = "connection closed before the answer arrived"
	default:
		te.msg = c.scrub.scrub(inner.Error())
	}
	return te
}

// lostResponse reports whether err means a request was sent but its answer never came, so a
// write may or may not have been applied.
func lostResponse(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && !te.NotSent
}

// resolve turns a path ("/api/v1/...") or an absolute next link into a URL on the org.
func (c *Client) resolve(target string, query url.Values) (*url.URL, error) {
	u, err := c.base.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("bad request target %q: %w", target, err)
	}
	// Never send credentials to another host, whatever a Link header says.
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("refusing to follow a link to %s://%s: not the org %s", u.Scheme, u.Host, c.base)
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// call sends one API request: JSON body, the SDK's authorization, the SDK's HTTP client, the
// caller's context plus the per-request timeout. Before sending it waits while the endpoint's
// rate-limit bucket is nearly empty (rateBuckets.pace). 429s are waited out (X-Rate-Limit-Reset via
// the SDK's Get429BackoffTime, at most MaxBackoff each, at most MaxRetries times); GETs are
// retried a few times on transport failures and 502/503/504. Any other non-2xx comes back as
// *Error. Writes are sent once per call: a lost answer is the caller's to reconcile.
func (c *Client) call(ctx context.Context, method, target string, query url.Values, body []byte) (*response, error) {
	u, err := c.resolve(target, query)
	if err != nil {
		return nil, err
	}
	rateWaits, getFailures, authRetried := 0, 0, false
	for {
		if err := ctx.Err(); err != nil {
			return nil, &TransportError{Method: method, Path: u.Path, NotSent: true, msg: "cancelled: " + err.Error(), cause: err}
		}
		if err := c.rate.pace(ctx, method, u.Path, c.cfg.MaxBackoff); err != nil {
			return nil, &TransportError{Method: method, Path: u.Path, NotSent: true, msg: "cancelled while waiting for the rate limit: " + err.Error(), cause: err}
		}
		resp, httpResp, err := c.send(ctx, method, u, body)
		if resp != nil {
			c.rate.observe(RateLimitFamily(u.Path), resp.header)
		}
		if err != nil {
			var te *TransportError
			if method == http.MethodGet && errors.As(err, &te) && ctx.Err() == nil && getFailures < getRetries {
				if werr := sleepCtx(ctx, getRetryBase<<getFailures); werr != nil {
					return nil, err
				}
				getFailures++
				continue
			}
			return nil, err
		}
		switch {
		case resp.status >= 200 && resp.status < 300:
			return resp, nil
		case resp.status == http.StatusTooManyRequests && rateWaits < c.cfg.MaxRetries:
			secs, berr := sdk.Get429BackoffTime(httpResp)
			if berr != nil {
				return nil, c.decodeError(method, u.Path, resp)
			}
			wait := time.Duration(secs) * time.Second
			if wait > c.cfg.MaxBackoff {
				wait = c.cfg.MaxBackoff
			}
			if wait < 0 {
				wait = 0
			}
			notify(ctx, Notice{Kind: NoticeRateLimitWait, Method: method, Path: u.Path, Wait: wait, Detail: "Okta answered 429 Too Many Requests"})
			if werr := sleepCtx(ctx, wait); werr != nil {
				return nil, fmt.Errorf("%w (stopped waiting for the rate limit to reset: %w)", c.decodeError(method, u.Path, resp), werr)
			}
			rateWaits++
			continue
		case method == http.MethodGet && getFailures < getRetries &&
			(resp.status == http.StatusBadGateway || resp.status == http.StatusServiceUnavailable || resp.status == http.StatusGatewayTimeout):
			if werr := sleepCtx(ctx, getRetryBase<<getFailures); werr != nil {
				return nil, c.decodeError(method, u.Path, resp)
			}
			getFailures++
			continue
		case resp.status == http.StatusUnauthorized && c.cfg.AuthMode == AuthModePrivateKey && !authRetried:
			// A cached access token may have expired early; a 401 was not applied, so fetching a
			// fresh token and sending again is safe.
			c.tokenCache.Flush()
			authRetried = true
			continue
		default:
			return nil, c.decodeError(method, u.Path, resp)
		}
	}
}

// send performs one HTTP exchange and reads the whole answer.
func (c *Client) send(ctx context.Context, method string, u *url.URL, body []byte) (*response, *http.Response, error) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, u.String(), rd)
	if err != nil {
		return nil, nil, fmt.Errorf("building %s %s: %w", method, u.Path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	if err := c.authorize(req); err != nil {
		return nil, nil, err
	}
	httpResp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, c.transportError(ctx, method, u.Path, err)
	}
	defer httpResp.Body.Close()
	limit := int64(-1)
	if httpResp.StatusCode >= 300 {
		limit = maxErrorBody
	}
	var data []byte
	if limit > 0 {
		data, err = io.ReadAll(io.LimitReader(httpResp.Body, limit))
	} else {
		data, err = io.ReadAll(httpResp.Body)
	}
	if err != nil {
		return nil, nil, c.transportError(ctx, method, u.Path, err)
	}
	return &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}, httpResp, nil
}

// authorize adds the Authorization header with the SDK's own authorizers.
func (c *Client) authorize(req *http.Request) error {
	urlWithoutQuery := *req.URL
	urlWithoutQuery.RawQuery = ""
	var auth sdk.Authorization
	switch c.cfg.AuthMode {
	case AuthModePrivateKey:
		sc := c.sdk.GetConfig()
		auth = sdk.NewPrivateKeyAuth(sdk.PrivateKeyAuthConfig{
			TokenCache:   c.tokenCache,
			HttpClient:   sc.HTTPClient,
			PrivateKey:   sc.Okta.Client.PrivateKey,
			PrivateKeyId: sc.Okta.Client.PrivateKeyId,
			ClientId:     sc.Okta.Client.ClientId,
			OrgURL:       c.cfg.OrgURL,
			UserAgent:    c.userAgent,
			Scopes:       sc.Okta.Client.Scopes,
			MaxRetries:   sc.Okta.Client.RateLimit.MaxRetries,
			MaxBackoff:   sc.Okta.Client.RateLimit.MaxBackoff,
			Req:          req,
		})
	default:
		auth = sdk.NewSSWSAuth(c.cfg.Token, req)
	}
	if err := auth.Authorize(req.Method, urlWithoutQuery.String()); err != nil {
		return c.authError(err)
	}
	return nil
}

// authError describes a failed authorization without the URL (which holds the client
// assertion in PrivateKey mode) or any secret.
func (c *Client) authError(err error) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	msg := c.scrub.scrub(inner.Error())
	if msg == "Empty access token" {
		msg = "the token endpoint refused the client credentials (check client id, key id, public key and granted scopes)"
	}
	return &AuthError{msg: "getting an OAuth access token from " + c.cfg.OrgURL + "/oauth2/v1/token: " + msg}
}

// decodeError reads Okta's error body into *Error.
func (c *Client) decodeError(method, path string, resp *response) error {
	e := &Error{Status: resp.status, Method: method, Path: path}
	if len(bytes.TrimSpace(resp.body)) > 0 && json.Unmarshal(resp.body, e) == nil {
		// An error answer may echo what was sent (a proxy quoting a header, a cause quoting a
		// value): every text member is scrubbed.
		e.ErrorSummary = c.scrub.scrub(e.ErrorSummary)
		e.ErrorLink, e.ErrorID = c.scrub.scrub(e.ErrorLink), c.scrub.scrub(e.ErrorID)
		for i := range e.ErrorCauses {
			e.ErrorCauses[i].ErrorSummary = c.scrub.scrub(e.ErrorCauses[i].ErrorSummary)
		}
		return e
	}
	*e = Error{Status: resp.status, Method: method, Path: path, ErrorSummary: http.StatusText(resp.status)}
	return e
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nextLink returns the rel="next" target of a Link header, or "".
func nextLink(h http.Header) string {
	for _, line := range h.Values("Link") {
		for _, part := range strings.Split(line, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range segs[1:] {
				p = strings.TrimSpace(p)
				if p == `rel="next"` || p == "rel=next" {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}

// getJSON GETs target and decodes the answer into out.
func (c *Client) getJSON(ctx context.Context, target string, query url.Values, out any) error {
	resp, err := c.call(ctx, http.MethodGet, target, query, nil)
	if err != nil {
		return err
	}
	return c.decodeBody(http.MethodGet, target, resp.body, out)
}

func (c *Client) decodeBody(method, target string, body []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: unexpected answer: %w", method, pathOf(target), err)
	}
	return nil
}

func pathOf(target string) string {
	if u, err := url.Parse(target); err == nil {
		return u.Path
	}
	return target
}

// pages GETs target and every rel="next" page after it, handing each page's body to fn.
// It stops when fn returns errStopPaging, when the caller's context ends, or at the last page.
func (c *Client) pages(ctx context.Context, target string, query url.Values, fn func(body []byte) error) error {
	for target != "" {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, err := c.call(ctx, http.MethodGet, target, query, nil)
		if err != nil {
			return err
		}
		if err := fn(resp.body); err != nil {
			if errors.Is(err, errStopPaging) {
				return nil
			}
			return err
		}
		// Follow the link exactly as given; it already carries the query.
		target, query = nextLink(resp.header), nil
	}
	return nil
}

var errStopPaging = errors.New("stop paging")

// pagesOf decodes each page of a JSON array and hands it to page.
func pagesOf[T any](ctx context.Context, c *Client, target string, query url.Values, page func([]T) error) error {
	return c.pages(ctx, target, query, func(body []byte) error {
		var items []T
		if err := json.Unmarshal(body, &items); err != nil {
			return fmt.Errorf("GET %s: unexpected answer: %w", pathOf(target), err)
		}
		return page(items)
	})
}

// listAll collects every page of a JSON array.
func listAll[T any](ctx context.Context, c *Client, target string, query url.Values) ([]T, error) {
	var all []T
	err := pagesOf(ctx, c, target, query, func(page []T) error {
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if all == nil {
		all = []T{}
	}
	return all, nil
}
