package flows

import (
	"fmt"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Step ids of the device signal collection plan; placeholders refer to them.
const (
	StepAppPolicy   = "app-policy"
	StepAppRule     = "app-rule"
	StepDSCPolicy   = "dsc-policy"
	StepDSCRule     = "dsc-rule"
	StepActivateDSC = "activate-dsc"
)

// Flow names of the plans.
const (
	FlowDSC           = "device-signal-collection"
	FlowAssurance     = "device-assurance"
	FlowAssuranceRule = "assurance-rule"
)

// Access decisions of an app sign-in rule.
const (
	AccessAllow = "ALLOW"
	AccessDeny  = "DENY"
)

// User identification choices of the Okta Verify provider.
const (
	UserIdentificationAllow  = "ALLOW"
	UserIdentificationIgnore = "IGNORE"
)

// MappingStepID names the n-th mapping step (1-based): mapping-1 maps the stage 1 policy.
func MappingStepID(n int) string { return fmt.Sprintf("mapping-%d", n) }

// DSCPlatformOptions are the operating systems a signal collection rule's platform condition
// can name. The spec's PlatformPolicyRuleCondition knows IOS, ANDROID, WINDOWS and OSX (sent
// for MACOS); it has no ChromeOS.
var DSCPlatformOptions = []string{okta.PlatformIOS, okta.PlatformAndroid, okta.PlatformMacOS, okta.PlatformWindows}

// platformEntry is the spec's platform condition entry for a DSCPlatformOptions value.
func platformEntry(os string) okta.PlatformEntry {
	switch os {
	case okta.PlatformIOS, okta.PlatformAndroid:
		return okta.PlatformEntry{Type: "MOBILE", OS: &okta.PlatformOS{Type: os}}
	case okta.PlatformMacOS:
		return okta.PlatformEntry{Type: "DESKTOP", OS: &okta.PlatformOS{Type: "OSX"}}
	default:
		return okta.PlatformEntry{Type: "DESKTOP", OS: &okta.PlatformOS{Type: os}}
	}
}

// DSCFieldStage tells which stage of the flow a FieldError of a DSCDraft belongs to, so the
// UI can send the user back there.
func DSCFieldStage(field string) int {
	switch {
	case strings.HasPrefix(field, "appPolicy"), strings.HasPrefix(field, "appRule"):
		return StageAppPolicy
	case field == "name" || field == "description":
		return StageDSCPolicy
	case strings.HasPrefix(field, "extraMappings"):
		return StageMapping
	}
	return StageDSCRule
}

// Validate checks every answer of the flow; an empty result means Plan will not refuse it.
func (d DSCDraft) Validate() []FieldError {
	var errs fieldErrors

	// Stage 1.
	if d.AppPolicy.IsNew() {
		errs.check("appPolicy.name", ValidateName("App sign-in policy name")(d.AppPolicy.Name))
		errs.check("appPolicy.description", ValidateDescription("App sign-in policy description")(d.AppPolicy.Description))
	} else {
		errs.check("appPolicy.existingId", ValidateID("App sign-in policy")(d.AppPolicy.ExistingID))
	}
	if d.AppRule.ReuseID != "" {
		if d.AppPolicy.IsNew() {
			errs.add("appRule.reuseId", "a new app sign-in policy has no rule to reuse: create a rule instead")
		} else {
			errs.check("appRule.reuseId", ValidateID("Rule to reuse")(d.AppRule.ReuseID))
		}
	} else {
		errs.check("appRule.name", ValidateName("App sign-in rule name")(d.AppRule.Name))
		if !oneOf(d.AppRule.Access, AccessAllow, AccessDeny) {
			errs.add("appRule.access", "access %q is not a choice: choose ALLOW or DENY", d.AppRule.Access)
		}
		if d.AppRule.Priority < 0 {
			errs.add("appRule.priority", "priority %d is not a position: choose 1 or more (1 is the first rule)", d.AppRule.Priority)
		}
		checkIDList(&errs, "appRule.groupIds", "Group", d.AppRule.GroupIDs)
	}
	checkProtectApps(&errs, "protectApps", d.ProtectApps)

	// Stage 2.
	errs.check("name", ValidateName("Signal collection policy name")(d.Name))
	errs.check("description", ValidateDescription("Signal collection policy description")(d.Description))

	// Stage 3.
	checkIDList(&errs, "extraMappings", "App sign-in policy to map", d.ExtraMappings)
	for i, id := range d.ExtraMappings {
		if id != "" && id == d.AppPolicy.ExistingID {
			errs.add(fmt.Sprintf("extraMappings[%d]", i), "this is the stage 1 policy, which is mapped already: remove it from the extra mappings")
		}
	}

	// Stage 4.
	errs.check("ruleName", ValidateName("Signal collection rule name")(d.RuleName))
	if !d.OktaVerify && !d.ChromeDeviceTrust && d.DevicePostureIdPID == "" {
		errs.add("providers", "no device context provider chosen: choose Okta Verify, Chrome Device Trust or a device posture IdP")
	}
	if d.OktaVerify {
		if !oneOf(d.UserIdentification, UserIdentificationAllow, UserIdentificationIgnore) {
			errs.add("userIdentification", "user identification %q is not a choice: choose ALLOW (Okta Verify may identify the user) or IGNORE", d.UserIdentification)
		}
	} else if d.UserIdentification != "" {
		errs.add("userIdentification", "user identification applies only to Okta Verify: choose Okta Verify or clear it")
	}
	if d.DevicePostureIdPID != "" {
		errs.check("devicePostureIdpId", ValidateID("Device posture IdP")(d.DevicePostureIdPID))
	}
	for i, os := range d.PlatformOS {
		if !oneOf(os, DSCPlatformOptions...) {
			hint := ""
			if os == okta.PlatformChromeOS {
				hint = " (Okta's platform condition has no ChromeOS)"
			}
			errs.add(fmt.Sprintf("platformOs[%d]", i), "platform %q is not one a rule can name%s: choose from %s, or none for every platform", os, hint, strings.Join(DSCPlatformOptions, ", "))
		}
	}
	if dup := duplicates(d.PlatformOS); len(dup) > 0 {
		errs.add("platformOs", "%s is chosen twice: choose each platform once", dup[0])
	}
	checkIDList(&errs, "zoneIds", "Network zone", d.ZoneIDs)
	return errs
}

// checkIDList checks each id of a picked list and that none repeats.
func checkIDList(errs *fieldErrors, field, label string, ids []string) {
	for i, id := range ids {
		errs.check(fmt.Sprintf("%s[%d]", field, i), ValidateID(label)(id))
	}
	if dup := duplicates(ids); len(dup) > 0 {
		errs.add(field, "%s is picked twice: pick each once", dup[0])
	}
}

// appPolicyName is how titles name the stage 1 policy.
func (d DSCDraft) appPolicyName() string {
	if d.AppPolicy.IsNew() {
		return strings.TrimSpace(d.AppPolicy.Name)
	}
	if d.AppPolicy.ExistingName != "" {
		return d.AppPolicy.ExistingName
	}
	return d.AppPolicy.ExistingID
}

// Plan validates the draft and returns the requests of the flow, in order: stage 1 app sign-in
// policy and rule, stage 2 the DSC policy (inactive), stage 3 mappings, stage 4 the DSC rule,
// stage 5 activation.
func (d DSCDraft) Plan() (Plan, error) {
	if err := asError(d.Validate()); err != nil {
		return Plan{}, err
	}
	dscName := strings.TrimSpace(d.Name)
	appName := d.appPolicyName()
	plan := Plan{Flow: FlowDSC, Title: fmt.Sprintf("Device signal collection “%s”", dscName)}

	// Stage 1: the app sign-in policy and its registered-device rule.
	appPolicyID := d.AppPolicy.ExistingID
	var appDeps []string
	if d.AppPolicy.IsNew() {
		plan.Steps = append(plan.Steps, Step{
			ID: StepAppPolicy, Stage: StageAppPolicy,
			Title:  fmt.Sprintf("Create app sign-in policy “%s”", appName),
			Action: ActCreatePolicy, Activate: true,
			Body: &okta.Policy{
				Type:        okta.TypeAccessPolicy,
				Name:        appName,
				Description: strings.TrimSpace(d.AppPolicy.Description),
			},
		})
		appPolicyID = Placeholder(StepAppPolicy)
		appDeps = []string{StepAppPolicy}
	}
	if d.AppRule.ReuseID == "" {
		plan.Steps = append(plan.Steps, Step{
			ID: StepAppRule, Stage: StageAppPolicy,
			Title:  fmt.Sprintf("Add rule “%s” requiring registered devices to “%s”", strings.TrimSpace(d.AppRule.Name), appName),
			Action: ActCreateRule, Activate: true,
			PolicyID:  appPolicyID,
			Body:      d.AppRuleBody(),
			DependsOn: appDeps,
		})
	}
	// Apps move to the policy only once its rule is there, so no sign-in meets it half made.
	protectDeps := appDeps
	if d.AppRule.ReuseID == "" {
		protectDeps = append(append([]string(nil), appDeps...), StepAppRule)
	}
	plan.Steps = append(plan.Steps, protectSteps(d.ProtectApps, StageAppPolicy, appPolicyID, appName, protectDeps)...)

	// Stage 2: the signal collection policy, inactive until stage 5.
	plan.Steps = append(plan.Steps, Step{
		ID: StepDSCPolicy, Stage: StageDSCPolicy,
		Title:  fmt.Sprintf("Create device signal collection policy “%s” (inactive)", dscName),
		Action: ActCreatePolicy, Activate: false,
		Body: &okta.Policy{
			Type:        okta.TypeDeviceSignalCollection,
			Name:        dscName,
			Description: strings.TrimSpace(d.Description),
		},
	})
	dscID := Placeholder(StepDSCPolicy)

	// Stage 3: map the app sign-in policies to it.
	mappings := 0
	addMapping := func(resourceID, name string, deps []string) {
		mappings++
		id := MappingStepID(mappings)
		plan.Steps = append(plan.Steps, Step{
			ID: id, Stage: StageMapping,
			Title:    fmt.Sprintf("Map app sign-in policy “%s” to “%s”", name, dscName),
			Action:   ActMapResource,
			PolicyID: dscID,
			Body: &okta.MappingRequest{
				ResourceID:   resourceID,
				ResourceType: string(okta.TypeAccessPolicy),
			},
			DependsOn: append([]string{StepDSCPolicy}, deps...),
		})
	}
	addMapping(appPolicyID, appName, appDeps)
	for _, id := range d.ExtraMappings {
		name := id
		if n := d.ExtraMappingNames[id]; n != "" {
			name = n
		}
		addMapping(id, name, nil)
	}

	// Stage 4: the rule that says which providers collect signals.
	plan.Steps = append(plan.Steps, Step{
		ID: StepDSCRule, Stage: StageDSCRule,
		Title:  fmt.Sprintf("Add rule “%s” to “%s”", strings.TrimSpace(d.RuleName), dscName),
		Action: ActCreateRule, Activate: true,
		PolicyID:  dscID,
		Body:      d.dscRuleBody(),
		DependsOn: []string{StepDSCPolicy},
	})

	// Stage 5: activation comes last, after every other request has succeeded.
	if d.Activate {
		var all []string
		for _, s := range plan.Steps {
			all = append(all, s.ID)
		}
		plan.Steps = append(plan.Steps, Step{
			ID: StepActivateDSC, Stage: StageReview,
			Title:     fmt.Sprintf("Activate device signal collection policy “%s”", dscName),
			Action:    ActActivatePolicy,
			PolicyID:  dscID,
			DependsOn: all,
		})
	}
	return plan, nil
}

// AppRuleBody is the stage 1 rule as it is sent (also what a shadowing check compares).
func (d DSCDraft) AppRuleBody() *okta.Rule {
	priority := d.AppRule.Priority
	if priority < 1 {
		priority = 1
	}
	device := &okta.DeviceCondition{Registered: boolPtr(true)}
	if d.AppRule.Managed {
		device.Managed = boolPtr(true)
	}
	cond := &okta.RuleConditions{Device: device}
	if len(d.AppRule.GroupIDs) > 0 {
		cond.People = &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: append([]string(nil), d.AppRule.GroupIDs...)}}
	}
	return &okta.Rule{
		Type:       okta.TypeAccessPolicy,
		Name:       strings.TrimSpace(d.AppRule.Name),
		Priority:   &priority,
		Conditions: cond,
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: d.AppRule.Access}},
	}
}

