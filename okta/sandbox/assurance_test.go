package sandbox

import (
	"strings"
	"testing"
	"time"
)

func TestDeviceAssuranceCRUD(t *testing.T) {
	o := startOrg(t, Options{})
	body := map[string]any{"name": "Win baseline", "platform": "WINDOWS", "osVersion": map[string]any{"minimum": "10.0.19045.1"},
		"gracePeriod": map[string]any{"type": "BY_DURATION", "expiry": "P30D"}, "displayRemediationMode": "SHOW",
		"somethingNew": []any{1, 2}}
	d := o.must(200, "POST", "/api/v1/device-assurances", body).obj(t)
	id := d["id"].(string)
	if !strings.HasPrefix(id, "dae") || len(id) != 20 {
		t.Fatalf("id %v", id)
	}
	for _, k := range []string{"createdDate", "createdBy", "lastUpdate", "lastUpdatedBy", "resourceType", "resourceDisplayName", "resourceId", "_links", "somethingNew", "gracePeriod"} {
		if _, ok := d[k]; !ok {
			t.Fatalf("create answer lacks %s: %v", k, d)
		}
	}
	if d["resourceType"] != "DeviceAssurancePolicyEntity" || d["resourceId"] != id ||
		d["resourceDisplayName"].(map[string]any)["value"] != "Win baseline" || !strings.HasPrefix(d["createdBy"].(string), "00u") {
		t.Fatalf("create %v", d)
	}
	self := d["_links"].(map[string]any)["self"].(map[string]any)
	if !strings.HasSuffix(self["href"].(string), "/api/v1/device-assurances/"+id) || len(self["hints"].(map[string]any)["allow"].([]any)) != 3 {
		t.Fatalf("self %v", self)
	}
	got := o.must(200, "GET", "/api/v1/device-assurances/"+id, nil).obj(t)
	got["name"] = "Win baseline v2"
	got["osVersion"] = map[string]any{"minimum": "10.0.22631"}
	time.Sleep(1100 * time.Millisecond)
	put := o.must(200, "PUT", "/api/v1/device-assurances/"+id, got).obj(t)
	if put["name"] != "Win baseline v2" || put["lastUpdate"] == d["lastUpdate"] || put["resourceDisplayName"].(map[string]any)["value"] != "Win baseline v2" {
		t.Fatalf("put %v", put)
	}
	if _, ok := put["createdDate"]; ok {
		t.Fatal("a real org leaves createdDate out of the PUT answer")
	}
	again := o.must(200, "GET", "/api/v1/device-assurances/"+id, nil).obj(t)
	if again["createdDate"] != d["createdDate"] || again["createdBy"] == nil {
		t.Fatalf("GET after PUT keeps createdDate: %v", again)
	}
	found := false
	for _, x := range o.must(200, "GET", "/api/v1/device-assurances", nil).list(t) {
		found = found || x["id"] == id
	}
	if !found {
		t.Fatal("list lacks the new policy")
	}
	o.must(204, "DELETE", "/api/v1/device-assurances/"+id, nil)
	wantError(t, o.do("GET", "/api/v1/device-assurances/"+id, nil), 404, "E0000007", "Not found: Resource not found: "+id+" (DeviceAssuranceRuleManagerImpl)")
	wantError(t, o.do("DELETE", "/api/v1/device-assurances/"+id, nil), 404, "E0000007", "Not found: Resource not found: "+id+" (DeviceAssuranceEntity)")
	wantError(t, o.do("PUT", "/api/v1/device-assurances/"+id, got), 404, "E0000007", "")
}

func TestDeviceAssuranceInUseCannotBeDeleted(t *testing.T) {
	o := startOrg(t, Options{})
	da := o.must(200, "POST", "/api/v1/device-assurances", map[string]any{"name": "used", "platform": "IOS", "jailbreak": false}).obj(t)["id"].(string)
	pid := o.createPolicy("ACCESS_POLICY", "p", "")["id"].(string)
	rid := o.must(200, "POST", "/api/v1/policies/"+pid+"/rules", accessRule("needs assurance", map[string]any{
		"conditions": map[string]any{"device": map[string]any{"registered": true, "assurance": map[string]any{"include": []any{da}}}},
	})).obj(t)["id"].(string)
	wantError(t, o.do("DELETE", "/api/v1/device-assurances/"+da, nil), 400, "E0000001", "Api validation failed: id")
	o.must(204, "DELETE", "/api/v1/policies/"+pid+"/rules/"+rid, nil)
	o.must(204, "DELETE", "/api/v1/device-assurances/"+da, nil)
}

