package flows

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// journalTestPlan is a small plan: policy, rule in it, activation.
func journalTestPlan(ruleName string) Plan {
	return Plan{Flow: FlowDSC, Title: "journal test", Steps: []Step{
		{ID: "pol", Stage: 2, Title: "Create policy", Action: ActCreatePolicy,
			Body: &okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "P"}},
		{ID: "rule", Stage: 4, Title: "Create rule", Action: ActCreateRule, PolicyID: Placeholder("pol"),
			Body: &okta.Rule{Type: okta.TypeDeviceSignalCollection, Name: ruleName}},
		{ID: "act", Stage: 5, Title: "Activate", Action: ActActivatePolicy, PolicyID: Placeholder("pol")},
	}}
}

func TestJournalRecordsStepsOnDisk(t *testing.T) {
	dir := t.TempDir()
	j, err := NewJournal(dir, journalTestPlan("R"), "https://acme.okta.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.mark(0, StateDone, "rst1", false, nil); err != nil {
		t.Fatal(err)
	}
	oe := &okta.Error{Status: 400, ErrorCode: "E0000001", ErrorSummary: "Api validation failed: name",
		ErrorCauses: []okta.ErrorCause{{ErrorSummary: "name: already used"}}}
	if err := j.mark(1, StateFailed, "", false, oe); err != nil {
		t.Fatal(err)
	}
	back, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if back.Org() != "https://acme.okta.com" || back.RunID() != j.RunID() {
		t.Fatalf("org/run = %s/%s", back.Org(), back.RunID())
	}
	if got := back.Created(); !reflect.DeepEqual(got, map[string]string{"pol": "rst1"}) {
		t.Fatalf("Created = %v", got)
	}
	rec := back.Steps()[1]
	if rec.State != StateFailed || rec.ErrorCode != "E0000001" || !strings.Contains(rec.Error, "name: already used") || rec.Uncertain {
		t.Fatalf("failed record = %+v", rec)
	}
	// The plan survives with typed bodies and placeholders.
	if r, ok := back.Plan().Steps[1].Body.(*okta.Rule); !ok || r.Name != "R" || back.Plan().Steps[1].PolicyID != Placeholder("pol") {
		t.Fatalf("plan step = %+v", back.Plan().Steps[1])
	}
	if !back.SameOrg("https://ACME.okta.com/") || back.SameOrg("https://other.okta.com") {
		t.Fatal("SameOrg does not compare orgs")
	}
}

func TestJournalErrorTextHasNoSecret(t *testing.T) {
	dir := t.TempDir()
	j, err := NewJournal(dir, journalTestPlan("R"), "https://acme.okta.com")
	if err != nil {
		t.Fatal(err)
	}
	secret := "00abcdefSECRETTOKEN123"
	leak := errors.New(`Post "https://acme.okta.com/oauth2/v1/token?client_assertion=` + secret + `": dial tcp: Authorization: SSWS ` + secret)
	if err := j.mark(0, StateFailed, "", false, leak); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), secret) {
		t.Fatalf("journal holds the secret:\n%s", b)
	}
	if !j.Steps()[0].Uncertain {
		t.Fatal("a transport error must be recorded as uncertain")
	}
}

