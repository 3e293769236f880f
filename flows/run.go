package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// DefaultConcurrency is how many independent requests a run sends at once: enough to overlap
// round trips, far below Okta's concurrent-request cap (35 to 75).
const DefaultConcurrency = 4

// Event reports the progress of a run or roll back, one per state change of a step.
type Event struct {
	Index    int
	Step     Step
	State    StepState
	ObjectID string
	// Adopted is set when the object already existed by name and the step sent nothing.
	Adopted bool
	// Reconciled is set when a step left running by an interrupted run was found done in Okta.
	Reconciled bool
	Err        error
}

// StepResult is the outcome of one step.
type StepResult struct {
	Index    int       `json:"index"`
	StepID   string    `json:"stepId"`
	Title    string    `json:"title"`
	Stage    int       `json:"stage"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	State    StepState `json:"state"`
	ObjectID string    `json:"objectId,omitempty"`
	Adopted  bool      `json:"adopted,omitempty"`
}

// Outcome is what a finished run did: step id -> object id, and each step's result.
type Outcome struct {
	Created map[string]string `json:"created"`
	Results []StepResult      `json:"results"`
}

// StepError is the failure of one step. Err keeps the *okta.Error so code, summary and causes
// can be shown beside Step.Stage.
type StepError struct {
	Index int
	Step  Step
	Err   error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("%s: %s", e.Step.Label(e.Index), RedactSecrets(e.Err.Error()))
}

func (e *StepError) Unwrap() error { return e.Err }

// RunOptions tune a run.
type RunOptions struct {
	// Concurrency bounds the requests in flight; 0 means DefaultConcurrency, 1 sends in order.
	Concurrency int
	// AdoptExisting treats a create whose object already exists by name (same type, platform and
	// parent) as done, adopting its id; a roll back leaves adopted objects alone.
	AdoptExisting bool
	// Reads holds what ResolveRefsWith read for this run; nil reads afresh. Either way every
	// lookup before the first write goes out in one wave.
	Reads *Reads
}

// Run sends the journal's plan from its first unfinished step with default options (resume is
// Run on a reopened journal). On success the journal is finished (deleted); a run refused
// before anything took effect discards it (Journal.Gone reports it).
func Run(ctx context.Context, api okta.API, j *Journal, onEvent func(Event)) (*Outcome, error) {
	return RunWith(ctx, api, j, RunOptions{}, onEvent)
}

// RunWith is Run with options.
func RunWith(ctx context.Context, api okta.API, j *Journal, opts RunOptions, onEvent func(Event)) (*Outcome, error) {
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	plan := j.Plan()
	if !j.SameOrg(api.OrgURL()) {
		return nil, fmt.Errorf("this run was started against %s, not %s: it cannot continue here", j.Org(), api.OrgURL())
	}
	if err := checkPlanIDs(plan); err != nil {
		return nil, err
	}

	reads := opts.Reads
	if reads == nil {
		reads = NewReads(api)
	}
	if err := reads.wave(ctx, runReads(plan, j.Steps(), j.Created(), opts.AdoptExisting, nil)); err != nil {
		return nil, fmt.Errorf("looking up what the plan's steps may have created already: %w", err)
	}

	// A step left running (or failed) by an earlier attempt may have reached Okta: look its
	// object up before sending it again, so nothing is created twice.
	for i, rec := range j.Steps() {
		if !outcomeUnknown(rec) {
			if rec.State == StateFailed {
				if err := j.mark(i, StatePending, "", false, nil); err != nil {
					return nil, err
				}
			}
			continue
		}
		step, err := plan.Steps[i].Resolve(j.Created())
		if err != nil {
			continue // its inputs are not there yet, so it cannot have been sent
		}
		id, found, err := lookupExisting(ctx, reads, step, j.Started())
		if err != nil {
			return nil, &StepError{Index: i, Step: plan.Steps[i], Err: fmt.Errorf("checking whether the interrupted request took effect: %w", err)}
		}
		if found {
			if err := j.mark(i, StateDone, id, false, nil); err != nil {
				return nil, err
			}
			onEvent(Event{Index: i, Step: step, State: StateDone, ObjectID: id, Reconciled: true})
		} else if err := j.mark(i, StatePending, "", false, nil); err != nil {
			return nil, err
		}
	}

	if opts.AdoptExisting {
		if err := adoptExisting(ctx, reads, j, plan, onEvent); err != nil {
			return nil, err
		}
	}

	if err := runScheduled(ctx, api, j, plan, opts.Concurrency, onEvent); err != nil {
		if j.NothingApplied() {
			// Refused before any effect (a 4xx on the first request): there is nothing to
			// resume or roll back, so no journal is left to offer either.
			if derr := j.Discard(); derr != nil {
				return nil, errors.Join(err, derr)
			}
		}
		return nil, err
	}
	out := outcome(plan, j.Steps())
	if err := j.Finish(); err != nil {
		return out, err
	}
	return out, nil
}

// outcomeUnknown reports whether a step may have reached Okta without its result recorded.
func outcomeUnknown(r StepRecord) bool {
	return r.State == StateRunning || (r.State == StateFailed && r.Uncertain)
}

// adoptExisting marks pending creates whose object already exists as done (adopted), walking
// the plan in order so a child of an adopted parent can be adopted too.
func adoptExisting(ctx context.Context, reads *Reads, j *Journal, plan Plan, onEvent func(Event)) error {
	recs := j.Steps()
	for i, s := range plan.Steps {
		if recs[i].State != StatePending || !adoptable(s.Action) {
			continue
		}
		step, err := s.Resolve(j.Created())
		if err != nil {
			continue // its parent is new, so the object cannot exist yet
		}
		id, found, err := lookupExisting(ctx, reads, step, time.Time{})
		if err != nil {
			return &StepError{Index: i, Step: s, Err: fmt.Errorf("looking for an existing object: %w", err)}
		}
		if !found {
			continue
		}
		if err := j.mark(i, StateDone, id, true, nil); err != nil {
			return err
		}
		onEvent(Event{Index: i, Step: step, State: StateDone, ObjectID: id, Adopted: true})
	}
	return nil
}

func adoptable(a Action) bool {
	switch a {
	case ActCreatePolicy, ActCreateRule, ActMapResource, ActCreateDeviceAssurance, ActActivatePolicy, ActActivateRule:
		return true
	}
	return false
}

type stepDone struct {
	index int
	step  Step
	id    string
	err   error
}

// runScheduled sends the unfinished steps, each once its dependencies are done, at most
// limit at a time. On the first failure nothing new starts; requests in flight finish and are
// recorded; the failure with the lowest index is returned.
//
// The results that arrived and the "running" of the steps they let start reach the journal in
// one write, before those steps are sent: between two dependency waves the run waits for one
// journal write, not one per step.
func runScheduled(ctx context.Context, api okta.API, j *Journal, plan Plan, limit int, onEvent func(Event)) error {
	deps := dependencies(plan)
	recs := j.Steps()
	done := make([]bool, len(plan.Steps))
	started := make([]bool, len(plan.Steps))
	for i, r := range recs {
		if r.State == StateDone {
			done[i], started[i] = true, true
		}
	}
	results := make(chan stepDone)
	inFlight := 0
	var failure *StepError
	var settled []stepDone // results not yet in the journal
	fail := func(se *StepError) {
		if failure == nil || se.Index < failure.Index {
			failure = se
		}
	}
	for {
		var batch []int
		var resolved []Step
		if failure == nil && ctx.Err() == nil {
			created := j.Created()
			for _, r := range settled {
				if r.err == nil && r.id != "" {
					created[plan.Steps[r.index].ID] = r.id
				}
			}
			for i := range plan.Steps {
				if inFlight+len(batch) >= limit {
					break
				}
				if started[i] || !allDone(deps[i], done) {
					continue
				}
				step, err := plan.Steps[i].Resolve(created)
				if err != nil {
					se := &StepError{Index: i, Step: plan.Steps[i], Err: err}
					fail(se)
					settled = append(settled, stepDone{index: i, step: plan.Steps[i], err: err})
					started[i] = true
					batch, resolved = nil, nil
					break
				}
				batch, resolved = append(batch, i), append(resolved, step)
			}
		}
		// What arrived and "running" of what starts: on disk before any of these is sent.
		if len(settled) > 0 || len(batch) > 0 {
			err := j.update(func(recs []StepRecord) {
				for _, r := range settled {
					if r.err == nil {
						setRecord(&recs[r.index], StateDone, r.id, false, nil)
					} else if !interrupted(ctx, r.err) {
						setRecord(&recs[r.index], StateFailed, "", false, r.err)
					}
				}
				for _, i := range batch {
					recs[i].State, recs[i].Error, recs[i].ErrorCode = StateRunning, "", ""
				}
			})
			for _, r := range settled {
				switch {
				case r.err == nil:
					onEvent(Event{Index: r.index, Step: r.step, State: StateDone, ObjectID: r.id})
				case interrupted(ctx, r.err):
					// Interrupted mid-request: the outcome is unknown, so the step stays
					// running and a resume looks it up first.
					onEvent(Event{Index: r.index, Step: r.step, State: StateRunning, Err: r.err})
				default:
					onEvent(Event{Index: r.index, Step: r.step, State: StateFailed, Err: r.err})
				}
			}
			if err != nil {
				at := batch
				if len(settled) > 0 {
					at = []int{settled[0].index}
				}
				fail(&StepError{Index: at[0], Step: plan.Steps[at[0]], Err: fmt.Errorf("journal: %w", err)})
				batch = nil
			}
			settled = nil
		}
		if ctx.Err() != nil && len(batch) > 0 {
			// Cancelled while recording: these were never sent.
			_ = j.update(func(recs []StepRecord) {
				for _, i := range batch {
					recs[i].State = StatePending
				}
			})
			batch = nil
		}
		for k, i := range batch {
			started[i] = true
			inFlight++
			onEvent(Event{Index: i, Step: resolved[k], State: StateRunning})
			go func(i int, step Step) {
				id, err := send(ctx, api, step)
				results <- stepDone{index: i, step: step, id: id, err: err}
			}(i, resolved[k])
		}
		if inFlight == 0 {
			break // finished, or nothing can start: a failure, a cancelled context, or unmet dependencies
		}
		// Wait for one answer, then take every other that has arrived too.
		take := func(r stepDone) {
			inFlight--
			settled = append(settled, r)
			if r.err != nil {
				fail(&StepError{Index: r.index, Step: r.step, Err: r.err})
			} else {
				done[r.index] = true
			}
		}
		take(<-results)
	drain:
		for inFlight > 0 {
			select {
			case r := <-results:
				take(r)
			default:
				break drain
			}
		}
	}
	if failure != nil {
		return failure
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i := range plan.Steps {
		if !done[i] {
			return &StepError{Index: i, Step: plan.Steps[i], Err: fmt.Errorf("depends on %s, which never completes", strings.Join(deps[i].names(plan), ", "))}
		}
	}
	return nil
}

// interrupted reports whether err is the run's own context ending mid-request.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}

type depSet []int

func (d depSet) names(plan Plan) []string {
	var out []string
	for _, i := range d {
		out = append(out, plan.Steps[i].ID)
	}
	return out
}

func allDone(d depSet, done []bool) bool {
	for _, i := range d {
		if !done[i] {
			return false
		}
	}
	return true
}

// dependencies returns, for each step, the indexes of the steps it must wait for: its
// DependsOn, the steps whose ids its placeholders use, and earlier steps that touch the same
// object (rules of one policy in order, so priorities land as planned; a policy's lifecycle
// change after every earlier change to its rules and mappings, so activation comes last).
func dependencies(plan Plan) []depSet {
	index := map[string]int{}
	for i, s := range plan.Steps {
		index[s.ID] = i
	}
	out := make([]depSet, len(plan.Steps))
	for i, s := range plan.Steps {
		seen := map[int]bool{}
		add := func(k int) {
			if k != i && !seen[k] {
				seen[k] = true
				out[i] = append(out[i], k)
			}
		}
		for _, id := range s.DependsOn {
			if k, ok := index[id]; ok {
				add(k)
			}
		}
		for _, id := range s.Placeholders() {
			if k, ok := index[id]; ok {
				add(k)
			}
		}
		sa := scopeOf(s)
		for k := 0; k < i; k++ {
			if sa.conflicts(scopeOf(plan.Steps[k])) {
				add(k)
			}
		}
	}
	return out
}

// scope is the object a step changes: kind "rules", "mappings" or "policy" within a policy,
// or "assurance" for a device assurance policy.
type scope struct{ kind, id string }

func scopeOf(s Step) scope {
	switch s.Action {
	case ActCreateRule, ActReplaceRule, ActActivateRule, ActDeleteRule:
		return scope{"rules", s.PolicyID}
	case ActMapResource, ActDeleteMapping:
		return scope{"mappings", s.PolicyID}
	case ActReplacePolicy, ActActivatePolicy, ActDeactivatePolicy, ActDeletePolicy:
		return scope{"policy", s.PolicyID}
	case ActCreatePolicy, ActCreateDeviceAssurance:
		return scope{"new", Placeholder(s.ID)}
	case ActReplaceDeviceAssurance, ActDeleteDeviceAssurance:
		return scope{"assurance", s.ObjectID}
	case ActAssignAppPolicy:
		return scope{"app", s.ObjectID}
	}
	return scope{}
}

func (a scope) conflicts(b scope) bool {
	if a.id == "" || b.id == "" || a.id != b.id {
		return false
	}
	if a.kind == "assurance" || b.kind == "assurance" || a.kind == "app" || b.kind == "app" {
		return a.kind == b.kind
	}
	return a.kind == b.kind || a.kind == "policy" || b.kind == "policy"
}

func outcome(plan Plan, recs []StepRecord) *Outcome {
	out := &Outcome{Created: map[string]string{}}
	for i, s := range plan.Steps {
		r := recs[i]
		if r.State == StateDone && r.ObjectID != "" {
			out.Created[s.ID] = r.ObjectID
		}
		out.Results = append(out.Results, StepResult{
			Index: i, StepID: s.ID, Title: s.Title, Stage: s.Stage, Method: s.Method(), Path: s.Path(),
			State: r.State, ObjectID: r.ObjectID, Adopted: r.Adopted,
		})
	}
	return out
}

// send dispatches a resolved step to its okta.API call and returns the id of the object it
// created or changed.
func send(ctx context.Context, api okta.API, s Step) (string, error) {
	switch s.Action {
	case ActCreatePolicy:
		p, err := bodyAs[okta.Policy](s)
		if err != nil {
			return "", err
		}
		got, err := api.CreatePolicy(ctx, p, s.Activate)
		if err != nil {
			return "", err
		}
		return got.ID, nil
	case ActReplacePolicy:
		p, err := bodyAs[okta.Policy](s)
		if err != nil {
			return "", err
		}
		p.ID = s.PolicyID
		if _, err := api.ReplacePolicy(ctx, p); err != nil {
			return "", err
		}
		return s.PolicyID, nil
	case ActActivatePolicy:
		return s.PolicyID, api.ActivatePolicy(ctx, s.PolicyID)
	case ActDeactivatePolicy:
		return s.PolicyID, api.DeactivatePolicy(ctx, s.PolicyID)
	case ActDeletePolicy:
		return s.PolicyID, ignoreNotFound(api.DeletePolicy(ctx, s.PolicyID))
	case ActCreateRule:
		r, err := bodyAs[okta.Rule](s)
		if err != nil {
			return "", err
		}
		got, err := api.CreateRule(ctx, s.PolicyID, r, s.Activate)
		if err != nil {
			return "", err
		}
		return got.ID, nil
	case ActReplaceRule:
		r, err := bodyAs[okta.Rule](s)
		if err != nil {
			return "", err
		}
		r.ID = s.ObjectID
		if _, err := api.ReplaceRule(ctx, s.PolicyID, r); err != nil {
			return "", err
		}
		return s.ObjectID, nil
	case ActActivateRule:
		return s.ObjectID, api.ActivateRule(ctx, s.PolicyID, s.ObjectID)
	case ActDeleteRule:
		return s.ObjectID, ignoreNotFound(api.DeleteRule(ctx, s.PolicyID, s.ObjectID))
	case ActMapResource:
		m, err := bodyAs[okta.MappingRequest](s)
		if err != nil {
			return "", err
		}
		got, err := api.MapResource(ctx, s.PolicyID, m)
		if err != nil {
			return "", err
		}
		return got.ID, nil
	case ActDeleteMapping:
		return s.ObjectID, ignoreNotFound(api.DeleteMapping(ctx, s.PolicyID, s.ObjectID))
	case ActCreateDeviceAssurance:
		d, err := bodyAs[okta.DeviceAssurance](s)
		if err != nil {
			return "", err
		}
		got, err := api.CreateDeviceAssurance(ctx, d)
		if err != nil {
			return "", err
		}
		return got.ID, nil
	case ActReplaceDeviceAssurance:
		d, err := bodyAs[okta.DeviceAssurance](s)
		if err != nil {
			return "", err
		}
		d.ID = s.ObjectID
		if _, err := api.ReplaceDeviceAssurance(ctx, d); err != nil {
			return "", err
		}
		return s.ObjectID, nil
	case ActDeleteDeviceAssurance:
		return s.ObjectID, ignoreNotFound(api.DeleteDeviceAssurance(ctx, s.ObjectID))
	case ActAssignAppPolicy:
		return s.ObjectID, api.AssignAppPolicy(ctx, s.ObjectID, s.PolicyID)
	}
	return "", fmt.Errorf("step %q: unknown action %q", s.ID, s.Action)
}

// bodyAs returns the step's body as a T, whether it holds a T or a *T.
func bodyAs[T any](s Step) (T, error) {
	var zero T
	switch b := s.Body.(type) {
	case *T:
		if b != nil {
			return *b, nil
		}
	case T:
		return b, nil
	}
	return zero, fmt.Errorf("step %q (%s) has no %T body", s.ID, s.Action, zero)
}

func ignoreNotFound(err error) error {
	if okta.IsNotFound(err) {
		return nil
	}
	return err
}

// runReads are the lookups a run makes before its first write: for each step left with an
// unknown outcome (and, when adopting, each pending create or activation), the object it
// would have made. A step whose input is still a placeholder is skipped: its parent is new or
// is found by its own lookup, which brings the parent's rules. Ids in renamed are about to be
// rewritten, so nothing is read under them.
func runReads(plan Plan, recs []StepRecord, created map[string]string, adopt bool, renamed map[string]bool) []read {
	var out []read
	for i, s := range plan.Steps {
		if !outcomeUnknown(recs[i]) && !(adopt && recs[i].State == StatePending && adoptable(s.Action)) {
			continue
		}
		step, err := s.Resolve(created)
		if err != nil {
			continue
		}
		known := !isPlaceholder(step.PolicyID) && !renamed[step.PolicyID]
		switch step.Action {
		case ActCreatePolicy:
			if p, err := bodyAs[okta.Policy](step); err == nil {
				out = append(out, readPoliciesNamed(p.Type, p.Name))
			}
		case ActCreateRule, ActActivateRule:
			if known {
				out = append(out, readRules(step.PolicyID))
			}
		case ActMapResource:
			if known {
				out = append(out, readMappings(step.PolicyID))
			}
		case ActCreateDeviceAssurance:
			out = append(out, readAssurances)
		case ActActivatePolicy:
			if known {
				out = append(out, readPolicy(step.PolicyID))
			}
		}
	}
	return out
}

// lookupExisting finds the object a resolved step creates (or the state it brings about):
// a policy by type and name, a rule by name in its policy, a mapping by resource id, a device
// assurance policy by name and platform; an activation is found when the object is ACTIVE.
// Other actions are never found: replaces are sent again (they are idempotent), deletes treat
// 404 as done. It reads through reads, so what the run's wave read is not asked again.
//
// With a non-zero since (reconciling a request of this run), objects created well before it
// are someone else's and are not found: a roll back must never delete them.
func lookupExisting(ctx context.Context, reads *Reads, s Step, since time.Time) (string, bool, error) {
	recent := func(created *time.Time) bool {
		return since.IsZero() || created == nil || !created.Before(since.Add(-clockSkew))
	}
	switch s.Action {
	case ActCreatePolicy:
		p, err := bodyAs[okta.Policy](s)
		if err != nil {
			return "", false, err
		}
		list, err := reads.policiesNamed(ctx, p.Type, p.Name)
		if err != nil {
			return "", false, err
		}
		for _, x := range list {
			if x.Name == p.Name && x.Type == p.Type && recent(x.Created) {
				return x.ID, true, nil
			}
		}
	case ActCreateRule:
		r, err := bodyAs[okta.Rule](s)
		if err != nil {
			return "", false, err
		}
		list, err := reads.rules(ctx, s.PolicyID)
		if err != nil {
			return "", false, err
		}
		for _, x := range list {
			if x.Name == r.Name && recent(x.Created) {
				return x.ID, true, nil
			}
		}
	case ActMapResource:
		m, err := bodyAs[okta.MappingRequest](s)
		if err != nil {
			return "", false, err
		}
		list, err := getAs[[]okta.PolicyMapping](ctx, reads, readMappings(s.PolicyID))
		if err != nil {
			return "", false, err
		}
		for _, x := range list {
			if mappingTargets(x, m.ResourceID) {
				return x.ID, true, nil
			}
		}
	case ActCreateDeviceAssurance:
		d, err := bodyAs[okta.DeviceAssurance](s)
		if err != nil {
			return "", false, err
		}
		list, err := getAs[[]okta.DeviceAssurance](ctx, reads, readAssurances)
		if err != nil {
			return "", false, err
		}
		for _, x := range list {
			if x.Name == d.Name && x.Platform == d.Platform && recent(parseTime(x.CreatedDate)) {
				return x.ID, true, nil
			}
		}
	case ActActivatePolicy:
		p, err := reads.policy(ctx, s.PolicyID)
		if err != nil || p == nil {
			return "", false, err
		}
		if p.Status == okta.StatusActive {
			return p.ID, true, nil
		}
	case ActActivateRule:
		r, err := reads.rule(ctx, s.PolicyID, s.ObjectID)
		if err != nil || r == nil {
			return "", false, err
		}
		if r.Status == okta.StatusActive {
			return r.ID, true, nil
		}
	}
	return "", false, nil
}

// clockSkew is how far the org's clock may be behind ours.
const clockSkew = 5 * time.Minute

func parseTime(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return &t
}

// mappingTargets reports whether mapping m maps resourceID. Okta answers a mapping with only
// an id and links; the id or one of the links names the mapped resource.
func mappingTargets(m okta.PolicyMapping, resourceID string) bool {
	if m.ID == resourceID {
		return true
	}
	for name, raw := range m.Links {
		if name == "self" {
			continue
		}
		if strings.Contains(string(raw), "/"+resourceID+`"`) || strings.Contains(string(raw), "/"+resourceID+"/") {
			return true
		}
	}
	return false
}

