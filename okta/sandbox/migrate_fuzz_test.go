package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJSONStateMigration opens any bytes as a state file. It must never panic: either the file
// is refused and left byte for byte as it was (no backup, no temporary file), or it is a
// version 1 state file that is migrated, the store read back holds exactly what the JSON held
// and the backup holds the input. Duplicate or missing ids are refused, not half-migrated.
// Seed corpus: testdata/fuzz/FuzzJSONStateMigration.
func FuzzJSONStateMigration(f *testing.F) {
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		opened := openWrittenState(t, dir, content)
		if opened == nil {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "org.json" && e.Name() != "org.json.lock" {
					t.Fatalf("refusing left %s behind", e.Name())
				}
			}
			return
		}
		defer opened.store.close()
		want, err := decodeState(content)
		if err != nil {
			t.Fatalf("opened a file that does not decode: %v", err)
		}
		if err := sameState(want, opened.st); err != nil {
			t.Fatal(err)
		}
		if bak, err := os.ReadFile(filepath.Join(dir, "org.json-v1.bak")); err != nil || !bytes.Equal(bak, content) {
			t.Fatalf("the backup should hold the JSON file as it was: %v", err)
		}
	})
}