// A crash in the middle of a write leaves a partial temporary file: the journal itself is
// whole and OpenJournals ignores the fragment.
func TestJournalSurvivesPartialWrite(t *testing.T) {
	dir := t.TempDir()
	j, err := NewJournal(dir, journalTestPlan("R"), "https://acme.okta.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.mark(0, StateRunning, "", false, nil); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	frag := filepath.Join(dir, "."+filepath.Base(j.Path())+".tmp-123")
	if err := os.WriteFile(frag, whole[:len(whole)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	js, err := OpenJournals(dir)
	if err != nil {
		t.Fatalf("OpenJournals: %v", err)
	}
	if len(js) != 1 || js[0].Steps()[0].State != StateRunning {
		t.Fatalf("journals = %d, first step %v", len(js), js[0].Steps()[0].State)
	}
}

// A journal cut short (a disk that lost its tail) is reported by path, not deleted, and does
// not hide the other runs.
func TestOpenJournalsReportsDamagedFile(t *testing.T) {
	dir := t.TempDir()
	good, err := NewJournal(dir, journalTestPlan("R"), "https://acme.okta.com")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := NewJournal(dir, journalTestPlan("S"), "https://acme.okta.com")
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := os.ReadFile(bad.Path())
	if err := os.WriteFile(bad.Path(), whole[:len(whole)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	js, err := OpenJournals(dir)
	var damaged *DamagedJournalsError
	if !errors.As(err, &damaged) || len(damaged.Files) != 1 || damaged.Files[0].Path != bad.Path() {
		t.Fatalf("err = %v, want the damaged file reported", err)
	}
	if !strings.Contains(err.Error(), bad.Path()) {
		t.Fatalf("message %q does not name the file", err)
	}
	if len(js) != 1 || js[0].RunID() != good.RunID() {
		t.Fatalf("good journals = %v", js)
	}
	if _, err := os.Stat(bad.Path()); err != nil {
		t.Fatalf("damaged journal was removed: %v", err)
	}
}

func TestOpenJournalsNewestFirstAndMissingDir(t *testing.T) {
	js, err := OpenJournals(filepath.Join(t.TempDir(), "none"))
	if err != nil || len(js) != 0 {
		t.Fatalf("missing dir: %v %v", js, err)
	}
	dir := t.TempDir()
	first, _ := NewJournal(dir, journalTestPlan("A"), "o")
	second, _ := NewJournal(dir, journalTestPlan("B"), "o")
	js, err = OpenJournals(dir)
	if err != nil || len(js) != 2 {
		t.Fatalf("%v %v", js, err)
	}
	if js[0].RunID() != second.RunID() || js[1].RunID() != first.RunID() {
		t.Fatalf("order = %s, %s; want newest first", js[0].RunID(), js[1].RunID())
	}
}

func TestJournalFinishAndDiscardDelete(t *testing.T) {
	dir := t.TempDir()
	for _, end := range []func(*Journal) error{(*Journal).Finish, (*Journal).Discard} {
		j, err := NewJournal(dir, journalTestPlan("R"), "o")
		if err != nil {
			t.Fatal(err)
		}
		if err := end(j); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(j.Path()); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("journal still on disk: %v", err)
		}
		if err := j.mark(0, StateDone, "x", false, nil); err == nil {
			t.Fatal("a finished journal accepted a write")
		}
	}
}

// After the user fixed an answer, Replace keeps done steps (same request, same id) and takes
// the rest from the new plan.
func TestJournalReplaceKeepsDoneSteps(t *testing.T) {
	dir := t.TempDir()
	j, err := NewJournal(dir, journalTestPlan("Bad name"), "o")
	if err != nil {
		t.Fatal(err)
	}
	_ = j.mark(0, StateDone, "rst1", false, nil)
	_ = j.mark(1, StateFailed, "", false, &okta.Error{Status: 400, ErrorCode: "E0000001"})

	fixed := journalTestPlan("Good name")
	fixed.Steps[0].Body.(*okta.Policy).Name = "Renamed" // a done step is not sent again
	if err := j.Replace(fixed); err != nil {
		t.Fatal(err)
	}
	back, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	recs := back.Steps()
	if recs[0].State != StateDone || recs[0].ObjectID != "rst1" {
		t.Fatalf("done step = %+v", recs[0])
	}
	if back.Plan().Steps[0].Body.(*okta.Policy).Name != "P" {
		t.Fatal("the done step's request was replaced")
	}
	if recs[1].State != StatePending || recs[1].Error != "" {
		t.Fatalf("failed step after Replace = %+v, want pending", recs[1])
	}
	if back.Plan().Steps[1].Body.(*okta.Rule).Name != "Good name" {
		t.Fatal("the failed step did not take the fixed answer")
	}

	// A done step the new plan lacks stays, so a roll back still deletes its object.
	smaller := Plan{Flow: FlowDSC, Steps: []Step{fixed.Steps[2]}}
	smaller.Steps[0].PolicyID = "rstExisting"
	if err := back.Replace(smaller); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, s := range back.Plan().Steps {
		ids = append(ids, s.ID)
	}
	if !reflect.DeepEqual(ids, []string{"pol", "act"}) {
		t.Fatalf("steps after Replace = %v", ids)
	}
}

func TestNewJournalRefusesDuplicateStepIDs(t *testing.T) {
	p := journalTestPlan("R")
	p.Steps[2].ID = "pol"
	if _, err := NewJournal(t.TempDir(), p, "o"); err == nil || !strings.Contains(err.Error(), `"pol"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDependenciesAllowIndependentStepsTogether(t *testing.T) {
	d := DSCDraft{
		AppPolicy: PolicyChoice{Name: "A"}, AppRule: AppRuleDraft{Name: "R", Access: AccessAllow},
		Name: "D", RuleName: "DR", OktaVerify: true, UserIdentification: UserIdentificationIgnore, Activate: true,
	}
	p, err := d.Plan()
	if err != nil {
		t.Fatal(err)
	}
	deps := dependencies(p)
	got := map[string][]string{}
	for i, ds := range deps {
		got[p.Steps[i].ID] = ds.names(p)
	}
	want := map[string][]string{
		StepAppPolicy:    nil,
		StepAppRule:      {StepAppPolicy},
		StepDSCPolicy:    nil,
		MappingStepID(1): {StepDSCPolicy, StepAppPolicy},
		StepDSCRule:      {StepDSCPolicy},
		StepActivateDSC:  {StepAppPolicy, StepAppRule, StepDSCPolicy, MappingStepID(1), StepDSCRule},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("dependencies:\n got %v\nwant %v", got, want)
	}

	// Two rules of one policy keep their order even without DependsOn; rules of different
	// policies do not wait for each other.
	q := Plan{Steps: []Step{
		{ID: "r1", Action: ActCreateRule, PolicyID: "rstA", Body: &okta.Rule{Name: "1"}},
		{ID: "r2", Action: ActCreateRule, PolicyID: "rstA", Body: &okta.Rule{Name: "2"}},
		{ID: "r3", Action: ActCreateRule, PolicyID: "rstB", Body: &okta.Rule{Name: "3"}},
		{ID: "m", Action: ActMapResource, PolicyID: "rstA", Body: &okta.MappingRequest{ResourceID: "x"}},
		{ID: "act", Action: ActActivatePolicy, PolicyID: "rstA"},
	}}
	deps = dependencies(q)
	for i, want := range [][]string{{}, {"r1"}, {}, {}, {"r1", "r2", "m"}} {
		if got := deps[i].names(q); len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Errorf("%s depends on %v, want %v", q.Steps[i].ID, got, want)
		}
	}
}
