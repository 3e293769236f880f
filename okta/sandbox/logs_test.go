package sandbox

import (
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func logsQuery(params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	return "/api/v1/logs?" + q.Encode()
}

func linkURL(r reply, rel string) string {
	for _, l := range r.header.Values("Link") {
		if strings.HasSuffix(l, `rel="`+rel+`"`) {
			return strings.TrimPrefix(strings.Split(l, ">")[0], "<")
		}
	}
	return ""
}

// makeChanges performs one change of every kind and returns the ids involved.
func makeChanges(t *testing.T, o *testOrg) (dsc, app, rule, da string) {
	da = o.must(200, "POST", "/api/v1/device-assurances", map[string]any{"name": "L", "platform": "IOS", "jailbreak": false}).obj(t)["id"].(string)
	d := o.must(200, "GET", "/api/v1/device-assurances/"+da, nil).obj(t)
	d["name"] = "L2"
	o.must(200, "PUT", "/api/v1/device-assurances/"+da, d)
	app = o.createPolicy("ACCESS_POLICY", "logged app", "")["id"].(string)
	ap := o.must(200, "GET", "/api/v1/policies/"+app, nil).obj(t)
	ap["description"] = "changed"
	o.must(200, "PUT", "/api/v1/policies/"+app, ap)
	dsc = o.createPolicy("DEVICE_SIGNAL_COLLECTION", "logged dsc", "?activate=false")["id"].(string)
	o.must(204, "POST", "/api/v1/policies/"+dsc+"/lifecycle/activate", nil)
	o.must(204, "POST", "/api/v1/policies/"+dsc+"/lifecycle/deactivate", nil)
	rule = o.must(200, "POST", "/api/v1/policies/"+dsc+"/rules", map[string]any{"name": "r", "type": "DEVICE_SIGNAL_COLLECTION",
		"actions": map[string]any{"deviceSignalCollection": map[string]any{"deviceContextProviders": []any{map[string]any{"key": "OKTA_VERIFY"}}}}}).obj(t)["id"].(string)
	rr := o.must(200, "GET", "/api/v1/policies/"+dsc+"/rules/"+rule, nil).obj(t)
	rr["name"] = "r2"
	o.must(200, "PUT", "/api/v1/policies/"+dsc+"/rules/"+rule, rr)
	o.must(204, "POST", "/api/v1/policies/"+dsc+"/rules/"+rule+"/lifecycle/deactivate", nil)
	o.must(204, "POST", "/api/v1/policies/"+dsc+"/rules/"+rule+"/lifecycle/activate", nil)
	o.must(200, "POST", "/api/v1/policies/"+dsc+"/mappings", map[string]any{"resourceId": app, "resourceType": "ACCESS_POLICY"})
	o.must(204, "DELETE", "/api/v1/policies/"+dsc+"/mappings/"+app, nil)
	o.must(204, "DELETE", "/api/v1/policies/"+dsc+"/rules/"+rule, nil)
	o.must(204, "DELETE", "/api/v1/policies/"+dsc, nil)
	o.must(204, "DELETE", "/api/v1/device-assurances/"+da, nil)
	return dsc, app, rule, da
}

func TestSystemLogRecordsEveryChange(t *testing.T) {
	o := startOrg(t, Options{})
	dsc, app, rule, da := makeChanges(t, o)
	events := o.must(200, "GET", logsQuery(map[string]string{"limit": "1000"}), nil).list(t)
	seen := map[string][]string{} // eventType -> target ids
	for _, e := range events {
		for _, k := range []string{"uuid", "published", "eventType", "actor", "outcome", "target", "displayMessage", "severity"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("event lacks %s: %v", k, e)
			}
		}
		actor := e["actor"].(map[string]any)
		if !strings.HasPrefix(actor["id"].(string), "00u") || actor["type"] != "User" || actor["alternateId"] == "" {
			t.Fatalf("actor %v", actor)
		}
		if e["outcome"].(map[string]any)["result"] != "SUCCESS" {
			t.Fatalf("outcome %v", e["outcome"])
		}
		if _, err := time.Parse(time.RFC3339, e["published"].(string)); err != nil {
			t.Fatalf("published %v", e["published"])
		}
		for _, tg := range e["target"].([]any) {
			m := tg.(map[string]any)
			if m["type"] == "" || m["displayName"] == "" {
				t.Fatalf("target %v", m)
			}
			seen[e["eventType"].(string)] = append(seen[e["eventType"].(string)], m["id"].(string))
		}
	}
	want := map[string]string{
		EventAssuranceAdd: da, EventAssuranceUpdate: da, EventAssuranceDelete: da,
		EventPolicyCreate: dsc, EventPolicyUpdate: app, EventPolicyActivate: dsc, EventPolicyDeactivate: dsc, EventPolicyDelete: dsc,
		EventRuleAdd: rule, EventRuleUpdate: rule, EventRuleActivate: rule, EventRuleDeactivate: rule, EventRuleDelete: rule,
		EventMappingAdd: app, EventMappingDelete: app,
	}
	for typ, id := range want {
		found := false
		for _, got := range seen[typ] {
			found = found || got == id
		}
		if !found {
			t.Errorf("no %s event targeting %s (have %v)", typ, id, seen[typ])
		}
	}
	// published is ascending
	if !sort.SliceIsSorted(events, func(i, j int) bool { return events[i]["published"].(string) < events[j]["published"].(string) }) {
		t.Fatal("events are in publish order")
	}
}

