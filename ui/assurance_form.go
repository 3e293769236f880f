package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// OS requirement kinds offered as one choice; they map onto the draft's OSMode and DynamicType.
const (
	osKindNone     = "none"
	osKindStatic   = "static"
	osKindPerMajor = "per-major" // Windows: osVersionConstraints
)

// Labels users know the API's values by.
var (
	platformLabels = map[string]string{
		okta.PlatformAndroid: "Android", okta.PlatformChromeOS: "ChromeOS", okta.PlatformIOS: "iOS",
		okta.PlatformMacOS: "macOS", okta.PlatformWindows: "Windows",
	}
	diskEncryptionLabels = map[string]string{
		"FULL": "Full disk encryption", "USER": "User data (file-based) encryption",
		"ALL_INTERNAL_VOLUMES": "All internal volumes encrypted",
	}
	screenLockLabels = map[string]string{"PASSCODE": "Passcode", "BIOMETRIC": "Biometric"}
	windowsLabels    = map[string]string{flows.Windows11: "Windows 11", flows.Windows10: "Windows 10 (and older)"}
)

func daLabel(labels map[string]string, v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}

// AssuranceEditor creates or edits a device assurance policy, page by page, then opens the
// review (with a diff when editing) and the submit screen, then the System Log confirmation.
type AssuranceEditor struct {
	c       *Common
	draft   *flows.AssuranceDraft
	editing bool
	pf      *pagedForm
	now     func() time.Time

	// Answers typed as text or chosen as one combined choice; copied into the draft when
	// their page completes.
	osKind     string
	graceDays  string
	graceUntil string
	winMajors  []string
	winKind    map[string]*string // major -> osKindStatic or a dynamic type
	// platformShown is the platform when the first page opened, to notice a change.
	platformShown string
	// takenNames are the names of the org's other device assurance policies (names are unique).
	takenNames map[string]bool
	// initial is the draft as the form opened; sent is set once Okta accepted the plan. Going
	// home discards answers only when they differ from initial and were not sent.
	initial flows.AssuranceDraft
	sent    bool
}

// HasUnsavedAnswers: answers were changed and not sent (going home would discard them).
func (e *AssuranceEditor) HasUnsavedAnswers() bool {
	return !e.sent && !reflect.DeepEqual(e.initial, *e.draft)
}

type assuranceNamesMsg struct {
	e     *AssuranceEditor
	names map[string]bool
}

// loadNames reads the names in use so a duplicate is refused on the form, not by Okta.
func (e *AssuranceEditor) loadNames() tea.Cmd {
	api := e.c.API
	if api == nil {
		return nil
	}
	own := ""
	if e.draft.Original != nil {
		own = e.draft.Original.ID
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), daAPITimeout)
		defer cancel()
		list, err := api.ListDeviceAssurances(ctx)
		if err != nil {
			return nil // Okta will say so on submit; the form stays usable
		}
		names := map[string]bool{}
		for _, d := range list {
			if d.ID != own {
				names[strings.TrimSpace(d.Name)] = true
			}
		}
		return assuranceNamesMsg{e: e, names: names}
	}
}

// validateName checks the name and that no other policy has it.
func (e *AssuranceEditor) validateName(s string) error {
	if err := flows.ValidateName("Device assurance policy name")(s); err != nil {
		return err
	}
	if e.takenNames[strings.TrimSpace(s)] {
		return fmt.Errorf("another device assurance policy is named %q: choose another name", strings.TrimSpace(s))
	}
	return nil
}

// NewAssuranceEditor returns the create form (draft with no Original) or the edit form.
func NewAssuranceEditor(c *Common, draft flows.AssuranceDraft) *AssuranceEditor {
	d := draft
	if d.OSMode == "" {
		d.OSMode = flows.OSNone
	}
	if d.GraceMode == "" {
		d.GraceMode = flows.GraceNone
	}
	if d.Remediation == "" && d.Original == nil {
		// A new policy shows remediation by default; an edit keeps a policy that has none as it is.
		d.Remediation = flows.RemediationShow
	}
	if d.Platform == "" {
		d.Platform = okta.PlatformIOS
	}
	e := &AssuranceEditor{c: c, draft: &d, initial: d, editing: d.Original != nil, now: daClock, winKind: map[string]*string{}}
	e.loadBuffers()
	e.pf = newPagedForm(c, e.pages, e.finish)
	return e
}

