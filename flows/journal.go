package flows

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// StepState is where a step of a run stands.
type StepState string

const (
	StatePending StepState = "pending"
	// StateRunning is recorded (and synced to disk) before the request is sent: a step found
	// running after a crash may or may not have reached Okta, so it is looked up before re-sending.
	StateRunning    StepState = "running"
	StateDone       StepState = "done"
	StateFailed     StepState = "failed"
	StateRolledBack StepState = "rolled-back"
)

// journalVersion is written in every journal; a reader refuses versions it does not know.
const journalVersion = 1

// StepRecord is what the journal knows about one step of the plan (same index).
type StepRecord struct {
	StepID string    `json:"stepId"`
	State  StepState `json:"state"`
	// ObjectID is the id the step created (or replaced, activated, mapped).
	ObjectID string `json:"objectId,omitempty"`
	// Adopted marks an object that already existed by name: the run did not create it, so a
	// roll back leaves it alone.
	Adopted bool `json:"adopted,omitempty"`
	// Error is Okta's error code, summary and causes (never a header or token).
	Error     string `json:"error,omitempty"`
	ErrorCode string `json:"errorCode,omitempty"`
	// Uncertain marks a failure that may have taken effect (a 5xx, a lost connection), unlike
	// an error Okta answered with a 4xx, which changed nothing.
	Uncertain bool      `json:"uncertain,omitempty"`
	Updated   time.Time `json:"updated"`
}

// journalFile is the on-disk form of a journal: one JSON document, replaced atomically
// (write to a temporary file, fsync, rename, fsync the directory) on every change, so a crash
// leaves either the previous or the next version, never a mix.
type journalFile struct {
	Version int          `json:"version"`
	RunID   string       `json:"runId"`
	Org     string       `json:"org"`
	Created time.Time    `json:"created"`
	Updated time.Time    `json:"updated"`
	Plan    Plan         `json:"plan"`
	Steps   []StepRecord `json:"steps"`
}

// Journal is a run's record on disk. Its methods are safe for concurrent use.
type Journal struct {
	mu   sync.Mutex
	path string
	f    journalFile
	gone bool // finished or discarded: the file is deleted
}

// DefaultJournalDir is where runs are journaled under the state directory.
func DefaultJournalDir(stateDir string) string { return filepath.Join(stateDir, "journal") }

// NewJournal starts the record of a run of plan against org and writes it to dir.
func NewJournal(dir string, plan Plan, org string) (*Journal, error) {
	if err := checkPlanIDs(plan); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	now := time.Now().UTC()
	runID := now.Format("20060102T150405.000Z") + "-" + randomHex(4)
	runID = strings.ReplaceAll(runID, ".", "")
	j := &Journal{
		path: filepath.Join(dir, runID+".json"),
		f: journalFile{
			Version: journalVersion, RunID: runID, Org: org, Created: now, Updated: now,
			Plan: plan, Steps: pendingRecords(plan, now),
		},
	}
	if err := j.save(); err != nil {
		return nil, err
	}
	return j, nil
}

func pendingRecords(plan Plan, now time.Time) []StepRecord {
	recs := make([]StepRecord, len(plan.Steps))
	for i, s := range plan.Steps {
		recs[i] = StepRecord{StepID: s.ID, State: StatePending, Updated: now}
	}
	return recs
}

func checkPlanIDs(plan Plan) error {
	seen := map[string]bool{}
	for i, s := range plan.Steps {
		if s.ID == "" {
			return fmt.Errorf("step %d (%s) has no id", i+1, s.Title)
		}
		if seen[s.ID] {
			return fmt.Errorf("step id %q is used twice", s.ID)
		}
		seen[s.ID] = true
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DamagedJournal is a journal file that could not be read. It is reported and left on disk:
// it may hold the only record of objects a run created.
type DamagedJournal struct {
	Path string
	Err  error
}

func (d DamagedJournal) Error() string {
	return fmt.Sprintf("journal %s is damaged and was left in place: %v", d.Path, d.Err)
}

// DamagedJournalsError lists the damaged journals OpenJournals found next to the good ones.
type DamagedJournalsError struct{ Files []DamagedJournal }

func (e *DamagedJournalsError) Error() string {
	parts := make([]string, len(e.Files))
	for i, d := range e.Files {
		parts[i] = d.Error()
	}
	return strings.Join(parts, "; ")
}

// OpenJournals returns the unfinished runs in dir, newest first. A missing directory holds no
// runs. Damaged files are reported in a *DamagedJournalsError returned together with the
// journals that could be read; they are never deleted.
func OpenJournals(dir string) ([]*Journal, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	var out []*Journal
	var damaged []DamagedJournal
	for _, e := range entries {
		name := e.Name()
		// Temporary files of an interrupted write start with a dot: the journal they were
		// replacing is still whole, so they are skipped.
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		j, err := OpenJournal(filepath.Join(dir, name))
		if err != nil {
			damaged = append(damaged, DamagedJournal{Path: filepath.Join(dir, name), Err: err})
			continue
		}
		out = append(out, j)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].f.Created.Equal(out[b].f.Created) {
			return out[a].f.Created.After(out[b].f.Created)
		}
		return out[a].f.RunID > out[b].f.RunID
	})
	if len(damaged) > 0 {
		return out, &DamagedJournalsError{Files: damaged}
	}
	return out, nil
}

