package sandbox

import (
	"fmt"
	"time"
)

// seedState builds a fresh Identity Engine org: its default policies (app sign-in policies
// with their catch-all rules), groups, identity providers, network zones and two device
// assurance policies. The sandbox has no IdP type for device posture providers in the 5.1.0
// spec's IdentityProviderType, so its device posture provider is an OIDC IdP.
func seedState(now time.Time) *state {
	created := oktaTime(now.Add(-30 * 24 * time.Hour))
	st := &state{
		Format:  stateFormat,
		Version: stateVersion,
		OrgName: "sandbox",
		Admin:   admin{ID: newID("00u"), Login: "admin@sandbox.example.com", DisplayName: "Sandbox Admin"},
		Rules:   map[string][]obj{},
	}
	policy := func(t, name, desc string, system bool, priority int) obj {
		p := obj{
			"id": newID("rst"), "type": t, "name": name, "status": statusActive,
			"priority": priority, "system": system, "conditions": nil, "created": created, "lastUpdated": created,
		}
		if desc != "" {
			p["description"] = desc
		}
		st.Policies = append(st.Policies, p)
		return p
	}
	// The app sign-in policies of a new org, as a real one lists them (recorded): the default
	// "Any two factors" is the system policy.
	accessPolicies := []struct {
		name, desc, factorMode string
		system                 bool
	}{
		{"Okta Admin Console", "", "2FA", false},
		{"Any two factors", "Require two factors to access.", "2FA", true},
		{"Okta Dashboard", "", "1FA", false},
		{"Password only", "Require password only to access.", "1FA", false},
		{"One factor access", "Require one factor to access.", "1FA", false},
		{"Seamless access based on network context", "Require fewer factors on trusted networks.", "1FA", false},
	}
	for _, a := range accessPolicies {
		p := policy(typeAccessPolicy, a.name, a.desc, a.system, 1)
		rule := catchAllRule(now.Add(-30 * 24 * time.Hour))
		rule["actions"].(obj)["appSignOn"].(obj)["verificationMethod"].(obj)["factorMode"] = a.factorMode
		st.Rules[str(p["id"])] = []obj{rule}
	}
	seedApps(st, created)
	policy("OKTA_SIGN_ON", "Default Policy", "The default policy applies in all situations if no other policy applies.", true, 1)
	policy("PASSWORD", "Default Policy", "The default policy applies in all situations if no other policy applies.", true, 1)
	policy("MFA_ENROLL", "Default Policy", "The default policy applies in all situations if no other policy applies.", true, 1)
	policy("IDP_DISCOVERY", "Idp Discovery Policy", "", true, 1)
	policy("PROFILE_ENROLLMENT", "Default Policy", "", true, 1)

	group := func(t, name, desc string) {
		st.Groups = append(st.Groups, obj{
			"id": newID("00g"), "created": created, "lastUpdated": created, "lastMembershipUpdated": created,
			"objectClass": []any{"okta:user_group"}, "type": t,
			"profile": obj{"name": name, "description": desc},
		})
	}
	group("BUILT_IN", "Everyone", "All users in your organization")
	group("OKTA_GROUP", "Okta Administrators", "Administrators of this org")
	group("OKTA_GROUP", "Engineering", "Engineering staff")
	group("OKTA_GROUP", "Sales", "Sales team")
	group("OKTA_GROUP", "Contractors", "External contractors")

	seedUsers(st, created)

	idp := func(t, name, protocol string) {
		st.IdPs = append(st.IdPs, obj{
			"id": newID("0oa"), "issuerMode": "ORG_URL", "name": name, "status": statusActive,
			"created": created, "lastUpdated": created, "type": t,
			"protocol":   obj{"type": protocol},
			"properties": nil,
		})
	}
	idp("OIDC", "Device Posture Provider", "OIDC")
	idp("SAML2", "Corporate SAML IdP", "SAML2")

	zone := func(t, name, usage string, system bool, extra obj) {
		z := obj{
			"type": t, "id": newID("nzo"), "name": name, "status": statusActive, "usage": usage,
			"created": created, "lastUpdated": created, "system": system,
		}
		for k, v := range extra {
			z[k] = v
		}
		st.Zones = append(st.Zones, z)
	}
	zone("IP", "LegacyIpZone", "POLICY", true, obj{"gateways": nil, "proxies": nil})
	zone("IP", "BlockedIpZone", "BLOCKLIST", true, obj{"gateways": nil, "proxies": nil})
	zone("DYNAMIC_V2", "DefaultEnhancedDynamicZone", "BLOCKLIST", true, obj{
		"ipServiceCategories": obj{"include": []any{"ALL_ANONYMIZERS"}},
	})
	zone("IP", "Office Network", "POLICY", false, obj{
		"gateways": []any{obj{"type": "CIDR", "value": "203.0.113.0/24"}}, "proxies": nil,
	})

	assurance := func(d obj) {
		id := newID("dae")
		d["id"] = id
		d["createdDate"], d["lastUpdate"] = created, created
		d["createdBy"], d["lastUpdatedBy"] = st.Admin.ID, st.Admin.ID
		d["resourceType"] = assuranceResourceType
		d["resourceDisplayName"] = obj{"value": d["name"], "sensitive": false}
		d["resourceId"] = id
		st.DeviceAssurances = append(st.DeviceAssurances, d)
	}
	assurance(obj{"name": "Windows 11 baseline", "platform": "WINDOWS",
		"osVersion": obj{"minimum": "10.0.22631"}, "diskEncryptionType": obj{"include": []any{"ALL_INTERNAL_VOLUMES"}},
		"secureHardwarePresent": true})
	assurance(obj{"name": "macOS encrypted", "platform": "MACOS",
		"osVersion": obj{"minimum": "14.0"}, "diskEncryptionType": obj{"include": []any{"ALL_INTERNAL_VOLUMES"}},
		"screenLockType": obj{"include": []any{"PASSCODE", "BIOMETRIC"}}})
	st.reindex()
	return st
}

