package sandbox

import "net/http"

// Helpers the handlers of policies, rules, mappings and device assurances share.

// answer runs fn on a read-only view of the org and answers what fn answers.
func (s *Server) answer(fn func(st *state) response) (response, error) {
	var resp response
	err := s.view(func(st *state) { resp = fn(st) })
	return resp, err
}

// change runs fn in a transaction and answers what fn answers; fn reports whether it changed
// the org (only then is the state saved).
func (s *Server) change(fn func(st *state) (response, bool)) (response, error) {
	var resp response
	err := s.transact(func(st *state) bool {
		var changed bool
		resp, changed = fn(st)
		return changed
	})
	return resp, err
}

// listUnderPolicy answers the list (rules, mappings) of a policy that items renders; 404 when
// the policy does not exist.
func (s *Server) listUnderPolicy(policyID string, items func(st *state) []obj) (response, error) {
	return s.answer(func(st *state) response {
		if st.policy(policyID) == nil {
			return policyNotFound(policyID)
		}
		return jsonResp(http.StatusOK, items(st))
	})
}

// fromBody copies a request body without the members the server sets.
func fromBody(body obj, readOnly []string) obj {
	o := copyObj(body)
	for _, k := range readOnly {
		delete(o, k)
	}
	return o
}

// createRequest reads a POST that creates a policy or rule: its JSON object body and the
// status the new object gets. ?activate decides when given, otherwise the body's status,
// otherwise ACTIVE; an unreadable ?activate is a validation error.
func (c *call) createRequest() (body obj, status any, bad *response) {
	body, bad = readObject(c.r)
	if bad != nil {
		return nil, nil, bad
	}
	if c.query("activate") == "" {
		if st := body["status"]; st != nil {
			return body, st, nil
		}
		return body, statusActive, nil
	}
	activate, bad := c.activateParam(true)
	switch {
	case bad != nil:
		return nil, nil, bad
	case activate:
		return body, statusActive, nil
	}
	return body, statusInactive, nil
}

// newPolicyObject is the policy or rule a POST stores from body (validated): id, timestamps,
// system false, status as createRequest decided, conditions null when absent.
func newPolicyObject(body obj, readOnly []string, id string, status any, c *call) obj {
	o := fromBody(body, readOnly)
	ts := oktaTime(c.now)
	o["id"] = id
	o["system"] = false
	o["created"] = ts
	o["lastUpdated"] = ts
	o["status"] = status
	if _, ok := o["conditions"]; !ok {
		o["conditions"] = nil
	}
	return o
}

// replacedPolicyObject is the policy or rule a PUT stores from body (validated) in place of
// old: what the server sets comes from old, a missing status stays old's, conditions are null
// when absent.
func replacedPolicyObject(body, old obj, readOnly []string, c *call) obj {
	o := fromBody(body, readOnly)
	o["id"] = old["id"]
	o["system"] = old["system"]
	o["created"] = old["created"]
	o["lastUpdated"] = oktaTime(c.now)
	if o["status"] == nil {
		o["status"] = old["status"]
	}
	if _, ok := o["conditions"]; !ok {
		o["conditions"] = nil
	}
	return o
}

// lifecycleEvents are the System Log event types and messages of one kind of object.
type lifecycleEvents struct {
	activate, activateMsg     string
	deactivate, deactivateMsg string
}

var (
	policyEvents = lifecycleEvents{"policy.lifecycle.activate", "Activate policy", "policy.lifecycle.deactivate", "Deactivate policy"}
	ruleEvents   = lifecycleEvents{"policy.rule.activate", "Activate policy rule", "policy.rule.deactivate", "Deactivate policy rule"}
)

// statusEvent logs that an object became active (or inactive).
func (s *Server) statusEvent(st *state, c *call, ev lifecycleEvents, active bool, targets ...logTarget) {
	if active {
		s.event(st, c, ev.activate, ev.activateMsg, targets...)
	} else {
		s.event(st, c, ev.deactivate, ev.deactivateMsg, targets...)
	}
}

// setStatus does what .../lifecycle/activate or deactivate does to o. Okta answers 204
// either way; o already in that status is left as is, without an event. It reports whether o
// changed.
func (s *Server) setStatus(st *state, c *call, o obj, activate bool, ev lifecycleEvents, targets ...logTarget) bool {
	want := statusInactive
	if activate {
		want = statusActive
	}
	if o["status"] == want {
		return false
	}
	o["status"] = want
	o["lastUpdated"] = oktaTime(c.now)
	s.statusEvent(st, c, ev, activate, targets...)
	return true
}

// selfLink is the self link of a policy or rule: a system one cannot be deleted.
func selfLink(self string, o obj) obj {
	if o["system"] == true {
		return link(self, "GET", "PUT")
	}
	return link(self, "GET", "PUT", "DELETE")
}

// addStatusLink adds the lifecycle link o's status offers: deactivate when active, else activate.
func addStatusLink(links obj, self string, o obj) {
	if str(o["status"]) == statusActive {
		links["deactivate"] = link(self+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = link(self+"/lifecycle/activate", "POST")
	}
}
