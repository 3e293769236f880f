package flows

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The -update flag rewrites the golden files in testdata/ instead of comparing
// (go test ./flows/ -update). Another test file of the package may define it too; then it is
// shared rather than defined twice.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files in testdata/")
	}
	return true
}()

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenStep is how a plan step is written to a golden file: everything a reviewer needs to
// check the request.
type goldenStep struct {
	ID        string          `json:"id"`
	Stage     int             `json:"stage"`
	Title     string          `json:"title"`
	Method    string          `json:"method"`
	Path      string          `json:"path"`
	DependsOn []string        `json:"dependsOn,omitempty"`
	Body      json.RawMessage `json:"body,omitempty"`
}

type goldenPlan struct {
	Flow  string       `json:"flow"`
	Title string       `json:"title"`
	Steps []goldenStep `json:"steps"`
}

func planGolden(t *testing.T, p Plan) []byte {
	t.Helper()
	// What the wizard sends must pass the checks apply makes on plan files. Due dates were
	// checked against the drafts' own present; any earlier present will do here.
	if err := CheckPlan(p, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("the wizard's plan fails CheckPlan: %v", err)
	}
	g := goldenPlan{Flow: p.Flow, Title: p.Title}
	for _, s := range p.Steps {
		body, err := s.BodyJSON()
		if err != nil {
			t.Fatalf("step %s body: %v", s.ID, err)
		}
		g.Steps = append(g.Steps, goldenStep{s.ID, s.Stage, s.Title, s.Method(), s.Path(), s.DependsOn, body})
	}
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// checkGolden compares got with testdata/name, or writes it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s missing (run go test ./flows/ -update): %v", path, err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended):\n%s",
			path, DiffText(DiffJSON(json.RawMessage(want), json.RawMessage(got))))
	}
}
