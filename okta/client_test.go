package okta_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

func findPolicy(ps []okta.Policy, id string) *okta.Policy {
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i]
		}
	}
	return nil
}

func TestAccessPolicyCRUDAndLifecycle(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)

	name := uniqueName(t, "App sign-in")
	created, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: name, Description: "made by test"}, false)
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if created.ID == "" || created.Name != name || created.Type != okta.TypeAccessPolicy || created.Created == nil {
		t.Fatalf("created policy incomplete: %+v", created)
	}

	got, err := c.GetPolicy(ctx, created.ID)
	if err != nil || got.Name != name || got.Description != "made by test" {
		t.Fatalf("GetPolicy: %+v, %v", got, err)
	}

	list, err := c.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if findPolicy(list, created.ID) == nil {
		t.Fatalf("ListPolicies(ACCESS_POLICY) misses %s", created.ID)
	}
	for _, p := range list {
		if p.Type != okta.TypeAccessPolicy {
			t.Fatalf("ListPolicies(ACCESS_POLICY) returned a %s", p.Type)
		}
	}

	// Read-modify-write keeps what we do not model.
	got.Description = "changed"
	replaced, err := c.ReplacePolicy(ctx, *got)
	if err != nil || replaced.Description != "changed" {
		t.Fatalf("ReplacePolicy: %+v, %v", replaced, err)
	}
	if again, _ := c.GetPolicy(ctx, created.ID); again.Description != "changed" {
		t.Fatalf("replace not stored: %+v", again)
	}

	if err := c.ActivatePolicy(ctx, created.ID); err != nil {
		t.Fatalf("ActivatePolicy: %v", err)
	}
	if p, _ := c.GetPolicy(ctx, created.ID); p.Status != okta.StatusActive {
		t.Fatalf("after activate: status %q", p.Status)
	}
	if err := c.DeactivatePolicy(ctx, created.ID); err != nil {
		t.Fatalf("DeactivatePolicy: %v", err)
	}
	if p, _ := c.GetPolicy(ctx, created.ID); p.Status != okta.StatusInactive {
		t.Fatalf("after deactivate: status %q", p.Status)
	}

	if err := c.DeletePolicy(ctx, created.ID); err != nil {
		t.Fatalf("DeletePolicy: %v", err)
	}
	_, err = c.GetPolicy(ctx, created.ID)
	mustOktaError(t, err, 404, okta.CodeNotFound)
	if !okta.IsNotFound(err) {
		t.Fatal("IsNotFound false for a deleted policy")
	}
}

