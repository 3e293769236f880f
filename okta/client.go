package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
	gocache "github.com/patrickmn/go-cache"
)

var _ API = (*Client)(nil)

// policyPageSize is the page size ListPolicies asks for (the spec's `limit`).
const policyPageSize = 200

// Client implements API over okta-sdk-golang v5: the SDK's configuration, authorizers, HTTP
// client and rate-limit arithmetic, with our own typed models (the SDK cannot decode
// DEVICE_SIGNAL_COLLECTION policies or device assurance grace periods).
type Client struct {
	cfg        Config
	sdk        *sdk.APIClient
	http       *http.Client
	base       *url.URL
	tokenCache *gocache.Cache
	userAgent  string
	scrub      scrubber
	rate       *rateBuckets
}

// New builds a Client for cfg (usually from LoadConfig). cfg is validated again here.
func New(cfg Config) (*Client, error) {
	if !cfg.Configured() {
		return nil, errors.New("no org URL configured")
	}
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	if err := checkNumericEnv(); err != nil { // NewConfiguration reads the environment again
		return nil, err
	}
	base, err := url.Parse(cfg.OrgURL)
	if err != nil {
		return nil, fmt.Errorf("org URL: %w", err)
	}
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	// The client-wide timeout also bounds the SDK's OAuth token request, which runs without
	// a context of ours.
	httpClient := &http.Client{Transport: transport, Timeout: cfg.RequestTimeout}
	setters := []sdk.ConfigSetter{
		sdk.WithOrgUrl(cfg.OrgURL),
		sdk.WithAuthorizationMode(cfg.AuthMode),
		sdk.WithToken(cfg.Token),
		sdk.WithClientId(cfg.ClientID),
		sdk.WithScopes(cfg.Scopes),
		sdk.WithPrivateKeyId(cfg.PrivateKeyID),
		sdk.WithRequestTimeout(int64(cfg.RequestTimeout / time.Second)),
		sdk.WithRateLimitMaxRetries(int32(cfg.MaxRetries)),
		sdk.WithRateLimitMaxBackOff(int64(cfg.MaxBackoff / time.Second)),
		sdk.WithHttpClientPtr(httpClient),
		sdk.WithCache(false),
		sdk.WithDebug(false), // debug mode logs the Authorization header
	}
	sc, err := sdk.NewConfiguration(setters...)
	if err != nil {
		return nil, fmt.Errorf("okta SDK configuration: %w", err)
	}
	// Set directly rather than with WithPrivateKey, which stats the PEM text as a file path
	// and may print to stdout; LoadConfig already resolved a path to its content.
	sc.Okta.Client.PrivateKey = cfg.PrivateKey
	// The SDK keeps only the hostname of the org URL; put the port back.
	sc.Host = base.Host
	sc.Scheme = base.Scheme
	sc.Debug = false
	api := sdk.NewAPIClient(sc)
	if hc := api.GetConfig().HTTPClient; hc != httpClient && hc.Timeout == 0 {
		// A proxy from the Okta configuration makes the SDK build its own HTTP client.
		hc.Timeout = cfg.RequestTimeout
	}
	c := &Client{
		cfg:        cfg,
		sdk:        api,
		http:       api.GetConfig().HTTPClient,
		base:       base,
		tokenCache: gocache.New(5*time.Minute, 10*time.Minute),
		userAgent:  sdk.NewUserAgent(api.GetConfig()).String() + " okta-device-wizard",
		rate:       &rateBuckets{now: time.Now},
	}
	c.scrub = scrubber{secrets: secretsOf(cfg)}
	return c, nil
}

// secretsOf lists the strings that must never appear in text we produce.
func secretsOf(cfg Config) []string {
	var s []string
	if cfg.Token != "" {
		s = append(s, cfg.Token)
	}
	if cfg.PrivateKey != "" {
		s = append(s, cfg.PrivateKey)
		// Also each line of the key body, in case a fragment is quoted.
		for _, line := range strings.Split(strings.ReplaceAll(cfg.PrivateKey, `\n`, "\n"), "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				s = append(s, line)
			}
		}
	}
	return s
}