// Rollback undoes what the journal's run did, in reverse order: created rules, mappings,
// policies and assurance policies are deleted (a policy deactivated first; 404 counts as
// gone), activations are reversed, replaced objects are restored from Step.Before. Adopted
// objects are left alone. Steps whose outcome is unknown are looked up first. When everything
// is undone the journal is finished; on an error it stays, so a roll back can be retried.
func Rollback(ctx context.Context, api okta.API, j *Journal, onEvent func(Event)) error {
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	if !j.SameOrg(api.OrgURL()) {
		return fmt.Errorf("this run was started against %s, not %s: it cannot be rolled back here", j.Org(), api.OrgURL())
	}
	// The journal is a file: before deleting anything, check it names what this run created.
	if err := checkCreatedObjects(ctx, api, j); err != nil {
		return err
	}
	plan := j.Plan()
	recs := j.Steps()
	created := j.Created()
	for i := len(plan.Steps) - 1; i >= 0; i-- {
		rec := recs[i]
		s := plan.Steps[i]
		if rec.State == StatePending || rec.State == StateRolledBack || (rec.State == StateFailed && !rec.Uncertain) {
			continue
		}
		if rec.Adopted {
			if err := j.mark(i, StateRolledBack, rec.ObjectID, true, nil); err != nil {
				return err
			}
			onEvent(Event{Index: i, Step: s, State: StateRolledBack, ObjectID: rec.ObjectID, Adopted: true})
			continue
		}
		step, err := s.Resolve(created)
		if err != nil {
			// An input of this step was never created, so the step cannot have been sent.
			if err := j.mark(i, StateRolledBack, "", false, nil); err != nil {
				return err
			}
			continue
		}
		id := rec.ObjectID
		if rec.State != StateDone {
			// Running or failed: it may have taken effect after all.
			found, ok, err := lookupExisting(ctx, NewReads(api), step, j.Started())
			if err != nil {
				return &StepError{Index: i, Step: s, Err: fmt.Errorf("checking whether the request took effect: %w", err)}
			}
			if !ok && createsObject(step.Action) {
				if err := j.mark(i, StateRolledBack, "", false, nil); err != nil {
					return err
				}
				onEvent(Event{Index: i, Step: step, State: StateRolledBack})
				continue
			}
			if ok {
				id = found
			}
		}
		if err := undo(ctx, api, step, id, rec.State == StateDone); err != nil {
			_ = j.update(func(recs []StepRecord) { recs[i].Error, recs[i].ErrorCode = errorText(err) })
			onEvent(Event{Index: i, Step: step, State: rec.State, ObjectID: id, Err: err})
			return &StepError{Index: i, Step: s, Err: fmt.Errorf("rolling back: %w", err)}
		}
		if err := j.mark(i, StateRolledBack, id, false, nil); err != nil {
			return err
		}
		onEvent(Event{Index: i, Step: step, State: StateRolledBack, ObjectID: id})
	}
	return j.Finish()
}

