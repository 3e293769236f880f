package okta

import (
	"encoding/json"
	"time"
)

// PolicyType is the `type` of an Okta policy. The product works with two.
type PolicyType string

const (
	TypeAccessPolicy           PolicyType = "ACCESS_POLICY"
	TypeDeviceSignalCollection PolicyType = "DEVICE_SIGNAL_COLLECTION"
)

// Lifecycle statuses of policies and rules.
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
)

// Link is one member of `_links`.
type Link struct {
	Href  string `json:"href"`
	Hints *Hints `json:"hints,omitempty"`
}

// Hints lists the methods a link allows.
type Hints struct {
	Allow []string `json:"allow,omitempty"`
}

// Links is the `_links` object; values are a Link (or, rarely, a list, which is kept raw).
type Links map[string]json.RawMessage

// Policy is an ACCESS_POLICY or DEVICE_SIGNAL_COLLECTION policy (spec: Policy, AccessPolicy,
// DeviceSignalCollectionPolicy). Read-only members are omitted from request bodies when empty.
type Policy struct {
	ID          string     `json:"id,omitempty"`
	Type        PolicyType `json:"type"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Status      string     `json:"status,omitempty"`
	Priority    int        `json:"priority,omitempty"`
	System      bool       `json:"system,omitempty"`
	Created     *time.Time `json:"created,omitempty"`
	LastUpdated *time.Time `json:"lastUpdated,omitempty"`
	Links       Links      `json:"_links,omitempty"`
	// Rules are the policy's rules as Okta embeds them (`_embedded.rules`) when asked with
	// expand=rules; RulesEmbedded tells an answer with no rules from one that left them out.
	// `_embedded` is read-only, so it is never sent back.
	Rules         []Rule `json:"-"`
	RulesEmbedded bool   `json:"-"`
	Extra         Extra  `json:"-"`
}

type plainPolicy Policy

func (p *Policy) UnmarshalJSON(b []byte) error {
	p.Rules, p.RulesEmbedded = nil, false
	return unmarshalKeepingExtra(b, (*plainPolicy)(p), &p.Extra, func(key string, value []byte) (bool, error) {
		if key != "_embedded" {
			return false, nil
		}
		var embedded struct {
			Rules *[]Rule `json:"rules"`
		}
		if err := json.Unmarshal(value, &embedded); err != nil {
			return true, err
		}
		if embedded.Rules != nil {
			p.Rules, p.RulesEmbedded = *embedded.Rules, true
		}
		return true, nil
	})
}
func (p Policy) MarshalJSON() ([]byte, error) { return marshalWithExtra(plainPolicy(p), p.Extra) }

// Rule is a policy rule of an ACCESS_POLICY (AccessPolicyRule) or a DEVICE_SIGNAL_COLLECTION
// policy (DeviceSignalCollectionPolicyRule).
type Rule struct {
	ID          string          `json:"id,omitempty"`
	Type        PolicyType      `json:"type"`
	Name        string          `json:"name"`
	Status      string          `json:"status,omitempty"`
	Priority    *int            `json:"priority,omitempty"`
	System      bool            `json:"system,omitempty"`
	Created     *time.Time      `json:"created,omitempty"`
	LastUpdated *time.Time      `json:"lastUpdated,omitempty"`
	Conditions  *RuleConditions `json:"conditions,omitempty"`
	Actions     *RuleActions    `json:"actions,omitempty"`
	Links       Links           `json:"_links,omitempty"`
	Extra       Extra           `json:"-"`
}

type plainRule Rule

func (r *Rule) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainRule)(r), &r.Extra)
}
func (r Rule) MarshalJSON() ([]byte, error) { return marshalWithExtra(plainRule(r), r.Extra) }

// RuleConditions are the conditions the wizard reads and writes; others are kept in Extra.
type RuleConditions struct {
	People   *PeopleCondition   `json:"people,omitempty"`
	Device   *DeviceCondition   `json:"device,omitempty"`
	Network  *NetworkCondition  `json:"network,omitempty"`
	Platform *PlatformCondition `json:"platform,omitempty"`
	Extra    Extra              `json:"-"`
}

type plainRuleConditions RuleConditions

func (c *RuleConditions) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainRuleConditions)(c), &c.Extra)
}
func (c RuleConditions) MarshalJSON() ([]byte, error) {
	return marshalWithExtra(plainRuleConditions(c), c.Extra)
}

// PeopleCondition (spec: PolicyPeopleCondition).
type PeopleCondition struct {
	Groups *IncludeExclude `json:"groups,omitempty"`
	Users  *IncludeExclude `json:"users,omitempty"`
}

// IncludeExclude is the include/exclude id list shape used by several conditions.
type IncludeExclude struct {
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// DeviceCondition (spec: DeviceAccessPolicyRuleCondition). Managed requires Registered true.
type DeviceCondition struct {
	Registered *bool            `json:"registered,omitempty"`
	Managed    *bool            `json:"managed,omitempty"`
	Assurance  *AssuranceIDList `json:"assurance,omitempty"`
	Extra      Extra            `json:"-"`
}

type plainDeviceCondition DeviceCondition

func (c *DeviceCondition) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainDeviceCondition)(c), &c.Extra)
}
func (c DeviceCondition) MarshalJSON() ([]byte, error) {
	return marshalWithExtra(plainDeviceCondition(c), c.Extra)
}

// AssuranceIDList holds device assurance policy ids; several are ORed by Okta.
type AssuranceIDList struct {
	Include []string `json:"include"`
}

// NetworkCondition (spec: PolicyNetworkCondition). Connection is ANYWHERE or ZONE.
type NetworkCondition struct {
	Connection string   `json:"connection,omitempty"`
	Include    []string `json:"include,omitempty"`
	Exclude    []string `json:"exclude,omitempty"`
}

// PlatformCondition (spec: PlatformPolicyRuleCondition).
type PlatformCondition struct {
	Include []PlatformEntry `json:"include,omitempty"`
	Exclude []PlatformEntry `json:"exclude,omitempty"`
}

// PlatformEntry: Type is MOBILE, DESKTOP or ANY; OS.Type is ANDROID, ANY, IOS, OSX, OTHER or WINDOWS (spec).
type PlatformEntry struct {
	Type string      `json:"type,omitempty"`
	OS   *PlatformOS `json:"os,omitempty"`
}

// PlatformOS is the operating system of a PlatformEntry.
type PlatformOS struct {
	Type       string `json:"type,omitempty"`
	Expression string `json:"expression,omitempty"`
}

// RuleActions holds the actions of either rule type; other members are kept in Extra.
type RuleActions struct {
	AppSignOn              *AppSignOn                    `json:"appSignOn,omitempty"`
	DeviceSignalCollection *DeviceSignalCollectionAction `json:"deviceSignalCollection,omitempty"`
	Extra                  Extra                         `json:"-"`
}

type plainRuleActions RuleActions

func (a *RuleActions) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainRuleActions)(a), &a.Extra)
}
func (a RuleActions) MarshalJSON() ([]byte, error) {
	return marshalWithExtra(plainRuleActions(a), a.Extra)
}

// AppSignOn (spec: AccessPolicyRuleApplicationSignOn). Access is ALLOW or DENY.
type AppSignOn struct {
	Access string `json:"access,omitempty"`
	Extra  Extra  `json:"-"`
}

type plainAppSignOn AppSignOn

func (a *AppSignOn) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainAppSignOn)(a), &a.Extra)
}
func (a AppSignOn) MarshalJSON() ([]byte, error) { return marshalWithExtra(plainAppSignOn(a), a.Extra) }

// DeviceSignalCollectionAction (spec: DeviceSignalCollectionPolicyRuleDeviceSignalCollection).
type DeviceSignalCollectionAction struct {
	DeviceContextProviders []DeviceContextProvider `json:"deviceContextProviders"`
}

// Device context provider keys.
const (
	ProviderOktaVerify        = "OKTA_VERIFY"
	ProviderChromeDeviceTrust = "CHROME_DEVICE_TRUST"
	ProviderDevicePostureIdP  = "DEVICE_POSTURE_IDP"
)

// DeviceContextProvider (spec: DeviceContextProvider). UserIdentification is ALLOW or IGNORE
// (OKTA_VERIFY); ID is the identity provider id (DEVICE_POSTURE_IDP).
type DeviceContextProvider struct {
	Key                string `json:"key"`
	ID                 string `json:"id,omitempty"`
	UserIdentification string `json:"userIdentification,omitempty"`
}

// PolicyMapping (spec: PolicyMapping). Okta answers only id and _links.
type PolicyMapping struct {
	ID    string `json:"id"`
	Links Links  `json:"_links,omitempty"`
}

// MappingRequest (spec: PolicyMappingRequest): ResourceType is ACCESS_POLICY.
type MappingRequest struct {
	ResourceID   string `json:"resourceId"`
	ResourceType string `json:"resourceType"`
}

// Platforms of device assurance policies.
const (
	PlatformAndroid  = "ANDROID"
	PlatformChromeOS = "CHROMEOS"
	PlatformIOS      = "IOS"
	PlatformMacOS    = "MACOS"
	PlatformWindows  = "WINDOWS"
)

// Platforms lists the device assurance platforms in display order.
var Platforms = []string{PlatformAndroid, PlatformChromeOS, PlatformIOS, PlatformMacOS, PlatformWindows}

// DeviceAssurance is a device assurance policy of any platform (spec: DeviceAssurance and
// DeviceAssurance*Platform). Which members a platform accepts is validated in flows/.
type DeviceAssurance struct {
	ID                        string                     `json:"id,omitempty"`
	Name                      string                     `json:"name"`
	Platform                  string                     `json:"platform"`
	OSVersion                 *OSVersion                 `json:"osVersion,omitempty"`
	OSVersionConstraints      []OSVersionConstraint      `json:"osVersionConstraints,omitempty"`
	DiskEncryptionType        *IncludeStrings            `json:"diskEncryptionType,omitempty"`
	ScreenLockType            *IncludeStrings            `json:"screenLockType,omitempty"`
	Jailbreak                 *bool                      `json:"jailbreak,omitempty"`
	SecureHardwarePresent     *bool                      `json:"secureHardwarePresent,omitempty"`
	ThirdPartySignalProviders *ThirdPartySignalProviders `json:"thirdPartySignalProviders,omitempty"`
	DevicePostureChecks       *DevicePostureChecks       `json:"devicePostureChecks,omitempty"`
	GracePeriod               *GracePeriod               `json:"gracePeriod,omitempty"`
	DisplayRemediationMode    string                     `json:"displayRemediationMode,omitempty"`
	CreatedBy                 string                     `json:"createdBy,omitempty"`
	CreatedDate               string                     `json:"createdDate,omitempty"`
	LastUpdate                string                     `json:"lastUpdate,omitempty"`
	LastUpdatedBy             string                     `json:"lastUpdatedBy,omitempty"`
	Links                     Links                      `json:"_links,omitempty"`
	Extra                     Extra                      `json:"-"`
}

type plainDeviceAssurance DeviceAssurance

func (d *DeviceAssurance) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainDeviceAssurance)(d), &d.Extra)
}
func (d DeviceAssurance) MarshalJSON() ([]byte, error) {
	return marshalWithExtra(plainDeviceAssurance(d), d.Extra)
}

// OSVersion: Minimum and DynamicVersionRequirement exclude each other.
type OSVersion struct {
	Minimum                   string                     `json:"minimum,omitempty"`
	DynamicVersionRequirement *DynamicVersionRequirement `json:"dynamicVersionRequirement,omitempty"`
}

// DynamicVersionRequirement: Type MINIMUM or EXACT needs DistanceFromLatestMajor (0 or 1);
// EXACT_ANY_SUPPORTED (and, for Windows constraints, NOT_ALLOWED) takes none.
type DynamicVersionRequirement struct {
	Type                    string `json:"type,omitempty"`
	DistanceFromLatestMajor *int   `json:"distanceFromLatestMajor,omitempty"`
	LatestSecurityPatch     *bool  `json:"latestSecurityPatch,omitempty"`
}

// OSVersionConstraint is one Windows major version requirement (WINDOWS_11 or WINDOWS_10).
type OSVersionConstraint struct {
	MajorVersionConstraint    string                     `json:"majorVersionConstraint"`
	Minimum                   string                     `json:"minimum,omitempty"`
	DynamicVersionRequirement *DynamicVersionRequirement `json:"dynamicVersionRequirement,omitempty"`
}

// IncludeStrings is the {"include": [...]} shape of disk encryption and screen lock types.
type IncludeStrings struct {
	Include []string `json:"include"`
}

// ThirdPartySignalProviders keeps each provider's settings as raw JSON: their members vary by
// platform and the wizard only toggles whether a provider is present.
type ThirdPartySignalProviders struct {
	Dtc                json.RawMessage `json:"dtc,omitempty"`
	DevicePostureIdP   json.RawMessage `json:"devicePostureIdP,omitempty"`
	AndroidDeviceTrust json.RawMessage `json:"androidDeviceTrust,omitempty"`
}

// DevicePostureChecks (spec: DevicePostureChecks).
type DevicePostureChecks struct {
	Include []json.RawMessage `json:"include,omitempty"`
}

// Grace period types.
const (
	GraceByDuration = "BY_DURATION"
	GraceByDateTime = "BY_DATE_TIME"
)

// GracePeriod (spec: GracePeriod). Expiry is an ISO-8601 duration (BY_DURATION, e.g. P30D) or
// date-time (BY_DATE_TIME). The spec models expiry as an object {"value": ...} with a primitive
// fallback; Okta sends and accepts the plain string, which is what we send.
type GracePeriod struct {
	Type   string `json:"type"`
	Expiry string `json:"expiry"`
}

// UnmarshalJSON accepts expiry as a string or as {"value": "..."}.
func (g *GracePeriod) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type   string          `json:"type"`
		Expiry json.RawMessage `json:"expiry"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	g.Type = raw.Type
	g.Expiry = ""
	if len(raw.Expiry) == 0 || string(raw.Expiry) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw.Expiry, &g.Expiry); err == nil {
		return nil
	}
	var obj struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(raw.Expiry, &obj); err != nil {
		return err
	}
	g.Expiry = obj.Value
	return nil
}