func TestDeviceSignalCollectionPolicyRulesAndMappings(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)

	idps, err := c.ListIdentityProviders(ctx)
	if err != nil || len(idps) == 0 {
		t.Fatalf("ListIdentityProviders: %v (%d)", err, len(idps))
	}
	dsc, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: uniqueName(t, "DSC")}, true)
	if err != nil {
		t.Fatalf("CreatePolicy(DSC): %v", err)
	}
	if dsc.Type != okta.TypeDeviceSignalCollection || dsc.Status != okta.StatusActive {
		t.Fatalf("DSC created as %+v", dsc)
	}
	dscs, err := c.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	if err != nil || findPolicy(dscs, dsc.ID) == nil {
		t.Fatalf("ListPolicies(DSC) misses the new policy: %v", err)
	}

	rule := okta.Rule{
		Type: okta.TypeDeviceSignalCollection,
		Name: "Collect from Okta Verify",
		Actions: &okta.RuleActions{DeviceSignalCollection: &okta.DeviceSignalCollectionAction{
			DeviceContextProviders: []okta.DeviceContextProvider{
				{Key: okta.ProviderOktaVerify, UserIdentification: "ALLOW"},
			},
		}},
	}
	r, err := c.CreateRule(ctx, dsc.ID, rule, true)
	if err != nil {
		t.Fatalf("CreateRule(DSC): %v", err)
	}
	if r.ID == "" || r.Actions == nil || r.Actions.DeviceSignalCollection == nil ||
		len(r.Actions.DeviceSignalCollection.DeviceContextProviders) != 1 ||
		r.Actions.DeviceSignalCollection.DeviceContextProviders[0].UserIdentification != "ALLOW" {
		t.Fatalf("created rule lost its provider: %+v", r)
	}
	rules, err := c.ListRules(ctx, dsc.ID)
	if err != nil || !slices.ContainsFunc(rules, func(x okta.Rule) bool { return x.ID == r.ID }) {
		t.Fatalf("ListRules misses %s: %v", r.ID, err)
	}
	got, err := c.GetRule(ctx, dsc.ID, r.ID)
	if err != nil || got.Name != rule.Name {
		t.Fatalf("GetRule: %+v %v", got, err)
	}
	got.Actions.DeviceSignalCollection.DeviceContextProviders = append(got.Actions.DeviceSignalCollection.DeviceContextProviders,
		okta.DeviceContextProvider{Key: okta.ProviderDevicePostureIdP, ID: idps[0].ID})
	rep, err := c.ReplaceRule(ctx, dsc.ID, *got)
	if err != nil || len(rep.Actions.DeviceSignalCollection.DeviceContextProviders) != 2 {
		t.Fatalf("ReplaceRule: %+v %v", rep, err)
	}
	if err := c.DeactivateRule(ctx, dsc.ID, r.ID); err != nil {
		t.Fatalf("DeactivateRule: %v", err)
	}
	if x, _ := c.GetRule(ctx, dsc.ID, r.ID); x.Status != okta.StatusInactive {
		t.Fatalf("after deactivate: %q", x.Status)
	}
	if err := c.ActivateRule(ctx, dsc.ID, r.ID); err != nil {
		t.Fatalf("ActivateRule: %v", err)
	}
	if x, _ := c.GetRule(ctx, dsc.ID, r.ID); x.Status != okta.StatusActive {
		t.Fatalf("after activate: %q", x.Status)
	}

	// Map an app sign-in policy to the DSC policy, list, unmap.
	app, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "App")}, true)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.MapResource(ctx, dsc.ID, okta.MappingRequest{ResourceID: app.ID, ResourceType: string(okta.TypeAccessPolicy)})
	if err != nil {
		t.Fatalf("MapResource: %v", err)
	}
	if m.ID == "" {
		t.Fatalf("mapping without id: %+v", m)
	}
	ms, err := c.ListMappings(ctx, dsc.ID)
	if err != nil || !slices.ContainsFunc(ms, func(x okta.PolicyMapping) bool { return x.ID == m.ID }) {
		t.Fatalf("ListMappings misses %s: %+v %v", m.ID, ms, err)
	}
	if err := c.DeleteMapping(ctx, dsc.ID, m.ID); err != nil {
		t.Fatalf("DeleteMapping: %v", err)
	}
	if ms, _ := c.ListMappings(ctx, dsc.ID); slices.ContainsFunc(ms, func(x okta.PolicyMapping) bool { return x.ID == m.ID }) {
		t.Fatal("mapping still listed after delete")
	}

	if err := c.DeleteRule(ctx, dsc.ID, r.ID); err != nil {
		t.Fatalf("DeleteRule: %v", err)
	}
	_, err = c.GetRule(ctx, dsc.ID, r.ID)
	mustOktaError(t, err, 404, okta.CodeNotFound)
}

func TestAccessPolicyRuleWithDeviceAssuranceConditions(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)

	groups, err := c.ListGroups(ctx)
	if err != nil || len(groups) == 0 {
		t.Fatalf("ListGroups: %v", err)
	}
	zones, err := c.ListNetworkZones(ctx)
	if err != nil || len(zones) == 0 {
		t.Fatalf("ListNetworkZones: %v", err)
	}
	for _, g := range groups {
		if g.ID == "" || g.Profile.Name == "" {
			t.Fatalf("group without id or name: %+v", g)
		}
	}
	for _, z := range zones {
		if z.ID == "" || z.Name == "" || z.Type == "" {
			t.Fatalf("zone without id/name/type: %+v", z)
		}
	}
	da, err := c.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: uniqueName(t, "DA"), Platform: okta.PlatformMacOS,
		OSVersion: &okta.OSVersion{Minimum: "14.0"}})
	if err != nil {
		t.Fatal(err)
	}
	app, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "App")}, true)
	if err != nil {
		t.Fatal(err)
	}
	rule := okta.Rule{
		Type: okta.TypeAccessPolicy, Name: "Managed macs only", Priority: ptr(0),
		Conditions: &okta.RuleConditions{
			People:  &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{groups[0].ID}}},
			Device:  &okta.DeviceCondition{Registered: ptr(true), Managed: ptr(true), Assurance: &okta.AssuranceIDList{Include: []string{da.ID}}},
			Network: &okta.NetworkCondition{Connection: "ZONE", Include: []string{zones[0].ID}},
		},
		Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}},
	}
	r, err := c.CreateRule(ctx, app.ID, rule, true)
	if err != nil {
		t.Fatalf("CreateRule(ACCESS_POLICY): %v", err)
	}
	got, err := c.GetRule(ctx, app.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Conditions == nil || got.Conditions.Device == nil || got.Conditions.Device.Assurance == nil ||
		!slices.Equal(got.Conditions.Device.Assurance.Include, []string{da.ID}) ||
		got.Conditions.Network == nil || got.Conditions.Network.Connection != "ZONE" ||
		got.Actions == nil || got.Actions.AppSignOn == nil || got.Actions.AppSignOn.Access != "ALLOW" {
		b, _ := json.Marshal(got)
		t.Fatalf("rule conditions not kept: %s", b)
	}
}

