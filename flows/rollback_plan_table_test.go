package flows

import (
	"slices"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// rollbackTablePlan: a new policy, its rule, an edit of an existing rule (with its
// before-image) and the new policy's activation.
func rollbackTablePlan() Plan {
	return Plan{Flow: FlowDSC, Title: "roll back table", Steps: []Step{
		{ID: "pol", Title: "Create policy", Action: ActCreatePolicy, Body: &okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "P"}},
		{ID: "rule", Title: "Create rule", Action: ActCreateRule, PolicyID: Placeholder("pol"),
			Body: &okta.Rule{Type: okta.TypeDeviceSignalCollection, Name: "R"}},
		{ID: "edit", Title: "Rename rule", Action: ActReplaceRule, PolicyID: "rstOLD", ObjectID: "rulOLD",
			Before: &okta.Rule{Type: okta.TypeAccessPolicy, Name: "Old"}, Body: &okta.Rule{Type: okta.TypeAccessPolicy, Name: "New"}},
		{ID: "act", Title: "Activate", Action: ActActivatePolicy, PolicyID: Placeholder("pol")},
	}}
}

// TestPlanRollbackByStepState: what the roll back preview lists for each way a step can stand
// (done, adopted, sent without an answer, refused, never run, undone already).
func TestPlanRollbackByStepState(t *testing.T) {
	type rec struct {
		state     StepState
		id        string
		adopted   bool
		uncertain bool
	}
	for _, tc := range []struct {
		name                 string
		recs                 []rec
		want                 []string // METHOD PATH [note]
		kept, notRun, undone []int
	}{
		{
			name: "all done: newest first, the policy deactivated only if active, the edit restored",
			recs: []rec{{StateDone, "rstNEW", false, false}, {StateDone, "rulNEW", false, false}, {StateDone, "rulOLD", false, false}, {StateDone, "rstNEW", false, false}},
			want: []string{
				"POST /api/v1/policies/rstNEW/lifecycle/deactivate",
				"PUT /api/v1/policies/rstOLD/rules/rulOLD",
				"DELETE /api/v1/policies/rstNEW/rules/rulNEW",
				"POST /api/v1/policies/rstNEW/lifecycle/deactivate [only if it is active]",
				"DELETE /api/v1/policies/rstNEW",
			},
		},
		{
			name:   "adopted policy kept; its rule sent without an answer is looked up first",
			recs:   []rec{{StateDone, "rstOLDP", true, false}, {StateRunning, "", false, false}, {StatePending, "", false, false}, {StatePending, "", false, false}},
			want:   []string{"DELETE /api/v1/policies/rstOLDP/rules/{{rule.id}} [sent without an answer: looked up by name first, nothing is sent if it is not there]"},
			kept:   []int{0},
			notRun: []int{3, 2},
		},
		{
			name:   "a refused edit and an uncertain one",
			recs:   []rec{{StateDone, "rstNEW", false, false}, {StateFailed, "", false, false}, {StateFailed, "", false, true}, {StatePending, "", false, false}},
			want:   []string{"PUT /api/v1/policies/rstOLD/rules/rulOLD [sent without an answer: looked up by name first, nothing is sent if it is not there]", "POST /api/v1/policies/rstNEW/lifecycle/deactivate [only if it is active]", "DELETE /api/v1/policies/rstNEW"},
			notRun: []int{3, 1},
		},
		{
			name:   "rolled back already",
			recs:   []rec{{StateRolledBack, "rstNEW", false, false}, {StateRolledBack, "", false, false}, {StatePending, "", false, false}, {StatePending, "", false, false}},
			notRun: []int{3, 2},
			undone: []int{1, 0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := NewJournal(t.TempDir(), rollbackTablePlan(), "https://example.okta.com")
			if err != nil {
				t.Fatal(err)
			}
			if err := j.update(func(recs []StepRecord) {
				for i, r := range tc.recs {
					recs[i].State, recs[i].ObjectID, recs[i].Adopted, recs[i].Uncertain = r.state, r.id, r.adopted, r.uncertain
				}
			}); err != nil {
				t.Fatal(err)
			}
			p := PlanRollback(j)
			var got []string
			for _, q := range p.Requests {
				line := q.Method + " " + q.Path
				if q.Note != "" {
					line += " [" + q.Note + "]"
				}
				got = append(got, line)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if !slices.Equal(p.Kept, tc.kept) || !slices.Equal(p.NotRun, tc.notRun) || !slices.Equal(p.Undone, tc.undone) {
				t.Errorf("kept %v not run %v undone %v; want %v %v %v", p.Kept, p.NotRun, p.Undone, tc.kept, tc.notRun, tc.undone)
			}
			for _, q := range p.Requests {
				if q.Method == "PUT" && q.Body == nil {
					t.Error("a restore carries no body")
				}
			}
		})
	}
}
