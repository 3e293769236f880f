package flows

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Shadowing returns the rule that makes rule unreachable at position (1-based) among before,
// the policy's other non-catch-all rules in priority order: the first active rule ahead of it
// whose people and device conditions match every sign-in rule matches, and which allows or
// denies. Okta applies the first rule that matches, so rule would never decide anything.
// Unknown conditions on the earlier rule make it narrower as far as we can tell, so a rule is
// only reported when the shadowing is certain.
func Shadowing(before []okta.Rule, rule okta.Rule, position int) (okta.Rule, bool) {
	for i, r := range before {
		if i >= position-1 {
			break
		}
		if r.System || (r.ID != "" && r.ID == rule.ID) {
			continue
		}
		if decides(r) && covers(r.Conditions, rule.Conditions) {
			return r, true
		}
	}
	return okta.Rule{}, false
}

// ShadowWarning says why a rule at that position never matches, or "" when it can.
func ShadowWarning(before []okta.Rule, rule okta.Rule, position int) string {
	r, ok := Shadowing(before, rule, position)
	if !ok {
		return ""
	}
	access := "allows"
	if r.Actions.AppSignOn.Access == AccessDeny {
		access = "denies"
	}
	return fmt.Sprintf("never matches: “%s” comes first and %s the same sign-ins", r.Name, access)
}

// decides: an active rule whose action allows or denies (the first match is final).
func decides(r okta.Rule) bool {
	if r.Status != "" && r.Status != okta.StatusActive {
		return false
	}
	if r.Actions == nil || r.Actions.AppSignOn == nil {
		return false
	}
	return oneOf(r.Actions.AppSignOn.Access, AccessAllow, AccessDeny)
}

// covers reports whether every sign-in matching the conditions b also matches a.
func covers(a, b *okta.RuleConditions) bool {
	if a == nil {
		return true
	}
	if b == nil {
		b = &okta.RuleConditions{}
	}
	if !coversPeople(a.People, b.People) || !coversDevice(a.Device, b.Device) {
		return false
	}
	if a.Network != nil && a.Network.Connection != "" && a.Network.Connection != "ANYWHERE" && !sameJSON(a.Network, b.Network) {
		return false
	}
	if a.Platform != nil && len(a.Platform.Include)+len(a.Platform.Exclude) > 0 && !sameJSON(a.Platform, b.Platform) {
		return false
	}
	return extraCovered(a.Extra, b.Extra)
}

func coversPeople(a, b *okta.PeopleCondition) bool {
	if a == nil {
		return true
	}
	if b == nil {
		b = &okta.PeopleCondition{}
	}
	return coversIDs(a.Groups, b.Groups) && coversIDs(a.Users, b.Users)
}

// coversIDs: a's include list (any of) holds all of b's, and b excludes what a excludes.
func coversIDs(a, b *okta.IncludeExclude) bool {
	if a == nil {
		return true
	}
	if b == nil {
		b = &okta.IncludeExclude{}
	}
	if len(a.Include) > 0 && (len(b.Include) == 0 || !subset(b.Include, a.Include)) {
		return false
	}
	return subset(a.Exclude, b.Exclude)
}

func coversDevice(a, b *okta.DeviceCondition) bool {
	if a == nil {
		return true
	}
	if b == nil {
		b = &okta.DeviceCondition{}
	}
	if a.Registered != nil && (b.Registered == nil || *a.Registered != *b.Registered) {
		return false
	}
	if a.Managed != nil && *a.Managed && (b.Managed == nil || !*b.Managed) {
		return false
	}
	if a.Assurance != nil && len(a.Assurance.Include) > 0 {
		// ORed: a device passing any of b's policies must pass one of a's.
		if b.Assurance == nil || len(b.Assurance.Include) == 0 || !subset(b.Assurance.Include, a.Assurance.Include) {
			return false
		}
	}
	return extraCovered(a.Extra, b.Extra)
}

// extraCovered: a condition the wizard does not model restricts a, unless b has it the same.
func extraCovered(a, b okta.Extra) bool {
	for k, v := range a {
		if string(v) == "null" {
			continue
		}
		if w, ok := b[k]; !ok || !sameJSON(json.RawMessage(v), json.RawMessage(w)) {
			return false
		}
	}
	return true
}

func subset(small, big []string) bool {
	for _, s := range small {
		if !slices.Contains(big, s) {
			return false
		}
	}
	return true
}
