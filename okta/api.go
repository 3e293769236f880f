package okta

import "context"

// API is every call the product makes to Okta. *Client implements it over okta-sdk-golang v5;
// there is no other implementation outside tests of code that consumes it.
//
// Writes that lose their response are reconciled inside the client (the object is looked up by
// its name), so a create either returns the one object that exists or an error wrapping
// ErrOutcomeUnknown; it never creates a second one.
type API interface {
	// Policies of type ACCESS_POLICY or DEVICE_SIGNAL_COLLECTION.
	ListPolicies(ctx context.Context, t PolicyType) ([]Policy, error)
	// ListPoliciesPaged calls page for every page as it arrives (for streaming large orgs).
	ListPoliciesPaged(ctx context.Context, t PolicyType, pageSize int, page func([]Policy) error) error
	// ListPoliciesWithRulesPaged is ListPoliciesPaged with each policy's rules embedded where
	// the org answers expand=rules (Policy.RulesEmbedded).
	ListPoliciesWithRulesPaged(ctx context.Context, t PolicyType, pageSize int, page func([]Policy) error) error
	// SearchPolicies returns the policies of type t whose name starts with namePrefix (Okta's
	// q=), asking for their rules embedded (Policy.RulesEmbedded says whether they came).
	SearchPolicies(ctx context.Context, t PolicyType, namePrefix string) ([]Policy, error)
	GetPolicy(ctx context.Context, id string) (*Policy, error)
	CreatePolicy(ctx context.Context, p Policy, activate bool) (*Policy, error)
	ReplacePolicy(ctx context.Context, p Policy) (*Policy, error)
	DeletePolicy(ctx context.Context, id string) error
	ActivatePolicy(ctx context.Context, id string) error
	DeactivatePolicy(ctx context.Context, id string) error

	// Rules of a policy.
	ListRules(ctx context.Context, policyID string) ([]Rule, error)
	GetRule(ctx context.Context, policyID, ruleID string) (*Rule, error)
	CreateRule(ctx context.Context, policyID string, r Rule, activate bool) (*Rule, error)
	ReplaceRule(ctx context.Context, policyID string, r Rule) (*Rule, error)
	DeleteRule(ctx context.Context, policyID, ruleID string) error
	ActivateRule(ctx context.Context, policyID, ruleID string) error
	DeactivateRule(ctx context.Context, policyID, ruleID string) error

	// Mappings of a DEVICE_SIGNAL_COLLECTION policy to ACCESS_POLICY policies.
	ListMappings(ctx context.Context, policyID string) ([]PolicyMapping, error)
	MapResource(ctx context.Context, policyID string, m MappingRequest) (*PolicyMapping, error)
	DeleteMapping(ctx context.Context, policyID, mappingID string) error

	// Device assurance policies.
	ListDeviceAssurances(ctx context.Context) ([]DeviceAssurance, error)
	GetDeviceAssurance(ctx context.Context, id string) (*DeviceAssurance, error)
	CreateDeviceAssurance(ctx context.Context, d DeviceAssurance) (*DeviceAssurance, error)
	ReplaceDeviceAssurance(ctx context.Context, d DeviceAssurance) (*DeviceAssurance, error)
	DeleteDeviceAssurance(ctx context.Context, id string) error

	// Apps and the app sign-in policy each one uses.
	ListApps(ctx context.Context, q AppQuery) ([]App, error)
	// ListAppsPaged calls page for every page as it arrives.
	ListAppsPaged(ctx context.Context, q AppQuery, page func([]App) error) error
	GetApp(ctx context.Context, id string) (*App, error)
	// AssignAppPolicy replaces the app's sign-in policy with policyID.
	AssignAppPolicy(ctx context.Context, appID, policyID string) error
	// ListPolicyApps lists the apps an ACCESS_POLICY protects.
	ListPolicyApps(ctx context.Context, policyID string) ([]App, error)

	// SimulatePolicy asks Okta which policy and rule decide a sign-in (changes nothing).
	SimulatePolicy(ctx context.Context, req SimulationRequest) (*SimulationResult, error)

	// Pickers.
	ListIdentityProviders(ctx context.Context) ([]IdentityProvider, error)
	ListGroups(ctx context.Context) ([]Group, error)
	// FindGroupsByName returns the groups named exactly name, asking Okta narrowly.
	FindGroupsByName(ctx context.Context, name string) ([]Group, error)
	// FindIdentityProvidersByName returns the identity providers named exactly name.
	FindIdentityProvidersByName(ctx context.Context, name string) ([]IdentityProvider, error)
	ListNetworkZones(ctx context.Context) ([]NetworkZone, error)
	// ListUsers lists users whose login or name starts with q ("" = all).
	ListUsers(ctx context.Context, q string) ([]User, error)
	ListUserGroups(ctx context.Context, userID string) ([]Group, error)

	// System Log.
	QueryLogs(ctx context.Context, q LogQuery) ([]LogEvent, error)

	// OrgURL is the org the client talks to (for display; never carries a secret).
	OrgURL() string
}