// OpenJournal reads one journal file.
func OpenJournal(path string) (*Journal, error) {
	b, err := readBoundedFile(path, maxJournalBytes, "journal")
	if err != nil {
		return nil, err
	}
	f, err := decodeJournal(b)
	if err != nil {
		return nil, err
	}
	return &Journal{path: path, f: f}, nil
}

// maxJournalBytes bounds a journal file: a journal holds a plan (at most MaxPlanFileBytes)
// with a record per step, so anything much larger is not one of ours.
const maxJournalBytes = 8 * MaxPlanFileBytes

// decodeJournal parses and checks a journal file's content.
func decodeJournal(b []byte) (journalFile, error) {
	var f journalFile
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("not a readable journal: %w", err)
	}
	if f.Version != journalVersion {
		return f, fmt.Errorf("journal version %d is not supported (want %d)", f.Version, journalVersion)
	}
	if f.RunID == "" {
		return f, errors.New("journal has no run id")
	}
	if len(f.Steps) != len(f.Plan.Steps) {
		return f, fmt.Errorf("journal records %d steps for a plan of %d", len(f.Steps), len(f.Plan.Steps))
	}
	for i, r := range f.Steps {
		if r.StepID != f.Plan.Steps[i].ID {
			return f, fmt.Errorf("journal step %d is %q, plan step is %q", i+1, r.StepID, f.Plan.Steps[i].ID)
		}
		switch r.State {
		case StatePending, StateRunning, StateDone, StateFailed, StateRolledBack:
		default:
			return f, fmt.Errorf("journal step %q has unknown state %q", r.StepID, r.State)
		}
	}
	return f, nil
}

// RunID identifies the run.
func (j *Journal) RunID() string { return j.f.RunID }

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Org is the org URL the run talks to.
func (j *Journal) Org() string { return j.f.Org }

// Started is when the run began.
func (j *Journal) Started() time.Time { return j.f.Created }

// Plan is the plan being run.
func (j *Journal) Plan() Plan {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.f.Plan
	p.Steps = append([]Step(nil), p.Steps...)
	return p
}

// Steps returns a copy of the step records, in plan order.
func (j *Journal) Steps() []StepRecord {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]StepRecord(nil), j.f.Steps...)
}

// Created maps step id to the object id of every done step (created or adopted).
func (j *Journal) Created() map[string]string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]string{}
	for _, r := range j.f.Steps {
		if r.State == StateDone && r.ObjectID != "" {
			out[r.StepID] = r.ObjectID
		}
	}
	return out
}

// Title names the run: its plan's title, or its flow when the plan has none.
func (j *Journal) Title() string {
	p := j.Plan()
	if p.Title != "" {
		return p.Title
	}
	return p.Flow
}

// DoneCount is how many steps are done.
func (j *Journal) DoneCount() int {
	n := 0
	for _, r := range j.Steps() {
		if r.State == StateDone {
			n++
		}
	}
	return n
}

// SameOrg reports whether org is the org the run was started against (a run is never resumed
// or rolled back against another org).
func (j *Journal) SameOrg(org string) bool { return normalizeOrg(org) == normalizeOrg(j.f.Org) }

func normalizeOrg(u string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(u)), "/")
}

// Unfinished reports whether any step is not done (and not rolled back).
func (j *Journal) Unfinished() bool {
	for _, r := range j.Steps() {
		if r.State != StateDone && r.State != StateRolledBack {
			return true
		}
	}
	return false
}

// NothingApplied reports whether no step may have changed the org: none done, none left
// running, no failure whose outcome is unknown. Such a run has nothing to resume or roll back.
func (j *Journal) NothingApplied() bool {
	for _, r := range j.Steps() {
		if r.State == StateDone || r.State == StateRunning || (r.State == StateFailed && r.Uncertain) {
			return false
		}
	}
	return true
}

