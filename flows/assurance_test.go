package flows

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// testNow is the present of these tests; testZone is a user's zone 5 hours behind UTC.
var (
	testZone = time.FixedZone("UTC-5", -5*3600)
	testNow  = time.Date(2026, 6, 1, 12, 0, 0, 0, testZone)
)

// assuranceCases cover each platform with each option it has.
func assuranceCases() map[string]AssuranceDraft {
	until := time.Date(2026, 12, 31, 17, 0, 0, 0, testZone)
	return map[string]AssuranceDraft{
		"android-static-all-checks": {
			Name: "Android baseline", Platform: okta.PlatformAndroid,
			OSMode: OSStatic, OSMinimum: "14.0.1.2",
			DiskEncryption: []string{"FULL", "USER"}, ScreenLock: []string{"PASSCODE", "BIOMETRIC"},
			BlockJailbreak: true, SecureHardware: true,
			GraceMode: GraceNone,
		},
		"android-dynamic-providers": {
			Name: "Android dynamic", Platform: okta.PlatformAndroid,
			OSMode: OSDynamic, DynamicType: DynamicExact, Distance: 0, LatestSecurityPatch: true,
			DevicePostureIdP: true, AndroidDeviceTrust: true,
			GraceMode: GraceDuration, GraceDays: 7, Remediation: RemediationShow,
		},
		"chromeos-dtc-posture-grace-date": {
			Name: "ChromeOS managed", Platform: okta.PlatformChromeOS,
			ChromeDeviceTrust: true, DevicePostureIdP: true,
			GraceMode: GraceDateTime, GraceUntil: until, Remediation: RemediationHide,
		},
		"ios-dynamic-30-days-show": {
			Name: "iOS current", Platform: okta.PlatformIOS,
			OSMode: OSDynamic, DynamicType: DynamicMinimum, Distance: 1,
			ScreenLock: []string{"BIOMETRIC"}, BlockJailbreak: true, DevicePostureIdP: true,
			GraceMode: GraceDuration, GraceDays: 30, Remediation: RemediationShow,
		},
		"ios-static-no-grace": {
			Name: "iOS static", Platform: okta.PlatformIOS,
			OSMode: OSStatic, OSMinimum: "17.4",
		},
		"ios-exact-any-supported": {
			Name: "iOS supported", Platform: okta.PlatformIOS,
			OSMode: OSDynamic, DynamicType: DynamicExactAnySupported, LatestSecurityPatch: true,
			Remediation: RemediationHide,
		},
		"macos-static-all-checks": {
			Name: "macOS baseline", Platform: okta.PlatformMacOS,
			OSMode: OSStatic, OSMinimum: "14.4.1",
			DiskEncryption: []string{"ALL_INTERNAL_VOLUMES"}, ScreenLock: []string{"PASSCODE", "BIOMETRIC"},
			SecureHardware: true, ChromeDeviceTrust: true, DevicePostureIdP: true,
			GraceMode: GraceDateTime, GraceUntil: until, Remediation: RemediationShow,
		},
		"macos-dynamic-exact": {
			Name: "macOS latest", Platform: okta.PlatformMacOS,
			OSMode: OSDynamic, DynamicType: DynamicExact, Distance: 1, LatestSecurityPatch: true,
		},
		"windows-static-minimum": {
			Name: "Windows baseline", Platform: okta.PlatformWindows,
			OSMode: OSStatic, OSMinimum: "10.0.19045.2965",
			DiskEncryption: []string{"ALL_INTERNAL_VOLUMES"}, ScreenLock: []string{"PASSCODE"},
			SecureHardware: true, ChromeDeviceTrust: true, DevicePostureIdP: true,
			GraceMode: GraceDuration, GraceDays: 180, Remediation: RemediationHide,
		},
		"windows-per-major-dynamic": {
			Name: "Windows per major", Platform: okta.PlatformWindows,
			OSMode: OSDynamic, Windows: []WindowsConstraintDraft{
				{Major: Windows11, Mode: OSDynamic, DynamicType: DynamicMinimum, Distance: 1, LatestSecurityPatch: true},
				{Major: Windows10, Mode: OSDynamic, DynamicType: DynamicExactAnySupported},
			},
		},
		"windows-per-major-mixed": {
			Name: "Windows 11 dynamic, 10 static", Platform: okta.PlatformWindows,
			OSMode: OSDynamic, Windows: []WindowsConstraintDraft{
				{Major: Windows11, Mode: OSDynamic, DynamicType: DynamicExact, Distance: 0},
				{Major: Windows10, Mode: OSStatic, Minimum: "10.0.19045.0"},
			},
			GraceMode: GraceDuration, GraceDays: 1, Remediation: RemediationShow,
		},
		"windows-10-not-allowed": {
			Name: "Windows 11 only", Platform: okta.PlatformWindows,
			OSMode: OSDynamic, Windows: []WindowsConstraintDraft{
				{Major: Windows10, Mode: OSDynamic, DynamicType: DynamicNotAllowed},
			},
		},
	}
}

