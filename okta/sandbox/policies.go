package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
)

const (
	typeAccessPolicy = "ACCESS_POLICY"
	typeDSC          = "DEVICE_SIGNAL_COLLECTION"
	statusActive     = "ACTIVE"
	statusInactive   = "INACTIVE"

	// catchAllPriority is where Okta keeps the system "Catch-all Rule": after every other rule.
	catchAllPriority = 99
	catchAllName     = "Catch-all Rule"
)

// policyTypes are the types listPolicies accepts (spec 5.1.0), with the type of their rules.
var policyTypes = map[string]string{
	"OKTA_SIGN_ON":             "SIGN_ON",
	"PASSWORD":                 "PASSWORD",
	"MFA_ENROLL":               "MFA_ENROLL",
	"IDP_DISCOVERY":            "IDP_DISCOVERY",
	"ACCESS_POLICY":            "ACCESS_POLICY",
	"DEVICE_SIGNAL_COLLECTION": "DEVICE_SIGNAL_COLLECTION",
	"PROFILE_ENROLLMENT":       "PROFILE_ENROLLMENT",
	"POST_AUTH_SESSION":        "POST_AUTH_SESSION",
	"ENTITY_RISK":              "ENTITY_RISK",
}

// maxPolicyPage caps ?limit=; without limit every policy of the type comes in one page, as the
// recorded org answers, so clients that do not page keep working.
const maxPolicyPage = 200

func (s *Server) routePolicies(c *call) (response, error) {
	segs := c.segs
	m := c.r.Method
	switch {
	case len(segs) == 1:
		switch m {
		case http.MethodGet:
			return s.listPolicies(c)
		case http.MethodPost:
			return s.createPolicy(c)
		}
		return methodNotAllowed("GET", "POST"), nil
	case len(segs) == 2 && segs[1] == "simulate":
		if m != http.MethodPost {
			return methodNotAllowed("POST"), nil
		}
		return s.simulatePolicy(c)
	case len(segs) == 2:
		switch m {
		case http.MethodGet:
			return s.getPolicy(c, segs[1])
		case http.MethodPut:
			return s.replacePolicy(c, segs[1])
		case http.MethodDelete:
			return s.deletePolicy(c, segs[1])
		}
		return methodNotAllowed("GET", "PUT", "DELETE"), nil
	case len(segs) == 4 && segs[2] == "lifecycle" && (segs[3] == "activate" || segs[3] == "deactivate"):
		if m != http.MethodPost {
			return methodNotAllowed("POST"), nil
		}
		return s.policyLifecycle(c, segs[1], segs[3] == "activate")
	case len(segs) == 3 && segs[2] == "app":
		if m != http.MethodGet {
			return methodNotAllowed("GET"), nil
		}
		return s.listPolicyApps(c, segs[1])
	case len(segs) == 3 && segs[2] == "clone":
		if m != http.MethodPost {
			return methodNotAllowed("POST"), nil
		}
		return s.clonePolicy(c, segs[1])
	case len(segs) == 3 && segs[2] == "rules":
		switch m {
		case http.MethodGet:
			return s.listRules(c, segs[1])
		case http.MethodPost:
			return s.createRule(c, segs[1])
		}
		return methodNotAllowed("GET", "POST"), nil
	case len(segs) == 4 && segs[2] == "rules":
		switch m {
		case http.MethodGet:
			return s.getRule(c, segs[1], segs[3])
		case http.MethodPut:
			return s.replaceRule(c, segs[1], segs[3])
		case http.MethodDelete:
			return s.deleteRule(c, segs[1], segs[3])
		}
		return methodNotAllowed("GET", "PUT", "DELETE"), nil
	case len(segs) == 6 && segs[2] == "rules" && segs[4] == "lifecycle" && (segs[5] == "activate" || segs[5] == "deactivate"):
		if m != http.MethodPost {
			return methodNotAllowed("POST"), nil
		}
		return s.ruleLifecycle(c, segs[1], segs[3], segs[5] == "activate")
	case len(segs) == 3 && segs[2] == "mappings":
		switch m {
		case http.MethodGet:
			return s.listMappings(c, segs[1])
		case http.MethodPost:
			return s.createMapping(c, segs[1])
		}
		return methodNotAllowed("GET", "POST"), nil
	case len(segs) == 4 && segs[2] == "mappings":
		switch m {
		case http.MethodGet:
			return s.getMapping(c, segs[1], segs[3])
		case http.MethodDelete:
			return s.deleteMapping(c, segs[1], segs[3])
		}
		return methodNotAllowed("GET", "DELETE"), nil
	}
	return notFoundErr(c.r.URL.Path, "Endpoint"), nil
}

