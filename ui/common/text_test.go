package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWrapAtBreaksAtSpacesKeepingIndentAndFlags(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Save these requests as a plan file? Apply it later with okta-device-wizard apply --file PATH.",
			"Save these requests as a plan file? Apply it later with okta-device-wizard apply\n--file PATH."},
		{"  stage 1: an app sign-in policy named “Okta Dashboard” exists: pick it from the list or choose another name",
			"  stage 1: an app sign-in policy named “Okta Dashboard” exists: pick it from the\n  list or choose another name"},
		{"short\n\nkept", "short\n\nkept"},
	}
	for _, tc := range cases {
		got := WrapAt(tc.in, 80)
		if got != tc.want {
			t.Errorf("WrapAt(%q) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
		for _, l := range strings.Split(got, "\n") {
			if ansi.StringWidth(l) > 80 {
				t.Errorf("line %q is wider than 80", l)
			}
		}
	}
	if got := WrapAt(strings.Repeat("x", 25), 10); got != "xxxxxxxxxx\nxxxxxxxxxx\nxxxxx" {
		t.Errorf("a long word is not cut: %q", got)
	}
}
