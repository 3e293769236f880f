package sandbox

import (
	"fmt"
	"strings"
	"testing"
)

func ruleNames(t *testing.T, o *testOrg, pid string) string {
	t.Helper()
	var parts []string
	for _, r := range o.must(200, "GET", "/api/v1/policies/"+pid+"/rules", nil).list(t) {
		parts = append(parts, fmt.Sprintf("%v:%v", r["name"], r["priority"]))
	}
	return strings.Join(parts, " ")
}

func accessRule(name string, extra map[string]any) map[string]any {
	r := map[string]any{"name": name, "type": "ACCESS_POLICY",
		"actions": map[string]any{"appSignOn": map[string]any{"access": "ALLOW"}}}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func TestRuleCRUDAndLinks(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	body := accessRule("Managed only", map[string]any{
		"conditions":        map[string]any{"device": map[string]any{"registered": true, "managed": true}},
		"unknownRuleMember": "echo me",
	})
	r := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", body).obj(t)
	rid := r["id"].(string)
	if !strings.HasPrefix(rid, "rul") || len(rid) != 20 || r["status"] != "ACTIVE" || r["system"] != false || r["unknownRuleMember"] != "echo me" {
		t.Fatalf("rule %v", r)
	}
	if r["created"] == nil || r["lastUpdated"] == nil || fmt.Sprint(r["priority"]) != "1" {
		t.Fatalf("rule %v", r)
	}
	links := r["_links"].(map[string]any)
	if !strings.HasSuffix(links["self"].(map[string]any)["href"].(string), "/api/v1/policies/"+pid+"/rules/"+rid) || links["deactivate"] == nil {
		t.Fatalf("links %v", links)
	}
	got := o.must(200, "GET", "/api/v1/policies/"+pid+"/rules/"+rid, nil).obj(t)
	got["name"] = "Managed devices only"
	put := o.must(200, "PUT", "/api/v1/policies/"+pid+"/rules/"+rid, got).obj(t)
	if put["name"] != "Managed devices only" || put["created"] != r["created"] {
		t.Fatalf("put %v", put)
	}
	o.must(204, "POST", "/api/v1/policies/"+pid+"/rules/"+rid+"/lifecycle/deactivate", nil)
	if g := o.must(200, "GET", "/api/v1/policies/"+pid+"/rules/"+rid, nil).obj(t); g["status"] != "INACTIVE" || g["_links"].(map[string]any)["activate"] == nil {
		t.Fatalf("deactivated %v", g)
	}
	o.must(204, "POST", "/api/v1/policies/"+pid+"/rules/"+rid+"/lifecycle/activate", nil)
	o.must(204, "DELETE", "/api/v1/policies/"+pid+"/rules/"+rid, nil)
	wantError(t, o.do("GET", "/api/v1/policies/"+pid+"/rules/"+rid, nil), 404, "E0000007", "Not found: Resource not found: "+rid+" (PolicyRule)")
	wantError(t, o.do("DELETE", "/api/v1/policies/"+pid+"/rules/"+rid, nil), 404, "E0000007", "")
	wantError(t, o.do("PUT", "/api/v1/policies/"+pid+"/rules/"+rid, got), 404, "E0000007", "")
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules/"+rid+"/lifecycle/activate", nil), 404, "E0000007", "")
	wantError(t, o.do("POST", "/api/v1/policies/nope/rules", body), 404, "E0000007", "Not found: Resource not found: nope (Policy)")
}

func TestRuleCreateInactive(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	r := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules?activate=false", accessRule("off", nil)).obj(t)
	if r["status"] != "INACTIVE" {
		t.Fatalf("status %v", r["status"])
	}
}

func TestRulePrioritiesShiftAndCatchAllStaysLast(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	if got := ruleNames(t, o, pid); got != "Catch-all Rule:99" {
		t.Fatalf("new policy rules: %s", got)
	}
	create := func(name string, priority any) string {
		b := accessRule(name, nil)
		if priority != nil {
			b["priority"] = priority
		}
		return o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", b).obj(t)["id"].(string)
	}
	a := create("A", nil)
	create("B", nil)
	create("C", 1)
	if got := ruleNames(t, o, pid); got != "C:1 A:2 B:3 Catch-all Rule:99" {
		t.Fatalf("after insert at 1: %s", got)
	}
	create("D", 2)
	create("E", 50)
	if got := ruleNames(t, o, pid); got != "C:1 D:2 A:3 B:4 E:5 Catch-all Rule:99" {
		t.Fatalf("after inserts: %s", got)
	}
	// moving A to priority 1 with PUT
	ra := o.must(200, "GET", "/api/v1/policies/"+pid+"/rules/"+a, nil).obj(t)
	ra["priority"] = 1
	o.must(200, "PUT", "/api/v1/policies/"+pid+"/rules/"+a, ra)
	if got := ruleNames(t, o, pid); got != "A:1 C:2 D:3 B:4 E:5 Catch-all Rule:99" {
		t.Fatalf("after move: %s", got)
	}
	o.must(204, "DELETE", "/api/v1/policies/"+pid+"/rules/"+a, nil)
	if got := ruleNames(t, o, pid); got != "C:1 D:2 B:3 E:4 Catch-all Rule:99" {
		t.Fatalf("after delete: %s", got)
	}
}

func TestCatchAllRuleCannotBeDeletedOrDeactivated(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	rules := o.must(200, "GET", "/api/v1/policies/"+pid+"/rules", nil).list(t)
	cid := rules[0]["id"].(string)
	if fmt.Sprint(rules[0]["_links"].(map[string]any)["self"].(map[string]any)["hints"].(map[string]any)["allow"]) != "[GET PUT]" {
		t.Fatalf("catch-all allows %v", rules[0]["_links"])
	}
	wantError(t, o.do("DELETE", "/api/v1/policies/"+pid+"/rules/"+cid, nil), 403, "E0000006", "")
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules/"+cid+"/lifecycle/deactivate", nil), 400, "E0000001", "")
	// editable actions, but name and priority stay
	rules[0]["name"] = "renamed"
	rules[0]["priority"] = 1
	rules[0]["actions"] = map[string]any{"appSignOn": map[string]any{"access": "DENY"}}
	put := o.must(200, "PUT", "/api/v1/policies/"+pid+"/rules/"+cid, rules[0]).obj(t)
	if put["name"] != "Catch-all Rule" || fmt.Sprint(put["priority"]) != "99" || put["actions"].(map[string]any)["appSignOn"].(map[string]any)["access"] != "DENY" {
		t.Fatalf("catch-all put %v", put)
	}
}

func TestAccessRuleValidation(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	da := o.must(200, "GET", "/api/v1/device-assurances", nil).list(t)[0]["id"].(string)
	zone := o.firstID("/api/v1/zones", "name", "Office Network")
	group := o.firstID("/api/v1/groups", "profile.name", "Engineering")
	dev := func(d map[string]any) map[string]any {
		return accessRule("r", map[string]any{"conditions": map[string]any{"device": d}})
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no name", map[string]any{"type": "ACCESS_POLICY"}, "name"},
		{"long name", accessRule(strings.Repeat("n", 256), nil), "name"},
		{"wrong type", map[string]any{"type": "SIGN_ON", "name": "x"}, "type"},
		{"managed without registered", dev(map[string]any{"managed": true}), "conditions.device.registered"},
		{"managed with registered false", dev(map[string]any{"managed": false, "registered": false}), "conditions.device.registered"},
		{"include as string", dev(map[string]any{"registered": true, "assurance": map[string]any{"include": da}}), "conditions.device.assurance.include"},
		{"unknown assurance", dev(map[string]any{"assurance": map[string]any{"include": []any{"daeDoesNotExist000000"}}}), "conditions.device.assurance.include"},
		{"assurance not object", dev(map[string]any{"assurance": "x"}), "conditions.device.assurance"},
		{"bad access", accessRule("r", map[string]any{"actions": map[string]any{"appSignOn": map[string]any{"access": "MAYBE"}}}), "actions.appSignOn.access"},
		{"zone without zones", accessRule("r", map[string]any{"conditions": map[string]any{"network": map[string]any{"connection": "ZONE"}}}), "conditions.network"},
		{"unknown zone", accessRule("r", map[string]any{"conditions": map[string]any{"network": map[string]any{"connection": "ZONE", "include": []any{"nzoNope"}}}}), "conditions.network.include"},
		{"bad connection", accessRule("r", map[string]any{"conditions": map[string]any{"network": map[string]any{"connection": "SOMEWHERE"}}}), "conditions.network.connection"},
		{"unknown group", accessRule("r", map[string]any{"conditions": map[string]any{"people": map[string]any{"groups": map[string]any{"include": []any{"00gNope"}}}}}), "conditions.people.groups.include"},
		{"conditions not object", accessRule("r", map[string]any{"conditions": "all"}), "conditions"},
	}
	for _, c := range cases {
		e := wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", c.body), 400, "E0000001", "Api validation failed: "+c.field)
		if cs := causes(e); len(cs) != 1 || !strings.HasPrefix(cs[0], c.field+": ") {
			t.Fatalf("%s: causes %v", c.name, cs)
		}
	}
	ok := accessRule("valid", map[string]any{"conditions": map[string]any{
		"device":  map[string]any{"registered": true, "managed": true, "assurance": map[string]any{"include": []any{da}}},
		"network": map[string]any{"connection": "ZONE", "include": []any{zone}},
		"people":  map[string]any{"groups": map[string]any{"include": []any{group}}},
	}})
	o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", ok)
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", ok), 400, "E0000001", "Api validation failed: name")
	if got := ruleNames(t, o, pid); got != "valid:1 Catch-all Rule:99" {
		t.Fatalf("rejected rules must not be stored: %s", got)
	}
}

func TestDeviceSignalCollectionRuleValidation(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc", "?activate=false")["id"].(string)
	if got := ruleNames(t, o, pid); got != "" {
		t.Fatalf("a DSC policy starts without rules: %s", got)
	}
	idp := o.firstID("/api/v1/idps", "name", "Device Posture Provider")
	rule := func(providers ...any) map[string]any {
		return map[string]any{"name": "collect", "type": "DEVICE_SIGNAL_COLLECTION",
			"actions": map[string]any{"deviceSignalCollection": map[string]any{"deviceContextProviders": providers}}}
	}
	const f = "actions.deviceSignalCollection.deviceContextProviders"
	cases := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "type": "DEVICE_SIGNAL_COLLECTION"}, f},
		{rule(), f},
		{rule(map[string]any{"key": "NOT_A_PROVIDER"}), f + "[0].key"},
		{rule(map[string]any{"key": "OKTA_VERIFY", "userIdentification": "MAYBE"}), f + "[0].userIdentification"},
		{rule(map[string]any{"key": "OKTA_VERIFY"}, map[string]any{"key": "DEVICE_POSTURE_IDP"}), f + "[1].id"},
		{rule(map[string]any{"key": "DEVICE_POSTURE_IDP", "id": "0oaDoesNotExist"}), f + "[0].id"},
		{rule(map[string]any{"key": "OKTA_VERIFY"}, map[string]any{"key": "OKTA_VERIFY"}), f + "[1].key"},
		{rule("OKTA_VERIFY"), f + "[0]"},
		{rule(map[string]any{"key": "OKTA_VERIFY", "allowUserIdentification": "ALLOW"}), f + "[0].allowUserIdentification"},
		{map[string]any{"name": "x", "type": "ACCESS_POLICY"}, "type"},
	}
	for _, c := range cases {
		e := wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", c.body), 400, "E0000001", "Api validation failed: "+c.field)
		if cs := causes(e); len(cs) != 1 || !strings.HasPrefix(cs[0], c.field+": ") {
			t.Fatalf("%v: causes %v", c.body, cs)
		}
	}
	withPeople := rule(map[string]any{"key": "OKTA_VERIFY"})
	withPeople["conditions"] = map[string]any{"people": map[string]any{}}
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", withPeople), 400, "E0000001", "Api validation failed: conditions.people")

	good := rule(map[string]any{"key": "OKTA_VERIFY", "userIdentification": "IGNORE"},
		map[string]any{"key": "DEVICE_POSTURE_IDP", "id": idp}, map[string]any{"key": "CHROME_DEVICE_TRUST"})
	good["conditions"] = map[string]any{"platform": map[string]any{"include": []any{map[string]any{"type": "DESKTOP", "os": map[string]any{"type": "WINDOWS"}}}}}
	r := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", good).obj(t)
	if r["type"] != "DEVICE_SIGNAL_COLLECTION" || fmt.Sprint(r["priority"]) != "1" {
		t.Fatalf("dsc rule %v", r)
	}
	// type defaults to the policy's rule type
	noType := rule(map[string]any{"key": "OKTA_VERIFY"})
	delete(noType, "type")
	noType["name"] = "typed by policy"
	if r := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", noType).obj(t); r["type"] != "DEVICE_SIGNAL_COLLECTION" {
		t.Fatalf("type %v", r["type"])
	}
}