func TestAssurancePlanPerPlatformGoldens(t *testing.T) {
	for name, d := range assuranceCases() {
		t.Run(name, func(t *testing.T) {
			if errs := d.Validate(testNow); len(errs) > 0 {
				t.Fatalf("valid draft refused: %v", errs)
			}
			plan, err := d.Plan(testNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Steps) != 1 {
				t.Fatalf("%d steps", len(plan.Steps))
			}
			s := plan.Steps[0]
			if s.Method() != "POST" || s.Path() != "/api/v1/device-assurances" || s.ID != StepDeviceAssurance {
				t.Errorf("request %s %s id %s", s.Method(), s.Path(), s.ID)
			}
			checkPlanConsistent(t, plan)
			checkGolden(t, "assurance/"+name+".json", planGolden(t, plan))
		})
	}
}

func TestAssuranceBodyMembers(t *testing.T) {
	cases := assuranceCases()
	body := func(name string) string {
		b, err := cases[name].Body()
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(b)
		return string(j)
	}
	checks := []struct{ name, want string }{
		{"ios-dynamic-30-days-show", `"gracePeriod":{"type":"BY_DURATION","expiry":"P30D"}`},
		{"ios-dynamic-30-days-show", `"displayRemediationMode":"SHOW"`},
		{"ios-dynamic-30-days-show", `"dynamicVersionRequirement":{"type":"MINIMUM","distanceFromLatestMajor":1}`},
		{"ios-dynamic-30-days-show", `"jailbreak":false`},
		{"ios-exact-any-supported", `"dynamicVersionRequirement":{"type":"EXACT_ANY_SUPPORTED","latestSecurityPatch":true}`},
		// 17:00 at UTC-5 is 22:00 UTC.
		{"chromeos-dtc-posture-grace-date", `"gracePeriod":{"type":"BY_DATE_TIME","expiry":"2026-12-31T22:00:00.000Z"}`},
		{"chromeos-dtc-posture-grace-date", `"dtc":{"diskEncrypted":true,"osFirewall":true,"screenLockSecured":true}`},
		{"windows-10-not-allowed", `"osVersionConstraints":[{"majorVersionConstraint":"WINDOWS_10","dynamicVersionRequirement":{"type":"NOT_ALLOWED"}}]`},
		{"windows-per-major-mixed", `{"majorVersionConstraint":"WINDOWS_10","minimum":"10.0.19045.0"}`},
		{"android-dynamic-providers", `"androidDeviceTrust":{"deviceIntegrityLevel":"MEETS_DEVICE_INTEGRITY"}`},
	}
	for _, c := range checks {
		if got := body(c.name); !strings.Contains(got, c.want) {
			t.Errorf("%s: body lacks %s:\n%s", c.name, c.want, got)
		}
	}
	for name := range cases {
		got := body(name)
		if strings.Contains(got, `"displayRemediationMode":""`) {
			t.Errorf("%s sends an empty displayRemediationMode (a 400)", name)
		}
		if cases[name].GraceMode == GraceNone || cases[name].GraceMode == "" {
			if strings.Contains(got, "gracePeriod") {
				t.Errorf("%s: no grace period chosen but body has one", name)
			}
		}
	}
}

