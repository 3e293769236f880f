package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// StepDeviceAssurance is the id of the single step of a device assurance plan.
const StepDeviceAssurance = "device-assurance"

// Dynamic OS version requirement types.
const (
	DynamicMinimum           = "MINIMUM"
	DynamicExact             = "EXACT"
	DynamicExactAnySupported = "EXACT_ANY_SUPPORTED"
	DynamicNotAllowed        = "NOT_ALLOWED" // Windows per-major constraints only
)

// Windows major versions of osVersionConstraints.
const (
	Windows11 = "WINDOWS_11"
	Windows10 = "WINDOWS_10"
)

// Remediation display modes.
const (
	RemediationShow = "SHOW"
	RemediationHide = "HIDE"
)

// Checks tells the UI which checks a device assurance platform has in the 5.1.0 spec
// (schemas DeviceAssurance*Platform), so it offers only those.
type Checks struct {
	Platform string
	// OSModes are the OS version modes offered: OSNone always, OSStatic where the platform has
	// osVersion.minimum, OSDynamic where it has a dynamic requirement. On Windows OSDynamic
	// means per-major requirements (osVersionConstraints), each static or dynamic.
	OSModes []string
	// OSMaxComponents is the most components a minimum version may have (0: no OS version).
	OSMaxComponents int
	// DynamicTypes are the osVersion.dynamicVersionRequirement types (not on Windows).
	DynamicTypes []string
	// WindowsPerMajor: requirements per Windows major version, WindowsMajors, with the
	// dynamic types WindowsDynamicTypes.
	WindowsPerMajor     bool
	WindowsMajors       []string
	WindowsDynamicTypes []string
	// DiskEncryption and ScreenLock are the values the platform accepts (empty: no such check).
	DiskEncryption []string
	ScreenLock     []string
	// Jailbreak (rooted or jailbroken devices blocked), secure hardware and third-party providers.
	Jailbreak          bool
	SecureHardware     bool
	ChromeDeviceTrust  bool // thirdPartySignalProviders.dtc
	DevicePostureIdP   bool // thirdPartySignalProviders.devicePostureIdP
	AndroidDeviceTrust bool // thirdPartySignalProviders.androidDeviceTrust
}

// HasOSVersion reports whether the platform has any OS version requirement.
func (c Checks) HasOSVersion() bool { return len(c.OSModes) > 1 }

// PlatformChecks returns the checks platform has; an unknown platform has none.
func PlatformChecks(platform string) Checks {
	dynamic := []string{DynamicMinimum, DynamicExact, DynamicExactAnySupported}
	screenLock := []string{"PASSCODE", "BIOMETRIC"}
	c := Checks{Platform: platform, OSModes: []string{OSNone}}
	switch platform {
	case okta.PlatformAndroid:
		c.OSModes = []string{OSNone, OSStatic, OSDynamic}
		c.OSMaxComponents = 4
		c.DynamicTypes = dynamic
		c.DiskEncryption = []string{"FULL", "USER"}
		c.ScreenLock = screenLock
		c.Jailbreak = true
		c.SecureHardware = true
		c.DevicePostureIdP = true
		c.AndroidDeviceTrust = true
	case okta.PlatformChromeOS:
		c.ChromeDeviceTrust = true
		c.DevicePostureIdP = true
	case okta.PlatformIOS:
		c.OSModes = []string{OSNone, OSStatic, OSDynamic}
		c.OSMaxComponents = 3
		c.DynamicTypes = dynamic
		c.ScreenLock = screenLock
		c.Jailbreak = true
		c.DevicePostureIdP = true
	case okta.PlatformMacOS:
		c.OSModes = []string{OSNone, OSStatic, OSDynamic}
		c.OSMaxComponents = 3
		c.DynamicTypes = dynamic
		c.DiskEncryption = []string{"ALL_INTERNAL_VOLUMES"}
		c.ScreenLock = screenLock
		c.SecureHardware = true
		c.ChromeDeviceTrust = true
		c.DevicePostureIdP = true
	case okta.PlatformWindows:
		c.OSModes = []string{OSNone, OSStatic, OSDynamic}
		c.OSMaxComponents = 4
		c.WindowsPerMajor = true
		c.WindowsMajors = []string{Windows11, Windows10}
		c.WindowsDynamicTypes = append(dynamic, DynamicNotAllowed)
		c.DiskEncryption = []string{"ALL_INTERNAL_VOLUMES"}
		c.ScreenLock = screenLock
		c.SecureHardware = true
		c.ChromeDeviceTrust = true
		c.DevicePostureIdP = true
	}
	return c
}