func TestRuleLimitOf100PerPolicy(t *testing.T) {
	o := startOrg(t, Options{})
	if err := o.srv.SeedLarge(1, 99, 0); err != nil {
		t.Fatal(err)
	}
	pid := o.findPolicy("ACCESS_POLICY", "Load Test App Policy 00007")["id"].(string)
	wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", accessRule("one too many", nil)), 400, "E0000001", "Api validation failed: policy")
	if err := o.srv.SeedLarge(1, 100, 0); err == nil {
		t.Fatal("SeedLarge must refuse more than 100 rules a policy")
	}
}

func TestAccessRuleDefaultsLikeOkta(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	r := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", map[string]any{"name": "bare", "type": "ACCESS_POLICY"}).obj(t)
	sign := r["actions"].(map[string]any)["appSignOn"].(map[string]any)
	vm, ok := sign["verificationMethod"].(map[string]any)
	if sign["access"] != "ALLOW" || !ok || vm["type"] != "ASSURANCE" || vm["factorMode"] != "2FA" {
		t.Fatalf("defaults %v", sign)
	}
	deny := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", accessRule("deny", map[string]any{
		"actions": map[string]any{"appSignOn": map[string]any{"access": "DENY"}}})).obj(t)
	if _, has := deny["actions"].(map[string]any)["appSignOn"].(map[string]any)["verificationMethod"]; has {
		t.Fatal("a denying rule gets no verification method")
	}
	custom := map[string]any{"factorMode": "1FA", "type": "ASSURANCE", "reauthenticateIn": "PT2H", "constraints": []any{}}
	kept := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", accessRule("custom", map[string]any{
		"actions": map[string]any{"appSignOn": map[string]any{"access": "ALLOW", "verificationMethod": custom}}})).obj(t)
	if kept["actions"].(map[string]any)["appSignOn"].(map[string]any)["verificationMethod"].(map[string]any)["factorMode"] != "1FA" {
		t.Fatal("a given verification method is kept")
	}
}

