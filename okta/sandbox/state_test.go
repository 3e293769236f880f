package sandbox

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStatePersistsAcrossNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "org.json")
	o := startOrg(t, Options{StatePath: path, Token: "persist-secret-token"})
	id := o.createPolicy("ACCESS_POLICY", "Survives restarts", "")["id"].(string)
	da := o.must(200, "POST", "/api/v1/device-assurances", map[string]any{"name": "kept", "platform": "IOS", "jailbreak": false}).obj(t)["id"].(string)
	seeded := o.findPolicy("ACCESS_POLICY", "Okta Dashboard")["id"].(string)
	if err := o.srv.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "persist-secret-token") {
		t.Fatal("the API token must never be written to the state file")
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v", fi.Mode().Perm())
	}
	o2 := startOrg(t, Options{StatePath: path, Token: "another"})
	if p := o2.must(200, "GET", "/api/v1/policies/"+id, nil).obj(t); p["name"] != "Survives restarts" {
		t.Fatalf("%v", p)
	}
	o2.must(200, "GET", "/api/v1/device-assurances/"+da, nil)
	if o2.findPolicy("ACCESS_POLICY", "Okta Dashboard")["id"] != seeded {
		t.Fatal("an existing state file is not re-seeded")
	}
	if n := len(o2.must(200, "GET", "/api/v1/logs?filter="+strings.ReplaceAll(`eventType eq "policy.lifecycle.create"`, " ", "%20"), nil).list(t)); n != 1 {
		t.Fatalf("log persisted: %d", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestDamagedOrForeignStateFileIsRefusedAndLeftUntouched(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":   `{"format":"okta-device-wizard-sandbox","version":1,"policies":[{"id":`,
		"foreign":     `{"users":[{"name":"alice"}]}`,
		"not json":    "this is my shopping list\n",
		"new version": `{"format":"okta-device-wizard-sandbox","version":99}`,
		"wrong types": `{"format":"okta-device-wizard-sandbox","version":1,"policies":"many"}`,
		"empty":       ``,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{StatePath: path})
			if err == nil {
				t.Fatal("New must refuse the file")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "left untouched") {
				t.Fatalf("error should name the file and say it was left alone: %v", err)
			}
			after, _ := os.ReadFile(path)
			if string(after) != content {
				t.Fatal("the file was modified")
			}
			fi, _ := os.Stat(path)
			if fi.Mode().Perm() != 0o644 {
				t.Fatal("the file mode was modified")
			}
		})
	}
}

func TestSecondServerOnOneStateFileIsRefusedClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.json")
	a := startOrg(t, Options{StatePath: path})
	id := a.createPolicy("ACCESS_POLICY", "first server's", "")["id"].(string)
	start := time.Now()
	_, err := New(Options{StatePath: path})
	if err == nil {
		t.Fatal("a second server on the same state file must be refused")
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("refusing took %v", took)
	}
	want := fmt.Sprintf("in use by another sandbox (pid %d)", os.Getpid())
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error should name the file and %q: %v", want, err)
	}
	// The first server is unharmed, and once it stops the file opens with its writes.
	a.createPolicy("ACCESS_POLICY", "still writing", "")
	if err := a.srv.Close(); err != nil {
		t.Fatal(err)
	}
	b := startOrg(t, Options{StatePath: path})
	b.must(200, "GET", "/api/v1/policies/"+id, nil)
	if countPolicies(t, b, "still writing") != 1 {
		t.Fatal("a write of the first server was lost")
	}
}

func TestStateFileRemovedWhileRunningRefusesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.json")
	o := startOrg(t, Options{StatePath: path})
	o.createPolicy("ACCESS_POLICY", "kept", "")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	// The write would go to a file nobody can open again: refuse it rather than acknowledge it.
	wantError(t, o.do("POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": "lost"}), 500, "E0000009", "")
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the removed state file was recreated behind the user's back")
	}
}

func TestStateFileReplacedByGarbageIsNotOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	o := startOrg(t, Options{StatePath: path})
	o.createPolicy("ACCESS_POLICY", "x", "")
	if err := os.WriteFile(path+".new", []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	wantError(t, o.do("POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": "y"}), 500, "E0000009", "")
	if b, _ := os.ReadFile(path); string(b) != "not ours" {
		t.Fatalf("foreign content overwritten: %s", b)
	}
}

func TestInMemoryOrgsAreIndependent(t *testing.T) {
	a := startOrg(t, Options{})
	b := startOrg(t, Options{})
	a.createPolicy("ACCESS_POLICY", "only in a", "")
	if countPolicies(t, b, "only in a") != 0 {
		t.Fatal("in-memory orgs share nothing")
	}
}

func TestClosedServerRefusesChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "closed.json")
	srv := newServer(t, Options{StatePath: path, Token: "t"})
	h := srv.Handler()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	req := httptest.NewRequest("POST", "http://sandbox/api/v1/policies", strings.NewReader(`{"type":"ACCESS_POLICY","name":"late"}`))
	req.Header.Set("Authorization", "SSWS t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Fatalf("after Close: %d", rec.Code)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a closed server wrote its state file")
	}
}
