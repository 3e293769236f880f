package signin

import (
	"encoding/json"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// TestGrantOfReadsWhatTheRuleGives: access, factors and re-authentication come from the rule's
// actions.appSignOn, as Okta's rules carry them.
func TestGrantOfReadsWhatTheRuleGives(t *testing.T) {
	for _, tc := range []struct {
		name, actions string
		want          grant
	}{
		{"two factors every 12 hours", `{"appSignOn":{"access":"ALLOW","verificationMethod":{"type":"ASSURANCE","factorMode":"2FA","reauthenticateIn":"PT12H","constraints":[]}}}`,
			grant{access: "ALLOW", factors: "two factors", reauth: "every 12 hours"}},
		{"one factor at every sign-in", `{"appSignOn":{"access":"ALLOW","verificationMethod":{"type":"ASSURANCE","factorMode":"1FA","reauthenticateIn":"PT0S"}}}`,
			grant{access: "ALLOW", factors: "one factor", reauth: "at every sign-in"}},
		{"possession constraint, days", `{"appSignOn":{"access":"ALLOW","verificationMethod":{"type":"ASSURANCE","factorMode":"2FA","reauthenticateIn":"P1D","constraints":[{"possession":{"types":[]}}]}}}`,
			grant{access: "ALLOW", factors: "two factors (a possession factor)", reauth: "every 1 day"}},
		{"method chain", `{"appSignOn":{"access":"ALLOW","verificationMethod":{"type":"AUTH_METHOD_CHAIN"}}}`,
			grant{access: "ALLOW", factors: "an authentication method chain"}},
		{"deny says nothing more", `{"appSignOn":{"access":"DENY","verificationMethod":{"factorMode":"2FA","reauthenticateIn":"PT2H"}}}`,
			grant{access: "DENY"}},
		{"no verification method", `{"appSignOn":{"access":"ALLOW"}}`, grant{access: "ALLOW"}},
		{"odd duration kept as written", `{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"1FA","reauthenticateIn":"P1M"}}}`,
			grant{access: "ALLOW", factors: "one factor", reauth: "after P1M"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a okta.RuleActions
			if err := json.Unmarshal([]byte(tc.actions), &a); err != nil {
				t.Fatal(err)
			}
			if got := grantOf(okta.Rule{Actions: &a}); got != tc.want {
				t.Errorf("grantOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}
