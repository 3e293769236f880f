package sandbox

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Policy event types (Okta's).
const (
	EventPolicyCreate     = "policy.lifecycle.create"
	EventPolicyUpdate     = "policy.lifecycle.update"
	EventPolicyDelete     = "policy.lifecycle.delete"
	EventPolicyActivate   = "policy.lifecycle.activate"
	EventPolicyDeactivate = "policy.lifecycle.deactivate"
	EventRuleAdd          = "policy.rule.add"
	EventRuleUpdate       = "policy.rule.update"
	EventRuleDelete       = "policy.rule.delete"
	EventRuleActivate     = "policy.rule.activate"
	EventRuleDeactivate   = "policy.rule.deactivate"
)

// maxStoredEvents bounds the System Log kept in the state file (oldest dropped first).
const maxStoredEvents = 5000

type logTarget struct {
	ID, Type, DisplayName string
}

// eventTime is the published time with millisecond precision, as Okta sends it.
func eventTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// event appends a System Log event for a change made by the API token's admin.
func (s *Server) event(st *state, c *call, eventType, message string, targets ...logTarget) {
	ts := make([]any, 0, len(targets))
	for _, t := range targets {
		ts = append(ts, obj{"id": t.ID, "type": t.Type, "alternateId": "unknown", "displayName": t.DisplayName, "detailEntry": nil})
	}
	reqID := newRequestID()
	ip := "127.0.0.1"
	ua := ""
	uri := ""
	if c != nil {
		if host, _, err := net.SplitHostPort(c.r.RemoteAddr); err == nil && host != "" {
			ip = host
		}
		ua = c.r.UserAgent()
		uri = c.r.URL.Path
	}
	now := s.now()
	if c != nil {
		now = c.now
	}
	e := obj{
		"uuid":            newUUID(),
		"published":       eventTime(now),
		"eventType":       eventType,
		"version":         "0",
		"severity":        "INFO",
		"legacyEventType": nil,
		"displayMessage":  message,
		"actor": obj{
			"id": st.Admin.ID, "type": "User", "alternateId": st.Admin.Login,
			"displayName": st.Admin.DisplayName, "detailEntry": nil,
		},
		"client": obj{
			"userAgent": obj{"rawUserAgent": ua, "os": "Unknown", "browser": "UNKNOWN"},
			"zone":      "null", "device": "Unknown", "id": nil, "ipAddress": ip,
		},
		"outcome":               obj{"result": "SUCCESS", "reason": nil},
		"target":                ts,
		"transaction":           obj{"type": "WEB", "id": reqID, "detail": obj{}},
		"debugContext":          obj{"debugData": obj{"requestId": reqID, "requestUri": uri}},
		"authenticationContext": obj{"authenticationStep": 0, "externalSessionId": "trs" + randomString(22, idAlphabet)},
		"securityContext":       obj{},
		"request":               obj{"ipChain": []any{obj{"ip": ip}}},
	}
	st.Logs = append(st.Logs, e)
	st.touch(colLogs, str(e["uuid"]))
	if over := len(st.Logs) - maxStoredEvents; over > 0 {
		for _, old := range st.Logs[:over] {
			st.touch(colLogs, str(old["uuid"]))
		}
		st.Logs = slices.Delete(st.Logs, 0, over)
	}
}

// noteChanges records on the newest event which top-level members an update changed, as
// Okta's debugData.changedAttributes does (comma-separated).
func noteChanges(st *state, old, updated obj) {
	if len(st.Logs) == 0 {
		return
	}
	var changed []string
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range updated {
		keys[k] = true
	}
	for k := range keys {
		switch k {
		case "lastUpdated", "lastUpdate", "lastUpdatedBy", "_links", "resourceDisplayName":
			continue
		}
		a, _ := json.Marshal(old[k])
		b, _ := json.Marshal(updated[k])
		if string(a) != string(b) {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	e := st.Logs[len(st.Logs)-1]
	if dc, ok := e["debugContext"].(map[string]any); ok {
		if dd, ok := dc["debugData"].(map[string]any); ok {
			dd["changedAttributes"] = strings.Join(changed, ",")
		}
	}
}

const (
	defaultLogLimit = 100
	maxLogLimit     = 1000
)

func (s *Server) routeLogs(c *call) (response, error) {
	if len(c.segs) != 1 {
		return notFoundErr(c.r.URL.Path, "Endpoint"), nil
	}
	if c.r.Method != http.MethodGet {
		return methodNotAllowed("GET"), nil
	}
	q := c.r.URL.Query()
	since := c.now.Add(-7 * 24 * time.Hour)
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return validationErr("since", "The value must be an ISO-8601 date-time such as 2026-01-01T00:00:00.000Z."), nil
		}
		since = t
	}
	var until time.Time
	hasUntil := false
	if v := q.Get("until"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return validationErr("until", "The value must be an ISO-8601 date-time such as 2026-01-01T00:00:00.000Z."), nil
		}
		until, hasUntil = t, true
		if until.Before(since) {
			return validationErr("until", "until must not be before since."), nil
		}
	}
	limit, badLimit := pageLimit(q, defaultLogLimit, maxLogLimit)
	if badLimit != nil {
		return *badLimit, nil
	}
	var filter logFilter
	if v := q.Get("filter"); v != "" {
		f, err := parseLogFilter(v)
		if err != nil {
			return validationErr("filter", err.Error()), nil
		}
		filter = f
	}
	descending := strings.EqualFold(q.Get("sortOrder"), "DESCENDING")
	after := q.Get("after")
	var page []obj
	more := false
	err := s.view(func(st *state) {
		events := st.Logs
		order := make([]int, len(events))
		for i := range order {
			order[i] = i
		}
		if descending {
			slices.Reverse(order)
		}
		started := after == ""
		for _, i := range order {
			e := events[i]
			if !started {
				started = str(e["uuid"]) == after
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, str(e["published"]))
			if err != nil || t.Before(since) || (hasUntil && !t.Before(until)) {
				continue
			}
			if filter != nil && !filter(e) {
				continue
			}
			if len(page) == limit {
				more = true
				break
			}
			page = append(page, copyObj(e))
		}
		if !started {
			// An unknown cursor: nothing after it.
			page = nil
		}
	})
	if err != nil {
		return response{}, err
	}
	// Without until the log is a stream: there is always a next link to poll.
	var next url.Values
	if more || !hasUntil {
		cursor := after
		if len(page) > 0 {
			cursor = str(page[len(page)-1]["uuid"])
		}
		next = url.Values{}
		if cursor != "" {
			next.Set("after", cursor)
		}
	}
	return pageResponse(c, page, next), nil
}