// OrgURL is the org the client talks to.
func (c *Client) OrgURL() string { return c.cfg.OrgURL }

// Config returns the client's configuration (its String form redacts secrets).
func (c *Client) Config() Config { return c.cfg }

// PathSegment escapes an id for one segment of a request path: '/', '?', '#' and '%' are
// percent-escaped, and so are the dots of "." and "..", which would otherwise climb the path.
// Every path the product builds (client, dry run, curl export) goes through it.
func PathSegment(id string) string {
	if id == "." || id == ".." {
		return strings.Repeat("%2E", len(id))
	}
	return url.PathEscape(id)
}

func policyPath(id string) string { return "/api/v1/policies/" + PathSegment(id) }
func rulePath(policyID, ruleID string) string {
	return policyPath(policyID) + "/rules/" + PathSegment(ruleID)
}
func daPath(id string) string { return "/api/v1/device-assurances/" + PathSegment(id) }

// ---- Policies ----

// ListPolicies returns every policy of type t, following every page.
func (c *Client) ListPolicies(ctx context.Context, t PolicyType) ([]Policy, error) {
	all := []Policy{}
	err := c.ListPoliciesPaged(ctx, t, policyPageSize, func(p []Policy) error {
		all = append(all, p...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ListPoliciesPaged hands each page of policies of type t to page as it arrives.
func (c *Client) ListPoliciesPaged(ctx context.Context, t PolicyType, pageSize int, page func([]Policy) error) error {
	return c.listPoliciesPaged(ctx, t, pageSize, false, page)
}

// ListPoliciesWithRulesPaged is ListPoliciesPaged asking for each policy's rules embedded
// (expand=rules): Policy.RulesEmbedded tells which answers carried them.
func (c *Client) ListPoliciesWithRulesPaged(ctx context.Context, t PolicyType, pageSize int, page func([]Policy) error) error {
	return c.listPoliciesPaged(ctx, t, pageSize, true, page)
}

func (c *Client) listPoliciesPaged(ctx context.Context, t PolicyType, pageSize int, expandRules bool, page func([]Policy) error) error {
	if t == "" {
		return errors.New("ListPolicies: a policy type is required")
	}
	q := url.Values{"type": {string(t)}}
	if expandRules {
		q.Set("expand", "rules")
	}
	if pageSize > 0 {
		q.Set("limit", strconv.Itoa(pageSize))
	}
	return pagesOf(ctx, c, "/api/v1/policies", q, page)
}

// GetPolicy reads one policy.
func (c *Client) GetPolicy(ctx context.Context, id string) (*Policy, error) {
	var p Policy
	if err := c.getJSON(ctx, policyPath(id), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreatePolicy creates p (POST /api/v1/policies?activate=...). If the answer is lost, the
// policy is looked up by type and exact name instead of being sent again.
func (c *Client) CreatePolicy(ctx context.Context, p Policy, activate bool) (*Policy, error) {
	var out Policy
	started := time.Now()
	err := c.create(ctx, "/api/v1/policies", url.Values{"activate": {strconv.FormatBool(activate)}}, p, &out,
		func(ctx context.Context) (bool, error) {
			ps, err := c.ListPolicies(ctx, p.Type)
			if err != nil {
				return false, err
			}
			var hits []Policy
			for _, x := range ps {
				if x.Name == p.Name && x.Type == p.Type && createdSince(x.Created, started) {
					hits = append(hits, x)
				}
			}
			return pickOne(hits, &out, "policies named "+strconv.Quote(p.Name))
		})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplacePolicy replaces the policy p.ID with p (PUT).
func (c *Client) ReplacePolicy(ctx context.Context, p Policy) (*Policy, error) {
	if p.ID == "" {
		return nil, errors.New("ReplacePolicy: the policy has no id")
	}
	var out Policy
	if err := c.replace(ctx, policyPath(p.ID), p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeletePolicy deletes a policy (204).
func (c *Client) DeletePolicy(ctx context.Context, id string) error {
	return c.delete(ctx, policyPath(id))
}

// ActivatePolicy sets a policy ACTIVE.
func (c *Client) ActivatePolicy(ctx context.Context, id string) error {
	return c.lifecycle(ctx, policyPath(id), StatusActive)
}

// DeactivatePolicy sets a policy INACTIVE.
func (c *Client) DeactivatePolicy(ctx context.Context, id string) error {
	return c.lifecycle(ctx, policyPath(id), StatusInactive)
}

// ---- Rules ----

// ListRules returns every rule of a policy.
func (c *Client) ListRules(ctx context.Context, policyID string) ([]Rule, error) {
	return listAll[Rule](ctx, c, policyPath(policyID)+"/rules", nil)
}

// GetRule reads one rule.
func (c *Client) GetRule(ctx context.Context, policyID, ruleID string) (*Rule, error) {
	var r Rule
	if err := c.getJSON(ctx, rulePath(policyID, ruleID), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateRule creates r in a policy; a lost answer is reconciled by the rule's name.
func (c *Client) CreateRule(ctx context.Context, policyID string, r Rule, activate bool) (*Rule, error) {
	var out Rule
	started := time.Now()
	err := c.create(ctx, policyPath(policyID)+"/rules", url.Values{"activate": {strconv.FormatBool(activate)}}, r, &out,
		func(ctx context.Context) (bool, error) {
			rs, err := c.ListRules(ctx, policyID)
			if err != nil {
				return false, err
			}
			var hits []Rule
			for _, x := range rs {
				if x.Name == r.Name && createdSince(x.Created, started) {
					hits = append(hits, x)
				}
			}
			return pickOne(hits, &out, "rules named "+strconv.Quote(r.Name))
		})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplaceRule replaces rule r.ID of a policy (PUT).
func (c *Client) ReplaceRule(ctx context.Context, policyID string, r Rule) (*Rule, error) {
	if r.ID == "" {
		return nil, errors.New("ReplaceRule: the rule has no id")
	}
	var out Rule
	if err := c.replace(ctx, rulePath(policyID, r.ID), r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRule deletes a rule.
func (c *Client) DeleteRule(ctx context.Context, policyID, ruleID string) error {
	return c.delete(ctx, rulePath(policyID, ruleID))
}

// ActivateRule sets a rule ACTIVE.
func (c *Client) ActivateRule(ctx context.Context, policyID, ruleID string) error {
	return c.lifecycle(ctx, rulePath(policyID, ruleID), StatusActive)
}

// DeactivateRule sets a rule INACTIVE.
func (c *Client) DeactivateRule(ctx context.Context, policyID, ruleID string) error {
	return c.lifecycle(ctx, rulePath(policyID, ruleID), StatusInactive)
}

// ---- Mappings ----

// ListMappings lists the resources mapped to a DEVICE_SIGNAL_COLLECTION policy.
func (c *Client) ListMappings(ctx context.Context, policyID string) ([]PolicyMapping, error) {
	return listAll[PolicyMapping](ctx, c, policyPath(policyID)+"/mappings", nil)
}

// MapResource maps an ACCESS_POLICY to a policy; a lost answer is reconciled by resourceId.
func (c *Client) MapResource(ctx context.Context, policyID string, m MappingRequest) (*PolicyMapping, error) {
	var out PolicyMapping
	err := c.create(ctx, policyPath(policyID)+"/mappings", nil, m, &out,
		func(ctx context.Context) (bool, error) {
			ms, err := c.ListMappings(ctx, policyID)
			if err != nil {
				return false, err
			}
			var hits []PolicyMapping
			for _, x := range ms {
				if mappingTargets(x, m.ResourceID) {
					hits = append(hits, x)
				}
			}
			return pickOne(hits, &out, "mappings of "+m.ResourceID)
		})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// mappingTargets reports whether mapping x is the one for resourceID: Okta names the mapping
// after the resource and links it under _links.policy (or another non-self link).
func mappingTargets(x PolicyMapping, resourceID string) bool {
	if resourceID == "" {
		return false
	}
	if x.ID == resourceID {
		return true
	}
	for name, raw := range x.Links {
		if name == "self" {
			continue
		}
		var l Link
		if json.Unmarshal(raw, &l) == nil && strings.HasSuffix(l.Href, "/"+resourceID) {
			return true
		}
	}
	return false
}

// DeleteMapping removes a mapping.
func (c *Client) DeleteMapping(ctx context.Context, policyID, mappingID string) error {
	return c.delete(ctx, policyPath(policyID)+"/mappings/"+PathSegment(mappingID))
}

// ---- Device assurance ----

// ListDeviceAssurances lists every device assurance policy (the endpoint does not page, but a
// Link next is followed if one comes).
func (c *Client) ListDeviceAssurances(ctx context.Context) ([]DeviceAssurance, error) {
	return listAll[DeviceAssurance](ctx, c, "/api/v1/device-assurances", nil)
}

// GetDeviceAssurance reads one device assurance policy.
func (c *Client) GetDeviceAssurance(ctx context.Context, id string) (*DeviceAssurance, error) {
	var d DeviceAssurance
	if err := c.getJSON(ctx, daPath(id), nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CreateDeviceAssurance creates d; a lost answer is reconciled by name and platform.
func (c *Client) CreateDeviceAssurance(ctx context.Context, d DeviceAssurance) (*DeviceAssurance, error) {
	var out DeviceAssurance
	err := c.create(ctx, "/api/v1/device-assurances", nil, d, &out,
		func(ctx context.Context) (bool, error) {
			ds, err := c.ListDeviceAssurances(ctx)
			if err != nil {
				return false, err
			}
			var hits []DeviceAssurance
			for _, x := range ds {
				if x.Name == d.Name && x.Platform == d.Platform {
					hits = append(hits, x)
				}
			}
			return pickOne(hits, &out, "device assurance policies named "+strconv.Quote(d.Name))
		})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplaceDeviceAssurance replaces d.ID with d (PUT).
func (c *Client) ReplaceDeviceAssurance(ctx context.Context, d DeviceAssurance) (*DeviceAssurance, error) {
	if d.ID == "" {
		return nil, errors.New("ReplaceDeviceAssurance: the policy has no id")
	}
	var out DeviceAssurance
	if err := c.replace(ctx, daPath(d.ID), d, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteDeviceAssurance deletes a device assurance policy.
func (c *Client) DeleteDeviceAssurance(ctx context.Context, id string) error {
	return c.delete(ctx, daPath(id))
}

// ---- Pickers ----

// ListIdentityProviders lists identity providers (all pages).
func (c *Client) ListIdentityProviders(ctx context.Context) ([]IdentityProvider, error) {
	return listAll[IdentityProvider](ctx, c, "/api/v1/idps", nil)
}

// ListGroups lists groups (all pages).
func (c *Client) ListGroups(ctx context.Context) ([]Group, error) {
	return listAll[Group](ctx, c, "/api/v1/groups", nil)
}

// ListNetworkZones lists network zones (all pages).
func (c *Client) ListNetworkZones(ctx context.Context) ([]NetworkZone, error) {
	return listAll[NetworkZone](ctx, c, "/api/v1/zones", nil)
}

// ---- System Log ----

// logTime is the ISO-8601 form the System Log takes for since/until.
const logTime = "2006-01-02T15:04:05.000Z"

// QueryLogs pages through the System Log. A query without Until always has a next link, so it
// stops at the first empty page, or when Max events are collected.
func (c *Client) QueryLogs(ctx context.Context, q LogQuery) ([]LogEvent, error) {
	v := url.Values{}
	if q.Filter != "" {
		v.Set("filter", q.Filter)
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(logTime))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.UTC().Format(logTime))
	}
	switch {
	case q.Limit > 0:
		v.Set("limit", strconv.Itoa(q.Limit))
	case q.Max > 0 && q.Max <= 1000:
		v.Set("limit", strconv.Itoa(q.Max)) // no need for bigger pages than we keep
	}
	events := []LogEvent{}
	err := c.pages(ctx, "/api/v1/logs", v, func(body []byte) error {
		var page []LogEvent
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("GET /api/v1/logs: unexpected answer: %w", err)
		}
		if len(page) == 0 {
			return errStopPaging
		}
		for _, e := range page {
			events = append(events, e)
			if q.Max > 0 && len(events) >= q.Max {
				return errStopPaging
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

// ---- Writes and their reconciliation ----

// createdSince rejects an object created well before our request: an older object of the same
// name is someone else's, not the one we lost the answer for. Clocks may differ a little.
func createdSince(created *time.Time, started time.Time) bool {
	return created == nil || !created.Before(started.Add(-5*time.Minute))
}

// pickOne stores the single hit in out. No hit means the write was not applied.
func pickOne[T any](hits []T, out *T, what string) (bool, error) {
	switch len(hits) {
	case 0:
		return false, nil
	case 1:
		*out = hits[0]
		return true, nil
	default:
		return false, fmt.Errorf("%d %s exist: %w", len(hits), what, ErrOutcomeUnknown)
	}
}

// WriteNotAppliedError is a write whose answer was lost and which a lookup showed was not
// applied. Sending it again is safe.
type WriteNotAppliedError struct {
	Method, Path string
	Err          error
}

func (e *WriteNotAppliedError) Error() string {
	return fmt.Sprintf("%s %s was not applied (the answer was lost and the object does not exist): %v", e.Method, e.Path, e.Err)
}
func (e *WriteNotAppliedError) Unwrap() error { return e.Err }

// outcomeUnknown wraps the lost-answer error and the failed lookup under ErrOutcomeUnknown.
func outcomeUnknown(method, path string, lost, lookup error) error {
	if lookup != nil && errors.Is(lookup, ErrOutcomeUnknown) {
		return fmt.Errorf("%s %s: %v; looking it up: %w", method, path, lost, lookup)
	}
	if lookup != nil {
		return fmt.Errorf("%s %s: %v; looking it up failed (%v): %w", method, path, lost, lookup, ErrOutcomeUnknown)
	}
	return fmt.Errorf("%s %s: %v: %w", method, path, lost, ErrOutcomeUnknown)
}

// create POSTs body once. When the answer is lost, find looks the object up (storing it in
// out): found means the create was applied; not found means it was not.
func (c *Client) create(ctx context.Context, path string, query url.Values, body, out any, find func(context.Context) (bool, error)) error {
	b, err := requestJSON(body)
	if err != nil {
		return fmt.Errorf("encoding request for POST %s: %w", path, err)
	}
	resp, err := c.call(ctx, http.MethodPost, path, query, b)
	if err == nil {
		return c.decodeBody(http.MethodPost, path, resp.body, out)
	}
	if !lostResponse(err) {
		return err
	}
	found, lerr := find(ctx)
	if lerr != nil {
		return outcomeUnknown(http.MethodPost, path, err, lerr)
	}
	if !found {
		notify(ctx, Notice{Kind: NoticeReconciled, Method: http.MethodPost, Path: path, Detail: "the answer was lost; a lookup shows it was not created"})
		return &WriteNotAppliedError{Method: http.MethodPost, Path: path, Err: err}
	}
	notify(ctx, Notice{Kind: NoticeReconciled, Method: http.MethodPost, Path: path, Detail: "the answer was lost; a lookup found the object, created once"})
	return nil
}

// replace PUTs body. When the answer is lost, the object is read back: if it already holds
// what we sent, that is the result; otherwise the (idempotent) PUT is sent once more.
func (c *Client) replace(ctx context.Context, path string, body, out any) error {
	b, err := requestJSON(body)
	if err != nil {
		return fmt.Errorf("encoding request for PUT %s: %w", path, err)
	}
	resp, err := c.call(ctx, http.MethodPut, path, nil, b)
	if err == nil {
		return c.decodeBody(http.MethodPut, path, resp.body, out)
	}
	if !lostResponse(err) {
		return err
	}
	cur, gerr := c.call(ctx, http.MethodGet, path, nil, nil)
	if gerr != nil {
		return outcomeUnknown(http.MethodPut, path, err, gerr)
	}
	if jsonContains(cur.body, b) {
		notify(ctx, Notice{Kind: NoticeReconciled, Method: http.MethodPut, Path: path, Detail: "the answer was lost; reading it back shows the change applied"})
		return c.decodeBody(http.MethodGet, path, cur.body, out)
	}
	resp, err2 := c.call(ctx, http.MethodPut, path, nil, b)
	if err2 != nil {
		if lostResponse(err2) {
			return outcomeUnknown(http.MethodPut, path, err2, nil)
		}
		return err2
	}
	return c.decodeBody(http.MethodPut, path, resp.body, out)
}

// lifecycle POSTs .../lifecycle/activate|deactivate. When the answer is lost, the object's
// status tells whether it was applied; if not, the idempotent call is sent once more.
func (c *Client) lifecycle(ctx context.Context, objPath, want string) error {
	op := "activate"
	if want == StatusInactive {
		op = "deactivate"
	}
	path := objPath + "/lifecycle/" + op
	_, err := c.call(ctx, http.MethodPost, path, nil, nil)
	if err == nil || !lostResponse(err) {
		return err
	}
	var obj struct {
		Status string `json:"status"`
	}
	if gerr := c.getJSON(ctx, objPath, nil, &obj); gerr != nil {
		return outcomeUnknown(http.MethodPost, path, err, gerr)
	}
	if obj.Status == want {
		return nil
	}
	if _, err2 := c.call(ctx, http.MethodPost, path, nil, nil); err2 != nil {
		if lostResponse(err2) {
			return outcomeUnknown(http.MethodPost, path, err2, nil)
		}
		return err2
	}
	return nil
}

// delete sends DELETE. When the answer is lost, a 404 on GET means it was applied; an object
// still there gets the (idempotent) DELETE once more.
func (c *Client) delete(ctx context.Context, path string) error {
	_, err := c.call(ctx, http.MethodDelete, path, nil, nil)
	if err == nil || !lostResponse(err) {
		return err
	}
	_, gerr := c.call(ctx, http.MethodGet, path, nil, nil)
	if IsNotFound(gerr) {
		return nil
	}
	if gerr != nil {
		return outcomeUnknown(http.MethodDelete, path, err, gerr)
	}
	if _, err2 := c.call(ctx, http.MethodDelete, path, nil, nil); err2 != nil {
		if IsNotFound(err2) {
			return nil
		}
		if lostResponse(err2) {
			return outcomeUnknown(http.MethodDelete, path, err2, nil)
		}
		return err2
	}
	return nil
}

// readOnlyMembers are what Okta sets itself (readOnly in the 5.1.0 spec); a read-modify-write
// object carries them, and a request must not.
var readOnlyMembers = []string{"id", "created", "lastUpdated", "createdBy", "createdDate", "lastUpdate", "lastUpdatedBy", "_links", "_embedded"}

// assuranceServerMembers are members Okta answers on device assurance policies (see the
// recordings) that the spec does not declare: server-side bookkeeping, never sent back.
var assuranceServerMembers = []string{"resourceType", "resourceId", "resourceDisplayName"}

// requestJSON encodes a request body without the read-only members.
func requestJSON(body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return b, nil // not an object: send as is
	}
	changed := false
	strip := readOnlyMembers
	if _, ok := body.(DeviceAssurance); ok {
		strip = append(append([]string(nil), readOnlyMembers...), assuranceServerMembers...)
	}
	for _, k := range strip {
		if _, ok := obj[k]; ok {
			delete(obj, k)
			changed = true
		}
	}
	if !changed {
		return b, nil
	}
	return json.Marshal(obj)
}

// jsonContains reports whether every member of want (recursively, for objects) is present
// and equal in have. Arrays must match element by element.
func jsonContains(have, want []byte) bool {
	var h, w any
	if json.Unmarshal(have, &h) != nil || json.Unmarshal(want, &w) != nil {
		return false
	}
	return containsValue(h, w)
}

func containsValue(h, w any) bool {
	switch wv := w.(type) {
	case map[string]any:
		hv, ok := h.(map[string]any)
		if !ok {
			return false
		}
		for k, x := range wv {
			switch k {
			case "_links", "created", "lastUpdated", "lastUpdate", "lastUpdatedBy", "createdDate", "createdBy":
				continue // read-only members the server rewrites
			}
			if !containsValue(hv[k], x) {
				return false
			}
		}
		return true
	case []any:
		hv, ok := h.([]any)
		if !ok || len(hv) != len(wv) {
			return false
		}
		for i := range wv {
			if !containsValue(hv[i], wv[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(h, w)
	}
}
