package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Apps. Each app uses exactly one app sign-in policy (state.AppPolicies); the seeded ones are
// the apps of a new org plus a few customer apps. Where Okta's answer is not recorded the
// sandbox chooses:
//   - The dedicated policies "Okta Admin Console" and "Okta Dashboard" cannot be assigned to
//     another app (recorded for the Admin Console: 400 E0000001 "This policy belongs to ...").
//   - Only ACCESS_POLICY policies can be assigned (400 E0000001 otherwise).
//   - A policy some app uses cannot be deleted (400 E0000001 naming the apps).
//   - Assigning logs "application.policy.sign_on.update" with the app and the policy as targets.
//   - POST /apps creates an app of any signOnMode from its label, name and settings (no OIN
//     catalogue); it uses the org's default app sign-in policy, as recorded. Deleting an active
//     app is 400 E0000001: deactivate it first.

// EventAppPolicyUpdate is the System Log event of an app sign-in policy assignment.
const EventAppPolicyUpdate = "application.policy.sign_on.update"

// dedicatedPolicies are app sign-in policies that belong to one app: policy name -> app label.
var dedicatedPolicies = map[string]string{"Okta Admin Console": "Okta Admin Console", "Okta Dashboard": "Okta Dashboard"}

// policyAppsPageSize is the page size of GET /policies/{id}/app; its self link carries it even
// when the request did not (recorded).
const policyAppsPageSize = 20

// maxAppPage caps ?limit= on /apps; without limit every app comes in one page.
const maxAppPage = 200

func appNotFound(id string) response { return notFoundErr(id, "AppInstance") }

func (st *state) app(id string) obj { return findByID(st.Apps, id) }

func (s *Server) routeApps(c *call) (response, error) {
	segs, m := c.segs, c.r.Method
	switch {
	case len(segs) == 1:
		switch m {
		case http.MethodGet:
			return s.listApps(c)
		case http.MethodPost:
			return s.createApp(c)
		}
		return methodNotAllowed("GET", "POST"), nil
	case len(segs) == 2:
		switch m {
		case http.MethodGet:
			return s.answer(func(st *state) response {
				a := st.app(segs[1])
				if a == nil {
					return appNotFound(segs[1])
				}
				return jsonResp(http.StatusOK, renderApp(st, a, c.base))
			})
		case http.MethodDelete:
			return s.deleteApp(c, segs[1])
		}
		return methodNotAllowed("GET", "DELETE"), nil
	case len(segs) == 4 && segs[2] == "lifecycle" && (segs[3] == "activate" || segs[3] == "deactivate"):
		if m != http.MethodPost {
			return methodNotAllowed("POST"), nil
		}
		return s.appLifecycle(c, segs[1], segs[3] == "activate")
	case len(segs) == 4 && segs[2] == "policies":
		if m != http.MethodPut {
			return methodNotAllowed("PUT"), nil
		}
		return s.assignAppPolicy(c, segs[1], segs[3])
	}
	return notFoundErr(c.r.URL.Path, "Endpoint"), nil
}

// appFilterFields are the members the spec lets /apps filter on (credentials.signing.kid and
// settings.slo.enabled are not modelled).
var appFilterFields = map[string]func(obj) []string{
	"id":     func(a obj) []string { return []string{str(a["id"])} },
	"status": func(a obj) []string { return []string{str(a["status"])} },
	"name":   func(a obj) []string { return []string{str(a["name"])} },
}

