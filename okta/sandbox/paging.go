package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// pageLimit reads ?limit=: def when absent, at most max (0 = no cap).
func pageLimit(q url.Values, def, max int) (int, *response) {
	v := q.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, bad("limit", "The limit must be a positive number.")
	}
	if max > 0 {
		n = min(n, max)
	}
	return n, nil
}

// pageAfter pages through the items keep accepts: it starts after the one whose id is after
// (at the first when after is ""; nowhere when no kept item has that id) and renders at most
// limit of them (0 = all). more reports that kept items were left over; last is the id of the
// last one rendered.
func pageAfter(items []obj, after string, limit int, keep func(obj) bool, render func(obj) obj) (page []obj, last string, more bool) {
	started := after == ""
	for _, o := range items {
		if !keep(o) {
			continue
		}
		if !started {
			started = str(o["id"]) == after
			continue
		}
		if limit > 0 && len(page) == limit {
			return page, last, true
		}
		page = append(page, render(o))
		last = str(o["id"])
	}
	return page, last, false
}

// pageResponse answers a page of a list with Link rel="self" and, when next is not nil,
// rel="next" (the request's query with next's parameters set).
func pageResponse(c *call, page []obj, next url.Values) response {
	if page == nil {
		page = []obj{}
	}
	resp := jsonResp(http.StatusOK, page)
	resp.header = http.Header{}
	resp.header.Add("Link", pageLink(c, nil, "self"))
	if next != nil {
		resp.header.Add("Link", pageLink(c, next, "next"))
	}
	return resp
}

// nextAfter is the next page's parameters when more items follow last, else nil.
func nextAfter(more bool, last string) url.Values {
	if !more {
		return nil
	}
	return url.Values{"after": {last}}
}

// pageLink renders `<url>; rel="rel"` with the request's query, overridden by set.
func pageLink(c *call, set url.Values, rel string) string {
	q := c.r.URL.Query()
	for k, v := range set {
		q[k] = v
	}
	u := c.base + c.r.URL.Path
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return fmt.Sprintf("<%s>; rel=%q", u, rel)
}
