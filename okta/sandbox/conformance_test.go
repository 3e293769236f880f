package sandbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// cassette is a VCR recording of real Okta traffic.
type cassette struct {
	Interactions []struct {
		Request struct {
			Body   *string `yaml:"body"`
			Method string  `yaml:"method"`
			URI    string  `yaml:"uri"`
		} `yaml:"request"`
		Response struct {
			Body struct {
				String string `yaml:"string"`
			} `yaml:"body"`
			Status struct {
				Code int `yaml:"code"`
			} `yaml:"status"`
		} `yaml:"response"`
	} `yaml:"interactions"`
}

// findReference walks up from the working directory to shared/okta-reference/recorded.
func findReference(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "okta-reference", "recorded")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/okta-reference/recorded not found above the working directory; conformance replay skipped")
		}
		dir = parent
	}
}

// servedPath reports whether the sandbox serves the recorded request's endpoint.
func servedPath(p string) bool {
	switch {
	case strings.HasPrefix(p, "/api/v1/device-assurances"), strings.HasPrefix(p, "/api/v1/apps"):
		return true
	case p == "/api/v1/policies":
		return true
	case strings.HasPrefix(p, "/api/v1/policies/"):
		segs := strings.Split(strings.TrimPrefix(p, "/api/v1/policies/"), "/")
		return len(segs) == 1 || segs[1] == "rules" || segs[1] == "mappings" || segs[1] == "lifecycle" || segs[1] == "clone" || segs[1] == "app"
	}
	return false
}

// Interactions not replayed, with why.
var skippedInteractions = map[string]string{
	// After four identical 400s the recording ends with a 404 {"status":404,"message":...}: a
	// body no Okta endpoint documents (not an Okta error object); an artifact of that org.
	"TestDeviceAssuranceResource.test_create_chromeos_device_assurance_policy.yaml#4": "undocumented 404 artifact",
}

// Keys a real org sends that the sandbox deliberately leaves out (none so far) and keys the
// sandbox sends that the recording lacks.
var (
	ignoredRecordedKeys = map[string]bool{}
	ignoredSandboxKeys  = map[string]bool{}
)

// readOnlyKeys are dropped when a request body is rebuilt from the recorded response.
var readOnlyKeys = []string{"id", "created", "lastUpdated", "_links", "createdDate", "createdBy", "lastUpdate",
	"lastUpdatedBy", "resourceType", "resourceDisplayName", "resourceId"}

func TestConformanceWithRecordings(t *testing.T) {
	root := findReference(t)
	var files []string
	for _, pattern := range []string{"test_device_assurance_it/*.yaml", "test_policies_it/*.yaml", "test_application_policies_it/*.yaml"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no recordings found under " + root)
	}
	replayed := 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			replayed += replayCassette(t, f, name)
		})
	}
	if replayed < 50 {
		t.Fatalf("only %d interactions replayed; the recordings or the filter changed", replayed)
	}
}

func replayCassette(t *testing.T, file, name string) int {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c cassette
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	srv := sandboxtest.StartServer(t, sandboxtest.Token("conformance"))
	hc := &http.Client{Timeout: 10 * time.Second}
	ids := map[string]string{} // recorded id -> sandbox id
	replayed := 0
	for i, in := range c.Interactions {
		key := fmt.Sprintf("%s#%d", name, i)
		if skippedInteractions[key] != "" {
			continue
		}
		u, err := url.Parse(in.Request.URI)
		if err != nil {
			t.Fatal(err)
		}
		if !servedPath(u.Path) {
			continue
		}
		var body string
		if in.Request.Body != nil {
			body = *in.Request.Body
		} else if in.Request.Method == "POST" || in.Request.Method == "PUT" {
			body = bodyFromResponse(t, in.Response.Body.String)
		}
		target := srv.URL() + u.RequestURI()
		for rec, ours := range ids {
			target = strings.ReplaceAll(target, rec, ours)
			body = strings.ReplaceAll(body, rec, ours)
		}
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(in.Request.Method, target, rd)
		req.Header.Set("Authorization", "SSWS conformance")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", in.Request.Method, target, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		replayed++
		where := fmt.Sprintf("interaction %d: %s %s", i, in.Request.Method, u.Path)
		if resp.StatusCode != in.Response.Status.Code {
			t.Errorf("%s: status %d, recorded %d\nsandbox: %s\nrecorded: %s", where, resp.StatusCode, in.Response.Status.Code, got, in.Response.Body.String)
			continue
		}
		for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", "Date", "X-Okta-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: header %s missing", where, h)
			}
		}
		recBody := strings.TrimSpace(in.Response.Body.String)
		if recBody == "" {
			if len(bytes.TrimSpace(got)) != 0 {
				t.Errorf("%s: recorded no body, sandbox sent %s", where, got)
			}
			continue
		}
		rec, ours := decodeJSON(t, []byte(recBody)), decodeJSON(t, got)
		for _, diff := range compareShapes(rec, ours, "$", ids) {
			t.Errorf("%s: %s\nsandbox: %s\nrecorded: %s", where, diff, got, recBody)
		}
		learnIDs(rec, ours, ids)
	}
	return replayed
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return v
}