func (s *Server) listApps(c *call) (response, error) {
	q := c.r.URL.Query()
	limit, badLimit := pageLimit(q, 0, maxAppPage)
	if badLimit != nil {
		return *badLimit, nil
	}
	keep := func(obj) bool { return true }
	if f := q.Get("filter"); f != "" {
		match, err := parseFilter(f, appFilterFields, "id, status or name", `"ACTIVE"`)
		if err != nil {
			return validationErr("filter", err.Error()), nil
		}
		keep = match
	}
	if prefix := strings.ToLower(q.Get("q")); prefix != "" {
		filtered := keep
		keep = func(a obj) bool {
			return filtered(a) && (strings.HasPrefix(strings.ToLower(str(a["name"])), prefix) ||
				strings.HasPrefix(strings.ToLower(str(a["label"])), prefix))
		}
	}
	var page []obj
	var last string
	var more bool
	err := s.view(func(st *state) {
		page, last, more = pageAfter(st.Apps, q.Get("after"), limit, keep, func(a obj) obj { return renderApp(st, a, c.base) })
	})
	if err != nil {
		return response{}, err
	}
	return pageResponse(c, page, nextAfter(more, last)), nil
}

// listPolicyApps lists the apps that use an app sign-in policy, 20 a page.
func (s *Server) listPolicyApps(c *call, id string) (response, error) {
	q := c.r.URL.Query()
	limit, badLimit := pageLimit(q, policyAppsPageSize, maxAppPage)
	if badLimit != nil {
		return *badLimit, nil
	}
	return s.answer(func(st *state) response {
		if st.policy(id) == nil {
			return policyNotFound(id)
		}
		page, last, more := pageAfter(st.Apps, q.Get("after"), limit,
			func(a obj) bool { return st.AppPolicies[str(a["id"])] == id },
			func(a obj) obj { return renderApp(st, a, c.base) })
		if page == nil {
			page = []obj{}
		}
		resp := jsonResp(http.StatusOK, page)
		resp.header = http.Header{}
		sized := url.Values{"limit": {fmt.Sprint(limit)}}
		resp.header.Add("Link", pageLink(c, sized, "self"))
		if more {
			sized.Set("after", last)
			resp.header.Add("Link", pageLink(c, sized, "next"))
		}
		return resp
	})
}

func (s *Server) assignAppPolicy(c *call, appID, policyID string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		a := st.app(appID)
		if a == nil {
			return appNotFound(appID), false
		}
		p := st.policy(policyID)
		if p == nil {
			return policyNotFound(policyID), false
		}
		if str(p["type"]) != typeAccessPolicy {
			return errResp(http.StatusBadRequest, "E0000001", "Api validation failed: Policy",
				fmt.Sprintf("Policy %s is a %s policy; only an app sign-in policy (ACCESS_POLICY) can be assigned to an app.", policyID, str(p["type"]))), false
		}
		if owner, ok := dedicatedPolicies[str(p["name"])]; ok && owner != str(a["label"]) {
			return errResp(http.StatusBadRequest, "E0000001", "Api validation failed: Policy",
				fmt.Sprintf("This policy belongs to %q, and re-assignment of this policy is not allowed", owner)), false
		}
		if st.AppPolicies[appID] == policyID {
			return noContent(), false
		}
		st.AppPolicies[appID] = policyID
		a["lastUpdated"] = oktaTime(c.now)
		st.touch(colApps, appID)
		st.touch(colAppPolicies, appID)
		s.event(st, c, EventAppPolicyUpdate, "Update application sign on policy",
			logTarget{ID: appID, Type: "AppInstance", DisplayName: str(a["label"])}, policyTarget(p))
		return noContent(), true
	})
}

// appsUsing lists the labels of the apps whose sign-in policy is policyID.
func (st *state) appsUsing(policyID string) []string {
	var labels []string
	for _, a := range st.Apps {
		if st.AppPolicies[str(a["id"])] == policyID {
			labels = append(labels, str(a["label"]))
		}
	}
	return labels
}