// Gone reports whether the journal's file was deleted (finished or discarded).
func (j *Journal) Gone() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.gone
}

// Replace swaps in a plan rebuilt after the user fixed an answer. Steps already done (or whose
// outcome is unknown, left running) keep their results and their original request, and are
// not sent again; every other step comes from the new plan. A done step the new plan no longer
// has stays in the journal (first), so a roll back still removes what it created.
func (j *Journal) Replace(plan Plan) error {
	if err := checkPlanIDs(plan); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.gone {
		return errors.New("journal is finished")
	}
	keep := map[string]int{} // step id -> old index
	for i, r := range j.f.Steps {
		if r.State == StateDone || r.State == StateRunning {
			keep[r.StepID] = i
		}
	}
	newIDs := map[string]bool{}
	for _, s := range plan.Steps {
		newIDs[s.ID] = true
	}
	now := time.Now().UTC()
	var steps []Step
	var recs []StepRecord
	for i, r := range j.f.Steps {
		if _, ok := keep[r.StepID]; ok && !newIDs[r.StepID] {
			steps = append(steps, j.f.Plan.Steps[i])
			recs = append(recs, r)
		}
	}
	for _, s := range plan.Steps {
		if i, ok := keep[s.ID]; ok {
			steps = append(steps, j.f.Plan.Steps[i])
			recs = append(recs, j.f.Steps[i])
			continue
		}
		steps = append(steps, s)
		recs = append(recs, StepRecord{StepID: s.ID, State: StatePending, Updated: now})
	}
	old := j.f
	j.f.Plan = plan
	j.f.Plan.Steps = steps
	j.f.Steps = recs
	if err := j.saveLocked(); err != nil {
		j.f = old
		return err
	}
	return nil
}

// update changes records under the lock and writes the journal once.
func (j *Journal) update(change func(recs []StepRecord)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.gone {
		return errors.New("journal is finished")
	}
	change(j.f.Steps)
	return j.saveLocked()
}

// mark records the state of the step at index i.
func (j *Journal) mark(i int, state StepState, objectID string, adopted bool, err error) error {
	return j.update(func(recs []StepRecord) { setRecord(&recs[i], state, objectID, adopted, err) })
}

func setRecord(r *StepRecord, state StepState, objectID string, adopted bool, err error) {
	r.State = state
	r.Updated = time.Now().UTC()
	if objectID != "" {
		r.ObjectID = objectID
	}
	r.Adopted = adopted
	r.Error, r.ErrorCode, r.Uncertain = "", "", false
	if err != nil {
		r.Error, r.ErrorCode = errorText(err)
		r.Uncertain = mayHaveApplied(err)
	}
}

// Finish deletes the journal: a finished run leaves nothing behind.
func (j *Journal) Finish() error { return j.remove() }

// Discard deletes the journal of a run the user chose to forget (neither resume nor roll back).
func (j *Journal) Discard() error { return j.remove() }

func (j *Journal) remove() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.gone {
		return nil
	}
	if err := os.Remove(j.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	j.gone = true
	syncDir(filepath.Dir(j.path))
	return nil
}

func (j *Journal) save() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.saveLocked()
}

// saveLocked writes the journal atomically: temp file, fsync, rename, fsync of the directory.
func (j *Journal) saveLocked() error {
	j.f.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(j.f, "", "  ")
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return writeFileAtomic(j.path, append(b, '\n'), 0o600)
}

// writeFileAtomic replaces path with data so that a crash at any point leaves either the old
// or the new content. The temporary file starts with a dot so readers skip it.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	ok = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename or removal durable; filesystems that cannot sync a directory are
// tolerated (the rename itself is still atomic).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// errorText is what the journal and the screen keep of an error: Okta's code, summary and
// causes; anything that looks like a credential is masked.
func errorText(err error) (text, code string) {
	var oe *okta.Error
	if errors.As(err, &oe) {
		code = oe.ErrorCode
	}
	return RedactSecrets(err.Error()), code
}

// mayHaveApplied reports whether a failed write may still have taken effect: only an answer
// from Okta with a 4xx status proves it did not.
func mayHaveApplied(err error) bool {
	var oe *okta.Error
	if errors.As(err, &oe) && oe.Status >= 400 && oe.Status < 500 {
		return false
	}
	return true
}

// RedactSecrets masks credentials in text (okta.Redact: the product's one redaction).
func RedactSecrets(text string) string { return okta.Redact(text) }