// bodyFromResponse rebuilds a request body the recording left out from the object the real
// org answered, without its read-only members.
func bodyFromResponse(t *testing.T, resp string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(resp), &m); err != nil {
		return ""
	}
	for _, k := range readOnlyKeys {
		delete(m, k)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func learnIDs(rec, ours any, ids map[string]string) {
	// Lists: objects the seeded sandbox also has (the default policies, by type and name)
	// stand for the recorded ones, so later requests naming them reach ours.
	if rl, ok := rec.([]any); ok {
		ol, _ := ours.([]any)
		for _, re := range rl {
			rm, _ := re.(map[string]any)
			for _, oe := range ol {
				om, _ := oe.(map[string]any)
				if rm != nil && om != nil && rm["name"] != nil && rm["name"] == om["name"] && rm["type"] == om["type"] {
					learnIDs(rm, om, ids)
				}
			}
		}
		return
	}
	r, ok1 := rec.(map[string]any)
	o, ok2 := ours.(map[string]any)
	if !ok1 || !ok2 {
		return
	}
	rid, _ := r["id"].(string)
	oid, _ := o["id"].(string)
	if rid != "" && oid != "" && rid != oid {
		ids[rid] = oid
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// compareShapes lists where ours differs from rec in keys or JSON value types.
func compareShapes(rec, ours any, at string, ids map[string]string) []string {
	if jsonType(rec) != jsonType(ours) {
		return []string{fmt.Sprintf("%s: %s in the sandbox, %s recorded", at, jsonType(ours), jsonType(rec))}
	}
	var diffs []string
	switch r := rec.(type) {
	case map[string]any:
		o := ours.(map[string]any)
		keys := map[string]bool{}
		for k := range r {
			keys[k] = true
		}
		for k := range o {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			rv, inRec := r[k]
			ov, inOurs := o[k]
			switch {
			case inRec && !inOurs:
				if !ignoredRecordedKeys[k] {
					diffs = append(diffs, fmt.Sprintf("%s.%s: missing in the sandbox", at, k))
				}
			case !inRec && inOurs:
				if !ignoredSandboxKeys[k] {
					diffs = append(diffs, fmt.Sprintf("%s.%s: sent by the sandbox, not recorded", at, k))
				}
			default:
				diffs = append(diffs, compareShapes(rv, ov, at+"."+k, ids)...)
			}
		}
	case []any:
		o := ours.([]any)
		// Lists of objects with ids: compare the objects the replay created (others differ
		// between a seeded sandbox and the recorded org). Lists of values: compare by index.
		matched := false
		for _, re := range r {
			rm, ok := re.(map[string]any)
			if !ok {
				continue
			}
			want, ok := ids[fmt.Sprint(rm["id"])]
			if !ok {
				continue
			}
			for _, oe := range o {
				if om, ok := oe.(map[string]any); ok && om["id"] == want {
					diffs = append(diffs, compareShapes(re, oe, at+"[id="+want+"]", ids)...)
					matched = true
				}
			}
			if !matched {
				diffs = append(diffs, fmt.Sprintf("%s: object %s missing from the sandbox list", at, want))
			}
		}
		if !matched && len(r) > 0 && len(o) > 0 {
			if _, isObj := r[0].(map[string]any); !isObj {
				for i := 0; i < len(r) && i < len(o); i++ {
					diffs = append(diffs, compareShapes(r[i], o[i], fmt.Sprintf("%s[%d]", at, i), ids)...)
				}
			} else if len(r) > 0 && len(o) > 0 {
				// Same kind of object: compare key sets of the first elements.
				diffs = append(diffs, compareKeys(r[0].(map[string]any), o[0], at+"[0]")...)
			}
		}
	}
	return diffs
}

func compareKeys(rec map[string]any, ours any, at string) []string {
	o, ok := ours.(map[string]any)
	if !ok {
		return []string{at + ": not an object in the sandbox"}
	}
	var diffs []string
	for k := range rec {
		if _, ok := o[k]; !ok && !ignoredRecordedKeys[k] && k != "description" {
			diffs = append(diffs, fmt.Sprintf("%s.%s: missing in the sandbox", at, k))
		}
	}
	return diffs
}

// The shape comparison must catch what it is there to catch.
func TestCompareShapesFindsDifferences(t *testing.T) {
	j := func(s string) any { return decodeJSON(t, []byte(s)) }
	ids := map[string]string{"rec1": "our1"}
	for _, c := range []struct {
		rec, ours string
		diffs     int
	}{
		{`{"a":1,"b":"x"}`, `{"a":2,"b":"y"}`, 0},
		{`{"a":1}`, `{"a":"1"}`, 1},
		{`{"a":1,"b":2}`, `{"a":1}`, 1},
		{`{"a":1}`, `{"a":1,"c":3}`, 1},
		{`{"a":null}`, `{"a":{}}`, 1},
		{`{"l":[{"id":"rec1","k":1}]}`, `{"l":[{"id":"other"},{"id":"our1","k":true}]}`, 1},
		{`{"l":[{"id":"rec1"}]}`, `{"l":[{"id":"other"}]}`, 1},
		{`["a","b"]`, `["c",1]`, 1},
		{`{"o":{"deep":{"x":[1]}}}`, `{"o":{"deep":{"x":["1"]}}}`, 1},
	} {
		if got := compareShapes(j(c.rec), j(c.ours), "$", ids); len(got) != c.diffs {
			t.Fatalf("%s vs %s: %v, want %d differences", c.rec, c.ours, got, c.diffs)
		}
	}
}
