package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/simulate"
)

// simulatePolicy answers POST /policies/simulate by evaluating the org's own policies and rules
// (okta/simulate). The body is the single object of the spec's example; the array its schema
// describes is 400 E0000003, as a real org answers (recorded). Policy types other than
// ACCESS_POLICY report the type's default policy without rules. An unknown app or user is 404.
func (s *Server) simulatePolicy(c *call) (response, error) {
	b, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		return malformedErr(), nil
	}
	req, err := simulate.ParseRequest(b)
	var invalid *simulate.InvalidError
	switch {
	case errors.Is(err, simulate.ErrMalformed):
		return malformedErr(), nil
	case errors.As(err, &invalid):
		causes := make([]string, len(invalid.Causes))
		for i, c := range invalid.Causes {
			causes[i] = c.String()
		}
		return errResp(http.StatusBadRequest, "E0000001", "Api validation failed: "+invalid.Causes[0].Field, causes...), nil
	}
	return s.answer(func(st *state) response {
		org, ok := simulationOrg(st, req.AppInstance)
		if !ok {
			s.log.Error("sandbox simulate: a stored policy or rule does not decode", "app", req.AppInstance)
			return internalErr()
		}
		res, err := simulate.Evaluate(org, req)
		var nf *simulate.NotFoundError
		if errors.As(err, &nf) {
			return notFoundErr(nf.ID, nf.Kind)
		}
		if err != nil {
			return internalErr()
		}
		return jsonResp(http.StatusOK, res)
	})
}

// simulationOrg is the part of the org an evaluation for appID reads: the app, its policy and
// rules, the users' groups and the default policies of the other types; ok is false when a
// stored policy or rule does not decode as the client's type.
func simulationOrg(st *state, appID string) (org simulate.Org, ok bool) {
	org = simulate.Org{
		Rules:           map[string][]okta.Rule{},
		UserGroups:      map[string][]string{},
		EveryoneGroupID: st.everyoneGroupID(),
		DefaultPolicies: map[string]okta.Policy{},
	}
	for _, u := range st.Users {
		id := str(u["id"])
		org.UserGroups[id] = st.userGroupIDs(id)
	}
	for _, p := range st.Policies {
		t := str(p["type"])
		if t != typeAccessPolicy && p["system"] == true {
			if _, seen := org.DefaultPolicies[t]; !seen {
				org.DefaultPolicies[t] = okta.Policy{ID: str(p["id"]), Name: str(p["name"]), Type: okta.PolicyType(t)}
			}
		}
	}
	a := st.app(appID)
	if a == nil {
		return org, true
	}
	policyID := st.AppPolicies[appID]
	org.Apps = []okta.App{{ID: appID, Name: str(a["name"]), Label: str(a["label"]), Status: str(a["status"]), AccessPolicyID: policyID}}
	if p := st.policy(policyID); p != nil {
		var pol okta.Policy
		var rules []okta.Rule
		if !convert(p, &pol) || !convert(st.Rules[policyID], &rules) {
			return org, false
		}
		org.Policies = []okta.Policy{pol}
		org.Rules[policyID] = rules
	}
	return org, true
}

// convert decodes a stored JSON value into the client's type.
func convert(v any, out any) bool {
	b, err := json.Marshal(v)
	return err == nil && json.Unmarshal(b, out) == nil
}
