package sandbox

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
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

func TestTwoServersOnOneStateFileLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.json")
	a := startOrg(t, Options{StatePath: path})
	b := startOrg(t, Options{StatePath: path})
	const each = 25
	var wg sync.WaitGroup
	errs := make(chan string, 4*each)
	for i, o := range []*testOrg{a, b} {
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range each {
					name := fmt.Sprintf("server%d-worker%d-%02d", i, w, n)
					r := o.do("POST", "/api/v1/policies", map[string]any{"type": "ACCESS_POLICY", "name": name})
					if r.status != 200 {
						errs <- fmt.Sprintf("%s: %d %s", name, r.status, r.raw)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	// Each server sees the other's writes without a restart, and a fresh one sees all of them.
	c := startOrg(t, Options{StatePath: path})
	for _, o := range []*testOrg{a, b, c} {
		names := map[string]bool{}
		for _, p := range o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil).list(t) {
			names[p["name"].(string)] = true
		}
		for i := range 2 {
			for w := range 2 {
				for n := range each {
					if name := fmt.Sprintf("server%d-worker%d-%02d", i, w, n); !names[name] {
						t.Fatalf("policy %s lost", name)
					}
				}
			}
		}
		for _, p := range o.must(200, "GET", "/api/v1/policies?type=ACCESS_POLICY", nil).list(t) {
			if strings.HasPrefix(p["name"].(string), "server") {
				rules := o.must(200, "GET", "/api/v1/policies/"+p["id"].(string)+"/rules", nil).list(t)
				if len(rules) != 1 {
					t.Fatalf("policy %v has %d rules", p["name"], len(rules))
				}
			}
		}
	}
}

func TestStateFileRemovedWhileRunningStartsAFreshOrg(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.json")
	o := startOrg(t, Options{StatePath: path})
	id := o.createPolicy("ACCESS_POLICY", "doomed", "")["id"].(string)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	wantError(t, o.do("GET", "/api/v1/policies/"+id, nil), 404, "E0000007", "")
	o.findPolicy("ACCESS_POLICY", "Okta Dashboard")
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