// Settings a newly enabled third-party provider starts with: the wizard only switches providers
// on and off; settings already in a policy are kept as they are.
var (
	defaultDTCSettings                = json.RawMessage(`{"diskEncrypted":true,"osFirewall":true,"screenLockSecured":true}`)
	defaultDevicePostureIdPSettings   = json.RawMessage(`{"compliant":true,"managed":true}`)
	defaultAndroidDeviceTrustSettings = json.RawMessage(`{"deviceIntegrityLevel":"MEETS_DEVICE_INTEGRITY"}`)
)

// assuranceResponseOnly are members Okta puts in device assurance responses that describe the
// stored object; they are not sent back in a PUT.
var assuranceResponseOnly = []string{"resourceType", "resourceDisplayName", "resourceId", "createdUpdate"}

func normalizedOSMode(m string) string {
	if m == "" {
		return OSNone
	}
	return m
}

func normalizedGraceMode(m string) string {
	if m == "" {
		return GraceNone
	}
	return m
}

// Validate checks every answer against the spec and the API's known rules, with now as the
// present for the due date.
func (d AssuranceDraft) Validate(now time.Time) []FieldError {
	var errs fieldErrors
	errs.check("name", ValidateName("Device assurance policy name")(d.Name))
	if !oneOf(d.Platform, okta.Platforms...) {
		errs.add("platform", "platform %q is not a choice: choose Android, ChromeOS, iOS, macOS or Windows", d.Platform)
		return errs
	}
	if d.Original != nil {
		if d.Original.ID == "" {
			errs.add("original", "the policy being edited has no id: pick it again from the list")
		}
		if d.Original.Platform != d.Platform {
			errs.add("platform", "an existing policy's platform can't change (%s): create a new policy for %s", platformLabel(d.Original.Platform), platformLabel(d.Platform))
		}
	}
	c := PlatformChecks(d.Platform)
	name := platformLabel(d.Platform)

	mode := normalizedOSMode(d.OSMode)
	switch {
	case !oneOf(mode, OSNone, OSStatic, OSDynamic):
		errs.add("osVersion", "OS version mode %q is not a choice: choose none, static or dynamic", d.OSMode)
	case !oneOf(mode, c.OSModes...):
		errs.add("osVersion", "%s device assurance has no OS version check: choose none", name)
	case mode == OSStatic:
		errs.check("osVersion.minimum", ValidateOSVersion(d.Platform)(d.OSMinimum))
		if d.Platform == okta.PlatformWindows && len(d.Windows) > 0 {
			errs.add("osVersionConstraints", "per-major Windows requirements can't be combined with a minimum version: remove them or choose per major version")
		}
	case mode == OSDynamic && d.Platform == okta.PlatformWindows:
		if strings.TrimSpace(d.OSMinimum) != "" {
			errs.add("osVersion.minimum", "a minimum version can't be combined with per-major Windows requirements: clear the minimum or choose static")
		}
		checkWindowsConstraints(&errs, d.Windows)
	case mode == OSDynamic:
		if strings.TrimSpace(d.OSMinimum) != "" {
			errs.add("osVersion.minimum", "a static minimum and a dynamic requirement exclude each other: clear the minimum or choose static")
		}
		checkDynamic(&errs, "osVersion.dynamicVersionRequirement", d.DynamicType, d.Distance, d.LatestSecurityPatch, c.DynamicTypes)
	}

	checkIncludes(&errs, "diskEncryptionType", "disk encryption", name, d.DiskEncryption, c.DiskEncryption)
	checkIncludes(&errs, "screenLockType", "screen lock", name, d.ScreenLock, c.ScreenLock)
	for _, f := range []struct {
		on, has     bool
		field, what string
	}{
		{d.BlockJailbreak, c.Jailbreak, "jailbreak", "jailbreak/root"},
		{d.SecureHardware, c.SecureHardware, "secureHardwarePresent", "secure hardware"},
		{d.ChromeDeviceTrust, c.ChromeDeviceTrust, "thirdPartySignalProviders.dtc", "Chrome Device Trust"},
		{d.DevicePostureIdP, c.DevicePostureIdP, "thirdPartySignalProviders.devicePostureIdP", "device posture IdP"},
		{d.AndroidDeviceTrust, c.AndroidDeviceTrust, "thirdPartySignalProviders.androidDeviceTrust", "Android Device Trust"},
	} {
		if f.on && !f.has {
			errs.add(f.field, "%s device assurance has no %s check: turn it off", name, f.what)
		}
	}

	if len(d.DTCSignals) > 0 && !d.ChromeDeviceTrust {
		errs.add("thirdPartySignalProviders.dtc", "Chrome Device Trust signals are chosen but Chrome Device Trust is off: turn it on or clear the signals")
	}
	for i, sig := range d.DTCSignals {
		if !oneOf(sig, DTCSignalOptions(d.Platform)...) {
			errs.add(fmt.Sprintf("thirdPartySignalProviders.dtc[%d]", i), "Chrome Device Trust signal %q is not one %s reports: choose from %s", sig, platformLabel(d.Platform), strings.Join(DTCSignalOptions(d.Platform), ", "))
		}
	}
	if d.AndroidDeviceTrust && c.AndroidDeviceTrust {
		d.checkAndroidDeviceTrust(&errs, mode)
	}
	if !d.HasCheck() {
		field := "osVersion"
		if !c.HasOSVersion() {
			field = "thirdPartySignalProviders"
		}
		errs.add(field, "no check chosen: Okta refuses a policy that checks nothing; choose at least one")
	}

	switch normalizedGraceMode(d.GraceMode) {
	case GraceNone:
	case GraceDuration:
		errs.check("gracePeriod.expiry", checkGraceDays(d.GraceDays))
	case GraceDateTime:
		errs.check("gracePeriod.expiry", checkGraceUntil(d.GraceUntil, now))
	default:
		errs.add("gracePeriod.type", "grace period %q is not a choice: choose none, a number of days or a due date", d.GraceMode)
	}
	if d.Remediation != "" && !oneOf(d.Remediation, RemediationShow, RemediationHide) {
		errs.add("displayRemediationMode", "remediation %q is not a choice: choose SHOW or HIDE", d.Remediation)
	}
	return errs
}