// Draft returns the answers so far.
func (e *AssuranceEditor) Draft() flows.AssuranceDraft { return *e.draft }

// loadBuffers fills the text and combined answers from the draft.
func (e *AssuranceEditor) loadBuffers() {
	d := e.draft
	switch {
	case d.OSMode == flows.OSStatic:
		e.osKind = osKindStatic
	case d.OSMode == flows.OSDynamic && d.Platform == okta.PlatformWindows:
		e.osKind = osKindPerMajor
	case d.OSMode == flows.OSDynamic:
		e.osKind = d.DynamicType
	default:
		e.osKind = osKindNone
	}
	if d.GraceDays > 0 {
		e.graceDays = strconv.Itoa(d.GraceDays)
	}
	if !d.GraceUntil.IsZero() {
		e.graceUntil = flows.FormatLocalDateTime(d.GraceUntil, daLocation)
	}
	e.winMajors = nil
	for _, w := range d.Windows {
		e.winMajors = append(e.winMajors, w.Major)
		if w.Mode == flows.OSDynamic {
			*e.kind(w.Major) = w.DynamicType
		} else {
			*e.kind(w.Major) = osKindStatic
		}
	}
}

// kind is the requirement choice of a Windows major version (static by default).
func (e *AssuranceEditor) kind(major string) *string {
	k, ok := e.winKind[major]
	if !ok {
		v := osKindStatic
		k = &v
		e.winKind[major] = k
	}
	return k
}

// checks are what the chosen platform offers.
func (e *AssuranceEditor) checks() flows.Checks { return flows.PlatformChecks(e.draft.Platform) }

// pages lists the pages that apply to the answers so far.
func (e *AssuranceEditor) pages() []formPage {
	d := e.draft
	c := e.checks()
	var list []formPage
	list = append(list, e.basicsPage())
	switch {
	case c.WindowsPerMajor:
		list = append(list, e.windowsOSPage())
		switch e.osKind {
		case osKindStatic:
			list = append(list, e.osDetailPage())
		case osKindPerMajor:
			list = append(list, e.windowsMajorsPage())
			for i := range d.Windows {
				list = append(list, e.windowsKindPage(i))
				if *e.kind(d.Windows[i].Major) != flows.DynamicNotAllowed {
					list = append(list, e.windowsDetailPage(i))
				}
			}
		}
	case c.HasOSVersion():
		list = append(list, e.osPage())
		if e.osKind != osKindNone {
			list = append(list, e.osDetailPage())
		}
	}
	if len(c.DiskEncryption) > 0 || len(c.ScreenLock) > 0 {
		list = append(list, e.checksPage())
	}
	if c.Jailbreak || c.SecureHardware || c.ChromeDeviceTrust || c.DevicePostureIdP || c.AndroidDeviceTrust {
		list = append(list, e.integrityPage())
	}
	if c.ChromeDeviceTrust && d.ChromeDeviceTrust {
		list = append(list, e.dtcPage())
	}
	list = append(list, e.gracePage())
	if d.GraceMode != flows.GraceNone {
		list = append(list, e.graceDetailPage())
	}
	list = append(list, e.remediationPage())
	return list
}

func (e *AssuranceEditor) basicsPage() formPage {
	d := e.draft
	return formPage{
		key: "basics", title: "Name and platform", owns: []string{"name", "platform", "original"},
		group: func() *huh.Group {
			e.platformShown = d.Platform
			name := huh.NewInput().Title("Policy name").
				Description("Shown in the Admin Console and in app sign-in rules.").
				Value(&d.Name).Validate(e.validateName)
			if e.editing {
				return huh.NewGroup(name, huh.NewNote().Title("Platform").
					Description(daLabel(platformLabels, d.Platform)+" (a policy's platform can't change)"))
			}
			opts := make([]huh.Option[string], 0, len(okta.Platforms))
			for _, p := range okta.Platforms {
				opts = append(opts, huh.NewOption(daLabel(platformLabels, p), p))
			}
			platform := huh.NewSelect[string]().Title("Platform").
				Description("Each platform has its own checks; the next pages offer only those.").
				Options(opts...).Value(&d.Platform)
			return huh.NewGroup(name, platform)
		},
		done: func() error {
			if d.Platform != e.platformShown {
				// Answers of another platform do not carry over; the OS choice starts again.
				e.osKind = osKindNone
				d.OSMode = flows.OSNone
			}
			return nil
		},
	}
}