func policyNotFound(id string) response { return notFoundErr(id, "Policy") }

func ruleNotFound(id string) response { return notFoundErr(id, "PolicyRule") }

// renderPolicy adds _links to a stored policy. mappedBy is the DSC policy an ACCESS_POLICY is
// mapped to, if any.
func renderPolicy(p obj, base, mappedBy string) obj {
	// A shallow copy is enough: stored objects are replaced, never edited below the top level.
	out := make(obj, len(p)+1)
	for k, v := range p {
		out[k] = v
	}
	id := str(p["id"])
	self := base + "/api/v1/policies/" + id
	links := obj{"self": selfLink(self, p)}
	links["rules"] = link(self+"/rules", "GET", "POST")
	out["_links"] = links
	if p["system"] == true {
		// A real org's default app sign-in policy links only self and rules (recorded).
		return out
	}
	t := str(p["type"])
	if t == typeAccessPolicy || t == typeDSC {
		links["mappings"] = link(self+"/mappings", "GET", "POST")
	}
	if mappedBy != "" {
		links["deviceSignalCollectionPolicy"] = link(base+"/api/v1/policies/"+mappedBy, "GET", "PUT", "DELETE")
	}
	addStatusLink(links, self, p)
	out["_links"] = links
	return out
}

// mappedByIndex maps ACCESS_POLICY ids to the DSC policy they are mapped to.
func (st *state) mappedByIndex() map[string]string {
	idx := map[string]string{}
	for dsc, ids := range st.Mappings {
		for _, id := range ids {
			idx[id] = dsc
		}
	}
	return idx
}

func (st *state) mappedBy(accessPolicyID string) string {
	for dsc, ids := range st.Mappings {
		if slices.Contains(ids, accessPolicyID) {
			return dsc
		}
	}
	return ""
}

func (s *Server) listPolicies(c *call) (response, error) {
	q := c.r.URL.Query()
	ptype := q.Get("type")
	if ptype == "" {
		return validationErr("type", "The type parameter is required."), nil
	}
	if _, ok := policyTypes[ptype]; !ok {
		return validationErr("type", fmt.Sprintf("'%s' is not a valid policy type.", ptype)), nil
	}
	status := q.Get("status")
	prefix := strings.ToLower(q.Get("q"))
	limit, badLimit := pageLimit(q, 0, maxPolicyPage)
	if badLimit != nil {
		return *badLimit, nil
	}
	keep := func(p obj) bool {
		return str(p["type"]) == ptype && (status == "" || str(p["status"]) == status) &&
			(prefix == "" || strings.HasPrefix(strings.ToLower(str(p["name"])), prefix))
	}
	embedRules := expandsRules(q.Get("expand"))
	var page []obj
	var last string
	var more bool
	err := s.view(func(st *state) {
		idx := st.mappedByIndex()
		page, last, more = pageAfter(st.Policies, q.Get("after"), limit, keep, func(p obj) obj {
			out := renderPolicy(p, c.base, idx[str(p["id"])])
			if embedRules {
				embedPolicyRules(st, out, c.base)
			}
			return out
		})
	})
	if err != nil {
		return response{}, err
	}
	return pageResponse(c, page, nextAfter(more, last)), nil
}

func (s *Server) getPolicy(c *call, id string) (response, error) {
	return s.answer(func(st *state) response {
		p := st.policy(id)
		if p == nil {
			return policyNotFound(id)
		}
		out := renderPolicy(p, c.base, st.mappedBy(id))
		if expandsRules(c.query("expand")) {
			embedPolicyRules(st, out, c.base)
		}
		return jsonResp(http.StatusOK, out)
	})
}

// expandsRules reports whether an expand= value (a comma-separated list) asks for rules.
func expandsRules(expand string) bool {
	for _, v := range strings.Split(expand, ",") {
		if strings.TrimSpace(v) == "rules" {
			return true
		}
	}
	return false
}

// embedPolicyRules adds the policy's rules, rendered as GET .../rules answers them, under
// _embedded.rules of a rendered policy (what Okta answers to expand=rules).
func embedPolicyRules(st *state, rendered obj, base string) {
	id := str(rendered["id"])
	rules := make([]obj, 0, len(st.Rules[id]))
	for _, r := range st.Rules[id] {
		rules = append(rules, renderRule(r, base, id))
	}
	rendered["_embedded"] = obj{"rules": rules}
}

