package flows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzParseLocalDateTime: a typed due date is a time or an error; a time shown again reads back
// as the same minute.
func FuzzParseLocalDateTime(f *testing.F) {
	for _, s := range []string{"2026-12-31 17:00", "2026-12-31T17:00:05", " 2026-02-29 10:00 ", "2026-12-31", "9999-12-31 23:59", "0000-01-01 00:00", "2026-13-01 00:00", "tomorrow", ""} {
		f.Add(s)
	}
	zones := []*time.Location{time.UTC, time.FixedZone("UTC+5:30", 5*3600+1800), time.FixedZone("UTC-11", -11*3600)}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range zones {
			_ = ValidateGraceUntil(now.In(loc))(s)
			got, err := ParseLocalDateTime(s, loc)
			if err != nil {
				if !got.IsZero() {
					t.Fatalf("%q: %v with an error", s, got)
				}
				continue
			}
			shown := FormatLocalDateTime(got, loc)
			back, err := ParseLocalDateTime(shown, loc)
			if err != nil || !back.Equal(got.Truncate(time.Minute)) {
				t.Fatalf("%q in %s = %v, shown as %q, read back as %v, %v", s, loc, got, shown, back, err)
			}
		}
	})
}

var planSeeds = []string{
	"version: 1\nflow: device-assurance\ntitle: T\nsteps:\n  - {id: a, title: A, action: createDeviceAssurance, body: {name: A, platform: IOS, osVersion: {minimum: 17.0.0}, somethingNew: [1, 2.5, true, null]}}\n",
	"version: 1\nflow: device-signal-collection\nsteps:\n  - {id: p, action: createPolicy, activate: true, body: {type: ACCESS_POLICY, name: \"yes\"}}\n  - {id: r, action: createRule, policyId: \"{{p.id}}\", dependsOn: [p], body: {type: ACCESS_POLICY, name: R, priority: 1}, refs: [{kind: group, id: 00g1, name: Sales}]}\n  - {id: m, action: mapResource, policyId: dsc1, body: {resourceId: \"{{p.id}}\", resourceType: ACCESS_POLICY}}\n",
	"version: 1\nsteps:\n  - {id: x, action: replaceRule, policyId: rst1, objectId: 0pr1, body: {type: ACCESS_POLICY, name: N}, before: {type: ACCESS_POLICY, name: O}}\n",
	"version: 1\ndraft: {kind: device-assurance, answers: {name: A, platform: IOS}}\nsteps:\n  - {id: d, action: deleteDeviceAssurance, objectId: dae1}\n",
	"version: 1\nsteps: &s [*s]\n",
	"version: 1\na: &a [x, x]\nb: &b [*a, *a]\nsteps: *b\n",
	"version: 1\nsteps:\n  - id: d\n    action: deleteDeviceAssurance\n    objectId: ../policies/rst1\n",
}

// checkPlanRoundTrip decodes data; what decodes is saved in both formats and loads again the same.
func checkPlanRoundTrip(t *testing.T, name string, data []byte) {
	f, err := DecodePlanFile(name, data)
	if err != nil {
		if !strings.HasPrefix(err.Error(), name) {
			t.Fatalf("error %q does not name the file", err)
		}
		return
	}
	want, err := json.Marshal(f)
	if err != nil {
		t.Fatalf("a loaded plan does not encode: %v", err)
	}
	for _, asYAML := range []bool{false, true} {
		out, err := EncodePlanFile(f, asYAML)
		if err != nil {
			t.Fatalf("a loaded plan does not save (yaml %v): %v", asYAML, err)
		}
		back, err := DecodePlanFile(map[bool]string{false: "again.json", true: "again.yaml"}[asYAML], out)
		if err != nil {
			t.Fatalf("saved (yaml %v) as\n%s\nit does not load: %v", asYAML, out, err)
		}
		if got, _ := json.Marshal(back); string(got) != string(want) {
			t.Fatalf("round trip (yaml %v) changed the plan:\n got %s\nwant %s", asYAML, got, want)
		}
	}
}

// FuzzDecodePlanFileYAML: any YAML plan loads or fails with a message naming the file; a loaded
// plan saves and loads again the same, in YAML and JSON.
func FuzzDecodePlanFileYAML(f *testing.F) {
	for _, s := range planSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(laughs()))
	f.Fuzz(func(t *testing.T, data []byte) { checkPlanRoundTrip(t, "plan.yaml", data) })
}

// FuzzDecodePlanFileJSON: the same for JSON plans.
func FuzzDecodePlanFileJSON(f *testing.F) {
	for _, s := range planSeeds[:4] {
		pf, err := DecodePlanFile("seed.yaml", []byte(s))
		if err != nil {
			f.Fatal(err)
		}
		js, _ := EncodePlanFile(pf, false)
		f.Add(js)
	}
	f.Add([]byte(`{"version": 1, "steps": [{"id": "a", "action": "createPolicyz", "body": {}}]}`))
	f.Add([]byte(`{"version": 1, "steps": [{"id": "a", "action": "createPolicy", "body": {"type": "ACCESS_POLICY", "name": "A", "x": 1e400}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkPlanRoundTrip(t, "plan.json", data) })
}

// FuzzDecodeJournal: any journal file is read or refused; a journal read encodes and reads again
// the same, with one record per step.
func FuzzDecodeJournal(f *testing.F) {
	p, err := DecodePlanFile("seed.yaml", []byte(planSeeds[1]))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	jf := journalFile{Version: journalVersion, RunID: "20260601T000000Z-abcd", Org: "https://dev-1.okta.com", Created: now, Updated: now, Plan: p.Plan(), Steps: pendingRecords(p.Plan(), now)}
	jf.Steps[0].State, jf.Steps[0].ObjectID = StateDone, "rst1"
	seed, _ := json.Marshal(jf)
	f.Add(seed)
	f.Add([]byte(`{"version": 1, "runId": "r", "plan": {"steps": []}, "steps": []}`))
	f.Add([]byte(`{"version": 1, "runId": "r", "plan": {"steps": [{"id": "a", "action": "nope", "body": {}}]}, "steps": [{"stepId": "a", "state": "done"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := decodeJournal(data)
		if err != nil {
			return
		}
		if len(j.Steps) != len(j.Plan.Steps) {
			t.Fatalf("%d records for %d steps", len(j.Steps), len(j.Plan.Steps))
		}
		once, err := json.Marshal(j)
		if err != nil {
			t.Fatalf("a journal read does not encode: %v", err)
		}
		again, err := decodeJournal(once)
		if err != nil {
			t.Fatalf("a journal's own encoding does not read: %v\n%s", err, once)
		}
		if twice, _ := json.Marshal(again); string(twice) != string(once) {
			t.Fatalf("journal changes on a round trip:\n%s\n%s", once, twice)
		}
	})
}
