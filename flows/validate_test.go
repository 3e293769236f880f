package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

func validIOS() AssuranceDraft {
	return AssuranceDraft{Name: "iOS", Platform: okta.PlatformIOS, OSMode: OSStatic, OSMinimum: "17.4", GraceMode: GraceNone}
}

func validWindows() AssuranceDraft {
	return AssuranceDraft{Name: "Win", Platform: okta.PlatformWindows, OSMode: OSDynamic, Windows: []WindowsConstraintDraft{
		{Major: Windows11, Mode: OSDynamic, DynamicType: DynamicMinimum, Distance: 0},
	}}
}

func validRule() AssuranceRuleDraft {
	return AssuranceRuleDraft{PolicyID: "rstApp1", Name: "Compliant", Access: AccessAllow, AssuranceIDs: []string{"dae1"}, Priority: 1}
}

// TestValidationRejectsBeforeAnyRequest: each invalid answer is refused by Validate with the
// field named, and Plan returns ValidationErrors without a single step.
func TestValidationRejectsBeforeAnyRequest(t *testing.T) {
	long := strings.Repeat("x", 256)
	dsc := func(f func(*DSCDraft)) func() ([]FieldError, Plan, error) {
		return func() ([]FieldError, Plan, error) {
			d := fullDSCDraft()
			f(&d)
			p, err := d.Plan()
			return d.Validate(), p, err
		}
	}
	da := func(base func() AssuranceDraft, f func(*AssuranceDraft)) func() ([]FieldError, Plan, error) {
		return func() ([]FieldError, Plan, error) {
			d := base()
			f(&d)
			p, err := d.Plan(testNow)
			return d.Validate(testNow), p, err
		}
	}
	rule := func(f func(*AssuranceRuleDraft)) func() ([]FieldError, Plan, error) {
		return func() ([]FieldError, Plan, error) {
			d := validRule()
			f(&d)
			p, err := d.Plan()
			return d.Validate(), p, err
		}
	}
	cases := []struct {
		name  string
		run   func() ([]FieldError, Plan, error)
		field string
	}{
		// Device signal collection.
		{"app policy name empty", dsc(func(d *DSCDraft) { d.AppPolicy.Name = "  " }), "appPolicy.name"},
		{"app policy name 256 chars", dsc(func(d *DSCDraft) { d.AppPolicy.Name = long }), "appPolicy.name"},
		{"app policy name control char", dsc(func(d *DSCDraft) { d.AppPolicy.Name = "bad\x07name" }), "appPolicy.name"},
		{"app policy description too long", dsc(func(d *DSCDraft) { d.AppPolicy.Description = strings.Repeat("d", 1025) }), "appPolicy.description"},
		{"existing policy id with slash", dsc(func(d *DSCDraft) { d.AppPolicy = PolicyChoice{ExistingID: "rst/../x"} }), "appPolicy.existingId"},
		{"reuse rule on a new policy", dsc(func(d *DSCDraft) { d.AppRule.ReuseID = "rul1" }), "appRule.reuseId"},
		{"app rule name empty", dsc(func(d *DSCDraft) { d.AppRule.Name = "" }), "appRule.name"},
		{"app rule access empty", dsc(func(d *DSCDraft) { d.AppRule.Access = "" }), "appRule.access"},
		{"app rule access lower case", dsc(func(d *DSCDraft) { d.AppRule.Access = "allow" }), "appRule.access"},
		{"app rule priority negative", dsc(func(d *DSCDraft) { d.AppRule.Priority = -1 }), "appRule.priority"},
		{"app rule group twice", dsc(func(d *DSCDraft) { d.AppRule.GroupIDs = []string{"00g1", "00g1"} }), "appRule.groupIds"},
		{"app rule group id empty", dsc(func(d *DSCDraft) { d.AppRule.GroupIDs = []string{""} }), "appRule.groupIds[0]"},
		{"dsc name empty", dsc(func(d *DSCDraft) { d.Name = "" }), "name"},
		{"dsc name 256 chars", dsc(func(d *DSCDraft) { d.Name = long }), "name"},
		{"extra mapping repeats stage 1 policy", dsc(func(d *DSCDraft) {
			d.AppPolicy = PolicyChoice{ExistingID: "rstApp1"}
			d.ExtraMappings = []string{"rstApp1"}
		}), "extraMappings[0]"},
		{"extra mapping twice", dsc(func(d *DSCDraft) { d.ExtraMappings = []string{"rst2", "rst2"} }), "extraMappings"},
		{"extra mapping id with space", dsc(func(d *DSCDraft) { d.ExtraMappings = []string{"rst 2"} }), "extraMappings[0]"},
		{"dsc rule name empty", dsc(func(d *DSCDraft) { d.RuleName = "\t" }), "ruleName"},
		{"no provider", dsc(func(d *DSCDraft) {
			d.OktaVerify, d.ChromeDeviceTrust, d.DevicePostureIdPID, d.UserIdentification = false, false, "", ""
		}), "providers"},
		{"okta verify without user identification", dsc(func(d *DSCDraft) { d.UserIdentification = "" }), "userIdentification"},
		{"user identification DENY", dsc(func(d *DSCDraft) { d.UserIdentification = "DENY" }), "userIdentification"},
		{"user identification without okta verify", dsc(func(d *DSCDraft) { d.OktaVerify = false }), "userIdentification"},
		{"posture idp id with braces", dsc(func(d *DSCDraft) { d.DevicePostureIdPID = "{{x.id}}" }), "devicePostureIdpId"},
		{"platform CHROMEOS in rule", dsc(func(d *DSCDraft) { d.PlatformOS = []string{okta.PlatformChromeOS} }), "platformOs[0]"},
		{"platform OSX spelled as in API", dsc(func(d *DSCDraft) { d.PlatformOS = []string{"OSX"} }), "platformOs[0]"},
		{"platform twice", dsc(func(d *DSCDraft) { d.PlatformOS = []string{okta.PlatformIOS, okta.PlatformIOS} }), "platformOs"},
		{"zone twice", dsc(func(d *DSCDraft) { d.ZoneIDs = []string{"nzo1", "nzo1"} }), "zoneIds"},

		// Device assurance.
		{"da name empty", da(validIOS, func(d *AssuranceDraft) { d.Name = "" }), "name"},
		{"da name 256 chars", da(validIOS, func(d *AssuranceDraft) { d.Name = long }), "name"},
		{"platform unknown", da(validIOS, func(d *AssuranceDraft) { d.Platform = "BEOS" }), "platform"},
		{"platform lower case", da(validIOS, func(d *AssuranceDraft) { d.Platform = "ios" }), "platform"},
		{"no check at all", da(validIOS, func(d *AssuranceDraft) {
			*d = AssuranceDraft{Name: d.Name, Platform: d.Platform, OSMode: OSNone, GraceMode: GraceNone}
		}), "osVersion"},
		{"chromeos with no check", da(validIOS, func(d *AssuranceDraft) {
			*d = AssuranceDraft{Name: d.Name, Platform: okta.PlatformChromeOS, GraceMode: GraceNone}
		}), "thirdPartySignalProviders"},
		{"os mode unknown", da(validIOS, func(d *AssuranceDraft) { d.OSMode = "latest" }), "osVersion"},
		{"static minimum empty", da(validIOS, func(d *AssuranceDraft) { d.OSMinimum = "" }), "osVersion.minimum"},
		{"iOS version with 4 components", da(validIOS, func(d *AssuranceDraft) { d.OSMinimum = "17.4.1.2" }), "osVersion.minimum"},
		{"version with letters", da(validIOS, func(d *AssuranceDraft) { d.OSMinimum = "17.4b" }), "osVersion.minimum"},
		{"version with empty component", da(validIOS, func(d *AssuranceDraft) { d.OSMinimum = "17..4" }), "osVersion.minimum"},
		{"android version with 5 components", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.OSMinimum = okta.PlatformAndroid, "14.1.2.3.4"
		}), "osVersion.minimum"},
		{"ChromeOS with OS version", da(validIOS, func(d *AssuranceDraft) { d.Platform = okta.PlatformChromeOS }), "osVersion"},
		{"dynamic with a static minimum", da(validIOS, func(d *AssuranceDraft) { d.OSMode, d.DynamicType = OSDynamic, DynamicMinimum }), "osVersion.minimum"},
		{"dynamic type missing", da(validIOS, func(d *AssuranceDraft) { d.OSMode, d.OSMinimum = OSDynamic, "" }), "osVersion.dynamicVersionRequirement.type"},
		{"dynamic NOT_ALLOWED outside Windows", da(validIOS, func(d *AssuranceDraft) {
			d.OSMode, d.OSMinimum, d.DynamicType = OSDynamic, "", DynamicNotAllowed
		}), "osVersion.dynamicVersionRequirement.type"},
		{"MINIMUM distance 2", da(validIOS, func(d *AssuranceDraft) {
			d.OSMode, d.OSMinimum, d.DynamicType, d.Distance = OSDynamic, "", DynamicMinimum, 2
		}), "osVersion.dynamicVersionRequirement.distanceFromLatestMajor"},
		{"EXACT distance -1", da(validIOS, func(d *AssuranceDraft) {
			d.OSMode, d.OSMinimum, d.DynamicType, d.Distance = OSDynamic, "", DynamicExact, -1
		}), "osVersion.dynamicVersionRequirement.distanceFromLatestMajor"},
		{"EXACT_ANY_SUPPORTED with distance", da(validIOS, func(d *AssuranceDraft) {
			d.OSMode, d.OSMinimum, d.DynamicType, d.Distance = OSDynamic, "", DynamicExactAnySupported, 1
		}), "osVersion.dynamicVersionRequirement.distanceFromLatestMajor"},
		{"Windows minimum with per-major requirements", da(validWindows, func(d *AssuranceDraft) { d.OSMode, d.OSMinimum = OSStatic, "10.0.19045.1" }), "osVersionConstraints"},
		{"Windows per-major with a minimum", da(validWindows, func(d *AssuranceDraft) { d.OSMinimum = "10.0.1" }), "osVersion.minimum"},
		{"Windows per-major empty", da(validWindows, func(d *AssuranceDraft) { d.Windows = nil }), "osVersionConstraints"},
		{"Windows three requirements", da(validWindows, func(d *AssuranceDraft) {
			d.Windows = append(d.Windows, WindowsConstraintDraft{Major: Windows10, Mode: OSStatic, Minimum: "10.0.1"}, WindowsConstraintDraft{Major: Windows10, Mode: OSStatic, Minimum: "10.0.2"})
		}), "osVersionConstraints"},
		{"Windows 11 twice", da(validWindows, func(d *AssuranceDraft) { d.Windows = append(d.Windows, d.Windows[0]) }), "osVersionConstraints[1].majorVersionConstraint"},
		{"Windows major unknown", da(validWindows, func(d *AssuranceDraft) { d.Windows[0].Major = "WINDOWS_7" }), "osVersionConstraints[0].majorVersionConstraint"},
		{"Windows NOT_ALLOWED with distance", da(validWindows, func(d *AssuranceDraft) { d.Windows[0].DynamicType, d.Windows[0].Distance = DynamicNotAllowed, 1 }), "osVersionConstraints[0].dynamicVersionRequirement.distanceFromLatestMajor"},
		{"Windows NOT_ALLOWED with patch", da(validWindows, func(d *AssuranceDraft) {
			d.Windows[0].DynamicType, d.Windows[0].LatestSecurityPatch = DynamicNotAllowed, true
		}), "osVersionConstraints[0].dynamicVersionRequirement.latestSecurityPatch"},
		{"Windows static requirement with 5 components", da(validWindows, func(d *AssuranceDraft) {
			d.Windows[0] = WindowsConstraintDraft{Major: Windows10, Mode: OSStatic, Minimum: "10.0.1.2.3"}
		}), "osVersionConstraints[0].minimum"},
		{"Windows dynamic requirement with minimum", da(validWindows, func(d *AssuranceDraft) { d.Windows[0].Minimum = "10.0.1" }), "osVersionConstraints[0].minimum"},
		{"Windows requirement mode missing", da(validWindows, func(d *AssuranceDraft) { d.Windows[0].Mode = "" }), "osVersionConstraints[0]"},
		{"jailbreak on macOS", da(validIOS, func(d *AssuranceDraft) { d.Platform, d.BlockJailbreak = okta.PlatformMacOS, true }), "jailbreak"},
		{"jailbreak on Windows", da(validWindows, func(d *AssuranceDraft) { d.BlockJailbreak = true }), "jailbreak"},
		{"secure hardware on iOS", da(validIOS, func(d *AssuranceDraft) { d.SecureHardware = true }), "secureHardwarePresent"},
		{"secure hardware on ChromeOS", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.OSMode, d.SecureHardware = okta.PlatformChromeOS, OSNone, true
		}), "secureHardwarePresent"},
		{"Chrome Device Trust on iOS", da(validIOS, func(d *AssuranceDraft) { d.ChromeDeviceTrust = true }), "thirdPartySignalProviders.dtc"},
		{"Android Device Trust on iOS", da(validIOS, func(d *AssuranceDraft) { d.AndroidDeviceTrust = true }), "thirdPartySignalProviders.androidDeviceTrust"},
		{"disk encryption on iOS", da(validIOS, func(d *AssuranceDraft) { d.DiskEncryption = []string{"FULL"} }), "diskEncryptionType"},
		{"FULL disk encryption on macOS", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.DiskEncryption = okta.PlatformMacOS, []string{"FULL"}
		}), "diskEncryptionType[0]"},
		{"ALL_INTERNAL_VOLUMES on Android", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.DiskEncryption = okta.PlatformAndroid, []string{"ALL_INTERNAL_VOLUMES"}
		}), "diskEncryptionType[0]"},
		{"screen lock on ChromeOS", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.OSMode, d.ScreenLock = okta.PlatformChromeOS, OSNone, []string{"PASSCODE"}
		}), "screenLockType"},
		{"screen lock FACE", da(validIOS, func(d *AssuranceDraft) { d.ScreenLock = []string{"FACE"} }), "screenLockType[0]"},
		{"screen lock twice", da(validIOS, func(d *AssuranceDraft) { d.ScreenLock = []string{"PASSCODE", "PASSCODE"} }), "screenLockType"},
		{"grace mode unknown", da(validIOS, func(d *AssuranceDraft) { d.GraceMode = "forever" }), "gracePeriod.type"},
		{"grace 0 days", da(validIOS, func(d *AssuranceDraft) { d.GraceMode, d.GraceDays = GraceDuration, 0 }), "gracePeriod.expiry"},
		{"grace 181 days", da(validIOS, func(d *AssuranceDraft) { d.GraceMode, d.GraceDays = GraceDuration, 181 }), "gracePeriod.expiry"},
		{"grace due date missing", da(validIOS, func(d *AssuranceDraft) { d.GraceMode = GraceDateTime }), "gracePeriod.expiry"},
		{"grace due date in the past", da(validIOS, func(d *AssuranceDraft) {
			d.GraceMode, d.GraceUntil = GraceDateTime, testNow.Add(-time.Minute)
		}), "gracePeriod.expiry"},
		{"grace due date now", da(validIOS, func(d *AssuranceDraft) { d.GraceMode, d.GraceUntil = GraceDateTime, testNow }), "gracePeriod.expiry"},
		{"remediation lower case", da(validIOS, func(d *AssuranceDraft) { d.Remediation = "show" }), "displayRemediationMode"},
		{"android device trust major update without dynamic OS", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.OSMinimum, d.AndroidDeviceTrust = okta.PlatformAndroid, "14", true
			d.Original = &okta.DeviceAssurance{ID: "dae3", Platform: okta.PlatformAndroid, ThirdPartySignalProviders: &okta.ThirdPartySignalProviders{
				AndroidDeviceTrust: []byte(`{"requireMajorVersionUpdate":true}`)}}
		}), "osVersion.dynamicVersionRequirement.type"},
		{"android device trust lock complexity without screen lock", da(validIOS, func(d *AssuranceDraft) {
			d.Platform, d.OSMinimum, d.AndroidDeviceTrust = okta.PlatformAndroid, "14", true
			d.Original = &okta.DeviceAssurance{ID: "dae3", Platform: okta.PlatformAndroid, ThirdPartySignalProviders: &okta.ThirdPartySignalProviders{
				AndroidDeviceTrust: []byte(`{"screenLockComplexity":"HIGH"}`)}}
		}), "screenLockType"},
		{"edit without original id", da(validIOS, func(d *AssuranceDraft) { d.Original = &okta.DeviceAssurance{Platform: okta.PlatformIOS} }), "original"},

		// Assurance rule.
		{"rule without policy", rule(func(d *AssuranceRuleDraft) { d.PolicyID = "" }), "policyId"},
		{"rule name empty", rule(func(d *AssuranceRuleDraft) { d.Name = "" }), "name"},
		{"rule access empty for new rule", rule(func(d *AssuranceRuleDraft) { d.Access = "" }), "access"},
		{"rule access PERMIT", rule(func(d *AssuranceRuleDraft) { d.Access = "PERMIT" }), "access"},
		{"rule without assurance policy", rule(func(d *AssuranceRuleDraft) { d.AssuranceIDs = nil }), "assuranceIds"},
		{"rule assurance twice", rule(func(d *AssuranceRuleDraft) { d.AssuranceIDs = []string{"dae1", "dae1"} }), "assuranceIds"},
		{"rule assurance id empty", rule(func(d *AssuranceRuleDraft) { d.AssuranceIDs = []string{""} }), "assuranceIds[0]"},
		{"rule priority 0", rule(func(d *AssuranceRuleDraft) { d.Priority = 0 }), "priority"},
		{"rule priority negative on edit", rule(func(d *AssuranceRuleDraft) {
			d.Existing = &okta.Rule{ID: "rul1", Type: okta.TypeAccessPolicy}
			d.Priority = -2
		}), "priority"},
		{"rule of another policy type", rule(func(d *AssuranceRuleDraft) {
			d.Existing = &okta.Rule{ID: "rul1", Type: okta.TypeDeviceSignalCollection}
		}), "existing"},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d invalid inputs", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs, plan, err := c.run()
			var found *FieldError
			for i := range errs {
				if errs[i].Field == c.field {
					found = &errs[i]
				}
			}
			if found == nil {
				t.Fatalf("no error for field %q; got %v", c.field, errs)
			}
			if len(found.Msg) < 15 || !strings.Contains(found.Msg, ":") {
				t.Errorf("message %q should say what is wrong and the fix", found.Msg)
			}
			var verrs ValidationErrors
			if !errors.As(err, &verrs) || len(verrs) != len(errs) {
				t.Errorf("Plan error %v, want the %d validation errors", err, len(errs))
			}
			if len(plan.Steps) != 0 {
				t.Errorf("an invalid draft produced %d requests", len(plan.Steps))
			}
		})
	}
	t.Logf("%d invalid inputs rejected before any request", len(cases))
}

