package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// memorySnapshot is a deep copy of the server's in-memory org (through JSON, as the store
// keeps it).
func memorySnapshot(t *testing.T, s *Server) *state {
	t.Helper()
	s.mu.RLock()
	b, err := json.Marshal(s.st)
	s.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	st, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestStoreReopenedMatchesMemory changes every collection through the API (creates, replaces,
// lifecycle changes, clones, deletes, mappings, assurances, app assignments, the events they
// log), then reopens the state file: the org read back is the one the server held, object for
// object and in the same order.
func TestStoreReopenedMatchesMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.json")
	o := startOrg(t, Options{StatePath: path})
	app := o.createPolicy("ACCESS_POLICY", "Payroll", "")["id"].(string)
	other := o.createPolicy("ACCESS_POLICY", "Expenses", "?activate=false")["id"].(string)
	doomed := o.createPolicy("ACCESS_POLICY", "Doomed", "")["id"].(string)
	rules := "/api/v1/policies/" + app + "/rules"
	r1 := o.must(200, "POST", rules, accessRule("first", nil)).obj(t)["id"].(string)
	r2 := o.must(200, "POST", rules, accessRule("second", map[string]any{"priority": 1})).obj(t)["id"].(string)
	o.must(200, "PUT", rules+"/"+r1, accessRule("first, renamed", nil))
	o.must(204, "POST", rules+"/"+r2+"/lifecycle/deactivate", nil)
	r3 := o.must(200, "POST", rules, accessRule("third", nil)).obj(t)["id"].(string)
	o.must(204, "DELETE", rules+"/"+r3, nil)
	o.must(200, "PUT", "/api/v1/policies/"+other, map[string]any{"type": "ACCESS_POLICY", "name": "Expenses v2", "description": "edited"})
	o.must(204, "POST", "/api/v1/policies/"+other+"/lifecycle/activate", nil)
	o.must(200, "POST", "/api/v1/policies/"+app+"/clone", nil)
	dsc := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "Signals", "")["id"].(string)
	maps := "/api/v1/policies/" + dsc + "/mappings"
	o.must(200, "POST", maps, map[string]any{"resourceId": other, "resourceType": "ACCESS_POLICY"})
	o.must(204, "DELETE", maps+"/"+other, nil)
	o.must(200, "POST", maps, map[string]any{"resourceId": app, "resourceType": "ACCESS_POLICY"})
	o.must(200, "POST", maps, map[string]any{"resourceId": doomed, "resourceType": "ACCESS_POLICY"})
	o.must(204, "DELETE", "/api/v1/policies/"+doomed, nil) // its mapping goes with it
	da := o.must(200, "POST", "/api/v1/device-assurances", map[string]any{"name": "iOS", "platform": "IOS", "jailbreak": false}).obj(t)["id"].(string)
	o.must(200, "PUT", "/api/v1/device-assurances/"+da, map[string]any{"name": "iOS strict", "platform": "IOS", "jailbreak": false})
	gone := o.must(200, "POST", "/api/v1/device-assurances", map[string]any{"name": "gone", "platform": "IOS", "jailbreak": false}).obj(t)["id"].(string)
	o.must(204, "DELETE", "/api/v1/device-assurances/"+gone, nil)
	apps := o.must(200, "GET", "/api/v1/apps?q=Workday", nil).list(t)
	o.must(204, "PUT", "/api/v1/apps/"+str(apps[0]["id"])+"/policies/"+other, nil)

	mem := memorySnapshot(t, o.srv)
	if err := o.srv.Close(); err != nil {
		t.Fatal(err)
	}
	opened, err := openStateFile(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer opened.store.close()
	if err := sameState(mem, opened.st); err != nil {
		t.Fatal(err)
	}
	for _, c := range collections {
		if c.size(opened.st) == 0 {
			t.Errorf("collection %s is empty: the test does not cover it", c.name)
		}
	}
}

func TestDamagedOrForeignStoreFileIsRefusedAndLeftUntouched(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	srv := newServer(t, Options{StatePath: good})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("users"))
		if err == nil {
			err = b.Put([]byte("alice"), []byte("admin"))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	foreignBytes, _ := os.ReadFile(foreign)

	corrupt := func(off int) []byte {
		b := append([]byte(nil), valid...)
		for i := off; i < off+64 && i < len(b); i++ {
			b[i] ^= 0xff
		}
		return b
	}
	truncated := valid[:len(valid)/2]
	for name, content := range map[string][]byte{
		"foreign bolt database": foreignBytes,
		"both meta pages":       corrupt(4096 + 24)[:4096*2],
		"truncated":             truncated,
		"data pages":            corrupt(4096 * 4),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			if name == "both meta pages" {
				b, _ := os.ReadFile(path)
				for i := 16; i < 80; i++ {
					b[i] ^= 0xff
				}
				os.WriteFile(path, b, 0o644)
			}
			before, _ := os.ReadFile(path)
			srv, err := New(Options{StatePath: path})
			if name == "data pages" && err == nil {
				// A flipped page the org does not use is not noticed; it must still open cleanly.
				srv.Close()
				return
			}
			if err == nil {
				srv.Close()
				t.Fatal("New must refuse the file")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "left untouched") {
				t.Fatalf("error should name the file and say it was left alone: %v", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Fatal("the file was modified")
			}
		})
	}
}

