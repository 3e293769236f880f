package sandbox

import (
	"strings"
	"testing"
)

func TestMappingsOnDeviceSignalCollectionPolicy(t *testing.T) {
	o := startOrg(t, Options{})
	dsc := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "Collect signals", "?activate=false")["id"].(string)
	app := o.createPolicy("ACCESS_POLICY", "Payroll app", "")["id"].(string)
	base := "/api/v1/policies/" + dsc + "/mappings"
	if l := o.must(200, "GET", base, nil).list(t); len(l) != 0 {
		t.Fatalf("new DSC has mappings %v", l)
	}
	m := o.must(200, "POST", base, map[string]any{"resourceId": app, "resourceType": "ACCESS_POLICY"}).obj(t)
	if m["id"] != app {
		t.Fatalf("mapping id is the mapped ACCESS_POLICY id: %v", m)
	}
	links := m["_links"].(map[string]any)
	if !strings.HasSuffix(links["self"].(map[string]any)["href"].(string), base+"/"+app) ||
		!strings.HasSuffix(links["policy"].(map[string]any)["href"].(string), "/api/v1/policies/"+app) {
		t.Fatalf("links %v", links)
	}
	if len(m) != 2 {
		t.Fatalf("Okta answers only id and _links: %v", m)
	}
	// mapping the same policy again: 200, the existing mapping, nothing added
	again := o.must(200, "POST", base, map[string]any{"resourceId": app, "resourceType": "ACCESS_POLICY"}).obj(t)
	if again["id"] != app {
		t.Fatalf("again %v", again)
	}
	list := o.must(200, "GET", base, nil).list(t)
	if len(list) != 1 || list[0]["id"] != app {
		t.Fatalf("list %v", list)
	}
	if g := o.must(200, "GET", base+"/"+app, nil).obj(t); g["id"] != app {
		t.Fatalf("get %v", g)
	}
	// the app sign-in policy links its DSC policy
	ap := o.must(200, "GET", "/api/v1/policies/"+app, nil).obj(t)
	dl, ok := ap["_links"].(map[string]any)["deviceSignalCollectionPolicy"].(map[string]any)
	if !ok || !strings.HasSuffix(dl["href"].(string), "/api/v1/policies/"+dsc) {
		t.Fatalf("ACCESS_POLICY should link its DSC policy: %v", ap["_links"])
	}
	// another DSC policy cannot take the same app sign-in policy
	dsc2 := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "Other", "")["id"].(string)
	wantError(t, o.do("POST", "/api/v1/policies/"+dsc2+"/mappings", map[string]any{"resourceId": app, "resourceType": "ACCESS_POLICY"}),
		400, "E0000001", "Api validation failed: resourceId")

	o.must(204, "DELETE", base+"/"+app, nil)
	wantError(t, o.do("GET", base+"/"+app, nil), 404, "E0000007", "Not found: Resource not found: "+app+" (PolicyMapping)")
	wantError(t, o.do("DELETE", base+"/"+app, nil), 404, "E0000007", "")
	if l := o.must(200, "GET", base, nil).list(t); len(l) != 0 {
		t.Fatalf("after delete %v", l)
	}
	wantError(t, o.do("GET", "/api/v1/policies/nope/mappings", nil), 404, "E0000007", "")
}

func TestMappingValidation(t *testing.T) {
	o := startOrg(t, Options{})
	dsc := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc", "")["id"].(string)
	other := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc2", "")["id"].(string)
	base := "/api/v1/policies/" + dsc + "/mappings"
	app := o.createPolicy("ACCESS_POLICY", "app", "")["id"].(string)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"resourceId": app}, "resourceType"},
		{map[string]any{"resourceId": app, "resourceType": "APP"}, "resourceType"},
		{map[string]any{"resourceType": "ACCESS_POLICY"}, "resourceId"},
		{map[string]any{"resourceId": "rstDoesNotExist000000", "resourceType": "ACCESS_POLICY"}, "resourceId"},
		{map[string]any{"resourceId": other, "resourceType": "ACCESS_POLICY"}, "resourceId"},
	} {
		wantError(t, o.do("POST", base, c.body), 400, "E0000001", "Api validation failed: "+c.field)
	}
}

func TestMappingOnAccessPolicyAnswersLikeARealOrg(t *testing.T) {
	o := startOrg(t, Options{})
	app := o.createPolicy("ACCESS_POLICY", "app", "")["id"].(string)
	other := o.createPolicy("ACCESS_POLICY", "other", "")["id"].(string)
	e := wantError(t, o.do("POST", "/api/v1/policies/"+app+"/mappings", map[string]any{"resourceId": other, "resourceType": "ACCESS_POLICY"}),
		400, "E0000001", "Api validation failed: Policy mappings are no longer supported on this endpoint.")
	if len(causes(e)) != 0 {
		t.Fatalf("recorded answer has empty errorCauses: %v", e)
	}
	if l := o.must(200, "GET", "/api/v1/policies/"+app+"/mappings", nil).list(t); len(l) != 0 {
		t.Fatalf("%v", l)
	}
}

func TestDeletingPoliciesRemovesTheirMappings(t *testing.T) {
	o := startOrg(t, Options{})
	dsc := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc", "")["id"].(string)
	a := o.createPolicy("ACCESS_POLICY", "a", "")["id"].(string)
	b := o.createPolicy("ACCESS_POLICY", "b", "")["id"].(string)
	for _, id := range []string{a, b} {
		o.must(200, "POST", "/api/v1/policies/"+dsc+"/mappings", map[string]any{"resourceId": id, "resourceType": "ACCESS_POLICY"})
	}
	o.must(204, "DELETE", "/api/v1/policies/"+a, nil)
	if l := o.must(200, "GET", "/api/v1/policies/"+dsc+"/mappings", nil).list(t); len(l) != 1 || l[0]["id"] != b {
		t.Fatalf("after deleting the app policy: %v", l)
	}
	o.must(204, "DELETE", "/api/v1/policies/"+dsc, nil)
	bp := o.must(200, "GET", "/api/v1/policies/"+b, nil).obj(t)
	if _, ok := bp["_links"].(map[string]any)["deviceSignalCollectionPolicy"]; ok {
		t.Fatal("a deleted DSC policy is no longer linked")
	}
	// b can now be mapped again
	dsc2 := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc2", "")["id"].(string)
	o.must(200, "POST", "/api/v1/policies/"+dsc2+"/mappings", map[string]any{"resourceId": b, "resourceType": "ACCESS_POLICY"})
}