func TestSystemLogFilters(t *testing.T) {
	o := startOrg(t, Options{})
	dsc, app, _, da := makeChanges(t, o)
	count := func(filter string) int {
		t.Helper()
		return len(o.must(200, "GET", logsQuery(map[string]string{"filter": filter, "limit": "1000"}), nil).list(t))
	}
	if n := count(`eventType eq "device.assurance.policy.add"`); n != 1 {
		t.Fatalf("eq: %d", n)
	}
	if n := count(`eventType eq "device.assurance.policy.add" or eventType eq "device.assurance.policy.delete"`); n != 2 {
		t.Fatalf("or: %d", n)
	}
	if n := count(`eventType eq "policy.lifecycle.create" and target.id eq "` + app + `"`); n != 1 {
		t.Fatalf("and: %d", n)
	}
	if n := count(`(eventType eq "policy.lifecycle.activate" or eventType eq "policy.lifecycle.deactivate") and target.id eq "` + dsc + `"`); n != 2 {
		t.Fatalf("parentheses: %d", n)
	}
	if n := count(`target.id eq "` + da + `"`); n != 3 {
		t.Fatalf("target.id: %d", n)
	}
	if n := count(`eventType sw "policy.rule."`); n != 6 { // add, activate (created active), update, deactivate, activate, delete
		t.Fatalf("sw: %d", n)
	}
	if n := count(`eventType eq "nothing.like.this"`); n != 0 {
		t.Fatalf("no match: %d", n)
	}
	for _, bad := range []string{
		`event_type eq "policy.lifecycle.create"`, // the guides' mistake
		`eventType eq policy.lifecycle.create`,
		`eventType eq “policy.lifecycle.create”`,
		`eventType gt "x"`,
		`eventType eq "x" and`,
		`(eventType eq "x"`,
		`eventType eq "unterminated`,
	} {
		wantError(t, o.do("GET", logsQuery(map[string]string{"filter": bad}), nil), 400, "E0000001", "Api validation failed: filter")
	}
}

func TestSystemLogTimeWindowAndPaging(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := now
	o := startOrg(t, Options{Now: func() time.Time { return clock }})
	for i := range 5 {
		clock = now.Add(time.Duration(i) * time.Minute)
		o.createPolicy("ACCESS_POLICY", "p"+string(rune('a'+i)), "?activate=false")
	}
	clock = now.Add(time.Hour)
	all := `eventType eq "policy.lifecycle.create"`
	since := now.Add(time.Minute).Format(time.RFC3339)
	until := now.Add(3 * time.Minute).Format(time.RFC3339)
	r := o.must(200, "GET", logsQuery(map[string]string{"filter": all, "since": since, "until": until}), nil)
	if l := r.list(t); len(l) != 2 {
		t.Fatalf("since/until window: %d events", len(l))
	}
	if linkURL(r, "next") != "" {
		t.Fatal("a bounded query that is exhausted has no next link")
	}
	if linkURL(r, "self") == "" {
		t.Fatal("self link missing")
	}
	// paging with limit and until
	var names []string
	next := logsQuery(map[string]string{"filter": all, "since": now.Add(-time.Minute).Format(time.RFC3339), "until": now.Add(time.Hour).Format(time.RFC3339), "limit": "2"})
	for next != "" {
		r := o.must(200, "GET", next, nil)
		for _, e := range r.list(t) {
			names = append(names, e["target"].([]any)[0].(map[string]any)["displayName"].(string))
		}
		next = linkURL(r, "next")
	}
	if strings.Join(names, ",") != "pa,pb,pc,pd,pe" {
		t.Fatalf("paged %v", names)
	}
	// without until there is always a next link, even past the end, and it yields new events
	r = o.must(200, "GET", logsQuery(map[string]string{"filter": all, "since": now.Add(-time.Minute).Format(time.RFC3339)}), nil)
	if len(r.list(t)) != 5 {
		t.Fatalf("open query: %d", len(r.list(t)))
	}
	poll := linkURL(r, "next")
	if poll == "" {
		t.Fatal("a query without until always has a next link")
	}
	r2 := o.must(200, "GET", poll, nil)
	if len(r2.list(t)) != 0 || linkURL(r2, "next") == "" {
		t.Fatalf("polling past the end: %s, next %q", r2.raw, linkURL(r2, "next"))
	}
	o.createPolicy("ACCESS_POLICY", "late", "")
	r3 := o.must(200, "GET", linkURL(r2, "next"), nil)
	if l := r3.list(t); len(l) != 1 || l[0]["target"].([]any)[0].(map[string]any)["displayName"] != "late" {
		t.Fatalf("polling finds the new event: %s", r3.raw)
	}
	// default since is 7 days back
	clock = now.Add(8 * 24 * time.Hour)
	if l := o.must(200, "GET", logsQuery(map[string]string{"filter": all}), nil).list(t); len(l) != 0 {
		t.Fatalf("events older than 7 days are outside the default window: %d", len(l))
	}
	wantError(t, o.do("GET", logsQuery(map[string]string{"since": "yesterday"}), nil), 400, "E0000001", "Api validation failed: since")
	wantError(t, o.do("GET", logsQuery(map[string]string{"until": "soon"}), nil), 400, "E0000001", "Api validation failed: until")
	wantError(t, o.do("GET", logsQuery(map[string]string{"limit": "-1"}), nil), 400, "E0000001", "Api validation failed: limit")
}

