package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func renderRule(r obj, base, policyID string) obj {
	out := copyObj(r)
	self := base + "/api/v1/policies/" + policyID + "/rules/" + str(r["id"])
	links := obj{"self": selfLink(self, r)}
	addStatusLink(links, self, r)
	out["_links"] = links
	return out
}

func ruleIndex(rules []obj, id string) int {
	return slices.IndexFunc(rules, func(r obj) bool { return str(r["id"]) == id })
}

// policyRule looks up a policy and the index of one of its rules; miss is the 404 to answer
// when either does not exist.
func (st *state) policyRule(policyID, ruleID string) (p obj, i int, miss *response) {
	p = st.policy(policyID)
	if p == nil {
		// A rule of a deleted policy is not found as a rule (recorded: "... (PolicyRule)").
		e := ruleNotFound(ruleID)
		return nil, -1, &e
	}
	i = ruleIndex(st.Rules[policyID], ruleID)
	if i < 0 {
		e := ruleNotFound(ruleID)
		return nil, -1, &e
	}
	return p, i, nil
}

// placeRule inserts r among the policy's ordinary rules at its priority (1-based; absent or
// too large = last), shifts the others and renumbers them 1..n. System rules (the catch-all)
// keep their priority and stay last.
func placeRule(rules []obj, r obj) []obj {
	var normal, system []obj
	for _, x := range rules {
		if x["system"] == true {
			system = append(system, x)
		} else {
			normal = append(normal, x)
		}
	}
	pos := len(normal)
	if p, ok := intOf(r["priority"]); ok && p >= 1 && p-1 < len(normal) {
		pos = p - 1
	} else if ok && p < 1 {
		pos = 0
	}
	normal = slices.Insert(normal, pos, r)
	for i, x := range normal {
		x["priority"] = i + 1
	}
	return append(normal, system...)
}

func (s *Server) listRules(c *call, policyID string) (response, error) {
	return s.listUnderPolicy(policyID, func(st *state) []obj {
		out := []obj{}
		for _, r := range st.Rules[policyID] {
			out = append(out, renderRule(r, c.base, policyID))
		}
		return out
	})
}

func (s *Server) getRule(c *call, policyID, ruleID string) (response, error) {
	return s.answer(func(st *state) response {
		_, i, miss := st.policyRule(policyID, ruleID)
		if miss != nil {
			return *miss
		}
		return jsonResp(http.StatusOK, renderRule(st.Rules[policyID][i], c.base, policyID))
	})
}

var readOnlyRuleKeys = []string{"id", "created", "lastUpdated", "_links", "system"}

// validateRuleBody checks a rule for policy p; existing is nil on create.
func validateRuleBody(st *state, p obj, o obj, existing obj) *response {
	want := policyTypes[str(p["type"])]
	t, _ := o["type"].(string)
	if t == "" {
		o["type"] = want
	} else if t != want {
		e := validationErr("type", fmt.Sprintf("The rule type must be %s for a %s policy.", want, str(p["type"])))
		return &e
	}
	if existing == nil || existing["system"] != true {
		if e := validateName(o, "name"); e != nil {
			return e
		}
	}
	if v := o["status"]; v != nil && v != statusActive && v != statusInactive {
		e := validationErr("status", "The status must be ACTIVE or INACTIVE.")
		return &e
	}
	if v, ok := o["priority"]; ok && v != nil {
		if _, ok := intOf(v); !ok {
			e := validationErr("priority", "The priority must be a number.")
			return &e
		}
		// 0 is taken as "no priority" (the rule goes last), as clients that always send the
		// member do; a negative position is refused.
		if n, _ := intOf(v); n < 0 {
			e := validationErr("priority", fmt.Sprintf("The priority must be 1 or more (1 is the first rule); got %d.", n))
			return &e
		}
	}
	if name, ok := o["name"].(string); ok {
		for _, r := range st.Rules[str(p["id"])] {
			if str(r["name"]) == name && (existing == nil || str(r["id"]) != str(existing["id"])) {
				e := validationErr("name", "A rule with this name already exists in the policy.")
				return &e
			}
		}
	}
	for _, k := range []string{"conditions", "actions"} {
		if v, ok := o[k]; ok && v != nil {
			if _, isObj := v.(map[string]any); !isObj {
				e := validationErr(k, "The value must be an object.")
				return &e
			}
		}
	}
	switch want {
	case typeAccessPolicy:
		return validateAccessRule(st, o)
	case typeDSC:
		return validateDSCRule(st, o)
	}
	return nil
}