// HasCheck reports whether the draft checks anything: Okta refuses a device assurance policy
// without a condition (400 deviceAssuranceMediated).
func (d AssuranceDraft) HasCheck() bool {
	return normalizedOSMode(d.OSMode) != OSNone || len(d.DiskEncryption) > 0 || len(d.ScreenLock) > 0 ||
		d.BlockJailbreak || d.SecureHardware || d.ChromeDeviceTrust || d.DevicePostureIdP || d.AndroidDeviceTrust
}

// checkAndroidDeviceTrust applies the spec's notes on the Android Device Trust settings kept
// from the original policy: requireMajorVersionUpdate needs a dynamic MINIMUM or EXACT OS
// requirement, screenLockComplexity needs a screen lock type.
func (d AssuranceDraft) checkAndroidDeviceTrust(errs *fieldErrors, mode string) {
	if d.Original == nil || d.Original.ThirdPartySignalProviders == nil || len(d.Original.ThirdPartySignalProviders.AndroidDeviceTrust) == 0 {
		return
	}
	var settings struct {
		RequireMajorVersionUpdate bool   `json:"requireMajorVersionUpdate"`
		ScreenLockComplexity      string `json:"screenLockComplexity"`
	}
	if json.Unmarshal(d.Original.ThirdPartySignalProviders.AndroidDeviceTrust, &settings) != nil {
		return
	}
	if settings.RequireMajorVersionUpdate && (mode != OSDynamic || !oneOf(d.DynamicType, DynamicMinimum, DynamicExact)) {
		errs.add("osVersion.dynamicVersionRequirement.type", "this policy's Android Device Trust settings require the latest major version update, which needs a dynamic MINIMUM or EXACT OS requirement: choose one")
	}
	if settings.ScreenLockComplexity != "" && len(d.ScreenLock) == 0 {
		errs.add("screenLockType", "this policy's Android Device Trust settings check screen lock complexity, which needs a screen lock type: choose PASSCODE or BIOMETRIC")
	}
}

