package sandbox

import (
	"reflect"
	"strings"
	"testing"
)

func TestFaultSpecsPrintAsTheyParse(t *testing.T) {
	for _, spec := range []string{"429 #3 reset=2s", "drop #1", "429#3 reset=2s", "latency=50ms;500@POST /api/v1/policies#2 times=3", "E0000001@PUT", "503 times=2@/api/v1/policies/*/rules"} {
		f, err := ParseFaults(spec)
		if err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		back, err := ParseFaults(f.String())
		if err != nil || !reflect.DeepEqual(back, f) {
			t.Errorf("%q prints as %q, which parses as %+v, %v; want %+v", spec, f.String(), back, err, f)
		}
	}
}

func TestFaultSpecEmptyTargetRefused(t *testing.T) {
	for _, spec := range []string{"429@", "429@ ", "drop@  ;500"} {
		if _, err := ParseFaults(spec); err == nil || !strings.Contains(err.Error(), "nothing after '@'") {
			t.Errorf("%q: err = %v", spec, err)
		}
	}
}

// FuzzParseFaults: any spec either fails to parse or prints as a spec that parses to the same
// faults.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"429", "429 #3 reset=2s", "drop #1", "latency=50ms;429@POST /api/v1/policies#1;drop@POST /api/v1/policies/*/mappings#1 times=2", "E0000001@PUT /api/v1/device-assurances/*", "429@", "503 times=2@GET"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		faults, err := ParseFaults(spec)
		if err != nil {
			return
		}
		printed := faults.String()
		back, err := ParseFaults(printed)
		if err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", spec, printed, err)
		}
		if !reflect.DeepEqual(back, faults) {
			t.Fatalf("%q -> %q -> %+v, want %+v", spec, printed, back, faults)
		}
	})
}