func (d DSCDraft) dscRuleBody() *okta.Rule {
	var providers []okta.DeviceContextProvider
	if d.OktaVerify {
		providers = append(providers, okta.DeviceContextProvider{Key: okta.ProviderOktaVerify, UserIdentification: d.UserIdentification})
	}
	if d.ChromeDeviceTrust {
		providers = append(providers, okta.DeviceContextProvider{Key: okta.ProviderChromeDeviceTrust})
	}
	if d.DevicePostureIdPID != "" {
		providers = append(providers, okta.DeviceContextProvider{Key: okta.ProviderDevicePostureIdP, ID: d.DevicePostureIdPID})
	}
	rule := &okta.Rule{
		Type:    okta.TypeDeviceSignalCollection,
		Name:    strings.TrimSpace(d.RuleName),
		Actions: &okta.RuleActions{DeviceSignalCollection: &okta.DeviceSignalCollectionAction{DeviceContextProviders: providers}},
	}
	if len(d.PlatformOS) > 0 || len(d.ZoneIDs) > 0 {
		rule.Conditions = &okta.RuleConditions{}
		if len(d.PlatformOS) > 0 {
			pc := &okta.PlatformCondition{}
			for _, os := range d.PlatformOS {
				pc.Include = append(pc.Include, platformEntry(os))
			}
			rule.Conditions.Platform = pc
		}
		if len(d.ZoneIDs) > 0 {
			rule.Conditions.Network = &okta.NetworkCondition{Connection: "ZONE", Include: append([]string(nil), d.ZoneIDs...)}
		}
	}
	return rule
}

func boolPtr(b bool) *bool { return &b }
func intPtr(i int) *int    { return &i }