// checkDynamic checks a dynamic version requirement: a known type; MINIMUM and EXACT need a
// distance of 0 or 1; EXACT_ANY_SUPPORTED takes none; NOT_ALLOWED takes no distance or patch.
func checkDynamic(errs *fieldErrors, field, typ string, distance int, patch bool, types []string) {
	if !oneOf(typ, types...) {
		errs.add(field+".type", "dynamic requirement %q is not a choice: choose %s", typ, strings.Join(types, ", "))
		return
	}
	switch typ {
	case DynamicMinimum, DynamicExact:
		if distance != 0 && distance != 1 {
			errs.add(field+".distanceFromLatestMajor", "distance from the latest major version %d is out of range: choose 0 (latest) or 1 (one behind)", distance)
		}
	case DynamicExactAnySupported:
		if distance != 0 {
			errs.add(field+".distanceFromLatestMajor", "EXACT_ANY_SUPPORTED takes no distance from the latest major version: set it to 0 or choose MINIMUM or EXACT")
		}
	case DynamicNotAllowed:
		if distance != 0 {
			errs.add(field+".distanceFromLatestMajor", "NOT_ALLOWED takes no distance from the latest major version: set it to 0")
		}
		if patch {
			errs.add(field+".latestSecurityPatch", "NOT_ALLOWED takes no latest security patch requirement: turn it off")
		}
	}
}

func checkWindowsConstraints(errs *fieldErrors, cs []WindowsConstraintDraft) {
	if len(cs) == 0 || len(cs) > 2 {
		errs.add("osVersionConstraints", "%d per-major requirements: give 1 or 2, one for Windows 11 and/or one for Windows 10", len(cs))
	}
	seen := map[string]bool{}
	for i, c := range cs {
		f := fmt.Sprintf("osVersionConstraints[%d]", i)
		if !oneOf(c.Major, Windows11, Windows10) {
			errs.add(f+".majorVersionConstraint", "Windows major version %q is not a choice: choose WINDOWS_11 or WINDOWS_10", c.Major)
		} else if seen[c.Major] {
			errs.add(f+".majorVersionConstraint", "%s has two requirements: keep one per major version", c.Major)
		}
		seen[c.Major] = true
		switch normalizedOSMode(c.Mode) {
		case OSStatic:
			errs.check(f+".minimum", ValidateWindowsMinimum(c.Major)(c.Minimum))
		case OSDynamic:
			if strings.TrimSpace(c.Minimum) != "" {
				errs.add(f+".minimum", "a minimum and a dynamic requirement exclude each other: clear the minimum or choose static")
			}
			checkDynamic(errs, f+".dynamicVersionRequirement", c.DynamicType, c.Distance, c.LatestSecurityPatch,
				[]string{DynamicMinimum, DynamicExact, DynamicExactAnySupported, DynamicNotAllowed})
		default:
			errs.add(f, "requirement mode %q is not a choice: choose static or dynamic", c.Mode)
		}
	}
}

