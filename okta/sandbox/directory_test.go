package sandbox

import (
	"strings"
	"testing"
)

func TestGroupsArePagedWithLinkHeaders(t *testing.T) {
	o := startOrg(t, Options{})
	all := o.must(200, "GET", "/api/v1/groups", nil).list(t)
	var names []string
	next := "/api/v1/groups?limit=2"
	pages := 0
	for next != "" {
		r := o.must(200, "GET", next, nil)
		if linkURL(r, "self") == "" {
			t.Fatal("self link missing")
		}
		for _, g := range r.list(t) {
			names = append(names, g["profile"].(map[string]any)["name"].(string))
			if g["_links"] == nil {
				t.Fatal("group without _links")
			}
		}
		next = linkURL(r, "next")
		pages++
	}
	if len(names) != len(all) || pages != (len(all)+1)/2 {
		t.Fatalf("paged %v in %d pages; all %d", names, pages, len(all))
	}
	if l := o.must(200, "GET", "/api/v1/groups?q=eng", nil).list(t); len(l) != 1 || l[0]["profile"].(map[string]any)["name"] != "Engineering" {
		t.Fatalf("q: %v", l)
	}
	id := all[1]["id"].(string)
	if g := o.must(200, "GET", "/api/v1/groups/"+id, nil).obj(t); g["id"] != id {
		t.Fatalf("get %v", g)
	}
	wantError(t, o.do("GET", "/api/v1/groups/00gNope", nil), 404, "E0000007", "Not found: Resource not found: 00gNope (UserGroup)")
	wantError(t, o.do("GET", "/api/v1/groups?limit=x", nil), 400, "E0000001", "")
}

func TestIdentityProvidersAndZones(t *testing.T) {
	o := startOrg(t, Options{})
	idps := o.must(200, "GET", "/api/v1/idps", nil).list(t)
	for _, i := range idps {
		for _, k := range []string{"id", "name", "type", "status", "_links"} {
			if i[k] == nil {
				t.Fatalf("idp lacks %s: %v", k, i)
			}
		}
	}
	zones := o.must(200, "GET", "/api/v1/zones", nil).list(t)
	for _, z := range zones {
		for _, k := range []string{"id", "name", "type", "status", "usage", "system", "_links"} {
			if _, ok := z[k]; !ok {
				t.Fatalf("zone lacks %s: %v", k, z)
			}
		}
		if !strings.HasSuffix(z["_links"].(map[string]any)["self"].(map[string]any)["href"].(string), "/api/v1/zones/"+z["id"].(string)) {
			t.Fatalf("zone self link %v", z["_links"])
		}
	}
	wantError(t, o.do("GET", "/api/v1/idps/0oaNope", nil), 404, "E0000007", "")
	wantError(t, o.do("GET", "/api/v1/zones/x/y", nil), 404, "E0000007", "")
}
