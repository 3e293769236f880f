package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzOrg is a sandbox org for FuzzSandboxRequestBodies with the ids of objects to aim at; it
// is replaced now and then so the state the fuzzer fills stays small.
type fuzzOrg struct {
	srv                              *Server
	appPolicy, dscPolicy, rule, daID string
	uses                             int
}

func newFuzzOrg(tb testing.TB) *fuzzOrg {
	o := &fuzzOrg{srv: newServer(tb, Options{Token: "fuzz"})}
	first := func(path, typ string) map[string]any {
		var list []map[string]any
		rec := o.serve("GET", path, "")
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list) == 0 {
			tb.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		for _, x := range list {
			if typ == "" || x["type"] == typ {
				if x["system"] != true {
					return x
				}
			}
		}
		return list[0]
	}
	o.appPolicy = first("/api/v1/policies?type=ACCESS_POLICY", "")["id"].(string)
	o.serve("POST", "/api/v1/policies", `{"type":"DEVICE_SIGNAL_COLLECTION","name":"Fuzz signals"}`)
	o.dscPolicy = first("/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION", "")["id"].(string)
	o.rule = first("/api/v1/policies/"+o.appPolicy+"/rules", "")["id"].(string)
	o.daID = first("/api/v1/device-assurances", "")["id"].(string)
	return o
}

func (o *fuzzOrg) serve(method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://sandbox"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS fuzz")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	o.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// endpoint returns the method and path of endpoint n of those taking a body.
func (o *fuzzOrg) endpoint(n byte) (string, string) {
	switch n % 8 {
	case 0:
		return "POST", "/api/v1/policies"
	case 1:
		return "PUT", "/api/v1/policies/" + o.appPolicy
	case 2:
		return "POST", "/api/v1/policies/" + o.appPolicy + "/rules"
	case 3:
		return "PUT", "/api/v1/policies/" + o.appPolicy + "/rules/" + o.rule
	case 4:
		return "POST", "/api/v1/policies/" + o.dscPolicy + "/mappings"
	case 5:
		return "POST", "/api/v1/device-assurances"
	case 6:
		return "PUT", "/api/v1/device-assurances/" + o.daID
	default:
		return "POST", "/api/v1/policies/" + o.dscPolicy + "/rules"
	}
}

var fuzzBodiesOrg *fuzzOrg

// FuzzSandboxRequestBodies sends any body to every endpoint that decodes one: the answer is a
// 2xx or an Okta error (4xx with errorCode), never a 5xx or a panic.
func FuzzSandboxRequestBodies(f *testing.F) {
	seeds := []string{
		`{"type":"ACCESS_POLICY","name":"P"}`,
		`{"type":"DEVICE_SIGNAL_COLLECTION","name":"D","conditions":null}`,
		`{"type":"ACCESS_POLICY","name":"R","priority":-1,"conditions":{"device":{"registered":true,"managed":true,"assurance":{"include":["x"]}}},"actions":{"appSignOn":{"access":"ALLOW"}}}`,
		`{"resourceType":"ACCESS_POLICY","resourceId":"rst1"}`,
		`{"name":"A","platform":"IOS","osVersion":{"minimum":"17.0"},"gracePeriod":{"type":"BY_DURATION","expiry":"P15250W106755D"}}`,
		`{"name":"W","platform":"WINDOWS","osVersionConstraints":[{"majorVersionConstraint":"WINDOWS_11","dynamicVersionRequirement":{"type":"EXACT","distanceFromLatestMajor":1e300}}]}`,
		`{"name":"a\u0000b","platform":"ANDROID","gracePeriod":{"type":"BY_DATE_TIME","expiry":{"value":"2020-01-01T00:00:00Z"}}}`,
		`[1,2,3]`, `null`, `"x"`, `{"name":{"x":1}}`,
	}
	for i, s := range seeds {
		f.Add(byte(i), s)
	}
	f.Fuzz(func(t *testing.T, endpoint byte, body string) {
		if fuzzBodiesOrg == nil || fuzzBodiesOrg.uses > 2000 {
			fuzzBodiesOrg = newFuzzOrg(t)
		}
		o := fuzzBodiesOrg
		o.uses++
		method, path := o.endpoint(endpoint)
		rec := o.serve(method, path, body)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["errorCode"] == nil {
				t.Fatalf("%s %s %q: %d without an Okta error body: %s", method, path, body, rec.Code, rec.Body)
			}
		} else if rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: %d with a body that is not JSON: %s", method, path, body, rec.Code, rec.Body)
		}
	})
}
