package simulate

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// signIn is a policy context resolved against the org.
type signIn struct {
	userID   string
	groups   []string // nil = neither user nor groups given
	device   okta.SimDevice
	zones    []string
	risk     string
	hasUser  bool
	hasGroup bool
}

func newSignIn(org Org, pc okta.PolicyContext) (signIn, error) {
	var s signIn
	if pc.User != nil && pc.User.ID != "" {
		gs, ok := org.UserGroups[pc.User.ID]
		if !ok {
			return s, &NotFoundError{Kind: "User", ID: pc.User.ID}
		}
		s.userID, s.hasUser, s.hasGroup = pc.User.ID, true, true
		s.groups = append(s.groups, gs...)
	}
	if pc.Groups != nil {
		s.hasGroup = true
		s.groups = append(s.groups, pc.Groups.IDs...)
	}
	if s.hasGroup && org.EveryoneGroupID != "" && !slices.Contains(s.groups, org.EveryoneGroupID) {
		s.groups = append(s.groups, org.EveryoneGroupID)
	}
	if pc.Device != nil {
		s.device = *pc.Device
	}
	if pc.Zones != nil {
		s.zones = pc.Zones.IDs
	}
	if pc.Risk != nil {
		s.risk = pc.Risk.Level
	}
	return s, nil
}

func status(match bool) string {
	if match {
		return okta.SimMatch
	}
	return okta.SimNotMatch
}

func intersects(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}

// ruleConditions evaluates each condition r sets, in a fixed order.
func ruleConditions(r okta.Rule, s signIn) []okta.SimCondition {
	out := []okta.SimCondition{}
	add := func(typ, st string) { out = append(out, okta.SimCondition{Type: typ, Status: st}) }
	c := r.Conditions
	if c == nil {
		return out
	}
	if p := c.People; p != nil {
		if g := p.Groups; g != nil {
			if len(g.Include) > 0 {
				add("people.groups.include", s.groupStatus(func() bool { return intersects(s.groups, g.Include) }))
			}
			if len(g.Exclude) > 0 {
				add("people.groups.exclude", s.groupStatus(func() bool { return !intersects(s.groups, g.Exclude) }))
			}
		}
		if u := p.Users; u != nil {
			if len(u.Include) > 0 {
				add("people.users.include", s.userStatus(func() bool { return slices.Contains(u.Include, s.userID) }))
			}
			if len(u.Exclude) > 0 {
				add("people.users.exclude", s.userStatus(func() bool { return !slices.Contains(u.Exclude, s.userID) }))
			}
		}
	}
	if d := c.Device; d != nil {
		if d.Registered != nil {
			add("device.registered", boolStatus(s.device.Registered, *d.Registered))
		}
		if d.Managed != nil {
			add("device.managed", boolStatus(s.device.Managed, *d.Managed))
		}
		if d.Assurance != nil && len(d.Assurance.Include) > 0 {
			st := okta.SimUndefined
			if s.device.AssuranceID != "" {
				st = status(slices.Contains(d.Assurance.Include, s.device.AssuranceID))
			}
			add("device.assurance.include", st)
		}
	}
	if pl := c.Platform; pl != nil {
		if len(pl.Include) > 0 {
			add("platform.include", s.platformStatus(func() bool { return platformIn(pl.Include, s.device.Platform) }))
		}
		if len(pl.Exclude) > 0 {
			add("platform.exclude", s.platformStatus(func() bool { return !platformIn(pl.Exclude, s.device.Platform) }))
		}
	}
	if n := c.Network; n != nil && n.Connection == "ZONE" {
		if len(n.Include) > 0 {
			add("network.zones.include", s.zoneStatus(func() bool { return zoneIn(n.Include, s.zones) }))
		}
		if len(n.Exclude) > 0 {
			add("network.zones.exclude", s.zoneStatus(func() bool { return !zoneIn(n.Exclude, s.zones) }))
		}
	}
	if level := riskLevel(c); level != "" && level != "ANY" {
		st := okta.SimUndefined
		if s.risk != "" {
			st = status(strings.EqualFold(s.risk, level))
		}
		add("riskScore", st)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Extra)) {
		if k == "riskScore" || string(c.Extra[k]) == "null" {
			continue
		}
		add(k, okta.SimUndefined) // a condition the simulation does not model
	}
	return out
}

func (s signIn) groupStatus(match func() bool) string {
	if !s.hasGroup {
		return okta.SimUndefined
	}
	return status(match())
}

func (s signIn) userStatus(match func() bool) string {
	if !s.hasUser {
		return okta.SimUndefined
	}
	return status(match())
}

func (s signIn) platformStatus(match func() bool) string {
	if s.device.Platform == "" {
		return okta.SimUndefined
	}
	return status(match())
}

func (s signIn) zoneStatus(match func() bool) string {
	if len(s.zones) == 0 {
		return okta.SimUndefined
	}
	return status(match())
}

func boolStatus(have *bool, want bool) string {
	if have == nil {
		return okta.SimUndefined
	}
	return status(*have == want)
}

// platformOS maps a context platform (device assurance names, or the rule's OS names) to the
// rule condition's device type and OS type.
func platformOS(platform string) (deviceType, os string) {
	switch strings.ToUpper(platform) {
	case "IOS":
		return "MOBILE", "IOS"
	case "ANDROID":
		return "MOBILE", "ANDROID"
	case "MACOS", "OSX":
		return "DESKTOP", "OSX"
	case "WINDOWS":
		return "DESKTOP", "WINDOWS"
	case "CHROMEOS":
		return "DESKTOP", "CHROMEOS"
	}
	return "", "OTHER"
}

func platformIn(entries []okta.PlatformEntry, platform string) bool {
	deviceType, os := platformOS(platform)
	for _, e := range entries {
		if e.Type != "" && e.Type != "ANY" && e.Type != deviceType {
			continue
		}
		if e.OS == nil || e.OS.Type == "" || e.OS.Type == "ANY" || e.OS.Type == os {
			return true
		}
	}
	return false
}

func zoneIn(list, zones []string) bool {
	return slices.Contains(list, "ALL_ZONES") || intersects(list, zones)
}

// riskLevel reads riskScore.level; RuleConditions keeps riskScore in Extra.
func riskLevel(c *okta.RuleConditions) string {
	var rs struct {
		Level string `json:"level"`
	}
	if raw, ok := c.Extra["riskScore"]; !ok || json.Unmarshal(raw, &rs) != nil {
		return ""
	}
	return rs.Level
}
