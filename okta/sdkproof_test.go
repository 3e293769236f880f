package okta_test

import (
	"encoding/json"
	"reflect"
	"testing"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// The SDK's policy union cannot hold a DEVICE_SIGNAL_COLLECTION policy: it decodes without an
// error into an empty value that cannot be marshalled again. That is why the client decodes
// into okta.Policy instead.
func TestSDKPolicyUnionLosesDeviceSignalCollectionPolicies(t *testing.T) {
	const dscJSON = `{"id":"00p1","type":"DEVICE_SIGNAL_COLLECTION","name":"Collect","status":"ACTIVE","system":false,"priority":1}`
	var union sdk.ListPolicies200ResponseInner
	if err := json.Unmarshal([]byte(dscJSON), &union); err != nil {
		t.Fatalf("the SDK reports an error now (%v): revisit this proof", err)
	}
	if got := union.GetActualInstance(); got != nil {
		t.Fatalf("the SDK now decodes DSC policies into %T: revisit this proof", got)
	}
	if b, err := json.Marshal(union); err == nil {
		t.Fatalf("marshalling the empty union should fail, got %s", b)
	}
	var rule sdk.ListPolicyRules200ResponseInner
	_ = json.Unmarshal([]byte(`{"id":"0pr1","type":"DEVICE_SIGNAL_COLLECTION","name":"r"}`), &rule)
	if got := rule.GetActualInstance(); got != nil {
		t.Fatalf("the SDK now decodes DSC rules into %T: revisit this proof", got)
	}

	// The same answer from the sandbox, decoded both ways.
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	created, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: uniqueName(t, "DSC"), Description: "kept"}, true)
	if err != nil {
		t.Fatal(err)
	}
	_, raw, err := c.RawCall(ctx, "GET", "/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION", nil)
	if err != nil {
		t.Fatal(err)
	}
	var viaSDK []sdk.ListPolicies200ResponseInner
	if err := json.Unmarshal(raw, &viaSDK); err != nil {
		t.Fatalf("SDK decode: %v", err)
	}
	if len(viaSDK) == 0 {
		t.Fatal("no DSC policies answered")
	}
	for _, u := range viaSDK {
		if u.GetActualInstance() != nil {
			t.Fatal("the SDK decoded a DSC policy: revisit this proof")
		}
	}
	ours, err := c.ListPolicies(ctx, okta.TypeDeviceSignalCollection)
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != len(viaSDK) {
		t.Fatalf("ours %d, SDK %d", len(ours), len(viaSDK))
	}
	p := findPolicy(ours, created.ID)
	if p == nil || p.Name != created.Name || p.Type != okta.TypeDeviceSignalCollection || p.Status != okta.StatusActive ||
		p.Description != "kept" || p.Created == nil || len(p.Links) == 0 {
		t.Fatalf("our decode lost members: %+v", p)
	}
}

// The SDK's device assurance models have no gracePeriod or displayRemediationMode; ours keep them.
func TestSDKDeviceAssuranceModelsLackGracePeriod(t *testing.T) {
	for _, m := range []any{sdk.DeviceAssurance{}, sdk.DeviceAssuranceWindowsPlatform{}, sdk.DeviceAssuranceMacOSPlatform{},
		sdk.DeviceAssuranceIOSPlatform{}, sdk.DeviceAssuranceAndroidPlatform{}, sdk.DeviceAssuranceChromeOSPlatform{}} {
		typ := reflect.TypeOf(m)
		for _, f := range []string{"GracePeriod", "DisplayRemediationMode"} {
			if _, ok := typ.FieldByName(f); ok {
				t.Fatalf("sdk.%s now has %s: revisit this proof", typ.Name(), f)
			}
		}
	}
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	d, err := c.CreateDeviceAssurance(ctx, daFor(okta.PlatformWindows, uniqueName(t, "DA")))
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.ListDeviceAssurances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.ID == d.ID {
			if x.GracePeriod == nil || x.GracePeriod.Type != okta.GraceByDuration || x.DisplayRemediationMode != "SHOW" || len(x.OSVersionConstraints) != 2 {
				t.Fatalf("listed policy lost fields: %+v", x)
			}
			return
		}
	}
	t.Fatal("created policy not listed")
}