func TestFieldValidators(t *testing.T) {
	type vc struct {
		name    string
		fn      func(string) error
		in      string
		ok      bool
		mention string // text the message must contain
	}
	now := testNow
	cases := []vc{
		{"name ok", ValidateName("Policy name"), "  Contractors ", true, ""},
		{"name 255 runes", ValidateName("Policy name"), strings.Repeat("é", 255), true, ""},
		{"name 256 runes", ValidateName("Policy name"), strings.Repeat("é", 256), false, "Policy name"},
		{"name blank", ValidateName("Policy name"), "   ", false, "Policy name is required"},
		{"name newline", ValidateName("Rule name"), "a\nb", false, "Rule name"},
		{"ios 3 parts", ValidateOSVersion(okta.PlatformIOS), "17.4.1", true, ""},
		{"ios 4 parts", ValidateOSVersion(okta.PlatformIOS), "17.4.1.1", false, "at most 3"},
		{"macos 1 part", ValidateOSVersion(okta.PlatformMacOS), "14", true, ""},
		{"android 4 parts", ValidateOSVersion(okta.PlatformAndroid), "14.0.0.1", true, ""},
		{"windows 4 parts", ValidateOSVersion(okta.PlatformWindows), "10.0.19045.2965", true, ""},
		{"windows 5 parts", ValidateOSVersion(okta.PlatformWindows), "10.0.19045.2965.1", false, "at most 4"},
		{"chromeos any", ValidateOSVersion(okta.PlatformChromeOS), "120", false, "ChromeOS"},
		{"version trailing dot", ValidateOSVersion(okta.PlatformIOS), "17.", false, "empty component"},
		{"version minus", ValidateOSVersion(okta.PlatformIOS), "-17", false, "digits"},
		{"version empty", ValidateOSVersion(okta.PlatformIOS), "", false, "required"},
		{"days 1", ValidateGraceDays, "1", true, ""},
		{"days 180", ValidateGraceDays, " 180 ", true, ""},
		{"days 0", ValidateGraceDays, "0", false, "1 to 180"},
		{"days 181", ValidateGraceDays, "181", false, "1 to 180"},
		{"days text", ValidateGraceDays, "thirty", false, "whole number"},
		{"days decimal", ValidateGraceDays, "7.5", false, "whole number"},
		{"until future", ValidateGraceUntil(now), "2026-12-31 17:00", true, ""},
		{"until with T", ValidateGraceUntil(now), "2026-12-31T17:00", true, ""},
		{"until past", ValidateGraceUntil(now), "2026-05-31 17:00", false, "not in the future"},
		{"until date only", ValidateGraceUntil(now), "2026-12-31", false, "no time"},
		{"until nonsense", ValidateGraceUntil(now), "next friday", false, "YYYY-MM-DD HH:MM"},
		{"until month 13", ValidateGraceUntil(now), "2026-13-01 10:00", false, "YYYY-MM-DD HH:MM"},
		{"id ok", ValidateID("Group"), "00g1abcDEF", true, ""},
		{"id slash", ValidateID("Group"), "00g/1", false, "Group"},
		{"id empty", ValidateID("Group"), "", false, "Group is required"},
		{"priority 1", ValidatePriority, "1", true, ""},
		{"priority 0", ValidatePriority, "0", false, "1 for the first rule"},
	}
	for _, c := range cases {
		err := c.fn(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: %q -> %v", c.name, c.in, err)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: message %q should mention %q", c.name, err, c.mention)
		}
	}
}

