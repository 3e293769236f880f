package run

import (
	"context"
	"errors"
	"fmt"
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
}

// flowsJournal adapts *flows.Journal.
type flowsJournal struct{ j *flows.Journal }

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
	return flowsJournal{j}, nil
}

func (f flowsJournal) Run(ctx context.Context, api okta.API, onEvent func(Event)) (map[string]string, error) {
	out, err := flows.Run(ctx, api, f.j, func(ev flows.Event) { onEvent(convertEvent(ev)) })
	if out == nil {
		return nil, err
	}
	return out.Created, err
}

func (f flowsJournal) Rollback(ctx context.Context, api okta.API, onEvent func(Event)) error {
	return flows.Rollback(ctx, api, f.j, func(ev flows.Event) { onEvent(convertEvent(ev)) })
}

func (f flowsJournal) Replace(plan flows.Plan) error { return f.j.Replace(plan) }
func (f flowsJournal) Plan() flows.Plan              { return f.j.Plan() }

func (f flowsJournal) States() ([]StepState, []string) {
	recs := f.j.Steps()
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
	if ev.Adopted && out.State == StepDone {
		out.State = StepSkipped
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
		runs = append(runs, UnfinishedRun{
			Title:   title,
			Desc:    fmt.Sprintf("started %s · %d of %d requests done", j.Started().Local().Format(time.DateTime), done, len(plan.Steps)),
			org:     j.Org(),
			sameOrg: c.API != nil && j.SameOrg(c.API.OrgURL()),
			plan:    plan,
			done:    done,
			journal: flowsJournal{j},
		})
	}
	return runs, err
}
