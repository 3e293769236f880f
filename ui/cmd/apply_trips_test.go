package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// dscPlanTrips is the most round trips the six-request DSC plan may cost: one wave of reads,
// then its three dependency waves of writes (policies; rule and mapping; activation).
const dscPlanTrips = 4

// newTripsOrg is an apply org whose client's requests are recorded.
func newTripsOrg(t testing.TB) (*applyOrg, *sandboxtest.Trips) {
	t.Helper()
	trips := &sandboxtest.Trips{}
	return &applyOrg{newCmdEnv(t, sandboxtest.RequestTimeout(20*time.Second), sandboxtest.Transport(trips.Wrap))}, trips
}

func TestApplySendsItsReadsInOneWaveBeforeTheWrites(t *testing.T) {
	o, trips := newTripsOrg(t)
	path, _ := o.planFile(t, "")
	// With latency, requests sent together overlap and requests sent one after another do not.
	o.srv.SetFaults(sandbox.Faults{Latency: 80 * time.Millisecond})
	trips.Reset()
	if code := o.apply(t, "--file", path); code != 0 {
		t.Fatalf("apply exit %d: %s", code, o.err)
	}
	reqs := trips.Requests()
	var reads, writes []sandboxtest.TripRequest
	for _, r := range reqs {
		if r.Method == "GET" {
			reads = append(reads, r)
		} else {
			writes = append(writes, r)
		}
	}
	describe := func() string {
		var b strings.Builder
		for _, r := range reqs {
			b.WriteString("\n  " + r.Method + " " + r.Path + "?" + r.Query)
		}
		return b.String()
	}
	if len(writes) != 6 {
		t.Fatalf("%d writes, want the plan's 6:%s", len(writes), describe())
	}
	for _, r := range reads {
		if r.Start.After(writes[0].Start) {
			t.Errorf("read %s %s?%s sent after the first write:%s", r.Method, r.Path, r.Query, describe())
		}
		if r.Path == "/api/v1/groups" && !strings.Contains(r.Query, "search=") {
			t.Errorf("groups listed instead of searched by name: %s", r.Query)
		}
		if r.Path == "/api/v1/policies" && !strings.Contains(r.Query, "q=") {
			t.Errorf("policies listed without a name prefix: %s", r.Query)
		}
	}
	if got := trips.Sequential(); got > dscPlanTrips {
		t.Errorf("the plan cost %d round trips one after another, want at most %d (reads serialized?):%s", got, dscPlanTrips, describe())
	}
}

// BenchmarkApplyDSCPlanWithLatency: `apply --file` of the six-request DSC plan against a
// sandbox adding 50 ms to every request, from the command's start to its end. round-trips/op
// is the time the latency added (over the same apply on a sandbox without latency, measured
// in each iteration) in units of that latency: how many round trips the run waited for.
func BenchmarkApplyDSCPlanWithLatency(b *testing.B) {
	const latency = 50 * time.Millisecond
	applyOnce := func(d time.Duration) time.Duration {
		o, _ := newTripsOrg(b)
		path, _ := o.planFile(b, "")
		o.srv.SetFaults(sandbox.Faults{Latency: d})
		start := time.Now()
		code := o.execute("apply", "--file", path)
		took := time.Since(start)
		if code != 0 {
			b.Fatalf("apply exit %d: %s", code, o.err)
		}
		return took
	}
	var added time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		quiet := applyOnce(0)
		b.StartTimer()
		added += applyOnce(latency) - quiet
	}
	b.ReportMetric(float64(added)/float64(latency)/float64(b.N), "round-trips/op")
}