func checkIncludes(errs *fieldErrors, field, what, platform string, values, allowed []string) {
	if len(values) == 0 {
		return
	}
	if len(allowed) == 0 {
		errs.add(field, "%s device assurance has no %s check: clear it", platform, what)
		return
	}
	for i, v := range values {
		if !oneOf(v, allowed...) {
			errs.add(fmt.Sprintf("%s[%d]", field, i), "%s %q is not available on %s: choose %s", what, v, platform, strings.Join(allowed, " or "))
		}
	}
	if dup := duplicates(values); len(dup) > 0 {
		errs.add(field, "%s is chosen twice: choose each once", dup[0])
	}
}

// Plan validates the draft and returns its one request: create the policy, or, when editing,
// replace it with a body that is the original changed only where the wizard changed it.
func (d AssuranceDraft) Plan(now time.Time) (Plan, error) {
	if err := asError(d.Validate(now)); err != nil {
		return Plan{}, err
	}
	body, err := d.Body()
	if err != nil {
		return Plan{}, err
	}
	name := strings.TrimSpace(d.Name)
	plan := Plan{Flow: FlowAssurance}
	step := Step{ID: StepDeviceAssurance, Stage: 1, Body: body}
	if d.Original == nil {
		plan.Title = fmt.Sprintf("Create %s device assurance policy “%s”", platformLabel(d.Platform), name)
		step.Title = plan.Title
		step.Action = ActCreateDeviceAssurance
	} else {
		before, err := cloneAssurance(*d.Original)
		if err != nil {
			return Plan{}, err
		}
		plan.Title = fmt.Sprintf("Update %s device assurance policy “%s”", platformLabel(d.Platform), name)
		step.Title = plan.Title
		step.Action = ActReplaceDeviceAssurance
		step.ObjectID = d.Original.ID
		step.Before = &before
	}
	plan.Steps = []Step{step}
	return plan, nil
}

// Body is the request body of the draft (it does not validate; Plan does).
func (d AssuranceDraft) Body() (*okta.DeviceAssurance, error) {
	var b okta.DeviceAssurance
	var orig *okta.DeviceAssurance
	if d.Original != nil {
		var err error
		if b, err = cloneAssurance(*d.Original); err != nil {
			return nil, err
		}
		orig = d.Original
		b.ID, b.CreatedBy, b.CreatedDate, b.LastUpdate, b.LastUpdatedBy, b.Links = "", "", "", "", "", nil
		for _, k := range assuranceResponseOnly {
			delete(b.Extra, k)
		}
	}
	b.Name = strings.TrimSpace(d.Name)
	b.Platform = d.Platform

	os, constraints := d.osBody()
	if orig == nil || !sameJSON(normalizeOSVersion(orig.OSVersion), normalizeOSVersion(os)) {
		b.OSVersion = os
	}
	if orig == nil || !sameJSON(normalizeConstraints(orig.OSVersionConstraints), normalizeConstraints(constraints)) {
		b.OSVersionConstraints = constraints
	}
	b.DiskEncryptionType = includeStrings(d.DiskEncryption)
	b.ScreenLockType = includeStrings(d.ScreenLock)

	switch {
	case d.BlockJailbreak:
		b.Jailbreak = boolPtr(false)
	case b.Jailbreak != nil && !*b.Jailbreak:
		b.Jailbreak = nil // the user turned the block off
	}
	switch {
	case d.SecureHardware:
		b.SecureHardwarePresent = boolPtr(true)
	case b.SecureHardwarePresent != nil && *b.SecureHardwarePresent:
		b.SecureHardwarePresent = nil
	}

	tp := okta.ThirdPartySignalProviders{}
	if b.ThirdPartySignalProviders != nil {
		tp = *b.ThirdPartySignalProviders
	}
	setProvider(&tp.Dtc, d.ChromeDeviceTrust, defaultDTCSettings)
	if d.ChromeDeviceTrust && len(d.DTCSignals) > 0 {
		dtc, err := dtcSettings(tp.Dtc, d.Platform, d.DTCSignals)
		if err != nil {
			return nil, err
		}
		tp.Dtc = dtc
	}
	setProvider(&tp.DevicePostureIdP, d.DevicePostureIdP, defaultDevicePostureIdPSettings)
	setProvider(&tp.AndroidDeviceTrust, d.AndroidDeviceTrust, defaultAndroidDeviceTrustSettings)
	if len(tp.Dtc) == 0 && len(tp.DevicePostureIdP) == 0 && len(tp.AndroidDeviceTrust) == 0 {
		b.ThirdPartySignalProviders = nil
	} else {
		b.ThirdPartySignalProviders = &tp
	}

	grace := d.gracePeriod()
	if orig == nil || !sameGrace(orig.GracePeriod, grace) {
		b.GracePeriod = grace
	}
	if d.Remediation != "" {
		b.DisplayRemediationMode = d.Remediation
	}
	return &b, nil
}