func TestPolicyAppsListIsEmpty(t *testing.T) {
	o := startOrg(t, Options{})
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	if l := o.must(200, "GET", "/api/v1/policies/"+pid+"/app", nil).list(t); len(l) != 0 {
		t.Fatalf("%v", l)
	}
	wantError(t, o.do("GET", "/api/v1/policies/nope/app", nil), 404, "E0000007", "")
}

// Platform and network conditions are checked against the 5.1.0 spec's enums on both rule
// types, and PUT applies the same checks as POST.
func TestRulePlatformAndNetworkConditionsFollowSpec(t *testing.T) {
	o := startOrg(t, Options{})
	dscID := o.createPolicy("DEVICE_SIGNAL_COLLECTION", "dsc", "?activate=false")["id"].(string)
	accessID := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	zone := o.firstID("/api/v1/zones", "name", "Office Network")
	dscRule := func(cond map[string]any) map[string]any {
		return map[string]any{"name": "collect", "type": "DEVICE_SIGNAL_COLLECTION", "conditions": cond,
			"actions": map[string]any{"deviceSignalCollection": map[string]any{"deviceContextProviders": []any{map[string]any{"key": "OKTA_VERIFY"}}}}}
	}
	accRule := func(cond map[string]any) map[string]any {
		return accessRule("r", map[string]any{"conditions": cond})
	}
	platform := func(list string, entries ...any) map[string]any {
		return map[string]any{"platform": map[string]any{list: entries}}
	}
	entry := func(typ, os string) map[string]any {
		return map[string]any{"type": typ, "os": map[string]any{"type": os}}
	}
	network := func(n map[string]any) map[string]any { return map[string]any{"network": n} }
	cases := []struct {
		name  string
		body  func(map[string]any) map[string]any
		cond  map[string]any
		field string
	}{
		{"dsc MACOS", dscRule, platform("include", entry("DESKTOP", "MACOS")), "conditions.platform.include[0].os.type"},
		{"dsc CHROMEOS", dscRule, platform("include", entry("DESKTOP", "OSX"), entry("DESKTOP", "CHROMEOS")), "conditions.platform.include[1].os.type"},
		{"dsc exclude os", dscRule, platform("exclude", entry("MOBILE", "BLACKBERRY")), "conditions.platform.exclude[0].os.type"},
		{"dsc lower-case os", dscRule, platform("include", entry("MOBILE", "ios")), "conditions.platform.include[0].os.type"},
		{"dsc platform type", dscRule, platform("include", entry("LAPTOP", "WINDOWS")), "conditions.platform.include[0].type"},
		{"dsc version match", dscRule, platform("include", map[string]any{"type": "DESKTOP", "os": map[string]any{"type": "WINDOWS", "version": map[string]any{"matchType": "REGEX", "value": "10"}}}), "conditions.platform.include[0].os.version.matchType"},
		{"dsc os not object", dscRule, platform("include", map[string]any{"type": "DESKTOP", "os": "WINDOWS"}), "conditions.platform.include[0].os"},
		{"dsc include as string", dscRule, map[string]any{"platform": map[string]any{"include": "WINDOWS"}}, "conditions.platform.include"},
		{"dsc platform not object", dscRule, map[string]any{"platform": "WINDOWS"}, "conditions.platform"},
		{"dsc connection", dscRule, network(map[string]any{"connection": "SOMEWHERE"}), "conditions.network.connection"},
		{"dsc unknown zone", dscRule, network(map[string]any{"connection": "ZONE", "include": []any{zone, "nzoNope"}}), "conditions.network.include"},
		{"dsc unknown excluded zone", dscRule, network(map[string]any{"connection": "ZONE", "exclude": []any{"nzoNope"}}), "conditions.network.exclude"},
		{"dsc network not object", dscRule, map[string]any{"network": "ANYWHERE"}, "conditions.network"},
		{"access MACOS", accRule, platform("include", entry("DESKTOP", "MACOS")), "conditions.platform.include[0].os.type"},
		{"access network not object", accRule, map[string]any{"network": []any{zone}}, "conditions.network"},
	}
	for _, c := range cases {
		pid := dscID
		if c.body(nil)["type"] == "ACCESS_POLICY" {
			pid = accessID
		}
		e := wantError(t, o.do("POST", "/api/v1/policies/"+pid+"/rules", c.body(c.cond)), 400, "E0000001", "Api validation failed: "+c.field)
		if cs := causes(e); len(cs) != 1 || !strings.HasPrefix(cs[0], c.field+": ") {
			t.Fatalf("%s: causes %v", c.name, cs)
		}
	}
	if cs := causes(o.do("POST", "/api/v1/policies/"+dscID+"/rules", dscRule(platform("include", entry("DESKTOP", "MACOS")))).obj(t)); !strings.Contains(cs[0], "OSX") {
		t.Fatalf("MACOS should point to OSX: %v", cs)
	}

	every := platform("include", entry("MOBILE", "IOS"), entry("MOBILE", "ANDROID"), entry("DESKTOP", "OSX"), entry("DESKTOP", "WINDOWS"),
		entry("ANY", "ANY"), entry("OTHER", "OTHER"),
		map[string]any{"type": "DESKTOP", "os": map[string]any{"type": "WINDOWS", "version": map[string]any{"matchType": "SEMVER", "value": "10.0"}}})
	every["network"] = map[string]any{"connection": "ZONE", "include": []any{zone}}
	r := o.must(200, "POST", "/api/v1/policies/"+dscID+"/rules", dscRule(every)).obj(t)
	o.must(200, "POST", "/api/v1/policies/"+accessID+"/rules", accRule(platform("exclude", entry("DESKTOP", "OSX"))))

	// PUT is held to the same enums, and a refused PUT changes nothing.
	r["conditions"] = platform("include", entry("DESKTOP", "MACOS"))
	wantError(t, o.do("PUT", "/api/v1/policies/"+dscID+"/rules/"+r["id"].(string), r), 400, "E0000001", "Api validation failed: conditions.platform.include[0].os.type")
	kept := o.must(200, "GET", "/api/v1/policies/"+dscID+"/rules/"+r["id"].(string), nil).obj(t)
	if len(kept["conditions"].(map[string]any)["platform"].(map[string]any)["include"].([]any)) != 7 {
		t.Fatalf("a refused PUT must not change the rule: %v", kept["conditions"])
	}
}