// originalIOS is a policy as Okta returns it: read-only members, members the wizard does not
// model, and a 30-day grace period in the form PT720H.
const originalIOS = `{
  "id": "dae1ios",
  "name": "iOS current",
  "platform": "IOS",
  "osVersion": {"dynamicVersionRequirement": {"type": "MINIMUM", "distanceFromLatestMajor": 1, "latestSecurityPatch": false}},
  "screenLockType": {"include": ["BIOMETRIC"]},
  "jailbreak": false,
  "thirdPartySignalProviders": {"devicePostureIdP": {"compliant": true, "managed": false}},
  "gracePeriod": {"type": "BY_DURATION", "expiry": "PT720H"},
  "displayRemediationMode": "SHOW",
  "futureCheck": {"level": "HIGH"},
  "createdBy": "00u1admin",
  "createdDate": "2026-01-01T00:00:00.000Z",
  "lastUpdate": "2026-02-01T00:00:00.000Z",
  "lastUpdatedBy": "00u1admin",
  "resourceType": "DEVICE_ASSURANCE",
  "_links": {"self": {"href": "https://example.okta.com/api/v1/device-assurances/dae1ios", "hints": {"allow": ["GET", "PUT", "DELETE"]}}}
}`

func readOriginal(t *testing.T) okta.DeviceAssurance {
	t.Helper()
	var a okta.DeviceAssurance
	if err := json.Unmarshal([]byte(originalIOS), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAssuranceEditUnchangedIsNoChange(t *testing.T) {
	d := DraftFromAssurance(readOriginal(t), testZone)
	if d.GraceMode != GraceDuration || d.GraceDays != 30 {
		t.Fatalf("PT720H should read as 30 days, got %s %d", d.GraceMode, d.GraceDays)
	}
	if d.OSMode != OSDynamic || d.DynamicType != DynamicMinimum || d.Distance != 1 || !d.BlockJailbreak || !d.DevicePostureIdP {
		t.Fatalf("draft not filled from the policy: %+v", d)
	}
	plan, err := d.Plan(testNow)
	if err != nil {
		t.Fatal(err)
	}
	s := plan.Steps[0]
	if s.Method() != "PUT" || s.Path() != "/api/v1/device-assurances/dae1ios" {
		t.Errorf("request %s %s", s.Method(), s.Path())
	}
	if lines := s.Diff(); DiffChanged(lines) {
		t.Errorf("an unchanged edit shows changes:\n%s", DiffText(lines))
	}
	body, _ := s.BodyJSON()
	if !strings.Contains(string(body), `"expiry": "PT720H"`) {
		t.Errorf("unchanged grace period should be sent as read:\n%s", body)
	}
}

func TestAssuranceEditKeepsUnknownMembersAndStripsReadOnly(t *testing.T) {
	d := DraftFromAssurance(readOriginal(t), testZone)
	d.GraceMode = GraceDateTime
	d.GraceUntil = time.Date(2026, 12, 31, 17, 0, 0, 0, testZone)
	d.Remediation = RemediationHide
	plan, err := d.Plan(testNow)
	if err != nil {
		t.Fatal(err)
	}
	s := plan.Steps[0]
	body, _ := s.BodyJSON()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []string{"id", "createdBy", "createdDate", "lastUpdate", "lastUpdatedBy", "_links", "resourceType"} {
		if _, ok := m[ro]; ok {
			t.Errorf("read-only member %s sent", ro)
		}
	}
	if got, _ := json.Marshal(m["futureCheck"]); string(got) != `{"level":"HIGH"}` {
		t.Errorf("unknown member lost: %s", got)
	}
	if got, _ := json.Marshal(m["thirdPartySignalProviders"]); string(got) != `{"devicePostureIdP":{"compliant":true,"managed":false}}` {
		t.Errorf("provider settings not kept: %s", got)
	}
	if got, _ := json.Marshal(m["gracePeriod"]); string(got) != `{"expiry":"2026-12-31T22:00:00.000Z","type":"BY_DATE_TIME"}` {
		t.Errorf("grace period %s, want BY_DATE_TIME in UTC", got)
	}
	if s.Before == nil || s.Before.(*okta.DeviceAssurance).ID != "dae1ios" {
		t.Errorf("Before should be the policy as read")
	}
	// The preview shows exactly the two changes: grace period and remediation.
	var changed []string
	for _, l := range s.Diff() {
		if l.Op != ' ' {
			changed = append(changed, string(l.Op)+strings.TrimSpace(l.Text))
		}
	}
	want := []string{
		`-"displayRemediationMode": "SHOW",`, `+"displayRemediationMode": "HIDE",`,
		`-"expiry": "PT720H",`, `-"type": "BY_DURATION"`,
		`+"expiry": "2026-12-31T22:00:00.000Z",`, `+"type": "BY_DATE_TIME"`,
	}
	if strings.Join(sorted(changed), "\n") != strings.Join(sorted(want), "\n") {
		t.Errorf("diff changes:\n%s\nwant:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
	}
	checkPlanConsistent(t, plan)
	checkGolden(t, "assurance/edit-ios-due-date-hide.json", planGolden(t, plan))
	// The original the draft carries is not modified by planning.
	if d.Original.GracePeriod.Expiry != "PT720H" || d.Original.ID != "dae1ios" {
		t.Error("planning modified the draft's original")
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAssuranceEditDurationSameLengthKept(t *testing.T) {
	d := DraftFromAssurance(readOriginal(t), testZone)
	d.GraceDays = 31
	b, _ := d.Body()
	if b.GracePeriod.Expiry != "P31D" {
		t.Errorf("changed grace period sent as %q, want P31D", b.GracePeriod.Expiry)
	}
	d.GraceDays = 30
	b, _ = d.Body()
	if b.GracePeriod.Expiry != "PT720H" {
		t.Errorf("30 days against PT720H is no change; sent %q", b.GracePeriod.Expiry)
	}
}

func TestAssuranceEditTurnsChecksOff(t *testing.T) {
	d := DraftFromAssurance(readOriginal(t), testZone)
	d.BlockJailbreak, d.DevicePostureIdP, d.ScreenLock, d.GraceMode, d.OSMode = false, false, nil, GraceNone, OSNone
	b, err := d.Body()
	if err != nil {
		t.Fatal(err)
	}
	if b.Jailbreak != nil || b.ThirdPartySignalProviders != nil || b.ScreenLockType != nil || b.GracePeriod != nil || b.OSVersion != nil {
		t.Errorf("checks turned off are still sent: %+v", b)
	}
	if b.DisplayRemediationMode != "SHOW" || b.Extra["futureCheck"] == nil {
		t.Errorf("members not touched were lost: %+v", b)
	}
}

func TestAssurancePlatformCannotChangeOnEdit(t *testing.T) {
	d := DraftFromAssurance(readOriginal(t), testZone)
	d.Platform = okta.PlatformAndroid
	_, err := d.Plan(testNow)
	var verrs ValidationErrors
	if !errors.As(err, &verrs) || len(verrs.For("platform")) == 0 {
		t.Errorf("platform change accepted: %v", err)
	}
}

func TestDraftFromAssuranceDateInLocalZone(t *testing.T) {
	a := readOriginal(t)
	a.GracePeriod = &okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: "2026-12-31T22:00:00.000Z"}
	d := DraftFromAssurance(a, testZone)
	if got := FormatLocalDateTime(d.GraceUntil, testZone); got != "2026-12-31 17:00" {
		t.Errorf("due date shown as %q, want 2026-12-31 17:00 local", got)
	}
	plan, err := d.Plan(testNow)
	if err != nil {
		t.Fatal(err)
	}
	if DiffChanged(plan.Steps[0].Diff()) {
		t.Errorf("unchanged due date shown as a change:\n%s", DiffText(plan.Steps[0].Diff()))
	}
}

func TestDraftFromAssuranceWindowsConstraints(t *testing.T) {
	var a okta.DeviceAssurance
	if err := json.Unmarshal([]byte(`{"id":"dae2","name":"W","platform":"WINDOWS",
		"osVersionConstraints":[{"majorVersionConstraint":"WINDOWS_11","dynamicVersionRequirement":{"type":"EXACT","distanceFromLatestMajor":1}},
		{"majorVersionConstraint":"WINDOWS_10","minimum":"10.0.19045.0"}],
		"diskEncryptionType":{"include":["ALL_INTERNAL_VOLUMES"]},"secureHardwarePresent":true,
		"thirdPartySignalProviders":{"dtc":{"osFirewall":true,"crowdStrikeAgentId":"abc"}}}`), &a); err != nil {
		t.Fatal(err)
	}
	d := DraftFromAssurance(a, testZone)
	if d.OSMode != OSDynamic || len(d.Windows) != 2 || d.Windows[0].DynamicType != DynamicExact || d.Windows[1].Minimum != "10.0.19045.0" {
		t.Fatalf("windows constraints not read: %+v", d.Windows)
	}
	plan, err := d.Plan(testNow)
	if err != nil {
		t.Fatal(err)
	}
	if DiffChanged(plan.Steps[0].Diff()) {
		t.Errorf("unchanged Windows policy shows changes:\n%s", DiffText(plan.Steps[0].Diff()))
	}
}

func TestISODurations(t *testing.T) {
	good := map[string]time.Duration{
		"P30D": 720 * time.Hour, "PT720H": 720 * time.Hour, "P1W": 168 * time.Hour,
		"P1DT12H": 36 * time.Hour, "PT90M": 90 * time.Minute, "PT1.5S": 1500 * time.Millisecond,
	}
	for s, want := range good {
		if got, err := ParseISODuration(s); err != nil || got != want {
			t.Errorf("ParseISODuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "P", "PT", "30D", "P1M", "P1Y", "P1DT", "PT-1H", "p30d"} {
		if _, err := ParseISODuration(s); err == nil {
			t.Errorf("ParseISODuration(%q) accepted", s)
		}
	}
	if !SameDuration("P30D", "PT720H") || !SameDuration("P7D", "P1W") || SameDuration("P30D", "P31D") || SameDuration("P1M", "P30D") {
		t.Error("SameDuration compares lengths wrongly")
	}
}

func TestPlatformChecks(t *testing.T) {
	type row struct {
		os, static, dynamic, perMajor, jail, secure, dtc, posture, adt bool
		disk, lock                                                     int
	}
	want := map[string]row{
		okta.PlatformAndroid:  {true, true, true, false, true, true, false, true, true, 2, 2},
		okta.PlatformChromeOS: {false, false, false, false, false, false, true, true, false, 0, 0},
		okta.PlatformIOS:      {true, true, true, false, true, false, false, true, false, 0, 2},
		okta.PlatformMacOS:    {true, true, true, false, false, true, true, true, false, 1, 2},
		okta.PlatformWindows:  {true, true, true, true, false, true, true, true, false, 1, 2},
	}
	for p, w := range want {
		c := PlatformChecks(p)
		got := row{c.HasOSVersion(), oneOf(OSStatic, c.OSModes...), oneOf(OSDynamic, c.OSModes...), c.WindowsPerMajor,
			c.Jailbreak, c.SecureHardware, c.ChromeDeviceTrust, c.DevicePostureIdP, c.AndroidDeviceTrust, len(c.DiskEncryption), len(c.ScreenLock)}
		if got != w {
			t.Errorf("%s: got %+v want %+v", p, got, w)
		}
	}
	if PlatformChecks("BEOS").HasOSVersion() {
		t.Error("unknown platform offers checks")
	}
}
