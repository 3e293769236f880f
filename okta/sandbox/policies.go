package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
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
	links := obj{}
	if p["system"] == true {
		links["self"] = link(self, "GET", "PUT")
	} else {
		links["self"] = link(self, "GET", "PUT", "DELETE")
	}
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
	if str(p["status"]) == statusActive {
		links["deactivate"] = link(self+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = link(self+"/lifecycle/activate", "POST")
	}
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
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return validationErr("limit", "The limit must be a positive number."), nil
		}
		limit = min(n, maxPolicyPage)
	}
	after := q.Get("after")
	var page []obj
	more := false
	var last string
	err := s.view(func(st *state) {
		idx := st.mappedByIndex()
		started := after == ""
		for _, p := range st.Policies {
			if str(p["type"]) != ptype {
				continue
			}
			if status != "" && str(p["status"]) != status {
				continue
			}
			if prefix != "" && !strings.HasPrefix(strings.ToLower(str(p["name"])), prefix) {
				continue
			}
			if !started {
				if str(p["id"]) == after {
					started = true
				}
				continue
			}
			if limit > 0 && len(page) == limit {
				more = true
				break
			}
			page = append(page, renderPolicy(p, c.base, idx[str(p["id"])]))
			last = str(p["id"])
		}
	})
	if err != nil {
		return response{}, err
	}
	if page == nil {
		page = []obj{}
	}
	resp := jsonResp(http.StatusOK, page)
	resp.header = http.Header{}
	resp.header.Add("Link", pageLink(c, nil, "self"))
	if more {
		resp.header.Add("Link", pageLink(c, url.Values{"after": {last}}, "next"))
	}
	return resp, nil
}

// pageLink renders `<url>; rel="rel"` with the request's query, overridden by set.
func pageLink(c *call, set url.Values, rel string) string {
	q := c.r.URL.Query()
	for k, v := range set {
		q[k] = v
	}
	u := c.base + c.r.URL.Path
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return fmt.Sprintf("<%s>; rel=%q", u, rel)
}

func (s *Server) getPolicy(c *call, id string) (response, error) {
	var resp response
	err := s.view(func(st *state) {
		p := st.policy(id)
		if p == nil {
			resp = policyNotFound(id)
			return
		}
		resp = jsonResp(http.StatusOK, renderPolicy(p, c.base, st.mappedBy(id)))
	})
	return resp, err
}

// validateName checks a name as Okta does: required, 1..255 characters.
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
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	activateSet := c.query("activate") != ""
	activate, badParam := c.activateParam(true)
	if badParam != nil {
		return *badParam, nil
	}
	var resp response
	err := s.transact(func(st *state) bool {
		if e := validatePolicyBody(st, body, nil); e != nil {
			resp = *e
			return false
		}
		p := copyObj(body)
		for _, k := range readOnlyPolicyKeys {
			delete(p, k)
		}
		id := newID("rst")
		ts := oktaTime(c.now)
		p["id"] = id
		p["system"] = false
		p["created"] = ts
		p["lastUpdated"] = ts
		// ?activate decides when given; otherwise the body's status; otherwise ACTIVE.
		switch {
		case activateSet && activate:
			p["status"] = statusActive
		case activateSet:
			p["status"] = statusInactive
		case p["status"] == nil:
			p["status"] = statusActive
		}
		if _, ok := intOf(p["priority"]); !ok {
			p["priority"] = 1
		}
		if _, ok := p["conditions"]; !ok {
			p["conditions"] = nil
		}
		st.Policies = append(st.Policies, p)
		st.policyIndex[id] = len(st.Policies) - 1
		if str(p["type"]) == typeAccessPolicy {
			st.Rules[id] = []obj{catchAllRule(c.now)}
		}
		s.event(st, c, "policy.lifecycle.create", "Create policy", policyTarget(p))
		if p["status"] == statusActive {
			s.event(st, c, "policy.lifecycle.activate", "Activate policy", policyTarget(p))
		}
		resp = jsonResp(http.StatusOK, renderPolicy(p, c.base, ""))
		return true
	})
	return resp, err
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
	var resp response
	err := s.transact(func(st *state) bool {
		old := st.policy(id)
		if old == nil {
			resp = policyNotFound(id)
			return false
		}
		if e := validatePolicyBody(st, body, old); e != nil {
			resp = *e
			return false
		}
		p := copyObj(body)
		for _, k := range readOnlyPolicyKeys {
			delete(p, k)
		}
		p["id"] = id
		p["system"] = old["system"]
		p["created"] = old["created"]
		p["lastUpdated"] = oktaTime(c.now)
		if p["status"] == nil {
			p["status"] = old["status"]
		}
		if _, ok := intOf(p["priority"]); !ok {
			p["priority"] = old["priority"]
		}
		if _, ok := p["conditions"]; !ok {
			p["conditions"] = nil
		}
		st.Policies[st.policyIndex[id]] = p
		s.event(st, c, "policy.lifecycle.update", "Update policy", policyTarget(p))
		noteChanges(st, old, p)
		if p["status"] != old["status"] {
			if p["status"] == statusActive {
				s.event(st, c, "policy.lifecycle.activate", "Activate policy", policyTarget(p))
			} else {
				s.event(st, c, "policy.lifecycle.deactivate", "Deactivate policy", policyTarget(p))
			}
		}
		resp = jsonResp(http.StatusOK, renderPolicy(p, c.base, st.mappedBy(id)))
		return true
	})
	return resp, err
}

