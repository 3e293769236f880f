package simulate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Outcome is what a user meeting a rule gets: access ALLOW or DENY and, when allowed, how many
// factors (1FA, 2FA) and how often to re-authenticate (an ISO-8601 duration such as PT12H).
type Outcome struct {
	Access           string `json:"access"`
	FactorMode       string `json:"factorMode,omitempty"`
	ReauthenticateIn string `json:"reauthenticateIn,omitempty"`
}

// OutcomeOf reads the outcome from a rule's appSignOn action (verificationMethod is kept in
// the action's Extra). A rule without an access says nothing: Access is "".
func OutcomeOf(r okta.Rule) Outcome {
	if r.Actions == nil || r.Actions.AppSignOn == nil {
		return Outcome{}
	}
	out := Outcome{Access: r.Actions.AppSignOn.Access}
	var vm struct {
		FactorMode       string `json:"factorMode"`
		ReauthenticateIn string `json:"reauthenticateIn"`
	}
	if raw, ok := r.Actions.AppSignOn.Extra["verificationMethod"]; ok && json.Unmarshal(raw, &vm) == nil && out.Access != "DENY" {
		out.FactorMode, out.ReauthenticateIn = vm.FactorMode, vm.ReauthenticateIn
	}
	return out
}

// String is the outcome in words: "DENY", "ALLOW with 2FA, re-authenticate every PT12H".
func (o Outcome) String() string {
	if o.Access == "" {
		return "no access decision"
	}
	var parts []string
	if o.FactorMode != "" {
		parts = append(parts, "with "+o.FactorMode)
	}
	if o.ReauthenticateIn != "" {
		parts = append(parts, "re-authenticate every "+o.ReauthenticateIn)
	}
	if len(parts) == 0 {
		return o.Access
	}
	return fmt.Sprintf("%s %s", o.Access, strings.Join(parts, ", "))
}
