package flows_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// writeRecorder records the method and path of every write the client sends.
type writeRecorder struct {
	mu     sync.Mutex
	on     bool
	writes []string
	next   http.RoundTripper
}

func (w *writeRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	if w.on && r.Method != http.MethodGet {
		w.writes = append(w.writes, r.Method+" "+r.URL.EscapedPath())
	}
	w.mu.Unlock()
	return w.next.RoundTrip(r)
}

// TestPlanRollbackListsWhatRollbackSends: a DSC run stopped at its mapping; the preview lists,
// newest first, the requests that undo the steps done (each create deleted, the app policy
// deactivated first only if active), names the steps never run, and the roll back then sends
// exactly those requests in that order.
func TestPlanRollbackListsWhatRollbackSends(t *testing.T) {
	rec := &writeRecorder{}
	srv, api := sandboxtest.Start(t, sandboxtest.RequestTimeout(20*time.Second),
		sandboxtest.Transport(func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec }))
	o := &runOrg{srv: srv, api: api}
	plan := o.dscPlan(t)
	dir := t.TempDir()
	j, err := flows.NewJournal(dir, plan, api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1}}})
	if _, err := flows.RunWith(context.Background(), api, j, flows.RunOptions{Concurrency: 1}, nil); err == nil {
		t.Fatal("the run did not stop at the mapping")
	}
	srv.SetFaults(sandbox.Faults{})
	j = reopen(t, dir)
	created := j.Created()

	preview := flows.PlanRollback(j)
	var listed, sure []string
	for _, r := range preview.Requests {
		line := r.Method + " " + r.Path
		listed = append(listed, line)
		if r.Note == "" {
			sure = append(sure, line)
		}
		if strings.Contains(r.Path, "{{") {
			t.Errorf("%s: a done step's id is known, yet the preview shows a placeholder", line)
		}
	}
	// Steps 0-2 (app policy, its rule, DSC policy) are done; the mapping was refused; the
	// DSC rule and the activation never ran.
	want := []string{
		"DELETE /api/v1/policies/" + created["dsc-policy"],
		"DELETE /api/v1/policies/" + created["app-policy"] + "/rules/" + created["app-rule"],
		"DELETE /api/v1/policies/" + created["app-policy"],
	}
	if strings.Join(sure, "\n") != strings.Join(want, "\n") {
		t.Fatalf("unconditional requests\n%s\nwant\n%s\n(all listed: %v)", strings.Join(sure, "\n"), strings.Join(want, "\n"), listed)
	}
	if len(preview.NotRun) != len(plan.Steps)-3 || len(preview.Kept) != 0 {
		t.Errorf("not run %v, kept %v; want the %d steps after the third not run", preview.NotRun, preview.Kept, len(plan.Steps)-3)
	}

	rec.mu.Lock()
	rec.on = true
	rec.mu.Unlock()
	if err := flows.Rollback(context.Background(), api, j, nil); err != nil {
		t.Fatal(err)
	}
	// What was sent is the listed requests in their order (a conditional one may be skipped).
	k := 0
	for _, w := range rec.writes {
		for k < len(listed) && listed[k] != w {
			k++
		}
		if k == len(listed) {
			t.Fatalf("roll back sent %q, which the preview does not list in that place:\nsent %v\nlisted %v", w, rec.writes, listed)
		}
		k++
	}
	if len(rec.writes) < len(want) {
		t.Fatalf("roll back sent %v, fewer than the %d sure requests", rec.writes, len(want))
	}
}