func TestDeviceAssuranceValidation(t *testing.T) {
	o := startOrg(t, Options{})
	da := func(platform string, extra map[string]any) map[string]any {
		m := map[string]any{"name": "x", "platform": platform}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	osv := func(v map[string]any) map[string]any { return map[string]any{"osVersion": v} }
	dyn := func(typ string, dist any) map[string]any {
		d := map[string]any{"type": typ}
		if dist != nil {
			d["distanceFromLatestMajor"] = dist
		}
		return d
	}
	win := func(constraints ...any) map[string]any { return map[string]any{"osVersionConstraints": constraints} }
	grace := func(typ, expiry any) map[string]any {
		return map[string]any{"osVersion": map[string]any{"minimum": "14"}, "gracePeriod": map[string]any{"type": typ, "expiry": expiry}}
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no name", map[string]any{"platform": "IOS", "jailbreak": false}, "name"},
		{"empty name", da("IOS", map[string]any{"name": "", "jailbreak": false}), "name"},
		{"long name", da("IOS", map[string]any{"name": strings.Repeat("a", 256), "jailbreak": false}), "name"},
		{"duplicate name", da("IOS", map[string]any{"name": "Windows 11 baseline", "jailbreak": false}), "name"},
		{"no platform", map[string]any{"name": "x", "jailbreak": false}, "platform"},
		{"bad platform", da("LINUX", map[string]any{"jailbreak": false}), "platform"},
		{"no condition", da("CHROMEOS", nil), "deviceAssuranceMediated"},
		{"minimum and dynamic", da("IOS", osv(map[string]any{"minimum": "17.0", "dynamicVersionRequirement": dyn("MINIMUM", 0)})), "osVersion"},
		{"ios four components", da("IOS", osv(map[string]any{"minimum": "17.1.2.3"})), "osVersion.minimum"},
		{"macos four components", da("MACOS", osv(map[string]any{"minimum": "14.1.2.3"})), "osVersion.minimum"},
		{"android five components", da("ANDROID", osv(map[string]any{"minimum": "14.1.2.3.4"})), "osVersion.minimum"},
		{"not a version", da("ANDROID", osv(map[string]any{"minimum": "fourteen"})), "osVersion.minimum"},
		{"EXACT_ANY_SUPPORTED with distance", da("IOS", osv(map[string]any{"dynamicVersionRequirement": dyn("EXACT_ANY_SUPPORTED", 0)})), "osVersion.dynamicVersionRequirement.distanceFromLatestMajor"},
		{"MINIMUM without distance", da("IOS", osv(map[string]any{"dynamicVersionRequirement": dyn("MINIMUM", nil)})), "osVersion.dynamicVersionRequirement.distanceFromLatestMajor"},
		{"EXACT distance 2", da("MACOS", osv(map[string]any{"dynamicVersionRequirement": dyn("EXACT", 2)})), "osVersion.dynamicVersionRequirement.distanceFromLatestMajor"},
		{"bad dynamic type", da("MACOS", osv(map[string]any{"dynamicVersionRequirement": dyn("LATEST", nil)})), "osVersion.dynamicVersionRequirement.type"},
		{"NOT_ALLOWED outside windows constraints", da("MACOS", osv(map[string]any{"dynamicVersionRequirement": dyn("NOT_ALLOWED", nil)})), "osVersion.dynamicVersionRequirement.type"},
		{"constraints on macOS", da("MACOS", win(map[string]any{"majorVersionConstraint": "WINDOWS_11", "minimum": "10.0.22631"})), "osVersionConstraints"},
		{"constraints with minimum", da("WINDOWS", map[string]any{"osVersion": map[string]any{"minimum": "10.0"}, "osVersionConstraints": []any{map[string]any{"majorVersionConstraint": "WINDOWS_11"}}}), "osVersionConstraints"},
		{"zero constraints", da("WINDOWS", map[string]any{"osVersionConstraints": []any{}}), "osVersionConstraints"},
		{"three constraints", da("WINDOWS", win(map[string]any{"majorVersionConstraint": "WINDOWS_11"}, map[string]any{"majorVersionConstraint": "WINDOWS_10"}, map[string]any{"majorVersionConstraint": "WINDOWS_10"})), "osVersionConstraints"},
		{"same major twice", da("WINDOWS", win(map[string]any{"majorVersionConstraint": "WINDOWS_11"}, map[string]any{"majorVersionConstraint": "WINDOWS_11"})), "osVersionConstraints[1].majorVersionConstraint"},
		{"bad major", da("WINDOWS", win(map[string]any{"majorVersionConstraint": "WINDOWS_7"})), "osVersionConstraints[0].majorVersionConstraint"},
		{"constraint five components", da("WINDOWS", win(map[string]any{"majorVersionConstraint": "WINDOWS_11", "minimum": "10.0.22631.1.2"})), "osVersionConstraints[0].minimum"},
		{"NOT_ALLOWED with distance", da("WINDOWS", win(map[string]any{"majorVersionConstraint": "WINDOWS_10", "dynamicVersionRequirement": dyn("NOT_ALLOWED", 0)})), "osVersionConstraints[0].dynamicVersionRequirement"},
		{"grace type", da("ANDROID", grace("FOREVER", "P30D")), "gracePeriod.type"},
		{"grace 0 days", da("ANDROID", grace("BY_DURATION", "PT1H")), "gracePeriod.expiry"},
		{"grace 181 days", da("ANDROID", grace("BY_DURATION", "P181D")), "gracePeriod.expiry"},
		{"grace not a duration", da("ANDROID", grace("BY_DURATION", "30 days")), "gracePeriod.expiry"},
		{"grace months", da("ANDROID", grace("BY_DURATION", "P1M")), "gracePeriod.expiry"},
		{"grace bad date", da("ANDROID", grace("BY_DATE_TIME", "tomorrow")), "gracePeriod.expiry"},
		{"remediation empty", da("IOS", map[string]any{"jailbreak": false, "displayRemediationMode": ""}), "displayRemediationMode"},
		{"remediation bad", da("IOS", map[string]any{"jailbreak": false, "displayRemediationMode": "MAYBE"}), "displayRemediationMode"},
		{"jailbreak not bool", da("IOS", map[string]any{"jailbreak": "no"}), "jailbreak"},
		{"disk encryption as string", da("MACOS", map[string]any{"diskEncryptionType": map[string]any{"include": "ALL_INTERNAL_VOLUMES"}}), "diskEncryptionType.include"},
	}
	for _, c := range cases {
		e := wantError(t, o.do("POST", "/api/v1/device-assurances", c.body), 400, "E0000001", "Api validation failed: "+c.field)
		cs := causes(e)
		if len(cs) != 1 {
			t.Fatalf("%s: causes %v", c.name, cs)
		}
		if c.field != "deviceAssuranceMediated" && !strings.HasPrefix(cs[0], c.field+": ") {
			t.Fatalf("%s: cause %q should start with %q", c.name, cs[0], c.field)
		}
	}
	valid := []map[string]any{
		da("IOS", osv(map[string]any{"minimum": "17.4.1"})),
		da("ANDROID", osv(map[string]any{"minimum": "14.0.0.1"})),
		da("MACOS", osv(map[string]any{"dynamicVersionRequirement": map[string]any{"type": "EXACT_ANY_SUPPORTED", "latestSecurityPatch": true}})),
		da("IOS", osv(map[string]any{"dynamicVersionRequirement": dyn("MINIMUM", 1)})),
		da("WINDOWS", win(map[string]any{"majorVersionConstraint": "WINDOWS_11", "dynamicVersionRequirement": dyn("EXACT", 0)},
			map[string]any{"majorVersionConstraint": "WINDOWS_10", "dynamicVersionRequirement": dyn("NOT_ALLOWED", nil)})),
		da("ANDROID", grace("BY_DURATION", "PT720H")),
		da("ANDROID", grace("BY_DURATION", "P180D")),
		da("ANDROID", map[string]any{"osVersion": map[string]any{"minimum": "14"}, "gracePeriod": map[string]any{"type": "BY_DURATION", "expiry": map[string]any{"value": "P1D"}}}),
		da("ANDROID", grace("BY_DATE_TIME", time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339))),
		da("CHROMEOS", map[string]any{"thirdPartySignalProviders": map[string]any{"dtc": map[string]any{"osFirewall": true}}}),
		da("IOS", map[string]any{"jailbreak": false, "displayRemediationMode": "HIDE"}),
	}
	for i, v := range valid {
		v["name"] = "valid " + string(rune('A'+i))
		o.must(200, "POST", "/api/v1/device-assurances", v)
	}
	// platform cannot change on PUT
	id := o.must(200, "GET", "/api/v1/device-assurances", nil).list(t)[0]["id"].(string)
	wantError(t, o.do("PUT", "/api/v1/device-assurances/"+id, da("IOS", map[string]any{"name": "Windows 11 baseline", "jailbreak": false})), 400, "E0000001", "Api validation failed: platform")
}