func (s *Server) createRule(c *call, policyID string) (response, error) {
	body, status, bad := c.createRequest()
	if bad != nil {
		return *bad, nil
	}
	return s.change(func(st *state) (response, bool) {
		p := st.policy(policyID)
		if p == nil {
			return policyNotFound(policyID), false
		}
		if e := validateRuleBody(st, p, body, nil); e != nil {
			return *e, false
		}
		if n := len(st.Rules[policyID]); n >= 100 {
			return validationErr("policy", "A policy can have at most 100 rules."), false
		}
		r := newPolicyObject(body, readOnlyRuleKeys, newID("rul"), status, c)
		fillAccessRuleDefaults(p, r)
		st.Rules[policyID] = placeRule(st.Rules[policyID], r)
		st.touch(colRules, policyID)
		s.event(st, c, "policy.rule.add", "Add policy rule", ruleTarget(r), policyTarget(p))
		if r["status"] == statusActive {
			s.statusEvent(st, c, ruleEvents, true, ruleTarget(r), policyTarget(p))
		}
		return jsonResp(http.StatusOK, renderRule(r, c.base, policyID)), true
	})
}

func (s *Server) replaceRule(c *call, policyID, ruleID string) (response, error) {
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	return s.change(func(st *state) (response, bool) {
		p, i, miss := st.policyRule(policyID, ruleID)
		if miss != nil {
			return *miss, false
		}
		rules := st.Rules[policyID]
		old := rules[i]
		if e := validateRuleBody(st, p, body, old); e != nil {
			return *e, false
		}
		r := replacedPolicyObject(body, old, readOnlyRuleKeys, c)
		fillAccessRuleDefaults(p, r)
		rest := slices.Delete(slices.Clone(rules), i, i+1)
		if old["system"] == true {
			// The catch-all keeps its name and place; only its actions are editable.
			r["name"] = old["name"]
			r["priority"] = old["priority"]
			rest = slices.Insert(rest, i, r)
		} else {
			if _, ok := intOf(r["priority"]); !ok {
				r["priority"] = old["priority"]
			}
			rest = placeRule(rest, r)
		}
		st.Rules[policyID] = rest
		st.touch(colRules, policyID)
		s.event(st, c, "policy.rule.update", "Update policy rule", ruleTarget(r), policyTarget(p))
		noteChanges(st, old, r)
		if r["status"] != old["status"] {
			s.statusEvent(st, c, ruleEvents, r["status"] == statusActive, ruleTarget(r), policyTarget(p))
		}
		return jsonResp(http.StatusOK, renderRule(r, c.base, policyID)), true
	})
}

func (s *Server) deleteRule(c *call, policyID, ruleID string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		p, i, miss := st.policyRule(policyID, ruleID)
		if miss != nil {
			return *miss, false
		}
		rules := st.Rules[policyID]
		r := rules[i]
		if r["system"] == true {
			return errResp(http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action",
				"Cannot delete the default rule."), false
		}
		rest := slices.Delete(slices.Clone(rules), i, i+1)
		n := 1
		for _, x := range rest {
			if x["system"] != true {
				x["priority"] = n
				n++
			}
		}
		st.Rules[policyID] = rest
		st.touch(colRules, policyID)
		s.event(st, c, "policy.rule.delete", "Delete policy rule", ruleTarget(r), policyTarget(p))
		return noContent(), true
	})
}