// IdentityProvider is the part of an IdP the wizard shows (spec: IdentityProvider).
type IdentityProvider struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// Group is the part of a group the wizard shows (spec: Group).
type Group struct {
	ID      string       `json:"id"`
	Type    string       `json:"type"`
	Profile GroupProfile `json:"profile"`
}

// GroupProfile holds the group's name and description.
type GroupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// NetworkZone is the part of a network zone the wizard shows (spec: NetworkZone).
type NetworkZone struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Usage  string `json:"usage,omitempty"`
}

// LogEvent is a System Log event (spec: LogEvent); members not modelled stay in Extra.
type LogEvent struct {
	UUID           string      `json:"uuid"`
	Published      time.Time   `json:"published"`
	EventType      string      `json:"eventType"`
	DisplayMessage string      `json:"displayMessage,omitempty"`
	Severity       string      `json:"severity,omitempty"`
	Actor          *LogActor   `json:"actor,omitempty"`
	Outcome        *LogOutcome `json:"outcome,omitempty"`
	Target         []LogTarget `json:"target,omitempty"`
	Extra          Extra       `json:"-"`
}

type plainLogEvent LogEvent

func (e *LogEvent) UnmarshalJSON(b []byte) error {
	return unmarshalKeepingExtra(b, (*plainLogEvent)(e), &e.Extra)
}
func (e LogEvent) MarshalJSON() ([]byte, error) { return marshalWithExtra(plainLogEvent(e), e.Extra) }

// LogActor (spec: LogActor).
type LogActor struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

// LogOutcome (spec: LogOutcome): Result is SUCCESS, FAILURE, ...
type LogOutcome struct {
	Result string `json:"result"`
	Reason string `json:"reason,omitempty"`
}

// LogTarget (spec: LogTarget). DetailEntry may carry what changed.
type LogTarget struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	AlternateID string          `json:"alternateId,omitempty"`
	DisplayName string          `json:"displayName,omitempty"`
	DetailEntry json.RawMessage `json:"detailEntry,omitempty"`
}

// LogQuery selects System Log events. Filter is an Okta filter expression such as
// `eventType eq "device.assurance.policy.add"`.
type LogQuery struct {
	Filter string
	Since  time.Time
	Until  time.Time
	Limit  int // page size, 1..1000; 0 means the server default
	Max    int // stop after this many events; 0 means all pages
}
