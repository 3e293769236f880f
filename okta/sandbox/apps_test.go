package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestPolicyAppsAnswersWithItsSelfLinkAsRecorded(t *testing.T) {
	o := startOrg(t, Options{})
	p := o.createPolicy("ACCESS_POLICY", "Nobody uses me", "")
	id := str(p["id"])
	r := o.must(http.StatusOK, "GET", "/api/v1/policies/"+id+"/app", nil)
	if got := r.list(t); len(got) != 0 {
		t.Fatalf("new policy lists %d apps", len(got))
	}
	// Recorded: `<https://.../api/v1/policies/{id}/app?limit=20>; rel="self"` for a request
	// without limit.
	want := []string{"<" + o.url + "/api/v1/policies/" + id + "/app?limit=20>; rel=\"self\""}
	if got := r.header.Values("Link"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Link %q, want %q", got, want)
	}
}

func TestPolicyAppsPagesTwentyAtATimeWithNextLinks(t *testing.T) {
	o := startOrg(t, Options{})
	anyTwo := str(o.findPolicy("ACCESS_POLICY", "Any two factors")["id"])
	r := o.must(http.StatusOK, "GET", "/api/v1/policies/"+anyTwo+"/app?limit=2", nil)
	first := r.list(t)
	if len(first) != 2 {
		t.Fatalf("page of %d", len(first))
	}
	var next string
	for _, l := range r.header.Values("Link") {
		if strings.HasSuffix(l, `rel="next"`) {
			next = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
		}
	}
	if next == "" {
		t.Fatalf("no next link: %q", r.header.Values("Link"))
	}
	second := o.must(http.StatusOK, "GET", next, nil).list(t)
	if len(second) == 0 || str(second[0]["id"]) == str(first[0]["id"]) {
		t.Fatalf("next page %v repeats or is empty", second)
	}
	for _, a := range append(first, second...) {
		links := a["_links"].(map[string]any)
		href := str(links["accessPolicy"].(map[string]any)["href"])
		if !strings.HasSuffix(href, "/api/v1/policies/"+anyTwo) {
			t.Fatalf("app %s of the policy links %s", a["label"], href)
		}
	}
}

func TestPolicyAppsOfUnknownPolicyIs404(t *testing.T) {
	o := startOrg(t, Options{})
	wantError(t, o.do("GET", "/api/v1/policies/rstNOPE/app", nil), 404, "E0000007", "Not found: Resource not found: rstNOPE (Policy)")
}

func TestAppsEndpointsRefuseOtherMethods(t *testing.T) {
	o := startOrg(t, Options{})
	wantError(t, o.do("POST", "/api/v1/policies/x/app", nil), 405, "E0000022", "")
	wantError(t, o.do("PUT", "/api/v1/apps", nil), 405, "E0000022", "")
	wantError(t, o.do("GET", "/api/v1/apps/x/policies/y", nil), 405, "E0000022", "")
	wantError(t, o.do("GET", "/api/v1/apps?limit=0", nil), 400, "E0000001", "")
}

func TestAppsPersistInTheStateFile(t *testing.T) {
	path := t.TempDir() + "/org.json"
	o := startOrg(t, Options{StatePath: path})
	apps := o.must(http.StatusOK, "GET", "/api/v1/apps?q=Workday", nil).list(t)
	pw := str(o.findPolicy("ACCESS_POLICY", "Password only")["id"])
	o.must(http.StatusNoContent, "PUT", "/api/v1/apps/"+str(apps[0]["id"])+"/policies/"+pw, nil)
	o.srv.Close()
	o2 := startOrg(t, Options{StatePath: path})
	got := o2.must(http.StatusOK, "GET", "/api/v1/policies/"+pw+"/app", nil).list(t)
	if len(got) != 2 { // Slack (seeded) and Workday
		t.Fatalf("after restart the policy protects %d apps", len(got))
	}
}

func TestCreatedAppUsesTheDefaultPolicyAndIsDeletedOnlyWhenInactive(t *testing.T) {
	o := startOrg(t, Options{})
	wantError(t, o.do("POST", "/api/v1/apps", map[string]any{"signOnMode": "BOOKMARK", "name": "bookmark"}), 400, "E0000001", "Api validation failed: label")
	a := o.must(http.StatusOK, "POST", "/api/v1/apps", map[string]any{"label": "Wiki", "signOnMode": "BOOKMARK", "name": "bookmark",
		"settings": map[string]any{"app": map[string]any{"url": "https://wiki.example.com"}}}).obj(t)
	id := str(a["id"])
	anyTwo := str(o.findPolicy("ACCESS_POLICY", "Any two factors")["id"])
	href := str(a["_links"].(map[string]any)["accessPolicy"].(map[string]any)["href"])
	if !strings.HasSuffix(href, "/api/v1/policies/"+anyTwo) || a["status"] != "ACTIVE" {
		t.Fatalf("new app: status %v, policy %s, want the default %s", a["status"], href, anyTwo)
	}
	wantError(t, o.do("DELETE", "/api/v1/apps/"+id, nil), 400, "E0000001", "Api validation failed: status")
	o.must(http.StatusOK, "POST", "/api/v1/apps/"+id+"/lifecycle/deactivate", nil)
	o.must(http.StatusNoContent, "DELETE", "/api/v1/apps/"+id, nil)
	wantError(t, o.do("GET", "/api/v1/apps/"+id, nil), 404, "E0000007", "Not found: Resource not found: "+id+" (AppInstance)")
	for _, e := range o.must(http.StatusOK, "GET", "/api/v1/policies/"+anyTwo+"/app?limit=200", nil).list(t) {
		if str(e["id"]) == id {
			t.Fatal("a deleted app is still listed under its policy")
		}
	}
}
