package flows

import (
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// The drafts are what the wizard's forms bind to: plain values, validated field by field as they
// are typed (the Validate* functions return an error naming the field and the fix) and as a
// whole before a plan is built. A draft becomes a Plan through its Plan method.

// PolicyChoice is an existing policy picked from the org, or a new one to create.
type PolicyChoice struct {
	ExistingID   string `json:"existingId,omitempty"` // set when an existing policy was picked
	ExistingName string `json:"existingName,omitempty"`
	Name         string `json:"name,omitempty"` // for a new policy
	Description  string `json:"description,omitempty"`
}

// IsNew reports whether the choice creates a policy.
func (c PolicyChoice) IsNew() bool { return c.ExistingID == "" }

// AppRuleDraft is the app sign-in policy rule that requires registered devices.
type AppRuleDraft struct {
	ReuseID   string   `json:"reuseId,omitempty"` // an existing suitable rule is reused: no request
	ReuseName string   `json:"reuseName,omitempty"`
	Name      string   `json:"name,omitempty"`
	Access    string   `json:"access,omitempty"` // ALLOW or DENY
	Managed   bool     `json:"managed,omitempty"`
	GroupIDs  []string `json:"groupIds,omitempty"` // people.groups.include; empty means everyone
	Priority  int      `json:"priority,omitempty"` // 1-based; 0 means first
}

// The flows' optional "protect these apps" step: ProtectApps of a draft are assigned its app
// sign-in policy once its rule exists (see AppProtection).

// DSCDraft holds the answers of the five-stage device signal collection flow.
type DSCDraft struct {
	// Stage 1: app sign-in policy and its registered-device rule.
	AppPolicy PolicyChoice `json:"appPolicy"`
	AppRule   AppRuleDraft `json:"appRule"`
	// ProtectApps are assigned the stage 1 policy after its rule (optional).
	ProtectApps []AppProtection `json:"protectApps,omitempty"`
	// Stage 2: the device signal collection policy, created INACTIVE.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Stage 3: further ACCESS_POLICY ids to map besides the stage 1 policy.
	ExtraMappings []string `json:"extraMappings,omitempty"`
	// ExtraMappingNames optionally names the extra policies (id -> name) for step titles.
	ExtraMappingNames map[string]string `json:"extraMappingNames,omitempty"`
	// Stage 4: the DSC rule.
	RuleName           string   `json:"ruleName"`
	OktaVerify         bool     `json:"oktaVerify"`
	UserIdentification string   `json:"userIdentification,omitempty"` // ALLOW or IGNORE, with OktaVerify
	ChromeDeviceTrust  bool     `json:"chromeDeviceTrust"`
	DevicePostureIdPID string   `json:"devicePostureIdpId,omitempty"`
	PlatformOS         []string `json:"platformOs,omitempty"` // DSCPlatformOptions: IOS, ANDROID, MACOS (sent as OSX), WINDOWS
	ZoneIDs            []string `json:"zoneIds,omitempty"`    // network.connection ZONE include
	// Stage 5: activate the DSC policy as the last request.
	Activate bool `json:"activate"`
}

// DSC stage numbers, for steps and errors.
const (
	StageAppPolicy = 1
	StageDSCPolicy = 2
	StageMapping   = 3
	StageDSCRule   = 4
	StageReview    = 5
)

// DSCStageNames are shown in the stepper.
var DSCStageNames = []string{"App sign-in policy", "Signal collection policy", "Mapping", "Rule", "Review"}

// OS version modes of an assurance draft.
const (
	OSNone    = "none"
	OSStatic  = "static"
	OSDynamic = "dynamic"
)

// Grace period modes of an assurance draft.
const (
	GraceNone     = "none"
	GraceDuration = "duration"
	GraceDateTime = "datetime"
)

// WindowsConstraintDraft is one Windows major version requirement.
type WindowsConstraintDraft struct {
	Major               string `json:"major"` // WINDOWS_11 or WINDOWS_10
	Mode                string `json:"mode"`  // OSStatic or OSDynamic
	Minimum             string `json:"minimum,omitempty"`
	DynamicType         string `json:"dynamicType,omitempty"` // MINIMUM, EXACT, EXACT_ANY_SUPPORTED, NOT_ALLOWED
	Distance            int    `json:"distance,omitempty"`
	LatestSecurityPatch bool   `json:"latestSecurityPatch,omitempty"`
}

// AssuranceDraft holds the answers of the device assurance create/edit flow.
type AssuranceDraft struct {
	// Original is the policy as read from the org when editing (nil when creating); members the
	// wizard does not know are carried over from it into the PUT body.
	Original *okta.DeviceAssurance `json:"original,omitempty"`
	Name     string                `json:"name"`
	Platform string                `json:"platform"` // okta.Platform*

	OSMode              string                   `json:"osMode"` // OSNone, OSStatic, OSDynamic
	OSMinimum           string                   `json:"osMinimum,omitempty"`
	DynamicType         string                   `json:"dynamicType,omitempty"` // MINIMUM, EXACT, EXACT_ANY_SUPPORTED
	Distance            int                      `json:"distance,omitempty"`    // 0 or 1, MINIMUM and EXACT only
	LatestSecurityPatch bool                     `json:"latestSecurityPatch,omitempty"`
	Windows             []WindowsConstraintDraft `json:"windows,omitempty"` // WINDOWS: per-major constraints

	DiskEncryption    []string `json:"diskEncryption,omitempty"` // ALL_INTERNAL_VOLUMES; FULL/USER on Android
	ScreenLock        []string `json:"screenLock,omitempty"`     // PASSCODE, BIOMETRIC
	BlockJailbreak    bool     `json:"blockJailbreak,omitempty"` // sends jailbreak: false (Android, iOS)
	SecureHardware    bool     `json:"secureHardware,omitempty"` // Android, macOS, Windows
	ChromeDeviceTrust bool     `json:"chromeDeviceTrust,omitempty"`
	// DTCSignals are the Chrome Device Trust signals required (DTCSignalOptions); empty keeps
	// what the policy has, or Okta's usual three for a plan written before the form asked.
	DTCSignals       []string `json:"dtcSignals,omitempty"`
	DevicePostureIdP bool     `json:"devicePostureIdp,omitempty"`
	// AndroidDeviceTrust requires Android Device Trust signals (Android only).
	AndroidDeviceTrust bool `json:"androidDeviceTrust,omitempty"`

	GraceMode   string    `json:"graceMode"` // GraceNone, GraceDuration, GraceDateTime
	GraceDays   int       `json:"graceDays,omitempty"`
	GraceUntil  time.Time `json:"graceUntil,omitempty"`  // entered in local time, sent in UTC
	Remediation string    `json:"remediation,omitempty"` // SHOW or HIDE
}

// AssuranceRuleDraft adds device assurance policies to an app sign-in policy rule, new or existing.
type AssuranceRuleDraft struct {
	PolicyID   string `json:"policyId"`
	PolicyName string `json:"policyName,omitempty"`
	// Existing is the rule as read when one was picked (nil for a new rule); the PUT carries it
	// whole, changed only where the user changed it.
	Existing     *okta.Rule `json:"existing,omitempty"`
	Name         string     `json:"name"`
	Access       string     `json:"access,omitempty"` // ALLOW or DENY
	AssuranceIDs []string   `json:"assuranceIds"`
	Managed      bool       `json:"managed,omitempty"`
	Priority     int        `json:"priority,omitempty"` // 1-based position among the policy's rules
	// ProtectApps are assigned the rule's policy after the rule is sent (optional).
	ProtectApps []AppProtection `json:"protectApps,omitempty"`
}

// FieldError is a validation failure naming the field and how to fix it.
type FieldError struct {
	Field string // JSON-ish path of the answer, e.g. "osVersion.minimum"
	Msg   string // what is wrong and the fix
}

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }
