package flows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func TestChromeDeviceTrustSendsOnlyTheChosenSignals(t *testing.T) {
	d := AssuranceDraft{Name: "Chromebooks", Platform: okta.PlatformChromeOS, OSMode: OSNone, GraceMode: GraceNone,
		ChromeDeviceTrust: true, DTCSignals: []string{"screenLockSecured", "managedDevice"}}
	b, err := d.Body()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.ThirdPartySignalProviders.Dtc, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["screenLockSecured"] != true || got["managedDevice"] != true {
		t.Errorf("dtc settings = %v, want only the two chosen signals", got)
	}
}

func TestChromeDeviceTrustEditKeepsOtherSettingsAndIsNoChangeWhenSame(t *testing.T) {
	orig := okta.DeviceAssurance{ID: "dae1", Name: "Chromebooks", Platform: okta.PlatformChromeOS,
		ThirdPartySignalProviders: &okta.ThirdPartySignalProviders{
			Dtc: json.RawMessage(`{"osFirewall":true,"keyTrustLevel":"CHROME_OS_VERIFIED_MODE","diskEncrypted":true}`)}}
	d := DraftFromAssurance(orig, time.UTC)
	if strings.Join(d.DTCSignals, ",") != "diskEncrypted,osFirewall" {
		t.Fatalf("signals read from the policy = %v", d.DTCSignals)
	}
	b, err := d.Body()
	if err != nil {
		t.Fatal(err)
	}
	if string(b.ThirdPartySignalProviders.Dtc) != string(orig.ThirdPartySignalProviders.Dtc) {
		t.Errorf("unchanged signals rewrote the settings: %s", b.ThirdPartySignalProviders.Dtc)
	}
	d.DTCSignals = []string{"screenLockSecured"}
	b, err = d.Body()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(b.ThirdPartySignalProviders.Dtc, &got)
	if len(got) != 2 || got["screenLockSecured"] != true || got["keyTrustLevel"] != "CHROME_OS_VERIFIED_MODE" {
		t.Errorf("dtc settings = %v, want screenLockSecured and the kept key trust level", got)
	}
}

func TestChromeDeviceTrustSignalsValidated(t *testing.T) {
	base := AssuranceDraft{Name: "Macs", Platform: okta.PlatformMacOS, OSMode: OSNone, GraceMode: GraceNone, ChromeDeviceTrust: true}
	cases := map[string]struct {
		edit  func(*AssuranceDraft)
		field string
	}{
		"a ChromeOS-only signal on macOS": {func(d *AssuranceDraft) { d.DTCSignals = []string{"managedDevice"} }, "thirdPartySignalProviders.dtc[0]"},
		"signals without the provider": {func(d *AssuranceDraft) {
			d.ChromeDeviceTrust, d.SecureHardware, d.DTCSignals = false, true, []string{"osFirewall"}
		}, "thirdPartySignalProviders.dtc"},
	}
	for name, tc := range cases {
		d := base
		tc.edit(&d)
		errs := ValidationErrors(d.Validate(time.Now()))
		if len(errs) != 1 || errs[0].Field != tc.field {
			t.Errorf("%s: errors %v, want one on %s", name, errs, tc.field)
		}
	}
}