func (s *Server) deletePolicy(c *call, id string) (response, error) {
	var resp response
	err := s.transact(func(st *state) bool {
		p := st.policy(id)
		if p == nil {
			resp = policyNotFound(id)
			return false
		}
		if p["system"] == true {
			resp = errResp(http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action",
				"Cannot delete the default policy.")
			return false
		}
		i := st.policyIndex[id]
		st.Policies = slices.Delete(st.Policies, i, i+1)
		st.reindex()
		delete(st.Rules, id)
		delete(st.Mappings, id)
		for dsc, ids := range st.Mappings {
			st.Mappings[dsc] = slices.DeleteFunc(ids, func(x string) bool { return x == id })
		}
		s.event(st, c, "policy.lifecycle.delete", "Delete policy", policyTarget(p))
		resp = noContent()
		return true
	})
	return resp, err
}

func (s *Server) policyLifecycle(c *call, id string, activate bool) (response, error) {
	var resp response
	err := s.transact(func(st *state) bool {
		p := st.policy(id)
		if p == nil {
			resp = policyNotFound(id)
			return false
		}
		if !activate && p["system"] == true {
			resp = validationErr("status", "The default policy cannot be deactivated.")
			return false
		}
		want := statusInactive
		ev, msg := "policy.lifecycle.deactivate", "Deactivate policy"
		if activate {
			want, ev, msg = statusActive, "policy.lifecycle.activate", "Activate policy"
		}
		resp = noContent()
		if p["status"] == want {
			return false // Okta answers 204 and changes nothing
		}
		p["status"] = want
		p["lastUpdated"] = oktaTime(c.now)
		s.event(st, c, ev, msg, policyTarget(p))
		return true
	})
	return resp, err
}

func policyTarget(p obj) logTarget {
	return logTarget{ID: str(p["id"]), Type: "PolicyEntity", DisplayName: str(p["name"])}
}

// clonePolicy copies a policy and its rules under the name "[cloned] <name>". A real org
// answers the clone with created and lastUpdated null (recorded); a later GET has them.
func (s *Server) clonePolicy(c *call, id string) (response, error) {
	var resp response
	err := s.transact(func(st *state) bool {
		src := st.policy(id)
		if src == nil {
			resp = policyNotFound(id)
			return false
		}
		if src["system"] == true {
			resp = validationErr("policy", "The default policy cannot be cloned.")
			return false
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
		s.event(st, c, EventPolicyCreate, "Create policy", policyTarget(p))
		out := renderPolicy(p, c.base, "")
		out["created"], out["lastUpdated"] = nil, nil
		resp = jsonResp(http.StatusOK, out)
		return true
	})
	return resp, err
}

// listPolicyApps lists the apps that use an app sign-in policy; the sandbox has no apps.
func (s *Server) listPolicyApps(c *call, id string) (response, error) {
	var resp response
	err := s.view(func(st *state) {
		if st.policy(id) == nil {
			resp = policyNotFound(id)
			return
		}
		resp = jsonResp(http.StatusOK, []obj{})
	})
	return resp, err
}
