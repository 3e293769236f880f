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
	return pageResponse(c, page, nextAfter(more, last)), nil
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