// DTCSignalOptions are the yes/no Chrome Device Trust signals of platform (the boolean
// members of the spec's DTCChromeOS, DTCMacOS and DTCWindows), in the order the form offers
// them; nil when the platform has no Chrome Device Trust.
func DTCSignalOptions(platform string) []string {
	if !PlatformChecks(platform).ChromeDeviceTrust {
		return nil
	}
	common := []string{"diskEncrypted", "osFirewall", "screenLockSecured", "siteIsolationEnabled",
		"builtInDnsClientEnabled", "chromeRemoteDesktopAppBlocked", "realtimeUrlCheckMode"}
	if platform == okta.PlatformChromeOS {
		return append(common, "allowScreenLock", "managedDevice")
	}
	return common
}

// DTCSignalsOf lists the signals a policy's dtc settings require (true), in option order.
func DTCSignalsOf(platform string, dtc json.RawMessage) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(dtc, &m) != nil {
		return nil
	}
	var out []string
	for _, s := range DTCSignalOptions(platform) {
		if string(m[s]) == "true" {
			out = append(out, s)
		}
	}
	return out
}

// dtcSettings sets the yes/no signals of the dtc settings to the chosen ones; other members
// (versions, domains, key trust levels) are kept as the policy has them.
func dtcSettings(current json.RawMessage, platform string, chosen []string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(current) > 0 && string(current) != "null" {
		if err := json.Unmarshal(current, &m); err != nil {
			return nil, fmt.Errorf("thirdPartySignalProviders.dtc: %w", err)
		}
	}
	for _, s := range DTCSignalOptions(platform) {
		delete(m, s)
	}
	for _, s := range chosen {
		m[s] = json.RawMessage("true")
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	// The same settings keep the policy's own bytes, so an edit that changes nothing is no change.
	var before, after any
	if json.Unmarshal(current, &before) == nil && json.Unmarshal(out, &after) == nil && reflect.DeepEqual(before, after) {
		return current, nil
	}
	return out, nil
}

func setProvider(raw *json.RawMessage, want bool, defaults json.RawMessage) {
	switch {
	case !want:
		*raw = nil
	case len(*raw) == 0 || string(*raw) == "null":
		*raw = append(json.RawMessage(nil), defaults...)
	}
}

func includeStrings(values []string) *okta.IncludeStrings {
	if len(values) == 0 {
		return nil
	}
	return &okta.IncludeStrings{Include: append([]string(nil), values...)}
}

func dynamicRequirement(typ string, distance int, patch bool) *okta.DynamicVersionRequirement {
	r := &okta.DynamicVersionRequirement{Type: typ}
	if typ == DynamicMinimum || typ == DynamicExact {
		r.DistanceFromLatestMajor = intPtr(distance)
	}
	if patch && typ != DynamicNotAllowed {
		r.LatestSecurityPatch = boolPtr(true)
	}
	return r
}

// osBody returns the osVersion and osVersionConstraints the draft asks for.
func (d AssuranceDraft) osBody() (*okta.OSVersion, []okta.OSVersionConstraint) {
	switch normalizedOSMode(d.OSMode) {
	case OSStatic:
		return &okta.OSVersion{Minimum: strings.TrimSpace(d.OSMinimum)}, nil
	case OSDynamic:
		if d.Platform == okta.PlatformWindows {
			var cs []okta.OSVersionConstraint
			for _, w := range d.Windows {
				c := okta.OSVersionConstraint{MajorVersionConstraint: w.Major}
				if normalizedOSMode(w.Mode) == OSStatic {
					c.Minimum = strings.TrimSpace(w.Minimum)
				} else {
					c.DynamicVersionRequirement = dynamicRequirement(w.DynamicType, w.Distance, w.LatestSecurityPatch)
				}
				cs = append(cs, c)
			}
			return nil, cs
		}
		return &okta.OSVersion{DynamicVersionRequirement: dynamicRequirement(d.DynamicType, d.Distance, d.LatestSecurityPatch)}, nil
	}
	return nil, nil
}

// normalizeDynamic treats an absent latestSecurityPatch as false, so a policy Okta returns with
// an explicit false is not shown as changed.
func normalizeDynamic(r *okta.DynamicVersionRequirement) *okta.DynamicVersionRequirement {
	if r == nil {
		return nil
	}
	n := *r
	if n.LatestSecurityPatch != nil && !*n.LatestSecurityPatch {
		n.LatestSecurityPatch = nil
	}
	return &n
}

func normalizeOSVersion(v *okta.OSVersion) *okta.OSVersion {
	if v == nil || (v.Minimum == "" && v.DynamicVersionRequirement == nil) {
		return nil
	}
	n := *v
	n.DynamicVersionRequirement = normalizeDynamic(v.DynamicVersionRequirement)
	return &n
}

func normalizeConstraints(cs []okta.OSVersionConstraint) []okta.OSVersionConstraint {
	if len(cs) == 0 {
		return nil
	}
	out := make([]okta.OSVersionConstraint, len(cs))
	for i, c := range cs {
		out[i] = c
		out[i].DynamicVersionRequirement = normalizeDynamic(c.DynamicVersionRequirement)
	}
	return out
}

func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// gracePeriod is the grace period the draft asks for (nil for none).
func (d AssuranceDraft) gracePeriod() *okta.GracePeriod {
	switch normalizedGraceMode(d.GraceMode) {
	case GraceDuration:
		return &okta.GracePeriod{Type: okta.GraceByDuration, Expiry: fmt.Sprintf("P%dD", d.GraceDays)}
	case GraceDateTime:
		return &okta.GracePeriod{Type: okta.GraceByDateTime, Expiry: FormatExpiry(d.GraceUntil)}
	}
	return nil
}

// FormatExpiry writes a due date as Okta's BY_DATE_TIME expiry: UTC with milliseconds.
func FormatExpiry(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// sameGrace reports whether two grace periods mean the same thing: equal durations (P30D and
// PT720H) or the same instant.
func sameGrace(a, b *okta.GracePeriod) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.Type != b.Type {
		return false
	}
	switch a.Type {
	case okta.GraceByDuration:
		return SameDuration(a.Expiry, b.Expiry)
	case okta.GraceByDateTime:
		ta, err1 := time.Parse(time.RFC3339, a.Expiry)
		tb, err2 := time.Parse(time.RFC3339, b.Expiry)
		if err1 == nil && err2 == nil {
			return ta.Equal(tb)
		}
	}
	return a.Expiry == b.Expiry
}

// ParseISODuration reads an ISO 8601 duration of weeks, days, hours, minutes and seconds
// ("P30D", "PT720H"); a duration past time.Duration's range is an error (okta.ParseISODuration).
func ParseISODuration(s string) (time.Duration, error) { return okta.ParseISODuration(s) }

// SameDuration reports whether two ISO 8601 durations are the same length ("P30D" and
// "PT720H" are); strings that do not parse are compared as text.
func SameDuration(a, b string) bool {
	da, err1 := ParseISODuration(a)
	db, err2 := ParseISODuration(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return da == db
}

// cloneAssurance deep-copies a policy, unknown members included.
func cloneAssurance(d okta.DeviceAssurance) (okta.DeviceAssurance, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return okta.DeviceAssurance{}, err
	}
	var out okta.DeviceAssurance
	err = json.Unmarshal(b, &out)
	return out, err
}

// DraftFromAssurance fills the edit form from a policy read from the org; due dates are shown
// in loc.
func DraftFromAssurance(a okta.DeviceAssurance, loc *time.Location) AssuranceDraft {
	if loc == nil {
		loc = time.Local
	}
	orig, err := cloneAssurance(a)
	if err != nil {
		orig = a
	}
	d := AssuranceDraft{Original: &orig, Name: a.Name, Platform: a.Platform, OSMode: OSNone, GraceMode: GraceNone}
	switch {
	case a.Platform == okta.PlatformWindows && len(a.OSVersionConstraints) > 0:
		d.OSMode = OSDynamic
		for _, c := range a.OSVersionConstraints {
			w := WindowsConstraintDraft{Major: c.MajorVersionConstraint, Mode: OSStatic, Minimum: c.Minimum}
			if r := c.DynamicVersionRequirement; r != nil {
				w.Mode, w.DynamicType = OSDynamic, r.Type
				w.Distance, w.LatestSecurityPatch = derefInt(r.DistanceFromLatestMajor), derefBool(r.LatestSecurityPatch)
			}
			d.Windows = append(d.Windows, w)
		}
	case a.OSVersion != nil && a.OSVersion.DynamicVersionRequirement != nil:
		r := a.OSVersion.DynamicVersionRequirement
		d.OSMode, d.DynamicType = OSDynamic, r.Type
		d.Distance, d.LatestSecurityPatch = derefInt(r.DistanceFromLatestMajor), derefBool(r.LatestSecurityPatch)
	case a.OSVersion != nil && a.OSVersion.Minimum != "":
		d.OSMode, d.OSMinimum = OSStatic, a.OSVersion.Minimum
	}
	if a.DiskEncryptionType != nil {
		d.DiskEncryption = append([]string(nil), a.DiskEncryptionType.Include...)
	}
	if a.ScreenLockType != nil {
		d.ScreenLock = append([]string(nil), a.ScreenLockType.Include...)
	}
	d.BlockJailbreak = a.Jailbreak != nil && !*a.Jailbreak
	d.SecureHardware = derefBool(a.SecureHardwarePresent)
	if tp := a.ThirdPartySignalProviders; tp != nil {
		d.ChromeDeviceTrust = len(tp.Dtc) > 0 && string(tp.Dtc) != "null"
		if d.ChromeDeviceTrust {
			d.DTCSignals = DTCSignalsOf(a.Platform, tp.Dtc)
		}
		d.DevicePostureIdP = len(tp.DevicePostureIdP) > 0 && string(tp.DevicePostureIdP) != "null"
		d.AndroidDeviceTrust = len(tp.AndroidDeviceTrust) > 0 && string(tp.AndroidDeviceTrust) != "null"
	}
	if g := a.GracePeriod; g != nil {
		switch g.Type {
		case okta.GraceByDuration:
			d.GraceMode = GraceDuration
			if dur, err := ParseISODuration(g.Expiry); err == nil {
				d.GraceDays = int(math.Round(dur.Hours() / 24))
			}
		case okta.GraceByDateTime:
			d.GraceMode = GraceDateTime
			if t, err := time.Parse(time.RFC3339, g.Expiry); err == nil {
				d.GraceUntil = t.In(loc)
			}
		}
	}
	d.Remediation = a.DisplayRemediationMode
	return d
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func derefBool(p *bool) bool { return p != nil && *p }