// osKindOptions are the OS version choices of a non-Windows platform.
func (e *AssuranceEditor) osKindOptions() []huh.Option[string] {
	opts := []huh.Option[string]{
		huh.NewOption("No OS version requirement", osKindNone),
		huh.NewOption("Static: at least a version I type", osKindStatic),
	}
	for _, t := range e.checks().DynamicTypes {
		opts = append(opts, huh.NewOption(dynamicLabel(t), t))
	}
	return opts
}

func dynamicLabel(t string) string {
	switch t {
	case flows.DynamicMinimum:
		return "Dynamic MINIMUM: latest major (or one behind) or newer"
	case flows.DynamicExact:
		return "Dynamic EXACT: on the latest major (or one behind)"
	case flows.DynamicExactAnySupported:
		return "Dynamic EXACT_ANY_SUPPORTED: any major the vendor supports"
	case flows.DynamicNotAllowed:
		return "NOT_ALLOWED: this major version is refused"
	}
	return t
}

func (e *AssuranceEditor) osPage() formPage {
	return formPage{
		key: "os", title: "OS version", owns: []string{"osVersion"},
		explain: "Static: the device needs at least the version you type, until you edit the policy. " +
			"Dynamic (osVersion.dynamicVersionRequirement) follows the vendor: MINIMUM = the latest major " +
			"(distance 0) or one behind (1) or newer; EXACT = on that major version; EXACT_ANY_SUPPORTED = any " +
			"major the vendor still supports. Latest security patch adds: on the newest patch of its version.",
		group: func() *huh.Group {
			return huh.NewGroup(huh.NewSelect[string]().Title("Operating system version").
				Description("A device below the requirement fails the policy. Dynamic requirements follow\nthe vendor's releases, so the policy needs no edit when a new version ships.").
				Options(e.osKindOptions()...).Value(&e.osKind))
		},
		done: func() error {
			e.applyOSKind()
			return nil
		},
	}
}

// applyOSKind maps the combined OS choice onto the draft.
func (e *AssuranceEditor) applyOSKind() {
	d := e.draft
	switch e.osKind {
	case osKindNone:
		d.OSMode = flows.OSNone
	case osKindStatic:
		d.OSMode = flows.OSStatic
	case osKindPerMajor:
		d.OSMode = flows.OSDynamic
	default:
		d.OSMode, d.DynamicType = flows.OSDynamic, e.osKind
	}
}

func (e *AssuranceEditor) windowsOSPage() formPage {
	return formPage{
		key: "os", title: "Windows version", owns: []string{"osVersion", "osVersionConstraints"},
		explain: "Static sends osVersion.minimum for every Windows device. Per major version sends " +
			"osVersionConstraints: one requirement for Windows 11 and/or Windows 10, each a static minimum or " +
			"dynamic (MINIMUM, EXACT, EXACT_ANY_SUPPORTED, or NOT_ALLOWED to refuse that major). A major " +
			"version without a requirement passes.",
		group: func() *huh.Group {
			return huh.NewGroup(huh.NewSelect[string]().Title("Windows version requirement").
				Description("A device below the requirement fails the policy.").
				Options(
					huh.NewOption("No OS version requirement", osKindNone),
					huh.NewOption("Static: at least a version I type, for every Windows", osKindStatic),
					huh.NewOption("Per major version: Windows 11 and/or Windows 10", osKindPerMajor),
				).Value(&e.osKind))
		},
		done: func() error {
			e.applyOSKind()
			return nil
		},
	}
}

// distanceOptions are the distances from the latest major version.
func distanceOptions() []huh.Option[int] {
	return []huh.Option[int]{
		huh.NewOption("0: the latest major version", 0),
		huh.NewOption("1: one major version behind the latest", 1),
	}
}