// validateName checks a name as Okta does: required, 1..255 characters, printable.
func validateName(o obj, field string) *response {
	v, present := o[field]
	name, isString := v.(string)
	if !present || v == nil || !isString || strings.TrimSpace(name) == "" {
		e := validationErr(field, "The field cannot be left blank.")
		return &e
	}
	if n := len([]rune(name)); n > 255 {
		e := validationErr(field, fmt.Sprintf("The field cannot exceed 255 characters (it has %d).", n))
		return &e
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			e := validationErr(field, fmt.Sprintf("The field cannot contain control characters (%U).", r))
			return &e
		}
	}
	return nil
}

// validatePolicyBody checks what every policy must have; existing is nil on create.
func validatePolicyBody(st *state, o obj, existing obj) *response {
	t, _ := o["type"].(string)
	if existing != nil && t == "" {
		t = str(existing["type"])
		o["type"] = t
	}
	if t == "" {
		e := validationErr("type", "The field cannot be left blank.")
		return &e
	}
	if _, ok := policyTypes[t]; !ok {
		e := validationErr("type", fmt.Sprintf("'%s' is not a valid policy type.", t))
		return &e
	}
	if existing != nil && t != str(existing["type"]) {
		e := validationErr("type", "The policy type cannot be changed.")
		return &e
	}
	if e := validateName(o, "name"); e != nil {
		return e
	}
	if d, ok := o["description"]; ok && d != nil {
		if ds, isString := d.(string); !isString || len([]rune(ds)) > 1000 {
			e := validationErr("description", "The description must be a string of at most 1000 characters.")
			return &e
		}
	}
	if status := o["status"]; status != nil && status != statusActive && status != statusInactive {
		e := validationErr("status", "The status must be ACTIVE or INACTIVE.")
		return &e
	}
	if p, ok := o["priority"]; ok && p != nil {
		if n, ok := intOf(p); !ok || n < 0 {
			e := validationErr("priority", "The priority must be a positive number.")
			return &e
		}
	}
	if t == typeDSC {
		if cond, ok := o["conditions"]; ok && cond != nil {
			e := validationErr("conditions", "Policy conditions aren't supported for this policy type; set conditions on its rules.")
			return &e
		}
	}
	name := str(o["name"])
	for _, p := range st.Policies {
		if str(p["type"]) == t && str(p["name"]) == name && (existing == nil || str(p["id"]) != str(existing["id"])) {
			e := validationErr("name", "A policy with this name already exists.")
			return &e
		}
	}
	return nil
}

// readOnlyPolicyKeys are set by the server; what a client sends for them is ignored.
var readOnlyPolicyKeys = []string{"id", "created", "lastUpdated", "_links", "_embedded", "system"}

func (s *Server) createPolicy(c *call) (response, error) {
	body, status, bad := c.createRequest()
	if bad != nil {
		return *bad, nil
	}
	return s.change(func(st *state) (response, bool) {
		if e := validatePolicyBody(st, body, nil); e != nil {
			return *e, false
		}
		id := newID("rst")
		p := newPolicyObject(body, readOnlyPolicyKeys, id, status, c)
		if _, ok := intOf(p["priority"]); !ok {
			p["priority"] = 1
		}
		st.Policies = append(st.Policies, p)
		st.policyIndex[id] = len(st.Policies) - 1
		st.touch(colPolicies, id)
		if str(p["type"]) == typeAccessPolicy {
			st.Rules[id] = []obj{catchAllRule(c.now)}
			st.touch(colRules, id)
		}
		s.event(st, c, "policy.lifecycle.create", "Create policy", policyTarget(p))
		if p["status"] == statusActive {
			s.statusEvent(st, c, policyEvents, true, policyTarget(p))
		}
		return jsonResp(http.StatusOK, renderPolicy(p, c.base, "")), true
	})
}

// catchAllRule is the system rule Okta adds to every new app sign-in policy.
func catchAllRule(now time.Time) obj {
	ts := oktaTime(now)
	return obj{
		"id": newID("rul"), "status": statusActive, "name": catchAllName, "priority": catchAllPriority,
		"created": ts, "lastUpdated": ts, "system": true, "conditions": nil, "type": typeAccessPolicy,
		"actions": obj{"appSignOn": obj{"access": "ALLOW", "verificationMethod": obj{
			"factorMode": "2FA", "type": "ASSURANCE", "reauthenticateIn": "PT12H", "constraints": []any{},
		}}},
	}
}

