package sandbox

import (
	"net/http"
	"slices"
)

// Mapping event types (Okta's names for these are not documented; these are ours).
const (
	EventMappingAdd    = "policy.mapping.add"
	EventMappingDelete = "policy.mapping.delete"
)

// A mapping's id is the id of the mapped ACCESS_POLICY.
func renderMapping(base, policyID, resourceID string) obj {
	return obj{
		"id": resourceID,
		"_links": obj{
			"self":   link(base+"/api/v1/policies/"+policyID+"/mappings/"+resourceID, "GET", "DELETE"),
			"policy": link(base + "/api/v1/policies/" + resourceID),
		},
	}
}

func (s *Server) listMappings(c *call, policyID string) (response, error) {
	var resp response
	err := s.view(func(st *state) {
		if st.policy(policyID) == nil {
			resp = policyNotFound(policyID)
			return
		}
		out := []obj{}
		for _, id := range st.Mappings[policyID] {
			out = append(out, renderMapping(c.base, policyID, id))
		}
		resp = jsonResp(http.StatusOK, out)
	})
	return resp, err
}

func (s *Server) getMapping(c *call, policyID, mappingID string) (response, error) {
	var resp response
	err := s.view(func(st *state) {
		if st.policy(policyID) == nil {
			resp = policyNotFound(policyID)
			return
		}
		if !slices.Contains(st.Mappings[policyID], mappingID) {
			resp = notFoundErr(mappingID, "PolicyMapping")
			return
		}
		resp = jsonResp(http.StatusOK, renderMapping(c.base, policyID, mappingID))
	})
	return resp, err
}

// createMapping maps an ACCESS_POLICY to a DEVICE_SIGNAL_COLLECTION policy. Mapping the same
// policy again answers 200 with the existing mapping (idempotent, nothing logged); mapping an
// ACCESS_POLICY that another DSC policy already holds is a 400: an app sign-in policy takes its
// device signals from one DSC policy.
func (s *Server) createMapping(c *call, policyID string) (response, error) {
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	var resp response
	err := s.transact(func(st *state) bool {
		p := st.policy(policyID)
		if p == nil {
			resp = policyNotFound(policyID)
			return false
		}
		if str(p["type"]) != typeDSC {
			// Exactly what a real org answers (recording test_policy_resource_mapping_operations).
			resp = errResp(http.StatusBadRequest, "E0000001", "Api validation failed: Policy mappings are no longer supported on this endpoint.")
			return false
		}
		rt, _ := body["resourceType"].(string)
		if rt != typeAccessPolicy {
			resp = validationErr("resourceType", "The value must be ACCESS_POLICY.")
			return false
		}
		rid, _ := body["resourceId"].(string)
		if rid == "" {
			resp = validationErr("resourceId", "The field cannot be left blank.")
			return false
		}
		target := st.policy(rid)
		if target == nil || str(target["type"]) != typeAccessPolicy {
			resp = validationErr("resourceId", "Resource "+rid+" is not an ACCESS_POLICY policy of this org.")
			return false
		}
		if slices.Contains(st.Mappings[policyID], rid) {
			resp = jsonResp(http.StatusOK, renderMapping(c.base, policyID, rid))
			return false
		}
		if other := st.mappedBy(rid); other != "" {
			resp = validationErr("resourceId", "Policy "+rid+" is already mapped to device signal collection policy "+other+".")
			return false
		}
		st.Mappings[policyID] = append(st.Mappings[policyID], rid)
		s.event(st, c, EventMappingAdd, "Map resource to policy", policyTarget(p), policyTarget(target))
		resp = jsonResp(http.StatusOK, renderMapping(c.base, policyID, rid))
		return true
	})
	return resp, err
}

func (s *Server) deleteMapping(c *call, policyID, mappingID string) (response, error) {
	var resp response
	err := s.transact(func(st *state) bool {
		p := st.policy(policyID)
		if p == nil {
			resp = policyNotFound(policyID)
			return false
		}
		i := slices.Index(st.Mappings[policyID], mappingID)
		if i < 0 {
			resp = notFoundErr(mappingID, "PolicyMapping")
			return false
		}
		st.Mappings[policyID] = slices.Delete(st.Mappings[policyID], i, i+1)
		targets := []logTarget{policyTarget(p)}
		if t := st.policy(mappingID); t != nil {
			targets = append(targets, policyTarget(t))
		}
		s.event(st, c, EventMappingDelete, "Delete policy resource mapping", targets...)
		resp = noContent()
		return true
	})
	return resp, err
}