// Members the spec gives only some platforms are refused on the others, naming the field;
// members the spec does not name at all are kept.
func TestDeviceAssurancePlatformMembersFollowSpec(t *testing.T) {
	o := startOrg(t, Options{})
	include := func(values ...any) map[string]any { return map[string]any{"include": values} }
	tsp := func(members map[string]any) map[string]any {
		return map[string]any{"thirdPartySignalProviders": members}
	}
	dtc := func(members map[string]any) map[string]any { return tsp(map[string]any{"dtc": members}) }
	cases := []struct {
		platform string
		body     map[string]any
		field    string
	}{
		{"WINDOWS", map[string]any{"jailbreak": false}, "jailbreak"},
		{"MACOS", map[string]any{"jailbreak": true}, "jailbreak"},
		{"CHROMEOS", map[string]any{"jailbreak": false}, "jailbreak"},
		{"CHROMEOS", map[string]any{"osVersion": map[string]any{"minimum": "120"}}, "osVersion"},
		{"CHROMEOS", map[string]any{"screenLockType": include("PASSCODE")}, "screenLockType"},
		{"IOS", map[string]any{"osVersionConstraints": []any{map[string]any{"majorVersionConstraint": "WINDOWS_11"}}}, "osVersionConstraints"},
		{"ANDROID", map[string]any{"osVersionConstraints": []any{map[string]any{"majorVersionConstraint": "WINDOWS_11"}}}, "osVersionConstraints"},
		{"IOS", map[string]any{"secureHardwarePresent": true}, "secureHardwarePresent"},
		{"IOS", map[string]any{"diskEncryptionType": include("FULL")}, "diskEncryptionType"},
		{"ANDROID", map[string]any{"diskEncryptionType": include("ALL_INTERNAL_VOLUMES")}, "diskEncryptionType.include[0]"},
		{"WINDOWS", map[string]any{"diskEncryptionType": include("ALL_INTERNAL_VOLUMES", "FULL")}, "diskEncryptionType.include[1]"},
		{"MACOS", map[string]any{"diskEncryptionType": include("USER")}, "diskEncryptionType.include[0]"},
		{"IOS", map[string]any{"screenLockType": include("FACE_ID")}, "screenLockType.include[0]"},
		{"ANDROID", map[string]any{"screenLockType": include("PASSCODE", "biometric")}, "screenLockType.include[1]"},
		{"IOS", tsp(map[string]any{"dtc": map[string]any{"osFirewall": true}}), "thirdPartySignalProviders.dtc"},
		{"ANDROID", tsp(map[string]any{"dtc": map[string]any{"osFirewall": true}}), "thirdPartySignalProviders.dtc"},
		{"WINDOWS", tsp(map[string]any{"androidDeviceTrust": map[string]any{"wifiSecured": true}}), "thirdPartySignalProviders.androidDeviceTrust"},
		{"MACOS", dtc(map[string]any{"secureBootEnabled": true}), "thirdPartySignalProviders.dtc.secureBootEnabled"},
		{"WINDOWS", dtc(map[string]any{"managedDevice": true}), "thirdPartySignalProviders.dtc.managedDevice"},
		{"CHROMEOS", dtc(map[string]any{"crowdStrikeAgentId": "x"}), "thirdPartySignalProviders.dtc.crowdStrikeAgentId"},
		{"WINDOWS", tsp(map[string]any{"dtc": true}), "thirdPartySignalProviders.dtc"},
		{"WINDOWS", map[string]any{"thirdPartySignalProviders": "dtc"}, "thirdPartySignalProviders"},
	}
	for _, c := range cases {
		body := map[string]any{"name": "x", "platform": c.platform}
		for k, v := range c.body {
			body[k] = v
		}
		e := wantError(t, o.do("POST", "/api/v1/device-assurances", body), 400, "E0000001", "Api validation failed: "+c.field)
		if cs := causes(e); len(cs) != 1 || !strings.HasPrefix(cs[0], c.field+": ") {
			t.Fatalf("%s %v: causes %v", c.platform, c.body, cs)
		}
	}
	// A platform-only member is also refused on PUT, and the stored policy is unchanged.
	win := o.must(200, "GET", "/api/v1/device-assurances", nil).list(t)[0]
	if win["platform"] != "WINDOWS" {
		t.Fatalf("seed order changed: %v", win["platform"])
	}
	win["jailbreak"] = false
	wantError(t, o.do("PUT", "/api/v1/device-assurances/"+win["id"].(string), win), 400, "E0000001", "Api validation failed: jailbreak")
	if _, has := o.must(200, "GET", "/api/v1/device-assurances/"+win["id"].(string), nil).obj(t)["jailbreak"]; has {
		t.Fatal("a refused PUT must not be stored")
	}

	valid := []map[string]any{
		{"platform": "ANDROID", "diskEncryptionType": include("FULL", "USER"), "screenLockType": include("BIOMETRIC", "PASSCODE"), "jailbreak": false,
			"secureHardwarePresent": true, "thirdPartySignalProviders": map[string]any{"androidDeviceTrust": map[string]any{"wifiSecured": true}, "devicePostureIdP": map[string]any{"compliant": true}}},
		{"platform": "IOS", "jailbreak": false, "screenLockType": include("NONE"), "thirdPartySignalProviders": map[string]any{"devicePostureIdP": map[string]any{"managed": true}}},
		{"platform": "MACOS", "diskEncryptionType": include("ALL_INTERNAL_VOLUMES"), "secureHardwarePresent": true, "thirdPartySignalProviders": map[string]any{"dtc": map[string]any{"osFirewall": true}}},
		{"platform": "WINDOWS", "diskEncryptionType": include("ALL_INTERNAL_VOLUMES"), "thirdPartySignalProviders": map[string]any{"dtc": map[string]any{"secureBootEnabled": true, "crowdStrikeAgentId": "abc"}}},
		{"platform": "CHROMEOS", "thirdPartySignalProviders": map[string]any{"dtc": map[string]any{"managedDevice": true, "allowScreenLock": false}}},
		// Not in the spec at all: Okta echoes it, so the sandbox keeps it.
		{"platform": "IOS", "jailbreak": false, "futureSignal": map[string]any{"on": true}, "thirdPartySignalProviders": map[string]any{"newProvider": map[string]any{}}},
	}
	for i, v := range valid {
		v["name"] = "spec members " + string(rune('A'+i))
		got := o.must(200, "POST", "/api/v1/device-assurances", v).obj(t)
		if i == len(valid)-1 {
			if got["futureSignal"] == nil || got["thirdPartySignalProviders"].(map[string]any)["newProvider"] == nil {
				t.Fatalf("unknown members must be echoed: %v", got)
			}
		}
	}
}

func TestParseISODuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"P30D": 30 * 24 * time.Hour, "PT720H": 720 * time.Hour, "P1W": 7 * 24 * time.Hour, "P1DT12H": 36 * time.Hour, "PT90M": 90 * time.Minute,
	} {
		got, err := parseISODuration(in)
		if err != nil || got != want {
			t.Fatalf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "P", "PT", "30D", "P1Y", "P1M", "P-1D", "P1.5D"} {
		if _, err := parseISODuration(bad); err == nil {
			t.Fatalf("%q should fail", bad)
		}
	}
}