// renderApp adds _links as a real org answers them (recorded), accessPolicy included.
func renderApp(st *state, a obj, base string) obj {
	out := make(obj, len(a)+1)
	for k, v := range a {
		out[k] = v
	}
	id := str(a["id"])
	self := base + "/api/v1/apps/" + id
	links := obj{
		"uploadLogo": link(self+"/logo", "POST"),
		"appLinks":   []any{obj{"name": "login", "href": base + "/home/" + str(a["name"]) + "/" + id + "/2557", "type": "text/html"}},
		"policies":   link(self+"/policies", "PUT"),
		"groups":     link(self + "/groups"),
		"users":      link(self + "/users"),
		"logo":       []any{obj{"name": "medium", "href": base + "/assets/img/logos/" + str(a["name"]) + ".png", "type": "image/png"}},
	}
	for _, p := range st.Policies {
		if str(p["type"]) == "PROFILE_ENROLLMENT" && p["system"] == true {
			links["profileEnrollment"] = link(base + "/api/v1/policies/" + str(p["id"]))
		}
	}
	if pid := st.AppPolicies[id]; pid != "" {
		links["accessPolicy"] = link(base + "/api/v1/policies/" + pid)
	}
	if str(a["status"]) == statusActive {
		links["deactivate"] = link(self + "/lifecycle/deactivate")
	} else {
		links["activate"] = link(self + "/lifecycle/activate")
	}
	out["_links"] = links
	return out
}