// logFilter is a compiled System Log filter expression.
type logFilter func(e obj) bool

// parseLogFilter reads the subset of Okta's filter syntax the product uses: comparisons
// `field eq "value"` (also sw, co) on eventType, target.id, target.type, actor.id,
// outcome.result, severity, uuid, combined with and / or / not and parentheses.
func parseLogFilter(s string) (logFilter, error) {
	return parseFilter(s, filterFields, "eventType, target.id, target.type, actor.id, outcome.result, severity or uuid", `"policy.lifecycle.create"`)
}

// parseFilter compiles a filter expression over fields; hint names them and example is a
// quoted value, both for error messages.
func parseFilter(s string, fields map[string]func(obj) []string, hint, example string) (logFilter, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, fields: fields, hint: hint, example: example}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q in filter", p.toks[p.pos].text)
	}
	return f, nil
}

type filterTok struct {
	text   string
	quoted bool
}

func lexFilter(s string) ([]filterTok, error) {
	var toks []filterTok
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks = append(toks, filterTok{text: string(r)})
			i++
		case r == '"':
			var b strings.Builder
			i++
			closed := false
			for i < len(rs) {
				if rs[i] == '\\' && i+1 < len(rs) {
					b.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if rs[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated string in filter")
			}
			toks = append(toks, filterTok{text: b.String(), quoted: true})
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			toks = append(toks, filterTok{text: string(rs[i:j])})
			i = j
		}
	}
	return toks, nil
}

type filterParser struct {
	toks          []filterTok
	pos           int
	fields        map[string]func(obj) []string
	hint, example string
}

func (p *filterParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *filterParser) or() (logFilter, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.pos++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l, r := left, right
		left = func(e obj) bool { return l(e) || r(e) }
	}
	return left, nil
}

func (p *filterParser) and() (logFilter, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.pos++
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		l, r := left, right
		left = func(e obj) bool { return l(e) && r(e) }
	}
	return left, nil
}

func (p *filterParser) unary() (logFilter, error) {
	if p.peekWord("not") {
		p.pos++
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(e obj) bool { return !f(e) }, nil
	}
	if p.peekWord("(") {
		p.pos++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekWord(")") {
			return nil, fmt.Errorf("missing ) in filter")
		}
		p.pos++
		return f, nil
	}
	return p.comparison()
}

var filterFields = map[string]func(e obj) []string{
	"eventType":      func(e obj) []string { return []string{str(e["eventType"])} },
	"uuid":           func(e obj) []string { return []string{str(e["uuid"])} },
	"severity":       func(e obj) []string { return []string{str(e["severity"])} },
	"actor.id":       func(e obj) []string { a, _ := e["actor"].(map[string]any); return []string{str(a["id"])} },
	"outcome.result": func(e obj) []string { o, _ := e["outcome"].(map[string]any); return []string{str(o["result"])} },
	"target.id":      func(e obj) []string { return targetValues(e, "id") },
	"target.type":    func(e obj) []string { return targetValues(e, "type") },
}

func targetValues(e obj, key string) []string {
	list, _ := e["target"].([]any)
	var out []string
	for _, t := range list {
		if m, ok := t.(map[string]any); ok {
			out = append(out, str(m[key]))
		}
	}
	return out
}

func (p *filterParser) comparison() (logFilter, error) {
	if p.pos+3 > len(p.toks) {
		return nil, fmt.Errorf("incomplete filter: expected field op \"value\"")
	}
	field, op, val := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	get, ok := p.fields[field.text]
	if field.quoted || !ok {
		return nil, fmt.Errorf("cannot filter on %q (use %s)", field.text, p.hint)
	}
	if !val.quoted {
		return nil, fmt.Errorf("the value after %s %s must be quoted, e.g. %s", field.text, op.text, p.example)
	}
	var match func(have, want string) bool
	switch strings.ToLower(op.text) {
	case "eq":
		match = func(have, want string) bool { return have == want }
	case "sw":
		match = strings.HasPrefix
	case "co":
		match = strings.Contains
	default:
		return nil, fmt.Errorf("unsupported operator %q (use eq, sw or co)", op.text)
	}
	p.pos += 3
	want := val.text
	return func(e obj) bool {
		return slices.ContainsFunc(get(e), func(have string) bool { return match(have, want) })
	}, nil
}
