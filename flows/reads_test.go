package flows_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// newTripsOrg is a run org whose client's requests are recorded.
func newTripsOrg(t *testing.T) (*runOrg, *sandboxtest.Trips) {
	t.Helper()
	trips := &sandboxtest.Trips{}
	srv, api := sandboxtest.Start(t, sandboxtest.RequestTimeout(20*time.Second), sandboxtest.Transport(trips.Wrap))
	return &runOrg{srv: srv, api: api}, trips
}

// wantReadsFirst fails unless every read was sent before the first write, each once.
func wantReadsFirst(t *testing.T, trips *sandboxtest.Trips) {
	t.Helper()
	var firstWrite time.Time
	seen := map[string]bool{}
	var list strings.Builder
	for _, r := range trips.Requests() {
		list.WriteString("\n  " + r.Method + " " + r.Path + "?" + r.Query)
		if r.Method != "GET" {
			if firstWrite.IsZero() {
				firstWrite = r.Start
			}
			continue
		}
		if !firstWrite.IsZero() {
			t.Errorf("read %s?%s sent after a write", r.Path, r.Query)
		}
		if seen[r.Path+"?"+r.Query] {
			t.Errorf("read %s?%s sent twice", r.Path, r.Query)
		}
		seen[r.Path+"?"+r.Query] = true
	}
	if t.Failed() {
		t.Logf("requests:%s", list.String())
	}
}

// A saved plan applied with adoption: resolving its names and the run's adoption lookups
// share one wave of reads, and the run sends none of its own.
func TestResolveAndAdoptionLookupsShareOneWave(t *testing.T) {
	ctx := context.Background()
	o, trips := newTripsOrg(t)
	base := o.counts(t)
	plan, err := flows.CollectRefs(ctx, o.api, o.dscPlan(t))
	if err != nil {
		t.Fatal(err)
	}
	o.srv.SetFaults(sandbox.Faults{Latency: 80 * time.Millisecond})
	trips.Reset()
	opts := flows.RunOptions{AdoptExisting: true, Reads: flows.NewReads(o.api)}
	resolved, missing, err := flows.ResolveRefsWith(ctx, opts.Reads, plan, nil, opts)
	if err != nil || len(missing) > 0 {
		t.Fatalf("resolve: %v %v", missing, err)
	}
	j, err := flows.NewJournal(t.TempDir(), resolved, o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.RunWith(ctx, o.api, j, opts, nil); err != nil {
		t.Fatal(err)
	}
	o.srv.SetFaults(sandbox.Faults{})
	wantReadsFirst(t, trips)
	if got := trips.Sequential(); got > 4 {
		t.Errorf("%d round trips one after another, want at most 4 (one wave of reads, three of writes)", got)
	}
	wantComplete(t, o.counts(t), base)
}

// A resumed run looks up every step an interruption left with an unknown outcome in one wave.
func TestResumeLooksUpInterruptedStepsInOneWave(t *testing.T) {
	o, trips := newTripsOrg(t)
	base := o.counts(t)
	dir := t.TempDir()
	j, err := flows.NewJournal(dir, o.dscPlan(t), o.api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	// Interrupt the run while both policies are being created.
	o.srv.SetFaults(sandbox.Faults{Latency: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	running := 0
	_, err = flows.RunWith(ctx, o.api, j, flows.RunOptions{}, func(e flows.Event) {
		if e.State == flows.StateRunning && e.Err == nil {
			if running++; running == 2 {
				once.Do(func() { time.AfterFunc(50*time.Millisecond, cancel) })
			}
		}
	})
	cancel()
	if err == nil {
		t.Fatal("the run was not interrupted")
	}
	// Requests already at the org land after their latency whether or not we still listen;
	// resuming before they land would race them (a real resume starts long after).
	time.Sleep(400 * time.Millisecond)
	j = reopen(t, dir)
	left := 0
	for _, r := range j.Steps() {
		if r.State == flows.StateRunning || (r.State == flows.StateFailed && r.Uncertain) {
			left++
		}
	}
	if left != 2 {
		t.Fatalf("%d steps left running, want the 2 policy creates (outcome unknown): %+v", left, j.Steps())
	}
	o.srv.SetFaults(sandbox.Faults{Latency: 80 * time.Millisecond})
	trips.Reset()
	if _, err := flows.RunWith(context.Background(), o.api, j, flows.RunOptions{AdoptExisting: true}, nil); err != nil {
		t.Fatal(err)
	}
	o.srv.SetFaults(sandbox.Faults{})
	wantReadsFirst(t, trips)
	gets := 0
	for _, r := range trips.Requests() {
		// The adopted DSC policy's mappings are read before mapping it again.
		if r.Method == "GET" && !strings.HasSuffix(r.Path, "/mappings") {
			gets++
			if r.Path != "/api/v1/policies" || !strings.Contains(r.Query, "q=") {
				t.Errorf("lookup %s?%s, want policies narrowed by name", r.Path, r.Query)
			}
		}
	}
	if gets != 2 {
		t.Errorf("%d lookups, want one per interrupted policy create", gets)
	}
	if got := trips.Sequential(); got > 4 {
		t.Errorf("%d round trips one after another, want at most 4", got)
	}
	wantComplete(t, o.counts(t), base)
}

// Replacing an existing policy found by name: the copy kept for roll back comes from the
// lookup itself, so the replace needs no read of its own.
func TestReplaceKeepsTheLookedUpPolicyForRollBack(t *testing.T) {
	ctx := context.Background()
	o, trips := newTripsOrg(t)
	id := sandboxtest.PolicyID(t, o.api, okta.TypeAccessPolicy, "Password only")
	current, err := o.api.GetPolicy(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	edited := *current
	edited.Description = "edited by the plan"
	plan := flows.Plan{Flow: "test", Title: "replace", Steps: []flows.Step{{
		ID: "edit", Title: "Edit", Stage: 1, Action: flows.ActReplacePolicy, PolicyID: id, Body: &edited,
		Refs: []flows.Ref{{Kind: flows.RefAccessPolicy, ID: id, Name: "Password only"}},
	}}}
	trips.Reset()
	resolved, missing, err := flows.ResolveRefs(ctx, o.api, plan)
	if err != nil || len(missing) > 0 {
		t.Fatalf("resolve: %v %v", missing, err)
	}
	before, ok := resolved.Steps[0].Before.(*okta.Policy)
	if !ok || before.ID != id || before.Description != current.Description {
		t.Fatalf("Before = %#v, want the policy as the org has it", resolved.Steps[0].Before)
	}
	if reqs := trips.Requests(); len(reqs) != 1 {
		t.Fatalf("%d requests, want the one lookup by name: %+v", len(reqs), reqs)
	}
}
