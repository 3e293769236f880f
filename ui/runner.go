package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// runJournal is what the submit screen needs of a journaled run (flows.Journal with flows.Run
// and flows.Rollback); indexes of events are indexes into Plan().
type runJournal interface {
	Run(ctx context.Context, api okta.API, onEvent func(runEvent)) (map[string]string, error)
	Rollback(ctx context.Context, api okta.API, onEvent func(runEvent)) error
	Replace(plan flows.Plan) error
	Plan() flows.Plan
	// States returns where each step of Plan() stands, with the ids already known.
	States() ([]stepState, []string)
}

// flowsJournal adapts *flows.Journal.
type flowsJournal struct{ j *flows.Journal }

// newRunJournal starts a journal for plan under the common journal dir, recording the org the
// API talks to (a run is never resumed against another org).
func newRunJournal(c *Common, plan flows.Plan) (runJournal, error) {
	if c.JournalDir == "" {
		return nil, errors.New("no journal directory is set")
	}
	j, err := flows.NewJournal(c.JournalDir, plan, c.API.OrgURL())
	if err != nil {
		return nil, err
	}
	return flowsJournal{j}, nil
}

func (f flowsJournal) Run(ctx context.Context, api okta.API, onEvent func(runEvent)) (map[string]string, error) {
	out, err := flows.Run(ctx, api, f.j, func(ev flows.Event) { onEvent(convertEvent(ev)) })
	if out == nil {
		return nil, err
	}
	return out.Created, err
}

func (f flowsJournal) Rollback(ctx context.Context, api okta.API, onEvent func(runEvent)) error {
	return flows.Rollback(ctx, api, f.j, func(ev flows.Event) { onEvent(convertEvent(ev)) })
}

func (f flowsJournal) Replace(plan flows.Plan) error { return f.j.Replace(plan) }
func (f flowsJournal) Plan() flows.Plan              { return f.j.Plan() }

func (f flowsJournal) States() ([]stepState, []string) {
	recs := f.j.Steps()
	states := make([]stepState, len(recs))
	ids := make([]string, len(recs))
	for i, r := range recs {
		states[i] = convertState(r.State)
		if states[i] == stepDone {
			states[i] = stepSkipped // done by an earlier attempt
		}
		ids[i] = r.ObjectID
	}
	return states, ids
}

func convertState(s flows.StepState) stepState {
	switch s {
	case flows.StateRunning:
		return stepRunning
	case flows.StateDone:
		return stepDone
	case flows.StateFailed:
		return stepFailed
	case flows.StateRolledBack:
		return stepUndone
	}
	return stepPending
}

func convertEvent(ev flows.Event) runEvent {
	out := runEvent{Index: ev.Index, State: convertState(ev.State), ID: ev.ObjectID, Err: ev.Err}
	if ev.Adopted && out.State == stepDone {
		out.State = stepSkipped
	}
	return out
}

// findUnfinishedRuns lists the journals of runs that did not finish, newest first.
func findUnfinishedRuns(c *Common) ([]unfinishedRun, error) {
	if c.JournalDir == "" {
		return nil, nil
	}
	js, err := flows.OpenJournals(c.JournalDir)
	var runs []unfinishedRun
	for _, j := range js {
		if !j.Unfinished() {
			continue
		}
		plan := j.Plan()
		done := 0
		for _, r := range j.Steps() {
			if r.State == flows.StateDone {
				done++
			}
		}
		title := plan.Title
		if title == "" {
			title = plan.Flow
		}
		runs = append(runs, unfinishedRun{
			title:   title,
			desc:    fmt.Sprintf("started %s · %d of %d requests done", j.Started().Local().Format(time.DateTime), done, len(plan.Steps)),
			org:     j.Org(),
			sameOrg: c.API != nil && j.SameOrg(c.API.OrgURL()),
			plan:    plan,
			done:    done,
			journal: flowsJournal{j},
		})
	}
	return runs, err
}
