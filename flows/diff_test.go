package flows

import (
	"encoding/json"
	"strings"
	"testing"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestDiffJSON(t *testing.T) {
	cases := []struct {
		name, before, after string
		want                []string // the changed lines, op + trimmed text
	}{
		{"identical", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, nil},
		{"member added", `{"a":1}`, `{"a":1,"b":2}`, []string{`-"a": 1`, `+"a": 1,`, `+"b": 2`}},
		{"value changed", `{"mode":"SHOW","n":"x"}`, `{"mode":"HIDE","n":"x"}`, []string{`-"mode": "SHOW",`, `+"mode": "HIDE",`}},
		{"equal durations", `{"expiry":"PT720H","type":"BY_DURATION"}`, `{"expiry":"P30D","type":"BY_DURATION"}`, nil},
		{"different durations", `{"expiry":"PT720H"}`, `{"expiry":"P31D"}`, []string{`-"expiry": "PT720H"`, `+"expiry": "P31D"`}},
		{"same instant", `{"expiry":"2026-12-31T22:00:00Z"}`, `{"expiry":"2026-12-31T22:00:00.000Z"}`, nil},
		{"array item added", `{"include":["a"]}`, `{"include":["a","b"]}`, []string{`-"a"`, `+"a",`, `+"b"`}},
		{"from nothing", `null`, `{"a":1}`, []string{`+{`, `+"a": 1`, `+}`}},
	}
	for _, c := range cases {
		lines := DiffJSON(raw(c.before), raw(c.after))
		var changed []string
		for _, l := range lines {
			if l.Op != ' ' {
				changed = append(changed, string(l.Op)+strings.TrimSpace(l.Text))
			}
		}
		if strings.Join(changed, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: changes %q, want %q\n%s", c.name, changed, c.want, DiffText(lines))
		}
		if DiffChanged(lines) != (len(c.want) > 0) {
			t.Errorf("%s: DiffChanged wrong", c.name)
		}
	}
	// An equal duration is shown in the form that will be sent.
	lines := DiffJSON(raw(`{"expiry":"PT720H"}`), raw(`{"expiry":"P30D"}`))
	if !strings.Contains(DiffText(lines), `"expiry": "P30D"`) {
		t.Errorf("equal line should show the after form:\n%s", DiffText(lines))
	}
}

func TestStepDiffNeedsBefore(t *testing.T) {
	if (Step{Body: raw(`{}`)}).Diff() != nil {
		t.Error("a create step has no diff")
	}
}

func TestValidationErrorsFor(t *testing.T) {
	v := ValidationErrors{{"osVersionConstraints[1].minimum", "x"}, {"osVersion.minimum", "y"}, {"name", "z"}}
	if len(v.For("osVersionConstraints")) != 1 || len(v.For("osVersion")) != 1 || len(v.For("name")) != 1 || len(v.For("nam")) != 0 {
		t.Errorf("For matches wrongly")
	}
	if !strings.Contains(v.Error(), "name: z") {
		t.Errorf("Error() %q", v.Error())
	}
}

// BenchmarkDiffJSONEditPreview measures the edit preview of a large policy (every DTC setting).
func BenchmarkDiffJSONEditPreview(b *testing.B) {
	var a map[string]any
	_ = json.Unmarshal([]byte(originalIOS), &a)
	settings := map[string]any{}
	for i := 0; i < 150; i++ {
		settings["setting"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))] = i
	}
	a["thirdPartySignalProviders"] = map[string]any{"dtc": settings}
	after := map[string]any{}
	for k, v := range a {
		after[k] = v
	}
	after["displayRemediationMode"] = "HIDE"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		DiffJSON(a, after)
	}
}

func BenchmarkDSCPlan(b *testing.B) {
	d := fullDSCDraft()
	for i := 0; i < b.N; i++ {
		if _, err := d.Plan(); err != nil {
			b.Fatal(err)
		}
	}
}
