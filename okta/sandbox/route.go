package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// call is one request being answered.
type call struct {
	r    *http.Request
	base string
	now  time.Time
	segs []string // path segments after /api/v1/
}

func (s *Server) route(r *http.Request) response {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == "/oauth2/v1/token" {
		if r.Method != http.MethodPost {
			return methodNotAllowed(http.MethodPost)
		}
		return s.handleToken(r)
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		return invalidTokenErr()
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return notFoundErr(path, "Endpoint")
	}
	c := &call{r: r, base: baseURL(r), now: s.now(), segs: strings.Split(rest, "/")}
	var resp response
	var err error
	switch c.segs[0] {
	case "policies":
		resp, err = s.routePolicies(c)
	case "users":
		resp, err = s.routeUsers(c)
	case "apps":
		resp, err = s.routeApps(c)
	case "device-assurances":
		resp, err = s.routeDeviceAssurances(c)
	case "idps":
		resp, err = s.routeDirectory(c, func(st *state) []obj { return st.IdPs }, "/api/v1/idps")
	case "groups":
		resp, err = s.routeDirectory(c, func(st *state) []obj { return st.Groups }, "/api/v1/groups")
	case "zones":
		resp, err = s.routeDirectory(c, func(st *state) []obj { return st.Zones }, "/api/v1/zones")
	case "logs":
		resp, err = s.routeLogs(c)
	default:
		return notFoundErr(path, "Endpoint")
	}
	if err != nil {
		// Only the state file can fail here (errStateUnavailable); Okta's answer to an
		// internal failure is a 500.
		s.log.Error("sandbox state", "err", err)
		return internalErr()
	}
	return resp
}

// query returns the request's query parameter.
func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// activateParam reads ?activate=; def when absent. An unreadable value is a validation error.
func (c *call) activateParam(def bool) (bool, *response) {
	v := c.r.URL.Query().Get("activate")
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	e := validationErr("activate", "The value must be true or false.")
	return false, &e
}
