package run

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// Journal is what the submit screen needs of a journaled run (flows.Journal with flows.Run
// and flows.Rollback); indexes of events are indexes into Plan().
type Journal interface {
	Run(ctx context.Context, api okta.API, onEvent func(Event)) (map[string]string, error)
	Rollback(ctx context.Context, api okta.API, onEvent func(Event)) error
	Replace(plan flows.Plan) error
	Plan() flows.Plan
	// States returns where each step of Plan() stands, with the ids already known.
	States() ([]StepState, []string)
	// PlanRollback lists what Rollback would send (flows.PlanRollback), sending nothing.
	PlanRollback() flows.RollbackPlan
	// Records is the journal's own record of each step of Plan() (state, id, error).
	Records() []flows.StepRecord
	// Kept reports whether the run's journal is on disk: something may have reached Okta, so
	// it can be resumed or rolled back later. A run refused before any effect keeps none.
	Kept() bool
}

// flowsJournal adapts *flows.Journal. When the journal was discarded (the run was refused
// before anything took effect), running or replacing starts a new one for the same org.
type flowsJournal struct {
	mu       sync.Mutex
	j        *flows.Journal
	dir, org string
}

// NewJournal starts a journal for plan under the common journal dir, recording the org the
// API talks to (a run is never resumed against another org).
func NewJournal(c *common.Common, plan flows.Plan) (Journal, error) {
	if c.JournalDir == "" {
		return nil, errors.New("no journal directory is set")
	}
	j, err := flows.NewJournal(c.JournalDir, plan, c.API.OrgURL())
	if err != nil {
		return nil, err
	}
	return &flowsJournal{j: j, dir: c.JournalDir, org: c.API.OrgURL()}, nil
}

// current is the journal to run, a new one when the last was discarded.
func (f *flowsJournal) current(plan *flows.Plan) (*flows.Journal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.j.Gone() && plan == nil {
		return f.j, nil
	}
	if !f.j.Gone() {
		return f.j, f.j.Replace(*plan)
	}
	p := f.j.Plan()
	if plan != nil {
		p = *plan
	}
	j, err := flows.NewJournal(f.dir, p, f.org)
	if err != nil {
		return nil, err
	}
	f.j = j
	return j, nil
}

func (f *flowsJournal) journal() *flows.Journal {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.j
}

func (f *flowsJournal) Run(ctx context.Context, api okta.API, onEvent func(Event)) (map[string]string, error) {
	j, err := f.current(nil)
	if err != nil {
		return nil, err
	}
	out, err := flows.Run(ctx, api, j, func(ev flows.Event) { onEvent(convertEvent(ev)) })
	if out == nil {
		return nil, err
	}
	return out.Created, err
}

func (f *flowsJournal) Rollback(ctx context.Context, api okta.API, onEvent func(Event)) error {
	j := f.journal()
	if j.Gone() {
		return nil // nothing took effect: nothing to undo
	}
	return flows.Rollback(ctx, api, j, func(ev flows.Event) { onEvent(convertEvent(ev)) })
}

func (f *flowsJournal) Replace(plan flows.Plan) error {
	_, err := f.current(&plan)
	return err
}

func (f *flowsJournal) Plan() flows.Plan { return f.journal().Plan() }
func (f *flowsJournal) Kept() bool       { return !f.journal().Gone() }

func (f *flowsJournal) Records() []flows.StepRecord { return f.journal().Steps() }

func (f *flowsJournal) PlanRollback() flows.RollbackPlan {
	j := f.journal()
	if j.Gone() {
		return flows.RollbackPlan{}
	}
	return flows.PlanRollback(j)
}

func (f *flowsJournal) States() ([]StepState, []string) {
	recs := f.journal().Steps()
	states := make([]StepState, len(recs))
	ids := make([]string, len(recs))
	for i, r := range recs {
		states[i] = convertState(r.State)
		if states[i] == StepDone {
			states[i] = StepSkipped // done by an earlier attempt
		}
		ids[i] = r.ObjectID
	}
	return states, ids
}

func convertState(s flows.StepState) StepState {
	switch s {
	case flows.StateRunning:
		return StepRunning
	case flows.StateDone:
		return StepDone
	case flows.StateFailed:
		return StepFailed
	case flows.StateRolledBack:
		return StepUndone
	}
	return StepPending
}

func convertEvent(ev flows.Event) Event {
	out := Event{Index: ev.Index, State: convertState(ev.State), ID: ev.ObjectID, Err: ev.Err}
	switch {
	case ev.Adopted && out.State == StepDone:
		out.State = StepSkipped
	case ev.Reconciled && out.State == StepDone:
		out.State = StepSkipped // the earlier attempt's request had landed: found by name
	case ev.Adopted && out.State == StepUndone:
		out.State = StepKept // it existed before this run: a roll back leaves it alone
	}
	return out
}

// FindUnfinishedRuns lists the journals of runs that did not finish, newest first.
func FindUnfinishedRuns(c *common.Common) ([]UnfinishedRun, error) {
	if c.JournalDir == "" {
		return nil, nil
	}
	js, err := flows.OpenJournals(c.JournalDir)
	var runs []UnfinishedRun
	for _, j := range js {
		if !j.Unfinished() {
			continue
		}
		plan := j.Plan()
		done := j.DoneCount()
		runs = append(runs, UnfinishedRun{
			Title:   j.Title(),
			Desc:    fmt.Sprintf("started %s · %d of %d requests done", j.Started().Local().Format(time.DateTime), done, len(plan.Steps)),
			org:     j.Org(),
			sameOrg: c.API != nil && j.SameOrg(c.API.OrgURL()),
			plan:    plan,
			done:    done,
			journal: &flowsJournal{j: j, dir: c.JournalDir, org: j.Org()},
		})
	}
	return runs, err
}