// dynamicFields are the fields a dynamic type takes: distance only for MINIMUM and EXACT, the
// security patch for all but NOT_ALLOWED.
func dynamicFields(typ string, distance *int, patch *bool) []huh.Field {
	var fields []huh.Field
	if typ == flows.DynamicMinimum || typ == flows.DynamicExact {
		fields = append(fields, huh.NewSelect[int]().Title("Distance from the latest major version").
			Options(distanceOptions()...).Value(distance))
	}
	if typ != flows.DynamicNotAllowed {
		fields = append(fields, huh.NewConfirm().Title("Require the latest security patch?").
			Description("Yes: a device missing the newest patch of its version fails.").
			Affirmative("Yes").Negative("No").Value(patch))
	}
	return fields
}

func (e *AssuranceEditor) osDetailPage() formPage {
	d := e.draft
	if e.osKind == osKindStatic {
		return formPage{
			key: "os-detail", title: "Minimum OS version", owns: []string{"osVersion.minimum"},
			group: func() *huh.Group {
				return huh.NewGroup(huh.NewInput().Title("Minimum " + daLabel(platformLabels, d.Platform) + " version").
					Description(fmt.Sprintf("Digits and dots, at most %d components.", e.checks().OSMaxComponents)).
					Value(&d.OSMinimum).Validate(flows.ValidateOSVersion(d.Platform)))
			},
		}
	}
	return formPage{
		key: "os-detail", title: "Dynamic requirement", owns: []string{"osVersion.dynamicVersionRequirement"},
		group: func() *huh.Group {
			fields := dynamicFields(d.DynamicType, &d.Distance, &d.LatestSecurityPatch)
			return huh.NewGroup(fields...).Title(dynamicLabel(d.DynamicType))
		},
	}
}

func (e *AssuranceEditor) windowsMajorsPage() formPage {
	d := e.draft
	return formPage{
		key: "win-majors", title: "Windows major versions", owns: []string{"osVersionConstraints"},
		group: func() *huh.Group {
			opts := []huh.Option[string]{}
			for _, m := range e.checks().WindowsMajors {
				opts = append(opts, huh.NewOption(daLabel(windowsLabels, m), m))
			}
			return huh.NewGroup(huh.NewMultiSelect[string]().Title("Set a requirement for").
				Description("A major version without a requirement passes. x toggles.").
				Options(opts...).Value(&e.winMajors).Filterable(false))
		},
		done: func() error {
			if len(e.winMajors) == 0 {
				return errors.New("Windows major versions: choose Windows 11, Windows 10 or both (x toggles), or go back (esc) and choose no per-major requirement")
			}
			// Keep the answers of majors still chosen, in the API's order.
			var out []flows.WindowsConstraintDraft
			for _, m := range e.checks().WindowsMajors {
				if !slices.Contains(e.winMajors, m) {
					continue
				}
				w := flows.WindowsConstraintDraft{Major: m, Mode: flows.OSStatic}
				for _, old := range d.Windows {
					if old.Major == m {
						w = old
					}
				}
				out = append(out, w)
			}
			d.Windows = out
			return nil
		},
	}
}

func (e *AssuranceEditor) windowsKindPage(i int) formPage {
	d := e.draft
	major := d.Windows[i].Major
	field := fmt.Sprintf("osVersionConstraints[%d]", i)
	return formPage{
		key: "win-" + major, title: daLabel(windowsLabels, major) + " requirement", owns: []string{field + ".majorVersionConstraint", field},
		group: func() *huh.Group {
			opts := []huh.Option[string]{huh.NewOption("Static: at least a version I type", osKindStatic)}
			for _, t := range e.checks().WindowsDynamicTypes {
				opts = append(opts, huh.NewOption(dynamicLabel(t), t))
			}
			return huh.NewGroup(huh.NewSelect[string]().Title(daLabel(windowsLabels, major)).
				Description("A device on this major version below the requirement fails.").
				Options(opts...).Value(e.kind(major)))
		},
		done: func() error {
			w := &d.Windows[i]
			if k := *e.kind(major); k == osKindStatic {
				w.Mode = flows.OSStatic
			} else {
				w.Mode, w.DynamicType = flows.OSDynamic, k
			}
			return nil
		},
	}
}