// daFor builds a valid policy for each platform with the fields the spec gives it.
func daFor(platform, name string) okta.DeviceAssurance {
	d := okta.DeviceAssurance{Name: name, Platform: platform,
		GracePeriod:            &okta.GracePeriod{Type: okta.GraceByDuration, Expiry: "P30D"},
		DisplayRemediationMode: "SHOW"}
	switch platform {
	case okta.PlatformAndroid:
		d.OSVersion = &okta.OSVersion{Minimum: "13"}
		d.DiskEncryptionType = &okta.IncludeStrings{Include: []string{"FULL", "USER"}}
		d.ScreenLockType = &okta.IncludeStrings{Include: []string{"BIOMETRIC"}}
		d.Jailbreak = ptr(false)
		d.SecureHardwarePresent = ptr(true)
	case okta.PlatformChromeOS:
		d.ThirdPartySignalProviders = &okta.ThirdPartySignalProviders{DevicePostureIdP: json.RawMessage(`{"compliant":true,"managed":true}`)}
	case okta.PlatformIOS:
		d.OSVersion = &okta.OSVersion{DynamicVersionRequirement: &okta.DynamicVersionRequirement{Type: "MINIMUM", DistanceFromLatestMajor: ptr(1), LatestSecurityPatch: ptr(true)}}
		d.ScreenLockType = &okta.IncludeStrings{Include: []string{"PASSCODE", "BIOMETRIC"}}
		d.Jailbreak = ptr(false)
	case okta.PlatformMacOS:
		d.OSVersion = &okta.OSVersion{Minimum: "14.4.1"}
		d.DiskEncryptionType = &okta.IncludeStrings{Include: []string{"ALL_INTERNAL_VOLUMES"}}
		d.SecureHardwarePresent = ptr(true)
		d.GracePeriod = &okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: "2030-01-01T00:00:00.000Z"}
	case okta.PlatformWindows:
		d.OSVersionConstraints = []okta.OSVersionConstraint{
			{MajorVersionConstraint: "WINDOWS_11", DynamicVersionRequirement: &okta.DynamicVersionRequirement{Type: "EXACT_ANY_SUPPORTED", LatestSecurityPatch: ptr(true)}},
			{MajorVersionConstraint: "WINDOWS_10", Minimum: "10.0.19045"},
		}
		d.DiskEncryptionType = &okta.IncludeStrings{Include: []string{"ALL_INTERNAL_VOLUMES"}}
		d.ScreenLockType = &okta.IncludeStrings{Include: []string{"PASSCODE"}}
		d.SecureHardwarePresent = ptr(true)
	}
	return d
}

func TestDeviceAssuranceAllPlatforms(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)

	for _, platform := range okta.Platforms {
		t.Run(platform, func(t *testing.T) {
			want := daFor(platform, uniqueName(t, "DA"))
			created, err := c.CreateDeviceAssurance(ctx, want)
			if err != nil {
				t.Fatalf("CreateDeviceAssurance: %v", err)
			}
			got, err := c.GetDeviceAssurance(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Platform != platform || got.Name != want.Name {
				t.Fatalf("got %s %q", got.Platform, got.Name)
			}
			if got.GracePeriod == nil || got.GracePeriod.Type != want.GracePeriod.Type || got.GracePeriod.Expiry == "" {
				t.Fatalf("gracePeriod lost: %+v", got.GracePeriod)
			}
			if got.DisplayRemediationMode != "SHOW" {
				t.Fatalf("displayRemediationMode lost: %q", got.DisplayRemediationMode)
			}
			if platform == okta.PlatformWindows && (len(got.OSVersionConstraints) != 2 || got.OSVersionConstraints[1].Minimum != "10.0.19045" ||
				got.OSVersionConstraints[0].DynamicVersionRequirement == nil || got.OSVersionConstraints[0].DynamicVersionRequirement.Type != "EXACT_ANY_SUPPORTED") {
				t.Fatalf("osVersionConstraints lost: %+v", got.OSVersionConstraints)
			}
			if platform == okta.PlatformIOS && (got.OSVersion == nil || got.OSVersion.DynamicVersionRequirement == nil ||
				got.OSVersion.DynamicVersionRequirement.DistanceFromLatestMajor == nil || *got.OSVersion.DynamicVersionRequirement.DistanceFromLatestMajor != 1) {
				t.Fatalf("dynamic version requirement lost: %+v", got.OSVersion)
			}
			if platform == okta.PlatformChromeOS && (got.ThirdPartySignalProviders == nil || len(got.ThirdPartySignalProviders.DevicePostureIdP) == 0) {
				t.Fatalf("thirdPartySignalProviders lost: %+v", got.ThirdPartySignalProviders)
			}

			got.DisplayRemediationMode = "HIDE"
			got.GracePeriod = &okta.GracePeriod{Type: okta.GraceByDuration, Expiry: "P7D"}
			rep, err := c.ReplaceDeviceAssurance(ctx, *got)
			if err != nil {
				t.Fatalf("ReplaceDeviceAssurance: %v", err)
			}
			if rep.DisplayRemediationMode != "HIDE" || rep.GracePeriod == nil || rep.GracePeriod.Type != okta.GraceByDuration {
				t.Fatalf("replace not applied: %+v", rep)
			}

			all, err := c.ListDeviceAssurances(ctx)
			if err != nil || !slices.ContainsFunc(all, func(x okta.DeviceAssurance) bool { return x.ID == created.ID && x.DisplayRemediationMode == "HIDE" }) {
				t.Fatalf("ListDeviceAssurances misses the replaced policy: %v", err)
			}
			if err := c.DeleteDeviceAssurance(ctx, created.ID); err != nil {
				t.Fatalf("DeleteDeviceAssurance: %v", err)
			}
			_, err = c.GetDeviceAssurance(ctx, created.ID)
			mustOktaError(t, err, 404, okta.CodeNotFound)
		})
	}
}

