package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// A journal is a file on disk: it can be damaged or edited. Before a roll back deletes
// anything, every object the journal says this run created is read back and compared with what
// the run sent (type, name, platform, parent, and a creation time at or after the run's
// start), the way reconciliation finds a lost create. One mismatch stops the whole roll back
// before any change, and the journal is kept.

// ForeignObjectError is an object a journal names as created by its run that is not the one
// the run created; a roll back refuses to touch it.
type ForeignObjectError struct {
	Index  int
	Step   Step
	ID     string
	Reason string
}

func (e *ForeignObjectError) Error() string {
	return fmt.Sprintf("refusing to roll back: %s: object %s is not the one this run created (%s); nothing was changed and the journal is kept: check it, or remove the object by hand",
		e.Step.Label(e.Index), e.ID, e.Reason)
}

// checkCreatedObjects verifies every object the journal's run created, before a roll back.
func checkCreatedObjects(ctx context.Context, api okta.API, j *Journal) error {
	plan, recs, created := j.Plan(), j.Steps(), j.Created()
	for i, s := range plan.Steps {
		rec := recs[i]
		if rec.State != StateDone || rec.Adopted || rec.ObjectID == "" || !createsObject(s.Action) {
			continue
		}
		step, err := s.Resolve(created)
		if err != nil {
			continue // an input was never created: this step was not sent
		}
		reason, err := notCreatedByRun(ctx, api, step, rec.ObjectID, j.Started())
		if err != nil {
			return &StepError{Index: i, Step: s, Err: fmt.Errorf("checking the object before rolling back: %w", err)}
		}
		if reason != "" {
			return &ForeignObjectError{Index: i, Step: s, ID: rec.ObjectID, Reason: reason}
		}
	}
	return nil
}

// notCreatedByRun says why object id is not what step s (resolved) created in a run started at
// since, or "" when it is (or is gone already).
func notCreatedByRun(ctx context.Context, api okta.API, s Step, id string, since time.Time) (string, error) {
	createdBefore := func(t *time.Time) string {
		if t != nil && t.Before(since.Add(-clockSkew)) {
			return fmt.Sprintf("it was created %s, before the run started %s", t.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
		}
		return ""
	}
	gone := func(err error) (string, error) {
		if okta.IsNotFound(err) {
			return "", nil
		}
		return "", err
	}
	switch s.Action {
	case ActCreatePolicy:
		want, err := bodyAs[okta.Policy](s)
		if err != nil {
			return "", err
		}
		got, err := api.GetPolicy(ctx, id)
		if err != nil {
			return gone(err)
		}
		if got.Type != want.Type || got.Name != want.Name {
			return fmt.Sprintf("it is %s %q, the run created %s %q", got.Type, got.Name, want.Type, want.Name), nil
		}
		return createdBefore(got.Created), nil
	case ActCreateRule:
		want, err := bodyAs[okta.Rule](s)
		if err != nil {
			return "", err
		}
		got, err := api.GetRule(ctx, s.PolicyID, id)
		if err != nil {
			return gone(err)
		}
		if got.Name != want.Name {
			return fmt.Sprintf("it is rule %q, the run created rule %q", got.Name, want.Name), nil
		}
		return createdBefore(got.Created), nil
	case ActMapResource:
		want, err := bodyAs[okta.MappingRequest](s)
		if err != nil {
			return "", err
		}
		list, err := api.ListMappings(ctx, s.PolicyID)
		if err != nil {
			return gone(err)
		}
		for _, m := range list {
			if m.ID == id && !mappingTargets(m, want.ResourceID) {
				return fmt.Sprintf("it does not map %s, which the run mapped", want.ResourceID), nil
			}
		}
		return "", nil
	case ActCreateDeviceAssurance:
		want, err := bodyAs[okta.DeviceAssurance](s)
		if err != nil {
			return "", err
		}
		got, err := api.GetDeviceAssurance(ctx, id)
		if err != nil {
			return gone(err)
		}
		if got.Name != want.Name || got.Platform != want.Platform {
			return fmt.Sprintf("it is %s policy %q, the run created %s policy %q", got.Platform, got.Name, want.Platform, want.Name), nil
		}
		return createdBefore(parseTime(got.CreatedDate)), nil
	}
	return "", errors.New("not an action that creates an object")
}