func (e *AssuranceEditor) windowsDetailPage(i int) formPage {
	d := e.draft
	w := &d.Windows[i]
	field := fmt.Sprintf("osVersionConstraints[%d]", i)
	return formPage{
		key: "win-" + w.Major + "-detail", title: daLabel(windowsLabels, w.Major) + " details",
		owns: []string{field + ".minimum", field + ".dynamicVersionRequirement"},
		group: func() *huh.Group {
			w := &d.Windows[i]
			if *e.kind(w.Major) == osKindStatic {
				hint := "A Windows 11 build (10.0.22000 or later), like 10.0.22631.3447."
				if w.Major == flows.Windows10 {
					hint = "A Windows 10 build (10.0.1xxxx), like 10.0.19045.xxxx."
				}
				return huh.NewGroup(huh.NewInput().Title("Minimum " + daLabel(windowsLabels, w.Major) + " version").
					Description(hint).
					Value(&w.Minimum).Validate(flows.ValidateWindowsMinimum(w.Major)))
			}
			return huh.NewGroup(dynamicFields(*e.kind(w.Major), &w.Distance, &w.LatestSecurityPatch)...).
				Title(dynamicLabel(*e.kind(w.Major)))
		},
	}
}

func daOptions(values []string, labels map[string]string) []huh.Option[string] {
	opts := make([]huh.Option[string], 0, len(values))
	for _, v := range values {
		opts = append(opts, huh.NewOption(daLabel(labels, v), v))
	}
	return opts
}

func (e *AssuranceEditor) checksPage() formPage {
	d := e.draft
	return formPage{
		key: "checks", title: "Disk encryption and screen lock", owns: []string{"diskEncryptionType", "screenLockType"},
		group: func() *huh.Group {
			c := e.checks()
			var fields []huh.Field
			if len(c.DiskEncryption) > 0 {
				fields = append(fields, huh.NewMultiSelect[string]().Title("Disk encryption").
					Description("None chosen: encryption is not checked. x toggles.").
					Options(daOptions(c.DiskEncryption, diskEncryptionLabels)...).Value(&d.DiskEncryption).Filterable(false))
			}
			if len(c.ScreenLock) > 0 {
				fields = append(fields, huh.NewMultiSelect[string]().Title("Screen lock types allowed").
					Description("None chosen: screen lock is not checked. x toggles.").
					Options(daOptions(c.ScreenLock, screenLockLabels)...).Value(&d.ScreenLock).Filterable(false))
			}
			return huh.NewGroup(fields...)
		},
	}
}

func (e *AssuranceEditor) integrityPage() formPage {
	d := e.draft
	return formPage{
		key: "integrity", title: "Device integrity and signal providers",
		owns: []string{"jailbreak", "secureHardwarePresent", "thirdPartySignalProviders"},
		group: func() *huh.Group {
			c := e.checks()
			yesNo := func(title, desc string, v *bool) huh.Field {
				return huh.NewConfirm().Title(title).Description(desc).Affirmative("Yes").Negative("No").Value(v)
			}
			var fields []huh.Field
			if c.Jailbreak {
				fields = append(fields, yesNo("Block jailbroken or rooted devices?", "", &d.BlockJailbreak))
			}
			if c.SecureHardware {
				fields = append(fields, yesNo("Require secure hardware (TPM / Secure Enclave)?", "", &d.SecureHardware))
			}
			if c.ChromeDeviceTrust {
				fields = append(fields, yesNo("Require Chrome Device Trust signals?", "Third-party provider: Chrome Device Trust connector.", &d.ChromeDeviceTrust))
			}
			if c.AndroidDeviceTrust {
				fields = append(fields, yesNo("Require Android Device Trust signals?", "Third-party provider: Google Play Integrity.", &d.AndroidDeviceTrust))
			}
			if c.DevicePostureIdP {
				fields = append(fields, yesNo("Require device posture IdP signals?", "Third-party provider: your device posture identity provider.", &d.DevicePostureIdP))
			}
			return huh.NewGroup(fields...)
		},
	}
}

// dtcSignalLabels name the Chrome Device Trust signals as the Admin Console does.
var dtcSignalLabels = map[string]string{
	"diskEncrypted": "Disk encrypted", "osFirewall": "OS firewall on", "screenLockSecured": "Screen lock secured",
	"siteIsolationEnabled": "Chrome site isolation on", "builtInDnsClientEnabled": "Chrome built-in DNS client on",
	"chromeRemoteDesktopAppBlocked": "Chrome Remote Desktop blocked", "realtimeUrlCheckMode": "Real-time URL checks on",
	"allowScreenLock": "Screen lock allowed", "managedDevice": "Managed ChromeOS device",
}

