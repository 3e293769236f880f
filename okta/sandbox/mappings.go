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
	return s.listUnderPolicy(policyID, func(st *state) []obj {
		out := []obj{}
		for _, id := range st.Mappings[policyID] {
			out = append(out, renderMapping(c.base, policyID, id))
		}
		return out
	})
}

func (s *Server) getMapping(c *call, policyID, mappingID string) (response, error) {
	return s.answer(func(st *state) response {
		if st.policy(policyID) == nil {
			return policyNotFound(policyID)
		}
		if !slices.Contains(st.Mappings[policyID], mappingID) {
			return notFoundErr(mappingID, "PolicyMapping")
		}
		return jsonResp(http.StatusOK, renderMapping(c.base, policyID, mappingID))
	})
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
	return s.change(func(st *state) (response, bool) {
		p := st.policy(policyID)
		if p == nil {
			return policyNotFound(policyID), false
		}
		if str(p["type"]) != typeDSC {
			// Exactly what a real org answers (recording test_policy_resource_mapping_operations).
			return errResp(http.StatusBadRequest, "E0000001", "Api validation failed: Policy mappings are no longer supported on this endpoint."), false
		}
		rt, _ := body["resourceType"].(string)
		if rt != typeAccessPolicy {
			return validationErr("resourceType", "The value must be ACCESS_POLICY."), false
		}
		rid, _ := body["resourceId"].(string)
		if rid == "" {
			return validationErr("resourceId", "The field cannot be left blank."), false
		}
		target := st.policy(rid)
		if target == nil || str(target["type"]) != typeAccessPolicy {
			return validationErr("resourceId", "Resource "+rid+" is not an ACCESS_POLICY policy of this org."), false
		}
		if slices.Contains(st.Mappings[policyID], rid) {
			return jsonResp(http.StatusOK, renderMapping(c.base, policyID, rid)), false
		}
		if other := st.mappedBy(rid); other != "" {
			return validationErr("resourceId", "Policy "+rid+" is already mapped to device signal collection policy "+other+"."), false
		}
		st.Mappings[policyID] = append(st.Mappings[policyID], rid)
		st.touch(colMappings, policyID)
		s.event(st, c, EventMappingAdd, "Map resource to policy", policyTarget(p), policyTarget(target))
		return jsonResp(http.StatusOK, renderMapping(c.base, policyID, rid)), true
	})
}

func (s *Server) deleteMapping(c *call, policyID, mappingID string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		p := st.policy(policyID)
		if p == nil {
			return policyNotFound(policyID), false
		}
		i := slices.Index(st.Mappings[policyID], mappingID)
		if i < 0 {
			return notFoundErr(mappingID, "PolicyMapping"), false
		}
		st.Mappings[policyID] = slices.Delete(st.Mappings[policyID], i, i+1)
		st.touch(colMappings, policyID)
		targets := []logTarget{policyTarget(p)}
		if t := st.policy(mappingID); t != nil {
			targets = append(targets, policyTarget(t))
		}
		s.event(st, c, EventMappingDelete, "Delete policy resource mapping", targets...)
		return noContent(), true
	})
}
