package sandbox

import (
	"net/http"
	"strings"
)

// Default page sizes of the read-only lists when the client sends no limit.
var directoryDefaultLimit = map[string]int{"groups": 10000, "idps": 20, "zones": 1000}

// routeDirectory serves the read-only pickers: identity providers, groups, network zones.
func (s *Server) routeDirectory(c *call, list func(*state) []obj, basePath string) (response, error) {
	if c.r.Method != http.MethodGet {
		return methodNotAllowed("GET"), nil
	}
	kind := c.segs[0]
	entity := map[string]string{"groups": "UserGroup", "idps": "IdentityProvider", "zones": "Zone"}[kind]
	if len(c.segs) == 2 {
		return s.answer(func(st *state) response {
			o := findByID(list(st), c.segs[1])
			if o == nil {
				return notFoundErr(c.segs[1], entity)
			}
			return jsonResp(http.StatusOK, renderDirectory(kind, o, c.base+basePath))
		})
	}
	if len(c.segs) != 1 {
		return notFoundErr(c.r.URL.Path, "Endpoint"), nil
	}
	q := c.r.URL.Query()
	limit, badLimit := pageLimit(q, directoryDefaultLimit[kind], 0)
	if badLimit != nil {
		return *badLimit, nil
	}
	prefix := strings.ToLower(q.Get("q"))
	keep := func(o obj) bool {
		return prefix == "" || strings.HasPrefix(strings.ToLower(directoryName(kind, o)), prefix)
	}
	if kind == "groups" && q.Has("search") {
		name, ok := parseGroupNameSearch(q.Get("search"))
		if !ok {
			return errResp(http.StatusBadRequest, "E0000031", "Invalid search criteria.",
				"the sandbox understands only search=profile.name eq \"NAME\""), nil
		}
		keep = func(o obj) bool { return directoryName(kind, o) == name }
	}
	if kind == "groups" && q.Has("q") && q.Get("limit") == "" {
		limit = groupQueryLimit
	}
	var page []obj
	var last string
	var more bool
	err := s.view(func(st *state) {
		page, last, more = pageAfter(list(st), q.Get("after"), limit, keep, func(o obj) obj {
			return renderDirectory(kind, o, c.base+basePath)
		})
	})
	if err != nil {
		return response{}, err
	}
	if kind == "groups" && q.Has("q") {
		more = false // Okta never pages a group query: what is past the limit is left out
	}
	return pageResponse(c, page, nextAfter(more, last)), nil
}

// groupQueryLimit is how many groups Okta answers to q= when no limit is given.
const groupQueryLimit = 300

// parseGroupNameSearch reads the one search expression the sandbox supports on groups,
// profile.name eq "NAME" (with \" and \\ escapes), and returns NAME.
func parseGroupNameSearch(expr string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(expr), "profile.name eq ")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	body := rest[1 : len(rest)-1]
	for i := 0; i < len(body); i++ {
		switch ch := body[i]; {
		case ch == '\\' && i+1 < len(body):
			i++
			b.WriteByte(body[i])
		case ch == '"' || ch == '\\':
			return "", false // an unescaped quote ends the string early
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), true
}

func directoryName(kind string, o obj) string {
	if kind == "groups" {
		if p, ok := o["profile"].(map[string]any); ok {
			return str(p["name"])
		}
	}
	return str(o["name"])
}

func renderDirectory(kind string, o obj, collection string) obj {
	out := copyObj(o)
	self := collection + "/" + str(o["id"])
	switch kind {
	case "groups":
		out["_links"] = obj{"self": link(self), "users": link(self + "/users"), "apps": link(self + "/apps")}
	case "idps", "zones":
		links := obj{"self": link(self, "GET", "PUT", "DELETE")}
		addStatusLink(links, self, o)
		out["_links"] = links
	}
	return out
}

// SeedGroups adds OKTA_GROUP groups with the given names (Okta's group API is read-only here),
// to test name lookups against orgs with many groups.
func (s *Server) SeedGroups(names ...string) error {
	ts := oktaTime(s.now())
	return s.transact(func(st *state) bool {
		for _, name := range names {
			st.Groups = append(st.Groups, obj{
				"id": newID("00g"), "created": ts, "lastUpdated": ts, "lastMembershipUpdated": ts,
				"objectClass": []any{"okta:user_group"}, "type": "OKTA_GROUP",
				"profile": obj{"name": name, "description": ""},
			})
		}
		return len(names) > 0
	})
}
