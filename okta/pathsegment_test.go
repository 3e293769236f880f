package okta

import "testing"

func TestPathSegmentEscapesSeparatorsAndDotSegments(t *testing.T) {
	for in, want := range map[string]string{
		"rst1":             "rst1",
		"..":               "%2E%2E",
		".":                "%2E",
		"../policies/rst1": "..%2Fpolicies%2Frst1",
		"a?b#c%d":          "a%3Fb%23c%25d",
		"a b":              "a%20b",
	} {
		if got := PathSegment(in); got != want {
			t.Errorf("PathSegment(%q) = %q, want %q", in, got, want)
		}
	}
	if got := daPath("../policies/rst1"); got != "/api/v1/device-assurances/..%2Fpolicies%2Frst1" {
		t.Errorf("daPath = %s", got)
	}
}
