package sandbox

import (
	"strings"
	"testing"
)

// FuzzParseFilter: a filter expression from a query string (/apps, /logs) compiles or is
// refused with an error, never panics, and a compiled one evaluates any object.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`status eq "ACTIVE"`, `name eq "workday" or (id sw "0oa" and not status eq "INACTIVE")`, `label eq "x"`, `name eq`, `(`, `"`} {
		f.Add(s)
	}
	app := obj{"id": "0oa1", "name": "workday", "status": "ACTIVE"}
	f.Fuzz(func(t *testing.T, s string) {
		match, err := parseFilter(s, appFilterFields, "id, status or name", `"ACTIVE"`)
		if err != nil {
			if match != nil {
				t.Fatal("an error and a filter")
			}
			return
		}
		_ = match(app)
		_ = match(obj{})
	})
}

// FuzzAuthorizationHeader: any header value is judged without panicking, and only one that
// carries the token after SSWS (spaces or none between) is accepted.
func FuzzAuthorizationHeader(f *testing.F) {
	const token = "00abcdefTOKEN"
	for _, s := range []string{"SSWS " + token, "SSWS" + token, "ssws   " + token, "Bearer x", "SSWS", "", " SSWS  " + token + " "} {
		f.Add(s)
	}
	s := newServer(f, Options{Token: token})
	f.Fuzz(func(t *testing.T, h string) {
		if !s.authorized(h) {
			return
		}
		rest := strings.TrimSpace(h)
		if len(rest) < 4 || !strings.EqualFold(rest[:4], "SSWS") || strings.TrimLeft(rest[4:], " ") != token {
			t.Fatalf("accepted %q", h)
		}
	})
}
