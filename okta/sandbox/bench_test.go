package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkListAccessPolicies5000 lists an org at Okta's limit of 5,000 ACCESS_POLICY
// policies in one request, server side (handler, no network).
func BenchmarkListAccessPolicies5000(b *testing.B) {
	srv := seededServer(b, Options{Token: "bench"}, 5000-6, 1)
	h := srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := serveBench(b, h, "GET", "http://sandbox/api/v1/policies?type=ACCESS_POLICY", "")
		_, _ = io.Copy(io.Discard, rec.Body)
	}
}

// BenchmarkListAccessPolicies5000Paged200 pages through the same org 200 at a time.
func BenchmarkListAccessPolicies5000Paged200(b *testing.B) {
	srv := seededServer(b, Options{Token: "bench"}, 5000-6, 1)
	h := srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		next := "http://sandbox/api/v1/policies?type=ACCESS_POLICY&limit=200"
		for next != "" {
			rec := serveBench(b, h, "GET", next, "")
			next = ""
			for _, l := range rec.Header().Values("Link") {
				if strings.HasSuffix(l, `rel="next"`) {
					next = l[1:strings.IndexByte(l, '>')]
				}
			}
		}
	}
}

// BenchmarkCreatePolicyWithStateFile measures a write served by the handler (no network):
// validation and one fsync'd commit of the records it touched, in an org holding 1,000 extra
// policies.
func BenchmarkCreatePolicyWithStateFile(b *testing.B) {
	srv := seededServer(b, Options{Token: "bench", StatePath: b.TempDir() + "/s.json"}, 1000, 1)
	defer srv.Close()
	h := srv.Handler()
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		serveBench(b, h, "POST", "http://sandbox/api/v1/policies", `{"type":"ACCESS_POLICY","name":"bench `+strconv.Itoa(i)+`"}`)
	}
}

// serveBench sends a request with the "bench" token straight to the handler; anything but
// 200 fails the benchmark.
func serveBench(b *testing.B, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	b.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "SSWS bench")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatal(rec.Code, rec.Body.String())
	}
	return rec
}