func TestQueryLogsByFilterSinceUntilPaged(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	ctx := testCtx(t)

	before := time.Now().Add(-2 * time.Second)
	var ids []string
	for i := 0; i < 3; i++ {
		d, err := c.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: uniqueName(t, "DA") + string(rune('A'+i)), Platform: okta.PlatformIOS,
			Jailbreak: ptr(false)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	if _, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "noise")}, false); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(2 * time.Second)

	rec.reset()
	events, err := c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "device.assurance.policy.add"`, Since: before, Until: after, Limit: 1})
	if err != nil {
		t.Fatalf("QueryLogs: %v", err)
	}
	if len(events) != 3 {
		t.Fatalf("want the 3 add events, got %d", len(events))
	}
	var seen []string
	for _, e := range events {
		if e.EventType != "device.assurance.policy.add" {
			t.Fatalf("filter ignored: %s", e.EventType)
		}
		for _, tg := range e.Target {
			seen = append(seen, tg.ID)
		}
	}
	for _, id := range ids {
		if !slices.Contains(seen, id) {
			t.Fatalf("event targets %v miss %s", seen, id)
		}
	}
	if n := rec.count("GET", exactPath("/api/v1/logs")); n < 3 {
		t.Fatalf("limit=1 should page through at least 3 pages, sent %d requests", n)
	}
	first := rec.all()[0]
	for _, want := range []string{"filter=", "since=", "until=", "limit=1"} {
		if !strings.Contains(first.URL, want) {
			t.Fatalf("first log request %s lacks %s", first.URL, want)
		}
	}

	// Without until there is always a next link: Max and the empty page end the query.
	capped, err := c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "device.assurance.policy.add"`, Since: before, Limit: 1, Max: 2})
	if err != nil || len(capped) != 2 {
		t.Fatalf("Max 2: got %d, %v", len(capped), err)
	}
	open, err := c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "device.assurance.policy.add"`, Since: before, Limit: 2})
	if err != nil || len(open) != 3 {
		t.Fatalf("open-ended query: got %d, %v", len(open), err)
	}
	none, err := c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "device.assurance.policy.add"`, Since: before.Add(-time.Hour), Until: before})
	if err != nil || len(none) != 0 {
		t.Fatalf("until before the events: got %d, %v", len(none), err)
	}
}

func TestOrgURLIsTheConfiguredOne(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	if c.OrgURL() != srv.URL() {
		t.Fatalf("OrgURL %q, want %q", c.OrgURL(), srv.URL())
	}
	if strings.Contains(c.OrgURL(), srv.Token()) {
		t.Fatal("OrgURL carries the token")
	}
}

func TestClientSendsThroughTheSDKHTTPClient(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	if c.HTTPClient() != c.SDKHTTPClient() {
		t.Fatal("the client must send with the SDK configuration's HTTP client")
	}
	if _, err := c.ListGroups(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	if len(reqs) == 0 {
		t.Fatal("no request went through the SDK HTTP client's transport")
	}
	if got := reqs[0].Header.Get("Authorization"); got != "SSWS "+srv.Token() {
		t.Fatalf("Authorization = %q, want the SDK's SSWS header", strings.Replace(got, srv.Token(), "<token>", 1))
	}
	if ua := reqs[0].Header.Get("User-Agent"); !strings.HasPrefix(ua, "okta-sdk-golang/") {
		t.Fatalf("User-Agent %q is not the SDK's", ua)
	}
}

var _ = errors.New