func (s *Server) ruleLifecycle(c *call, policyID, ruleID string, activate bool) (response, error) {
	return s.change(func(st *state) (response, bool) {
		p, i, miss := st.policyRule(policyID, ruleID)
		if miss != nil {
			return *miss, false
		}
		r := st.Rules[policyID][i]
		if !activate && r["system"] == true {
			return validationErr("status", "The default rule cannot be deactivated."), false
		}
		st.touch(colRules, policyID)
		return noContent(), s.setStatus(st, c, r, activate, ruleEvents, ruleTarget(r), policyTarget(p))
	})
}

func ruleTarget(r obj) logTarget {
	return logTarget{ID: str(r["id"]), Type: "PolicyRule", DisplayName: str(r["name"])}
}

// --- rule content validation ---

func path(parts ...any) string {
	s := ""
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			if s != "" {
				s += "."
			}
			s += v
		case int:
			s += "[" + strconv.Itoa(v) + "]"
		}
	}
	return s
}

func objAt(o obj, keys ...string) (obj, bool) {
	cur := o
	for _, k := range keys {
		v, ok := cur[k]
		if !ok || v == nil {
			return nil, false
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false
		}
		cur = m
	}
	return cur, true
}

// stringList reads a JSON array of strings; ok is false for anything else (e.g. a string).
func stringList(v any) ([]string, bool) {
	a, isArr := v.([]any)
	if !isArr {
		return nil, false
	}
	out := make([]string, 0, len(a))
	for _, e := range a {
		s, isString := e.(string)
		if !isString {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func bad(field, msg string) *response {
	e := validationErr(field, msg)
	return &e
}

func validateAccessRule(st *state, o obj) *response {
	if dev, ok := objAt(o, "conditions", "device"); ok {
		if v, has := dev["managed"]; has && v != nil {
			if _, isBool := v.(bool); !isBool {
				return bad("conditions.device.managed", "The value must be true or false.")
			}
			if dev["registered"] != true {
				return bad("conditions.device.registered", "Devices must be registered (registered: true) to use the managed condition.")
			}
		}
		if v, has := dev["registered"]; has && v != nil {
			if _, isBool := v.(bool); !isBool {
				return bad("conditions.device.registered", "The value must be true or false.")
			}
		}
		if v, has := dev["assurance"]; has && v != nil {
			as, isObj := v.(map[string]any)
			if !isObj {
				return bad("conditions.device.assurance", "The value must be an object with an include array.")
			}
			ids, isList := stringList(as["include"])
			if !isList {
				return bad("conditions.device.assurance.include", "The value must be an array of device assurance policy ids.")
			}
			for _, id := range ids {
				if st.deviceAssurance(id) == nil {
					return bad("conditions.device.assurance.include", fmt.Sprintf("Device assurance policy %s does not exist.", id))
				}
			}
		}
	}
	if people, ok := objAt(o, "conditions", "people"); ok {
		if groups, ok := objAt(people, "groups"); ok {
			for _, k := range []string{"include", "exclude"} {
				if v, has := groups[k]; has && v != nil {
					ids, isList := stringList(v)
					if !isList {
						return bad(path("conditions.people.groups", k), "The value must be an array of group ids.")
					}
					for _, id := range ids {
						if findByID(st.Groups, id) == nil {
							return bad(path("conditions.people.groups", k), fmt.Sprintf("Group %s does not exist.", id))
						}
					}
				}
			}
		}
	}
	if e := validateNetworkAndPlatform(st, o); e != nil {
		return e
	}
	if sign, ok := objAt(o, "actions", "appSignOn"); ok {
		if v := sign["access"]; v != nil && v != "ALLOW" && v != "DENY" {
			return bad("actions.appSignOn.access", "The value must be ALLOW or DENY.")
		}
	}
	return nil
}

// validateNetworkAndPlatform checks the conditions both rule types share.
func validateNetworkAndPlatform(st *state, o obj) *response {
	cond, _ := o["conditions"].(map[string]any)
	for _, k := range []string{"network", "platform"} {
		if v, has := cond[k]; has && v != nil {
			if _, isObj := v.(map[string]any); !isObj {
				return bad(path("conditions", k), "The value must be an object.")
			}
		}
	}
	if net, ok := objAt(cond, "network"); ok {
		if e := validateNetwork(st, net); e != nil {
			return e
		}
	}
	if plat, ok := objAt(cond, "platform"); ok {
		if e := validatePlatform(plat); e != nil {
			return e
		}
	}
	return nil
}

// Enums of the 5.1.0 spec: PolicyPlatformType, PolicyPlatformOperatingSystemType and
// PlatformConditionOperatingSystemVersionMatchType. macOS is "OSX" here, not "MACOS".
var (
	policyPlatformTypes   = []string{"ANY", "DESKTOP", "MOBILE", "OTHER"}
	policyPlatformOSTypes = []string{"ANDROID", "ANY", "IOS", "OSX", "OTHER", "WINDOWS"}
	osVersionMatchTypes   = []string{"EXPRESSION", "SEMVER"}
)

// enumValue reports whether v is one of the strings in allowed.
func enumValue(v any, allowed []string) bool {
	s, isString := v.(string)
	return isString && slices.Contains(allowed, s)
}

func notInEnum(field string, v any, allowed []string) *response {
	return bad(field, fmt.Sprintf("'%v' is not valid; use %s.", v, strings.Join(allowed, ", ")))
}

// validatePlatform checks conditions.platform (PlatformPolicyRuleCondition).
func validatePlatform(plat obj) *response {
	for _, k := range []string{"include", "exclude"} {
		v, has := plat[k]
		if !has || v == nil {
			continue
		}
		field := path("conditions.platform", k)
		list, isArr := v.([]any)
		if !isArr {
			return bad(field, "The value must be an array of platforms.")
		}
		for i, e := range list {
			f := path(field, i)
			entry, isObj := e.(map[string]any)
			if !isObj {
				return bad(f, "Each platform must be an object with type and os.")
			}
			if t, has := entry["type"]; has && t != nil && !enumValue(t, policyPlatformTypes) {
				return notInEnum(f+".type", t, policyPlatformTypes)
			}
			osv, has := entry["os"]
			if !has || osv == nil {
				continue
			}
			os, isObj := osv.(map[string]any)
			if !isObj {
				return bad(f+".os", "The value must be an object with a type.")
			}
			if t, has := os["type"]; has && t != nil && !enumValue(t, policyPlatformOSTypes) {
				e := notInEnum(f+".os.type", t, policyPlatformOSTypes)
				if t == "MACOS" {
					e = bad(f+".os.type", "'MACOS' is not valid; macOS is OSX here (use ANDROID, ANY, IOS, OSX, OTHER, WINDOWS).")
				}
				return e
			}
			if ver, has := os["version"]; has && ver != nil {
				vm, isObj := ver.(map[string]any)
				if !isObj {
					return bad(f+".os.version", "The value must be an object with matchType and value.")
				}
				if mt, has := vm["matchType"]; has && mt != nil && !enumValue(mt, osVersionMatchTypes) {
					return notInEnum(f+".os.version.matchType", mt, osVersionMatchTypes)
				}
			}
		}
	}
	return nil
}

func validateNetwork(st *state, net obj) *response {
	conn := net["connection"]
	if conn != nil && conn != "ANYWHERE" && conn != "ZONE" {
		return bad("conditions.network.connection", "The value must be ANYWHERE or ZONE.")
	}
	any := false
	for _, k := range []string{"include", "exclude"} {
		if v, has := net[k]; has && v != nil {
			ids, isList := stringList(v)
			if !isList {
				return bad(path("conditions.network", k), "The value must be an array of network zone ids.")
			}
			for _, id := range ids {
				if findByID(st.Zones, id) == nil {
					return bad(path("conditions.network", k), fmt.Sprintf("Network zone %s does not exist.", id))
				}
			}
			any = any || len(ids) > 0
		}
	}
	if conn == "ZONE" && !any {
		return bad("conditions.network", "A ZONE connection needs network zones to include or exclude.")
	}
	return nil
}

var deviceContextProviderKeys = map[string]bool{"OKTA_VERIFY": true, "CHROME_DEVICE_TRUST": true, "DEVICE_POSTURE_IDP": true}

func validateDSCRule(st *state, o obj) *response {
	if cond, ok := objAt(o, "conditions"); ok {
		for k, v := range cond {
			if v == nil {
				continue
			}
			if k != "network" && k != "platform" {
				return bad(path("conditions", k), "Only network and platform conditions are supported for device signal collection rules.")
			}
		}
	}
	if e := validateNetworkAndPlatform(st, o); e != nil {
		return e
	}
	const field = "actions.deviceSignalCollection.deviceContextProviders"
	dsc, ok := objAt(o, "actions", "deviceSignalCollection")
	if !ok {
		return bad(field, "At least one device context provider is required.")
	}
	list, isArr := dsc["deviceContextProviders"].([]any)
	if !isArr || len(list) == 0 {
		return bad(field, "At least one device context provider is required.")
	}
	seen := map[string]bool{}
	for i, e := range list {
		p, isObj := e.(map[string]any)
		if !isObj {
			return bad(path(field, i), "Each device context provider must be an object.")
		}
		for k := range p {
			if k != "key" && k != "id" && k != "userIdentification" {
				hint := ""
				if strings.Contains(strings.ToLower(k), "identification") {
					hint = " Did you mean userIdentification?"
				}
				return bad(path(field, i, k), "Unknown property; a device context provider has key, id and userIdentification."+hint)
			}
		}
		key, _ := p["key"].(string)
		if !deviceContextProviderKeys[key] {
			return bad(path(field, i, "key"), fmt.Sprintf("'%v' is not a valid key; use OKTA_VERIFY, CHROME_DEVICE_TRUST or DEVICE_POSTURE_IDP.", p["key"]))
		}
		if seen[key] && key != "DEVICE_POSTURE_IDP" {
			return bad(path(field, i, "key"), fmt.Sprintf("%s is listed more than once.", key))
		}
		seen[key] = true
		if v, has := p["userIdentification"]; has && v != nil && v != "ALLOW" && v != "IGNORE" {
			return bad(path(field, i, "userIdentification"), "The value must be ALLOW or IGNORE.")
		}
		if key == "DEVICE_POSTURE_IDP" {
			id, _ := p["id"].(string)
			if id == "" {
				return bad(path(field, i, "id"), "DEVICE_POSTURE_IDP needs the id of a device posture identity provider.")
			}
			if findByID(st.IdPs, id) == nil {
				return bad(path(field, i, "id"), fmt.Sprintf("Identity provider %s does not exist.", id))
			}
		}
	}
	return nil
}

func findByID(list []obj, id string) obj {
	for _, o := range list {
		if str(o["id"]) == id {
			return o
		}
	}
	return nil
}

// fillAccessRuleDefaults completes an app sign-in rule as Okta does: a rule without actions
// allows access, and an allowing rule without a verification method gets the default one
// (two factors, re-authenticate every 12 hours).
func fillAccessRuleDefaults(p, r obj) {
	if str(p["type"]) != typeAccessPolicy {
		return
	}
	actions, ok := r["actions"].(map[string]any)
	if !ok {
		actions = obj{}
		r["actions"] = actions
	}
	sign, ok := actions["appSignOn"].(map[string]any)
	if !ok {
		sign = obj{"access": "ALLOW"}
		actions["appSignOn"] = sign
	}
	if sign["access"] == nil {
		sign["access"] = "ALLOW"
	}
	if _, has := sign["verificationMethod"]; !has && sign["access"] == "ALLOW" {
		sign["verificationMethod"] = obj{"factorMode": "2FA", "type": "ASSURANCE", "reauthenticateIn": "PT12H", "constraints": []any{}}
	}
}
