package sandbox

import (
	"net/http"
	"net/url"
	"strconv"
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
		var resp response
		err := s.view(func(st *state) {
			o := findByID(list(st), c.segs[1])
			if o == nil {
				resp = notFoundErr(c.segs[1], entity)
				return
			}
			resp = jsonResp(http.StatusOK, renderDirectory(kind, o, c.base+basePath))
		})
		return resp, err
	}
	if len(c.segs) != 1 {
		return notFoundErr(c.r.URL.Path, "Endpoint"), nil
	}
	q := c.r.URL.Query()
	limit := directoryDefaultLimit[kind]
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return validationErr("limit", "The limit must be a positive number."), nil
		}
		limit = n
	}
	prefix := strings.ToLower(q.Get("q"))
	after := q.Get("after")
	var page []obj
	more := false
	var last string
	err := s.view(func(st *state) {
		started := after == ""
		for _, o := range list(st) {
			if prefix != "" && !strings.HasPrefix(strings.ToLower(directoryName(kind, o)), prefix) {
				continue
			}
			if !started {
				started = str(o["id"]) == after
				continue
			}
			if len(page) == limit {
				more = true
				break
			}
			page = append(page, renderDirectory(kind, o, c.base+basePath))
			last = str(o["id"])
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
	case "idps":
		out["_links"] = obj{"self": link(self, "GET", "PUT", "DELETE")}
		if str(o["status"]) == statusActive {
			out["_links"].(obj)["deactivate"] = link(self+"/lifecycle/deactivate", "POST")
		} else {
			out["_links"].(obj)["activate"] = link(self+"/lifecycle/activate", "POST")
		}
	case "zones":
		out["_links"] = obj{"self": link(self, "GET", "PUT", "DELETE")}
		if str(o["status"]) == statusActive {
			out["_links"].(obj)["deactivate"] = link(self+"/lifecycle/deactivate", "POST")
		} else {
			out["_links"].(obj)["activate"] = link(self+"/lifecycle/activate", "POST")
		}
	}
	return out
}
