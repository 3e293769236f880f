package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// BenchmarkRunDSCPlanWithLatency measures a run of the representative device signal
// collection plan (6 requests) against a sandbox answering each request after 50 ms, from the
// start of the run to its outcome (journal writes included), sending in order and with
// independent requests together.
func BenchmarkRunDSCPlanWithLatency(b *testing.B) {
	for _, bc := range []struct {
		name        string
		concurrency int
	}{{"sequential", 1}, {"concurrent", flows.DefaultConcurrency}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				o := newRunOrg(b, sandbox.Faults{})
				plan := o.dscPlan(b)
				j, err := flows.NewJournal(b.TempDir(), plan, o.api.OrgURL())
				if err != nil {
					b.Fatal(err)
				}
				o.srv.SetFaults(sandbox.Faults{Latency: 50 * time.Millisecond})
				b.StartTimer()
				if _, err := flows.RunWith(context.Background(), o.api, j, flows.RunOptions{Concurrency: bc.concurrency}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