// SeedCounts is what Seed adds to an org.
type SeedCounts struct {
	AppPolicies int // ACCESS_POLICY policies, each with its catch-all rule
	RulesEach   int // more rules in each app policy (at most 99)
	DSCPolicies int // DEVICE_SIGNAL_COLLECTION policies, the first ones each mapped to a new app policy
	Assurances  int // device assurance policies
}

// Objects is how many objects the counts add: policies, rules (catch-alls included),
// mappings and assurance policies.
func (n SeedCounts) Objects() int {
	return n.AppPolicies*(1+n.RulesEach+1) + n.DSCPolicies + min(n.DSCPolicies, n.AppPolicies) + n.Assurances
}

// SeedLarge adds accessPolicies ACCESS_POLICY policies (each with its catch-all and rulesEach
// more rules) and assurances device assurance policies; see Seed.
func (s *Server) SeedLarge(accessPolicies, rulesEach, assurances int) error {
	return s.Seed(SeedCounts{AppPolicies: accessPolicies, RulesEach: rulesEach, Assurances: assurances})
}

// Seed adds generated policies, rules, mappings and assurance policies in one write and
// without log events, to try clients, screens and benchmarks against a large org. Okta allows
// 5,000 ACCESS_POLICY policies and 100 rules a policy.
func (s *Server) Seed(n SeedCounts) error {
	if n.AppPolicies < 0 || n.RulesEach < 0 || n.DSCPolicies < 0 || n.Assurances < 0 {
		return fmt.Errorf("sandbox: seed counts must not be negative")
	}
	if n.RulesEach > 99 {
		return fmt.Errorf("sandbox: a policy holds at most 100 rules (99 besides the catch-all)")
	}
	now := s.now()
	ts := oktaTime(now)
	return s.transact(func(st *state) bool {
		count := func(t string) int {
			c := 0
			for _, p := range st.Policies {
				if str(p["type"]) == t {
					c++
				}
			}
			return c
		}
		base := count(typeAccessPolicy)
		newApps := make([]string, 0, n.AppPolicies)
		for i := range n.AppPolicies {
			id := newID("rst")
			newApps = append(newApps, id)
			st.Policies = append(st.Policies, obj{
				"id": id, "type": typeAccessPolicy, "name": fmt.Sprintf("Load Test App Policy %05d", base+i+1),
				"description": "Generated by the sandbox seed", "status": statusActive, "priority": 1, "system": false,
				"conditions": nil, "created": ts, "lastUpdated": ts,
			})
			rules := make([]obj, 0, n.RulesEach+1)
			for j := range n.RulesEach {
				rules = append(rules, obj{
					"id": newID("rul"), "type": typeAccessPolicy, "name": fmt.Sprintf("Rule %02d", j+1),
					"status": statusActive, "priority": j + 1, "system": false, "created": ts, "lastUpdated": ts,
					"conditions": obj{"network": obj{"connection": "ANYWHERE"}},
					"actions":    obj{"appSignOn": obj{"access": "ALLOW"}},
				})
			}
			st.Rules[id] = append(rules, catchAllRule(now))
			st.touch(colPolicies, id)
			st.touch(colRules, id)
		}
		dscBase := count(typeDSC)
		for i := range n.DSCPolicies {
			id := newID("rst")
			st.Policies = append(st.Policies, obj{
				"id": id, "type": typeDSC, "name": fmt.Sprintf("Load Test Signal Collection %04d", dscBase+i+1),
				"description": "Generated by the sandbox seed", "status": statusActive, "priority": 1, "system": false,
				"conditions": nil, "created": ts, "lastUpdated": ts,
			})
			st.touch(colPolicies, id)
			if i < len(newApps) {
				st.Mappings[id] = []string{newApps[i]}
				st.touch(colMappings, id)
			}
		}
		for i := range n.Assurances {
			id := newID("dae")
			name := fmt.Sprintf("Load Test Assurance %04d", len(st.DeviceAssurances)+1)
			st.DeviceAssurances = append(st.DeviceAssurances, obj{
				"id": id, "name": name, "platform": "WINDOWS",
				"osVersion": obj{"minimum": fmt.Sprintf("10.0.%d", 19000+i)}, "createdDate": ts, "lastUpdate": ts,
				"createdBy": st.Admin.ID, "lastUpdatedBy": st.Admin.ID, "resourceType": assuranceResourceType,
				"resourceDisplayName": obj{"value": name, "sensitive": false},
				"resourceId":          id,
			})
			st.touch(colAssurances, id)
		}
		st.reindex()
		return n.AppPolicies+n.DSCPolicies+n.Assurances > 0
	})
}
