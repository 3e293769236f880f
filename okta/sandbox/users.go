package sandbox

import (
	"net/http"
	"slices"
	"strings"
)

// Users exist so sign-ins can be simulated for a person: a handful are seeded, each in some
// groups (state.Memberships) and, as in every org, in Everyone. They are read-only.

// usersDefaultLimit is the page size of GET /users without limit (Okta's default is 200).
const usersDefaultLimit = 200

func (st *state) user(id string) obj { return findByID(st.Users, id) }

// everyoneGroupID is the id of the BUILT_IN Everyone group ("" if the org has none).
func (st *state) everyoneGroupID() string {
	for _, g := range st.Groups {
		if str(g["type"]) == "BUILT_IN" {
			return str(g["id"])
		}
	}
	return ""
}

// userGroupIDs lists the groups of a user, Everyone first.
func (st *state) userGroupIDs(userID string) []string {
	ids := []string{}
	if e := st.everyoneGroupID(); e != "" {
		ids = append(ids, e)
	}
	for _, g := range st.Memberships[userID] {
		if !slices.Contains(ids, g) {
			ids = append(ids, g)
		}
	}
	return ids
}

func (s *Server) routeUsers(c *call) (response, error) {
	if c.r.Method != http.MethodGet {
		return methodNotAllowed("GET"), nil
	}
	switch len(c.segs) {
	case 1:
		return s.listUsers(c)
	case 2, 3:
		if len(c.segs) == 3 && c.segs[2] != "groups" {
			break
		}
		id := c.segs[1]
		return s.answer(func(st *state) response {
			u := st.user(id)
			if u == nil {
				return notFoundErr(id, "User")
			}
			if len(c.segs) == 2 {
				return jsonResp(http.StatusOK, renderUser(u, c.base))
			}
			out := []obj{}
			for _, gid := range st.userGroupIDs(id) {
				if g := findByID(st.Groups, gid); g != nil {
					out = append(out, renderDirectory("groups", g, c.base+"/api/v1/groups"))
				}
			}
			return jsonResp(http.StatusOK, out)
		})
	}
	return notFoundErr(c.r.URL.Path, "Endpoint"), nil
}

func (s *Server) listUsers(c *call) (response, error) {
	q := c.r.URL.Query()
	limit, badLimit := pageLimit(q, usersDefaultLimit, 0)
	if badLimit != nil {
		return *badLimit, nil
	}
	prefix := strings.ToLower(q.Get("q"))
	keep := func(u obj) bool {
		if prefix == "" {
			return true
		}
		p, _ := u["profile"].(map[string]any)
		for _, k := range []string{"login", "email", "firstName", "lastName"} {
			if strings.HasPrefix(strings.ToLower(str(p[k])), prefix) {
				return true
			}
		}
		return false
	}
	var page []obj
	var last string
	var more bool
	err := s.view(func(st *state) {
		page, last, more = pageAfter(st.Users, q.Get("after"), limit, keep, func(u obj) obj { return renderUser(u, c.base) })
	})
	if err != nil {
		return response{}, err
	}
	return pageResponse(c, page, nextAfter(more, last)), nil
}

func renderUser(u obj, base string) obj {
	out := copyObj(u)
	out["_links"] = obj{"self": link(base + "/api/v1/users/" + str(u["id"]))}
	return out
}

// seedUsers adds the org's admin and a few people, each in the groups named.
func seedUsers(st *state, created string) {
	groupNamed := func(name string) string {
		for _, g := range st.Groups {
			if directoryName("groups", g) == name {
				return str(g["id"])
			}
		}
		return ""
	}
	if st.Memberships == nil {
		st.Memberships = map[string][]string{}
	}
	people := []struct {
		id, first, last, login string
		groups                 []string
	}{
		{st.Admin.ID, "Sandbox", "Admin", st.Admin.Login, []string{"Okta Administrators"}},
		{newID("00u"), "Alice", "Sales", "alice@sandbox.example.com", []string{"Sales"}},
		{newID("00u"), "Bob", "Builder", "bob@sandbox.example.com", []string{"Engineering"}},
		{newID("00u"), "Carol", "Contractor", "carol@sandbox.example.com", []string{"Contractors", "Engineering"}},
	}
	for _, p := range people {
		st.Users = append(st.Users, obj{
			"id": p.id, "status": statusActive, "created": created, "activated": created, "lastUpdated": created,
			"type":    obj{"id": "oty" + p.id[3:]},
			"profile": obj{"firstName": p.first, "lastName": p.last, "login": p.login, "email": p.login},
		})
		for _, g := range p.groups {
			st.Memberships[p.id] = append(st.Memberships[p.id], groupNamed(g))
		}
	}
}