func TestSystemLogLimitCapsAt1000(t *testing.T) {
	o := startOrg(t, Options{})
	o.srv.transact(func(st *state) bool {
		for range 1200 {
			o.srv.event(st, nil, EventPolicyUpdate, "Update policy", logTarget{ID: "rstX", Type: "PolicyEntity", DisplayName: "x"})
		}
		return true
	})
	r := o.must(200, "GET", logsQuery(map[string]string{"limit": "5000"}), nil)
	if n := len(r.list(t)); n != 1000 {
		t.Fatalf("limit is capped at 1000: %d", n)
	}
	if n := len(o.must(200, "GET", "/api/v1/logs", nil).list(t)); n != 100 {
		t.Fatalf("default page is 100: %d", n)
	}
}

func TestLogFilterParser(t *testing.T) {
	e := obj{"eventType": "policy.rule.add", "uuid": "u1", "severity": "INFO",
		"actor": obj{"id": "00uA"}, "outcome": obj{"result": "SUCCESS"},
		"target": []any{obj{"id": "rulX", "type": "PolicyRule"}, obj{"id": "rstY", "type": "PolicyEntity"}}}
	for filter, want := range map[string]bool{
		`eventType eq "policy.rule.add"`:                                         true,
		`EVENTTYPE eq "policy.rule.add"`:                                         false,
		`not eventType eq "policy.rule.add"`:                                     false,
		`not (eventType eq "x" or target.id eq "nope")`:                          true,
		`target.id eq "rstY" and target.type eq "PolicyRule"`:                    true,
		`actor.id eq "00uA" and outcome.result eq "SUCCESS"`:                     true,
		`severity eq "WARN" or uuid eq "u1"`:                                     true,
		`eventType co "rule"`:                                                    true,
		`eventType sw "device."`:                                                 false,
		`eventType eq "policy.rule.add" AND target.id eq "rulX"`:                 true,
		`eventType eq "a" or eventType eq "b" or eventType eq "policy.rule.add"`: true,
	} {
		f, err := parseLogFilter(filter)
		if strings.HasPrefix(filter, "EVENTTYPE") {
			if err == nil {
				t.Fatal("field names are case sensitive")
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if got := f(e); got != want {
			t.Fatalf("%s = %v, want %v", filter, got, want)
		}
	}
}

func TestUpdateEventsSayWhatChanged(t *testing.T) {
	o := startOrg(t, Options{})
	id := o.must(200, "POST", "/api/v1/device-assurances", map[string]any{"name": "G", "platform": "IOS", "jailbreak": false}).obj(t)["id"].(string)
	d := o.must(200, "GET", "/api/v1/device-assurances/"+id, nil).obj(t)
	d["gracePeriod"] = map[string]any{"type": "BY_DURATION", "expiry": "P30D"}
	d["displayRemediationMode"] = "SHOW"
	o.must(200, "PUT", "/api/v1/device-assurances/"+id, d)
	ev := o.must(200, "GET", logsQuery(map[string]string{"filter": `eventType eq "device.assurance.policy.update"`}), nil).list(t)
	if len(ev) != 1 {
		t.Fatalf("%d events", len(ev))
	}
	got := ev[0]["debugContext"].(map[string]any)["debugData"].(map[string]any)["changedAttributes"]
	if got != "displayRemediationMode,gracePeriod" {
		t.Fatalf("changedAttributes %v", got)
	}
}
