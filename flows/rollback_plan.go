package flows

import "fmt"

// UndoRequest is one request a roll back will send, in the order it sends them.
type UndoRequest struct {
	// Index is the run's step the request undoes.
	Index        int
	Title        string
	Method, Path string
	// Body is what a restore sends (the object as it was before the run); nil otherwise.
	Body any
	// Note says when the request depends on what Okta answers at the time, e.g. that the
	// object is looked up by name first because its create had no answer.
	Note string
}

// RollbackPlan is what Rollback will do with a run's journal: the requests it sends, newest
// step first, and the steps it leaves alone.
type RollbackPlan struct {
	Requests []UndoRequest
	// Kept are steps whose object existed before this run (adopted by name): left alone.
	Kept []int
	// NotRun are steps never sent, or refused by Okta: nothing to undo.
	NotRun []int
	// Undone are steps an earlier roll back already undid.
	Undone []int
	// Cannot are steps whose effect no request can undo (a deletion): the roll back stops
	// there with an error, after undoing the newer steps.
	Cannot []UndoRequest
}

// PlanRollback lists what Rollback(j) will send, without sending anything. It reads only
// the journal: where Rollback asks Okta first (an object whose create had no answer, a policy
// that may be active), the request carries a note.
func PlanRollback(j *Journal) RollbackPlan {
	var out RollbackPlan
	plan, recs, created := j.Plan(), j.Steps(), j.Created()
	for i := len(plan.Steps) - 1; i >= 0; i-- {
		rec, s := recs[i], plan.Steps[i]
		switch {
		case rec.State == StateRolledBack:
			out.Undone = append(out.Undone, i)
			continue
		case rec.State == StatePending || (rec.State == StateFailed && !rec.Uncertain):
			out.NotRun = append(out.NotRun, i)
			continue
		case rec.Adopted:
			out.Kept = append(out.Kept, i)
			continue
		}
		step, err := s.Resolve(created)
		if err != nil {
			out.NotRun = append(out.NotRun, i) // an input was never created: it was not sent
			continue
		}
		unknown := rec.State != StateDone
		id := rec.ObjectID
		if unknown && createsObject(step.Action) {
			id = Placeholder(step.ID)
		}
		reqs := undoRequests(i, step, id)
		for k := range reqs {
			if unknown {
				reqs[k].Note = joinNote(reqs[k].Note, "sent without an answer: looked up by name first, nothing is sent if it is not there")
			}
		}
		switch step.Action {
		case ActDeletePolicy, ActDeleteRule, ActDeleteMapping, ActDeleteDeviceAssurance:
			out.Cannot = append(out.Cannot, UndoRequest{Index: i, Title: step.Name(), Method: step.Method(), Path: step.Path(),
				Note: "a deletion cannot be undone"})
		default:
			out.Requests = append(out.Requests, reqs...)
		}
	}
	return out
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// undoRequests are the requests undo sends for step s (ids resolved; id is the object's id
// or a placeholder when only a lookup will tell).
func undoRequests(i int, s Step, id string) []UndoRequest {
	policy := "/api/v1/policies/" + pathSegment(s.PolicyID)
	obj := pathSegment(id)
	req := func(title, method, path string) UndoRequest {
		return UndoRequest{Index: i, Title: title, Method: method, Path: path}
	}
	name := s.Name()
	switch s.Action {
	case ActCreatePolicy:
		deact := req("Deactivate: "+name, "POST", "/api/v1/policies/"+obj+"/lifecycle/deactivate")
		deact.Note = "only if it is active"
		return []UndoRequest{deact, req("Delete: "+name, "DELETE", "/api/v1/policies/"+obj)}
	case ActCreateRule:
		return []UndoRequest{req("Delete: "+name, "DELETE", policy+"/rules/"+obj)}
	case ActMapResource:
		return []UndoRequest{req("Delete: "+name, "DELETE", policy+"/mappings/"+obj)}
	case ActCreateDeviceAssurance:
		return []UndoRequest{req("Delete: "+name, "DELETE", "/api/v1/device-assurances/"+obj)}
	case ActActivatePolicy:
		return []UndoRequest{req("Undo: "+name, "POST", policy+"/lifecycle/deactivate")}
	case ActDeactivatePolicy:
		return []UndoRequest{req("Undo: "+name, "POST", policy+"/lifecycle/activate")}
	case ActActivateRule:
		return []UndoRequest{req("Undo: "+name, "POST", policy+"/rules/"+pathSegment(s.ObjectID)+"/lifecycle/deactivate")}
	case ActAssignAppPolicy:
		prev, _ := s.Before.(*AppProtection)
		if prev == nil || prev.PreviousPolicyID == "" {
			return []UndoRequest{{Index: i, Title: name, Note: "no record of the policy the app used before: the roll back stops here"}}
		}
		back := s
		back.PolicyID = prev.PreviousPolicyID
		return []UndoRequest{req("Give the app its previous policy back: "+name, "PUT", back.Path())}
	case ActReplacePolicy, ActReplaceRule, ActReplaceDeviceAssurance:
		r := req("Restore as before the run: "+name, "PUT", s.Path())
		r.Body = s.Before
		if s.Before == nil {
			r.Note = "no copy of the object as it was is kept: the roll back stops here"
		}
		return []UndoRequest{r}
	}
	return []UndoRequest{{Index: i, Title: name, Note: fmt.Sprintf("cannot undo action %q", s.Action)}}
}