func TestStatePathThatIsNotARegularFileIsRefusedWithoutReading(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", fifo, t.TempDir()} {
		done := make(chan error, 1)
		go func() {
			_, err := New(Options{StatePath: path})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Fatalf("%s: %v", path, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: New read (or waited on) a file that is not a regular file", path)
		}
	}
	if _, err := os.Stat(fifo + ".lock"); err == nil {
		t.Fatal("a lock file was created next to a state path that was refused")
	}
}

func TestJSONStateOverTheLimitIsRefusedWithTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"format":"okta-device-wizard-sandbox","version":1,"policies":[`)
	if err := f.Truncate(maxJSONState + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	_, err = New(Options{StatePath: path})
	if err == nil || !strings.Contains(err.Error(), "256 MB") || !strings.Contains(err.Error(), "left untouched") {
		t.Fatalf("error should give the 256 MB limit: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != maxJSONState+1 {
		t.Fatal("the file was modified")
	}
}

func TestLeftoverTemporaryFilesAreRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "org.json")
	leftovers := []string{".org.json.tmp-123456", ".org.json.tmp-9", ".org.json.migrate-4242"}
	for _, n := range leftovers {
		os.WriteFile(filepath.Join(dir, n), []byte("half a state file"), 0o600)
	}
	unrelated := filepath.Join(dir, ".other.json.tmp-1")
	os.WriteFile(unrelated, []byte("not ours to remove"), 0o600)
	srv := newServer(t, Options{StatePath: path})
	defer srv.Close()
	for _, n := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Fatalf("%s left behind", n)
		}
	}
	if _, err := os.Stat(unrelated); err != nil {
		t.Fatal("a temporary file of another state file was removed")
	}
	if got := strings.Join(srv.Notices(), "\n"); !strings.Contains(got, "removed 3 temporary file(s)") {
		t.Fatalf("notices: %q", got)
	}
}

// v1StateFile writes a version 1 (JSON) state file as the previous store saved it: the seeded
// org plus one policy, rule, mapping and assurance.
func v1StateFile(t *testing.T, path string) (policyID string, raw []byte) {
	t.Helper()
	st := seedState(time.Now())
	policyID = newID("rst")
	st.Policies = append(st.Policies, obj{"id": policyID, "type": typeAccessPolicy, "name": "From version 1", "status": statusActive, "priority": 1, "system": false, "conditions": nil})
	st.Rules[policyID] = []obj{catchAllRule(time.Now())}
	dsc := newID("rst")
	st.Policies = append(st.Policies, obj{"id": dsc, "type": typeDSC, "name": "Signals v1", "status": statusActive, "priority": 1, "system": false, "conditions": nil})
	st.Mappings[dsc] = []string{policyID}
	st.Logs = append(st.Logs, obj{"uuid": "v1-event", "eventType": "policy.lifecycle.create"})
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return policyID, raw
}

func TestJSONV1StateIsMigratedInPlaceKeepingABackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sandbox.json")
	pid, raw := v1StateFile(t, path)
	want, err := decodeState(raw)
	if err != nil {
		t.Fatal(err)
	}
	o := startOrg(t, Options{StatePath: path})
	bak := filepath.Join(dir, "sandbox.json-v1.bak")
	notice := strings.Join(o.srv.Notices(), "\n")
	if !strings.Contains(notice, "migrated "+path) || !strings.Contains(notice, bak) {
		t.Fatalf("the migration should say what it did and where the backup is: %q", notice)
	}
	if b, err := os.ReadFile(bak); err != nil || string(b) != string(raw) {
		t.Fatalf("backup %s should hold the JSON file as it was: %v", bak, err)
	}
	if head, _ := readHead(path, 20); !isBoltFile(head) {
		t.Fatal("the state file was not replaced by the store")
	}
	if err := sameState(want, memorySnapshot(t, o.srv)); err != nil {
		t.Fatalf("the migrated org differs from the JSON file: %v", err)
	}
	o.must(200, "GET", "/api/v1/policies/"+pid, nil)
	o.createPolicy("ACCESS_POLICY", "after migration", "")
	o.srv.Close()

	// Reopened: no second migration, the write made after the migration kept.
	o2 := startOrg(t, Options{StatePath: path})
	if len(o2.srv.Notices()) != 0 {
		t.Fatalf("reopening migrated again: %v", o2.srv.Notices())
	}
	if countPolicies(t, o2, "after migration") != 1 || countPolicies(t, o2, "From version 1") != 1 {
		t.Fatal("policies lost after migration")
	}
}

func TestJSONV1StateWithDuplicateOrMissingIDsIsRefusedUntouched(t *testing.T) {
	for name, content := range map[string]string{
		"duplicate policy ids": `{"format":"okta-device-wizard-sandbox","version":1,"policies":[{"id":"rst1","type":"ACCESS_POLICY","name":"a"},{"id":"rst1","type":"ACCESS_POLICY","name":"b"}]}`,
		"policy without id":    `{"format":"okta-device-wizard-sandbox","version":1,"policies":[{"type":"ACCESS_POLICY","name":"a"}]}`,
		"null policy":          `{"format":"okta-device-wizard-sandbox","version":1,"policies":[null]}`,
		"duplicate rule ids":   `{"format":"okta-device-wizard-sandbox","version":1,"rules":{"rst1":[{"id":"rul1"},{"id":"rul1"}]}}`,
		"event without uuid":   `{"format":"okta-device-wizard-sandbox","version":1,"logs":[{"eventType":"x"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			os.WriteFile(path, []byte(content), 0o644)
			_, err := New(Options{StatePath: path})
			if err == nil || !strings.Contains(err.Error(), "left untouched") {
				t.Fatalf("want a refusal that leaves the file alone: %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Fatal("the file was modified")
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			for _, e := range entries {
				if e.Name() != "state.json" && e.Name() != "state.json.lock" {
					t.Fatalf("refusing left %s behind", e.Name())
				}
			}
		})
	}
}

// TestWritesOfConcurrentClientsAllReachTheStore writes from many clients at once (their
// records share group commits) and reopens: nothing is lost or stale.
func TestWritesOfConcurrentClientsAllReachTheStore(t *testing.T) {
	// The per-write check commits under the lock, which would keep writes from sharing commits.
	verifyStore = false
	defer func() { verifyStore = true }()
	path := filepath.Join(t.TempDir(), "org.json")
	o := startOrg(t, Options{StatePath: path})
	pid := o.createPolicy("ACCESS_POLICY", "shared", "")["id"].(string)
	errs := make(chan string, 64)
	done := make(chan struct{})
	for w := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for n := range 4 {
				r := o.do("POST", "/api/v1/policies/"+pid+"/rules", accessRule(fmt.Sprintf("w%d-%d", w, n), nil))
				if r.status != http.StatusOK {
					errs <- string(r.raw)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	mem := memorySnapshot(t, o.srv)
	o.srv.Close()
	o2 := startOrg(t, Options{StatePath: path})
	if err := sameState(mem, memorySnapshot(t, o2.srv)); err != nil {
		t.Fatal(err)
	}
	if n := len(o2.must(200, "GET", "/api/v1/policies/"+pid+"/rules", nil).list(t)); n != 33 {
		t.Fatalf("%d rules after reopening, want 32 and the catch-all", n)
	}
}