// seedApps adds the apps of a new org (Admin Console, Dashboard, Browser Plugin) and some
// customer apps, each using the app sign-in policy named in the table.
func seedApps(st *state, created string) {
	policyNamed := func(name string) string {
		for _, p := range st.Policies {
			if str(p["type"]) == typeAccessPolicy && str(p["name"]) == name {
				return str(p["id"])
			}
		}
		return ""
	}
	apps := []struct{ name, label, signOnMode, status, policy string }{
		{"saasure", "Okta Admin Console", "OPENID_CONNECT", statusActive, "Okta Admin Console"},
		{"okta_enduser", "Okta Dashboard", "OPENID_CONNECT", statusActive, "Okta Dashboard"},
		{"okta_browser_plugin", "Okta Browser Plugin", "OPENID_CONNECT", statusActive, "Any two factors"},
		{"oidc_client", "Expense Portal", "OPENID_CONNECT", statusActive, "Any two factors"},
		{"salesforce", "Salesforce.com", "SAML_2_0", statusActive, "Any two factors"},
		{"workday", "Workday", "SAML_2_0", statusActive, "Any two factors"},
		{"slack", "Slack", "SAML_2_0", statusActive, "Password only"},
		{"bookmark", "Legacy Wiki", "BOOKMARK", statusInactive, "One factor access"},
	}
	if st.AppPolicies == nil {
		st.AppPolicies = map[string]string{}
	}
	for _, a := range apps {
		id := newID("0oa")
		st.Apps = append(st.Apps, obj{
			"id": id, "orn": "orn:okta:idp:" + st.Admin.ID + ":apps:" + a.name + ":" + id,
			"name": a.name, "label": a.label, "status": a.status, "created": created, "lastUpdated": created,
			"accessibility": obj{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
			"visibility":    obj{"autoLaunch": false, "autoSubmitToolbar": false, "hide": obj{"iOS": false, "web": false}, "appLinks": obj{"login": true}},
			"features":      []any{}, "signOnMode": a.signOnMode,
			"credentials": obj{"userNameTemplate": obj{"template": "${source.login}", "type": "BUILT_IN"}, "signing": obj{}},
			"settings":    obj{"app": obj{}, "manualProvisioning": false, "implicitAssignment": false, "notes": obj{"admin": nil, "enduser": nil}},
		})
		st.AppPolicies[id] = policyNamed(a.policy)
	}
}

// newAppObject is an app as a real org stores a custom one it was sent (recorded shape).
func newAppObject(st *state, body obj, id, status, ts string) obj {
	settings, _ := body["settings"].(map[string]any)
	appSettings := obj{}
	if a, ok := settings["app"].(map[string]any); ok {
		appSettings = copyObj(a)
	}
	return obj{
		"id": id, "orn": "orn:okta:idp:" + st.Admin.ID + ":apps:" + str(body["name"]) + ":" + id,
		"name": body["name"], "label": body["label"], "status": status, "lastUpdated": ts, "created": ts,
		"accessibility": obj{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		"visibility":    obj{"autoLaunch": false, "autoSubmitToolbar": false, "hide": obj{"iOS": false, "web": false}, "appLinks": obj{"login": true}},
		"features":      []any{}, "signOnMode": body["signOnMode"],
		"credentials":     obj{"userNameTemplate": obj{"template": "${source.login}", "type": "BUILT_IN"}, "signing": obj{}},
		"universalLogout": nil,
		"settings": obj{"app": appSettings,
			"notifications":      obj{"vpn": obj{"network": obj{"connection": "DISABLED"}, "message": nil, "helpUrl": nil}},
			"manualProvisioning": false, "implicitAssignment": false, "notes": obj{"admin": nil, "enduser": nil}},
	}
}

// defaultAccessPolicy is the org's system app sign-in policy, which new apps use.
func (st *state) defaultAccessPolicy() string {
	for _, p := range st.Policies {
		if str(p["type"]) == typeAccessPolicy && p["system"] == true {
			return str(p["id"])
		}
	}
	return ""
}

func (s *Server) createApp(c *call) (response, error) {
	body, bad := readObject(c.r)
	if bad != nil {
		return *bad, nil
	}
	activate := true
	if v := c.query("activate"); v != "" {
		a, e := c.activateParam(true)
		if e != nil {
			return *e, nil
		}
		activate = a
	}
	for _, k := range []string{"label", "signOnMode", "name"} {
		if v, ok := body[k].(string); !ok || strings.TrimSpace(v) == "" {
			return validationErr(k, "The field cannot be left blank."), nil
		}
	}
	return s.change(func(st *state) (response, bool) {
		id := newID("0oa")
		a := newAppObject(st, body, id, lifecycleStatus(activate), oktaTime(c.now))
		st.Apps = append(st.Apps, a)
		st.AppPolicies[id] = st.defaultAccessPolicy()
		st.touch(colApps, id)
		st.touch(colAppPolicies, id)
		s.event(st, c, "application.lifecycle.create", "Add application", appTarget(a))
		return jsonResp(http.StatusOK, renderApp(st, a, c.base)), true
	})
}

func lifecycleStatus(active bool) string {
	if active {
		return statusActive
	}
	return statusInactive
}

func appTarget(a obj) logTarget {
	return logTarget{ID: str(a["id"]), Type: "AppInstance", DisplayName: str(a["label"])}
}

// appLifecycle activates or deactivates an app; a real org answers 200 with {} (recorded).
func (s *Server) appLifecycle(c *call, id string, activate bool) (response, error) {
	return s.change(func(st *state) (response, bool) {
		a := st.app(id)
		if a == nil {
			return appNotFound(id), false
		}
		want := lifecycleStatus(activate)
		if a["status"] == want {
			return jsonResp(http.StatusOK, obj{}), false
		}
		a["status"], a["lastUpdated"] = want, oktaTime(c.now)
		st.touch(colApps, id)
		ev, msg := "application.lifecycle.deactivate", "Deactivate application"
		if activate {
			ev, msg = "application.lifecycle.activate", "Activate application"
		}
		s.event(st, c, ev, msg, appTarget(a))
		return jsonResp(http.StatusOK, obj{}), true
	})
}

func (s *Server) deleteApp(c *call, id string) (response, error) {
	return s.change(func(st *state) (response, bool) {
		i := slices.IndexFunc(st.Apps, func(a obj) bool { return str(a["id"]) == id })
		if i < 0 {
			return appNotFound(id), false
		}
		a := st.Apps[i]
		if a["status"] == statusActive {
			return validationErr("status", "An active app cannot be deleted: deactivate it first."), false
		}
		st.Apps = slices.Delete(st.Apps, i, i+1)
		delete(st.AppPolicies, id)
		st.touch(colApps, id)
		st.touch(colAppPolicies, id)
		s.event(st, c, "application.lifecycle.delete", "Delete application", appTarget(a))
		return noContent(), true
	})
}