// dtcPage asks which Chrome Device Trust signals to require: none is turned on unasked.
func (e *AssuranceEditor) dtcPage() formPage {
	d := e.draft
	return formPage{
		key: "dtc", title: "Chrome Device Trust signals", owns: []string{"thirdPartySignalProviders.dtc"},
		explain: "Chrome Device Trust reports these signals from Chrome; a device passes when every " +
			"signal chosen here is true (thirdPartySignalProviders.dtc).",
		group: func() *huh.Group {
			return huh.NewGroup(huh.NewMultiSelect[string]().Title("Require these Chrome Device Trust signals").
				Description("A device fails unless Chrome reports each one. x toggles.").
				Options(daOptions(flows.DTCSignalOptions(d.Platform), dtcSignalLabels)...).
				Value(&d.DTCSignals).Filterable(false))
		},
		done: func() error {
			if len(d.DTCSignals) == 0 && d.Original == nil {
				return errors.New("Chrome Device Trust signals: choose at least one (x toggles), or turn Chrome Device Trust off")
			}
			return nil
		},
	}
}

func (e *AssuranceEditor) gracePage() formPage {
	d := e.draft
	return formPage{
		key: "grace", title: "Grace period", owns: []string{"gracePeriod.type"},
		explain: "A user whose device fails the checks: with no grace period, the rule requiring this " +
			"policy does not match, so sign-in falls to the next rule (often denied). With a grace period " +
			"the user is told what fails and still signs in, until N days after the first failure " +
			"(BY_DURATION, sent as P{N}D) or until the due date (BY_DATE_TIME, sent in UTC).",
		group: func() *huh.Group {
			return huh.NewGroup(huh.NewSelect[string]().Title("When a device fails the checks").
				Description("What a user whose device fails sees at sign-in.").
				Options(
					huh.NewOption("No grace period: blocked at once", flows.GraceNone),
					huh.NewOption("After N days: warned, still signs in for N days, then blocked", flows.GraceDuration),
					huh.NewOption("By a due date: warned until a date and time, then blocked", flows.GraceDateTime),
				).Value(&d.GraceMode))
		},
	}
}

func (e *AssuranceEditor) graceDetailPage() formPage {
	d := e.draft
	if d.GraceMode == flows.GraceDuration {
		return formPage{
			key: "grace-detail", title: "Grace period length", owns: []string{"gracePeriod"},
			group: func() *huh.Group {
				return huh.NewGroup(huh.NewInput().Title("Days of grace (1 to 180)").
					Description("Counted from the first failed check of each device. Sent as P<days>D.").
					Value(&e.graceDays).Validate(flows.ValidateGraceDays))
			},
			done: func() error {
				n, err := strconv.Atoi(strings.TrimSpace(e.graceDays))
				if err != nil {
					return flows.ValidateGraceDays(e.graceDays)
				}
				d.GraceDays = n
				return nil
			},
		}
	}
	zone, _ := e.now().In(daLocation).Zone()
	return formPage{
		key: "grace-detail", title: "Grace period due date", owns: []string{"gracePeriod"},
		group: func() *huh.Group {
			return huh.NewGroup(huh.NewInput().Title("Due date and time, local time (" + zone + ")").
				Description("In the future; Okta gets it in UTC.").
				Placeholder("YYYY-MM-DD HH:MM").
				Value(&e.graceUntil).Validate(func(s string) error { return flows.ValidateGraceUntil(e.now().In(daLocation))(s) }))
		},
		done: func() error {
			t, err := flows.ParseLocalDateTime(e.graceUntil, daLocation)
			if err != nil {
				return err
			}
			d.GraceUntil = t
			return nil
		},
	}
}

func (e *AssuranceEditor) remediationPage() formPage {
	d := e.draft
	return formPage{
		key: "remediation", title: "Remediation instructions", owns: []string{"displayRemediationMode"},
		explain: "displayRemediationMode. SHOW: the Sign-In Widget lists what the device fails and how to " +
			"fix it (update the OS, set a passcode). HIDE: the user sees only that the device does not " +
			"meet the requirements, without details.",
		group: func() *huh.Group {
			options := []huh.Option[string]{
				huh.NewOption("Show: tell the user what to fix (e.g. update the OS)", flows.RemediationShow),
				huh.NewOption("Hide: the user only sees that access is denied", flows.RemediationHide),
			}
			if d.Original != nil && d.Original.DisplayRemediationMode == "" {
				options = append([]huh.Option[string]{huh.NewOption("Not set: leave it as it is (Okta's default)", "")}, options...)
			}
			return huh.NewGroup(huh.NewSelect[string]().Title("In the Sign-In Widget, for a device that fails").
				Options(options...).Value(&d.Remediation))
		},
	}
}