func TestParseLocalDateTimeUsesZone(t *testing.T) {
	got, err := ParseLocalDateTime("2026-12-31 17:00", testZone)
	if err != nil {
		t.Fatal(err)
	}
	if FormatExpiry(got) != "2026-12-31T22:00:00.000Z" {
		t.Errorf("17:00 at UTC-5 sent as %s", FormatExpiry(got))
	}
	// A zone east of UTC moves the date back across midnight.
	tokyo := time.FixedZone("UTC+9", 9*3600)
	got, _ = ParseLocalDateTime("2027-01-01 08:30", tokyo)
	if FormatExpiry(got) != "2026-12-31T23:30:00.000Z" {
		t.Errorf("08:30 at UTC+9 sent as %s", FormatExpiry(got))
	}
	if FormatLocalDateTime(got, tokyo) != "2027-01-01 08:30" {
		t.Errorf("round trip %s", FormatLocalDateTime(got, tokyo))
	}
}

func TestWindowsMinimumIsABuildOfItsMajorVersion(t *testing.T) {
	cases := []struct {
		major, version string
		ok             bool
	}{
		{Windows10, "10.0.19045.2965", true},
		{Windows10, "10.0.10240", true},
		{Windows10, "10.0.22631.3447", false}, // a Windows 11 build: no Windows 10 device has it
		{Windows10, "10.0.9600", false},
		{Windows10, "6.3.9600", false},
		{Windows10, "10", false},
		{Windows11, "10.0.22000", true},
		{Windows11, "10.0.22631.3447", true},
		{Windows11, "10.0.19045.2965", false},
		{Windows11, "10.0.x", false},
	}
	for _, tc := range cases {
		err := ValidateWindowsMinimum(tc.major)(tc.version)
		if (err == nil) != tc.ok {
			t.Errorf("%s %s: err = %v, want ok=%v", tc.major, tc.version, err, tc.ok)
		}
		if err != nil && tc.major == Windows10 && !strings.Contains(err.Error(), "10.0.19045.") {
			t.Errorf("%s %s: the fix %q does not show a Windows 10 build", tc.major, tc.version, err)
		}
	}
	d := AssuranceDraft{Name: "Win", Platform: okta.PlatformWindows, OSMode: OSDynamic, GraceMode: GraceNone,
		Windows: []WindowsConstraintDraft{{Major: Windows10, Mode: OSStatic, Minimum: "10.0.22631.3447"}}}
	errs := ValidationErrors(d.Validate(time.Now())).For("osVersionConstraints[0].minimum")
	if len(errs) != 1 {
		t.Fatalf("a Windows 10 minimum of 10.0.22631.3447 is not refused on its field: %v", d.Validate(time.Now()))
	}
}