func (s *Server) replacePolicy(c *call, id string) (response, error) {
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	return s.change(func(st *state) (response, bool) {
		old := st.policy(id)
		if old == nil {
			return policyNotFound(id), false
		}
		if e := validatePolicyBody(st, body, old); e != nil {
			return *e, false
		}
		p := replacedPolicyObject(body, old, readOnlyPolicyKeys, c)
		if _, ok := intOf(p["priority"]); !ok {
			p["priority"] = old["priority"]
		}
		st.Policies[st.policyIndex[id]] = p
		st.touch(colPolicies, id)
		s.event(st, c, "policy.lifecycle.update", "Update policy", policyTarget(p))
		noteChanges(st, old, p)
		if p["status"] != old["status"] {
			s.statusEvent(st, c, policyEvents, p["status"] == statusActive, policyTarget(p))
		}
		return jsonResp(http.StatusOK, renderPolicy(p, c.base, st.mappedBy(id))), true
	})
}

func (s *Server) deletePolicy(c *call, id string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		p := st.policy(id)
		if p == nil {
			return policyNotFound(id), false
		}
		if p["system"] == true {
			return errResp(http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action",
				"Cannot delete the default policy."), false
		}
		if users := st.appsUsing(id); len(users) > 0 {
			return validationErr("policy", fmt.Sprintf("The policy is assigned to %s; assign those apps another policy first.", strings.Join(users, ", "))), false
		}
		i := st.policyIndex[id]
		st.Policies = slices.Delete(st.Policies, i, i+1)
		st.reindex()
		delete(st.Rules, id)
		delete(st.Mappings, id)
		st.touch(colPolicies, id)
		st.touch(colRules, id)
		st.touch(colMappings, id)
		for dsc, ids := range st.Mappings {
			if slices.Contains(ids, id) {
				st.Mappings[dsc] = slices.DeleteFunc(ids, func(x string) bool { return x == id })
				st.touch(colMappings, dsc)
			}
		}
		s.event(st, c, "policy.lifecycle.delete", "Delete policy", policyTarget(p))
		return noContent(), true
	})
}

func (s *Server) policyLifecycle(c *call, id string, activate bool) (response, error) {
	return s.change(func(st *state) (response, bool) {
		p := st.policy(id)
		if p == nil {
			return policyNotFound(id), false
		}
		if !activate && p["system"] == true {
			return validationErr("status", "The default policy cannot be deactivated."), false
		}
		st.touch(colPolicies, id)
		return noContent(), s.setStatus(st, c, p, activate, policyEvents, policyTarget(p))
	})
}

func policyTarget(p obj) logTarget {
	return logTarget{ID: str(p["id"]), Type: "PolicyEntity", DisplayName: str(p["name"])}
}

// clonePolicy copies a policy and its rules under the name "[cloned] <name>". A real org
// answers the clone with created and lastUpdated null (recorded); a later GET has them.
func (s *Server) clonePolicy(c *call, id string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		src := st.policy(id)
		if src == nil {
			return policyNotFound(id), false
		}
		if src["system"] == true {
			return validationErr("policy", "The default policy cannot be cloned."), false
		}
		p := copyObj(src)
		newPolicyID := newID("rst")
		ts := oktaTime(c.now)
		p["id"] = newPolicyID
		p["name"] = "[cloned] " + str(src["name"])
		p["created"], p["lastUpdated"] = ts, ts
		st.Policies = append(st.Policies, p)
		st.policyIndex[newPolicyID] = len(st.Policies) - 1
		rules := make([]obj, 0, len(st.Rules[id]))
		for _, r := range st.Rules[id] {
			cr := copyObj(r)
			cr["id"] = newID("rul")
			cr["created"], cr["lastUpdated"] = ts, ts
			rules = append(rules, cr)
		}
		st.Rules[newPolicyID] = rules
		st.touch(colPolicies, newPolicyID)
		st.touch(colRules, newPolicyID)
		s.event(st, c, EventPolicyCreate, "Create policy", policyTarget(p))
		out := renderPolicy(p, c.base, "")
		out["created"], out["lastUpdated"] = nil, nil
		return jsonResp(http.StatusOK, out), true
	})
}