// normalized is the draft with answers that no longer apply dropped (another OS choice,
// another grace mode), so going back and changing a choice loses nothing the user typed, while
// the request carries only what applies.
func (e *AssuranceEditor) normalized() flows.AssuranceDraft {
	d := *e.draft
	c := flows.PlatformChecks(d.Platform)
	if d.OSMode != flows.OSStatic {
		d.OSMinimum = ""
	}
	if d.OSMode != flows.OSDynamic || d.Platform == okta.PlatformWindows {
		d.DynamicType, d.Distance, d.LatestSecurityPatch = "", 0, false
	}
	if d.DynamicType != flows.DynamicMinimum && d.DynamicType != flows.DynamicExact {
		d.Distance = 0
	}
	if d.OSMode != flows.OSDynamic || d.Platform != okta.PlatformWindows {
		d.Windows = nil
	} else {
		ws := make([]flows.WindowsConstraintDraft, len(d.Windows))
		for i, w := range d.Windows {
			if w.Mode == flows.OSStatic {
				w.DynamicType, w.Distance, w.LatestSecurityPatch = "", 0, false
			} else {
				w.Minimum = ""
				if w.DynamicType != flows.DynamicMinimum && w.DynamicType != flows.DynamicExact {
					w.Distance = 0
				}
				if w.DynamicType == flows.DynamicNotAllowed {
					w.LatestSecurityPatch = false
				}
			}
			ws[i] = w
		}
		d.Windows = ws
	}
	d.DiskEncryption = keepAllowed(d.DiskEncryption, c.DiskEncryption)
	d.ScreenLock = keepAllowed(d.ScreenLock, c.ScreenLock)
	d.BlockJailbreak = d.BlockJailbreak && c.Jailbreak
	d.SecureHardware = d.SecureHardware && c.SecureHardware
	d.ChromeDeviceTrust = d.ChromeDeviceTrust && c.ChromeDeviceTrust
	d.DTCSignals = keepAllowed(d.DTCSignals, flows.DTCSignalOptions(d.Platform))
	if !d.ChromeDeviceTrust {
		d.DTCSignals = nil
	}
	d.DevicePostureIdP = d.DevicePostureIdP && c.DevicePostureIdP
	d.AndroidDeviceTrust = d.AndroidDeviceTrust && c.AndroidDeviceTrust
	switch d.GraceMode {
	case flows.GraceDuration:
		d.GraceUntil = time.Time{}
	case flows.GraceDateTime:
		d.GraceDays = 0
	default:
		d.GraceDays, d.GraceUntil = 0, time.Time{}
	}
	return d
}

func keepAllowed(values, allowed []string) []string {
	var out []string
	for _, v := range values {
		if slices.Contains(allowed, v) {
			out = append(out, v)
		}
	}
	return out
}

// Plan validates the answers and builds the request; errors name the field and the fix.
func (e *AssuranceEditor) Plan() (flows.Plan, []flows.FieldError, error) {
	d := e.normalized()
	now := e.now()
	if errs := d.Validate(now); len(errs) > 0 {
		return flows.Plan{}, errs, nil
	}
	if e.takenNames[strings.TrimSpace(d.Name)] {
		return flows.Plan{}, []flows.FieldError{{Field: "name", Msg: e.validateName(d.Name).Error()}}, nil
	}
	plan, err := d.Plan(now)
	if fe := fieldErrorsOf(err); fe != nil {
		return flows.Plan{}, fe, nil
	}
	return plan, nil, err
}

