package sandbox

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSandboxRefusesOverflowingGraceDuration(t *testing.T) {
	o := startOrg(t, Options{})
	for _, expiry := range []string{"P15250W106755D", "P15251W", "PT9223372037S", "P99999999999999999999D"} {
		body := map[string]any{"name": "Overflow " + expiry, "platform": "ANDROID", "osVersion": map[string]any{"minimum": "14"},
			"gracePeriod": map[string]any{"type": "BY_DURATION", "expiry": expiry}}
		wantError(t, o.do("POST", "/api/v1/device-assurances", body), 400, "E0000001", "Api validation failed: gracePeriod.expiry")
	}
}

func TestSandboxRefusesGraceDueDateInThePast(t *testing.T) {
	var offset atomic.Int64
	o := startOrg(t, Options{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	past := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	body := map[string]any{"name": "Past due", "platform": "ANDROID", "osVersion": map[string]any{"minimum": "14"},
		"gracePeriod": map[string]any{"type": "BY_DATE_TIME", "expiry": past}}
	e := wantError(t, o.do("POST", "/api/v1/device-assurances", body), 400, "E0000001", "Api validation failed: gracePeriod.expiry")
	if cs := causes(e); len(cs) != 1 || !strings.Contains(cs[0], "in the past") {
		t.Fatalf("causes %v", cs)
	}
	// A policy whose due date has passed since it was set can still be edited otherwise.
	future := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	body["gracePeriod"] = map[string]any{"type": "BY_DATE_TIME", "expiry": future}
	created := o.must(200, "POST", "/api/v1/device-assurances", body).obj(t)
	offset.Store(int64(2 * time.Hour))
	body["name"] = "Past due, renamed"
	o.must(200, "PUT", "/api/v1/device-assurances/"+created["id"].(string), body)
}

func TestSandboxRefusesNegativeRulePriority(t *testing.T) {
	o := startOrg(t, Options{})
	p := o.createPolicy("ACCESS_POLICY", "Priorities", "")
	for _, prio := range []int{-1, -100} {
		rule := map[string]any{"type": "ACCESS_POLICY", "name": "R", "priority": prio}
		wantError(t, o.do("POST", "/api/v1/policies/"+p["id"].(string)+"/rules", rule), 400, "E0000001", "Api validation failed: priority")
	}
	o.must(200, "POST", "/api/v1/policies/"+p["id"].(string)+"/rules", map[string]any{"type": "ACCESS_POLICY", "name": "R", "priority": 1})
}

func TestSandboxRefusesControlCharactersInNames(t *testing.T) {
	o := startOrg(t, Options{})
	p := o.createPolicy("ACCESS_POLICY", "Names", "")
	for _, name := range []string{"a\x00b", "line\nbreak", "bell\a"} {
		wantError(t, o.do("POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": name}), 400, "E0000001", "Api validation failed: name")
		wantError(t, o.do("POST", "/api/v1/policies/"+p["id"].(string)+"/rules", map[string]any{"type": "ACCESS_POLICY", "name": name}), 400, "E0000001", "Api validation failed: name")
		wantError(t, o.do("POST", "/api/v1/device-assurances", map[string]any{"name": name, "platform": "IOS", "jailbreak": false}), 400, "E0000001", "Api validation failed: name")
	}
}