func createsObject(a Action) bool {
	switch a {
	case ActCreatePolicy, ActCreateRule, ActMapResource, ActCreateDeviceAssurance:
		return true
	}
	return false
}

// undo reverses one step. sure is false when the step's outcome was unknown.
func undo(ctx context.Context, api okta.API, s Step, id string, sure bool) error {
	switch s.Action {
	case ActCreatePolicy:
		if id == "" {
			return nil
		}
		if p, err := api.GetPolicy(ctx, id); err == nil && p.Status == okta.StatusActive {
			if err := api.DeactivatePolicy(ctx, id); ignoreNotFound(err) != nil {
				return err
			}
		} else if err != nil && !okta.IsNotFound(err) {
			return err
		}
		return ignoreNotFound(api.DeletePolicy(ctx, id))
	case ActCreateRule:
		if id == "" {
			return nil
		}
		return ignoreNotFound(api.DeleteRule(ctx, s.PolicyID, id))
	case ActMapResource:
		if id == "" {
			return nil
		}
		return ignoreNotFound(api.DeleteMapping(ctx, s.PolicyID, id))
	case ActCreateDeviceAssurance:
		if id == "" {
			return nil
		}
		return ignoreNotFound(api.DeleteDeviceAssurance(ctx, id))
	case ActActivatePolicy:
		return ignoreNotFound(api.DeactivatePolicy(ctx, s.PolicyID))
	case ActDeactivatePolicy:
		return ignoreNotFound(api.ActivatePolicy(ctx, s.PolicyID))
	case ActActivateRule:
		return ignoreNotFound(api.DeactivateRule(ctx, s.PolicyID, s.ObjectID))
	case ActReplacePolicy:
		before, err := beforeAs[okta.Policy](s)
		if err != nil {
			return err
		}
		before.ID = s.PolicyID
		_, err = api.ReplacePolicy(ctx, before)
		return err
	case ActReplaceRule:
		before, err := beforeAs[okta.Rule](s)
		if err != nil {
			return err
		}
		before.ID = s.ObjectID
		_, err = api.ReplaceRule(ctx, s.PolicyID, before)
		return err
	case ActReplaceDeviceAssurance:
		before, err := beforeAs[okta.DeviceAssurance](s)
		if err != nil {
			return err
		}
		before.ID = s.ObjectID
		_, err = api.ReplaceDeviceAssurance(ctx, before)
		return err
	case ActAssignAppPolicy:
		before, err := beforeAs[AppProtection](s)
		if err != nil {
			return err
		}
		if before.PreviousPolicyID == "" {
			return fmt.Errorf("step %q holds no policy the app used before: assign one to app %s by hand", s.ID, s.ObjectID)
		}
		return api.AssignAppPolicy(ctx, s.ObjectID, before.PreviousPolicyID)
	case ActDeletePolicy, ActDeleteRule, ActDeleteMapping, ActDeleteDeviceAssurance:
		if !sure {
			return fmt.Errorf("%s may have deleted %s; a deletion cannot be undone", s.Action, s.Path())
		}
		return fmt.Errorf("%s deleted %s; a deletion cannot be undone", s.Action, s.Path())
	}
	return fmt.Errorf("step %q: cannot undo action %q", s.ID, s.Action)
}

func beforeAs[T any](s Step) (T, error) {
	var zero T
	switch b := s.Before.(type) {
	case *T:
		if b != nil {
			return *b, nil
		}
	case T:
		return b, nil
	}
	return zero, fmt.Errorf("step %q replaced an object but holds no copy of it to restore", s.ID)
}