// finish runs after the last page: validate everything, then open the review.
func (e *AssuranceEditor) finish() tea.Cmd {
	plan, errs, err := e.Plan()
	if len(errs) > 0 {
		return e.pf.showErrors(errs)
	}
	if err != nil {
		e.pf.errMsg = "Cannot build the request: " + err.Error()
		return e.pf.reopen()
	}
	if e.editing && daNoChange(plan) {
		e.pf.errMsg = "Nothing changed: the policy already has these settings. Change an answer or press esc."
		return e.pf.reopen()
	}
	c := e.c
	// The review diffs a display copy; the plan sent keeps the policy as read.
	review := run.NewReview(c, forReview(plan), run.ReviewOptions{
		ShowDiff:    e.editing,
		Answers:     e.normalized(),
		PlanToSave:  &plan,
		OnConfirm:   func(flows.Plan) tea.Cmd { return daPush(e.submitScreen(plan)) },
		Explanation: assuranceExplanation,
	})
	return daPush(review)
}

// daNoChange reports whether a replace plan would send the object as it is (read-only members
// and equal durations such as P30D and PT720H are no change).
func daNoChange(plan flows.Plan) bool {
	if len(plan.Steps) != 1 || plan.Steps[0].Before == nil {
		return false
	}
	return !flows.DiffChanged(plan.Steps[0].Diff())
}

// submitScreen sends the plan; when it succeeded, the System Log view waits for Okta's event.
func (e *AssuranceEditor) submitScreen(plan flows.Plan) Screen {
	c := e.c
	started := time.Now()
	var step flows.Step
	if len(plan.Steps) > 0 {
		step = plan.Steps[0]
	}
	name := strings.TrimSpace(e.draft.Name)
	return run.NewSubmit(c, plan, func(created map[string]string) tea.Cmd {
		e.sent = true
		id := created[step.ID]
		if id == "" {
			id = step.ObjectID
		}
		f := SyslogFilter{
			Title:      "System Log · " + name,
			EventTypes: AssuranceEventTypes,
			TargetID:   id,
			WaitFor:    EventAssuranceAdd,
			ChangedAt:  started,
			Done:       fmt.Sprintf("Created device assurance policy %q (%s).", name, id),
		}
		if step.Action == flows.ActReplaceDeviceAssurance {
			f.WaitFor = EventAssuranceUpdate
			f.Done = fmt.Sprintf("Updated device assurance policy %q (%s).", name, id)
		}
		return daPush(NewSyslogView(c, f))
	}).WithNextSteps("add the policy to an app sign-in rule (Device assurance › add to a rule).").
		OnFix(func(int) tea.Cmd { return func() tea.Msg { return PopToMsg{Target: e} } })
}

func daPush(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{Screen: s} } }

const assuranceExplanation = "A device assurance policy lists checks a device must pass (OS version, " +
	"encryption, screen lock, integrity). It does nothing alone: an app sign-in policy rule " +
	"refers to it in conditions.device.assurance. The grace period lets users whose device fails " +
	"keep signing in for a while; remediation instructions tell them what to fix."

// Init opens the first page.
func (e *AssuranceEditor) Init() tea.Cmd { return tea.Batch(e.pf.start(), e.loadNames()) }

// Update routes keys and results to the current page.
func (e *AssuranceEditor) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if m, ok := msg.(assuranceNamesMsg); ok {
		if m.e == e {
			e.takenNames = m.names
		}
		return e, nil
	}
	cmd, back := e.pf.update(msg)
	if back {
		return e, func() tea.Msg { return BackMsg{} }
	}
	return e, cmd
}

// Reveal rebuilds the last page when the user comes back from the review.
func (e *AssuranceEditor) Reveal() tea.Cmd { return e.pf.reopen() }

// View draws the current page.
func (e *AssuranceEditor) View() string { return e.pf.view() }

// SetSize records the space the screen may use.
func (e *AssuranceEditor) SetSize(w, h int) { e.pf.setSize(w, h) }

// ShortHelp lists the form's keys.
func (e *AssuranceEditor) ShortHelp() []key.Binding { return e.pf.keys() }

// Title names the screen in the header.
func (e *AssuranceEditor) Title() string {
	if e.editing {
		return "Edit device assurance"
	}
	return "New device assurance"
}

// Explanation is shown with ctrl+e.
func (e *AssuranceEditor) Explanation() string { return e.pf.explanation(assuranceExplanation) }

// CapturingInput reports whether typed keys are text for the form.
func (e *AssuranceEditor) CapturingInput() bool { return e.pf.capturing() }
