package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Kind names one view of the inventory.
type Kind string

const (
	KindDSC       Kind = "dsc"
	KindApp       Kind = "app"
	KindApps      Kind = "apps"
	KindAssurance Kind = "assurance"
	KindEvents    Kind = "events"
	KindWarnings  Kind = "warnings"
)

// Kinds lists the views in display order.
var Kinds = []Kind{KindDSC, KindApp, KindApps, KindAssurance, KindEvents, KindWarnings}

// ParseKind accepts a kind name as typed on the command line.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown kind %q: use one of %s", s, strings.Join(names, ", "))
}

// Title is the kind's name as shown on a tab.
func (k Kind) Title() string {
	switch k {
	case KindDSC:
		return "DSC policies"
	case KindApp:
		return "App sign-in policies"
	case KindApps:
		return "Apps"
	case KindAssurance:
		return "Device assurance"
	case KindEvents:
		return "Events"
	case KindWarnings:
		return "Warnings"
	}
	return string(k)
}

// ObjectRef names an Okta object.
type ObjectRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
}

// RuleRef names a rule of an app sign-in policy.
type RuleRef struct {
	PolicyID   string `json:"policyId"`
	PolicyName string `json:"policyName"`
	RuleID     string `json:"ruleId"`
	RuleName   string `json:"ruleName"`
	RuleStatus string `json:"ruleStatus,omitempty"`
}

// MappedPolicy is an app sign-in policy a DSC policy is mapped to.
type MappedPolicy struct {
	MappingID    string `json:"mappingId"`
	PolicyID     string `json:"policyId"`
	PolicyName   string `json:"policyName"`
	PolicyStatus string `json:"policyStatus,omitempty"`
}

// DSCInfo is a device signal collection policy with its mappings and rules.
type DSCInfo struct {
	Mappings []MappedPolicy `json:"mappings"`
	Policy   okta.Policy    `json:"policy"`
	Rules    []DSCRuleInfo  `json:"rules"`
}

// DSCRuleInfo is a DSC rule and a summary of the device context providers it collects from.
type DSCRuleInfo struct {
	Rule      okta.Rule `json:"rule"`
	Providers []string  `json:"providers"`
}

// AppPolicyInfo is an app sign-in policy with its rules (priority order), the DSC policies
// mapped to it and the apps it protects.
type AppPolicyInfo struct {
	Apps      []ObjectRef   `json:"apps"`
	MappedDSC []ObjectRef   `json:"mappedDsc"`
	Policy    okta.Policy   `json:"policy"`
	Rules     []AppRuleInfo `json:"rules"`
}

// AppRuleInfo is an app sign-in rule with its device conditions spelled out.
type AppRuleInfo struct {
	Registered bool        `json:"registered"`
	Managed    bool        `json:"managed"`
	Assurances []ObjectRef `json:"assurances"`
	Rule       okta.Rule   `json:"rule"`
}

// RequiresDevice reports whether the rule needs a registered (or managed, or assured) device,
// which Okta can only judge when a DSC policy collects signals for the policy.
func (r AppRuleInfo) RequiresDevice() bool {
	return r.Registered || r.Managed || len(r.Assurances) > 0
}

// AppInfo is an app and the app sign-in policy it uses (Policy.ID "" when it has none).
type AppInfo struct {
	// Policy comes first: it is what the view is about, and the app's JSON is long.
	Policy ObjectRef `json:"policy"`
	App    okta.App  `json:"app"`
}

// AssuranceInfo is a device assurance policy with summaries and the rules that use it.
type AssuranceInfo struct {
	UsedBy      []RuleRef            `json:"usedBy"`
	Checks      []string             `json:"checks"`
	GracePeriod string               `json:"gracePeriod"`
	Remediation string               `json:"remediation"`
	Assurance   okta.DeviceAssurance `json:"assurance"`
}

// Warning codes.
const (
	WarnUnmappedDeviceRule = "unmapped-device-rule"
	WarnUnusedAssurance    = "unused-assurance"
	WarnInactiveDSC        = "inactive-dsc"
	WarnGraceExpired       = "grace-expired"
	WarnEventsUnavailable  = "events-unavailable"
	WarnDSCUnavailable     = "dsc-unavailable"
	WarnPolicyWithoutApps  = "policy-without-apps"
	WarnAppsUnavailable    = "apps-unavailable"
)

// Warning is something in the org that looks wrong.
type Warning struct {
	Code    string    `json:"code"`
	Kind    Kind      `json:"kind"` // the view the subject belongs to
	Subject ObjectRef `json:"subject"`
	Message string    `json:"message"`
}

// Inventory is what the inspection shows: the org's device policies, cross-referenced.
type Inventory struct {
	OrgURL      string          `json:"orgUrl"`
	LoadedAt    time.Time       `json:"loadedAt"`
	DSCPolicies []DSCInfo       `json:"dscPolicies"`
	AppPolicies []AppPolicyInfo `json:"appPolicies"`
	Apps        []AppInfo       `json:"apps"`
	Assurances  []AssuranceInfo `json:"assurances"`
	Events      []okta.LogEvent `json:"events"`
	Warnings    []Warning       `json:"warnings"`

	rows map[Kind][]Row
}

// Row is one line of a view. Index points into the inventory slice of its kind.
type Row struct {
	Kind  Kind
	ID    string
	Index int
	Cells []string
	// Warn marks rows whose object has a warning.
	Warn bool
	// search is the lowercase text a filter matches against, computed once.
	search string
}

// Columns are the column titles of a kind's rows.
func Columns(k Kind) []string {
	switch k {
	case KindDSC:
		return []string{"Name", "Status", "Mapped to", "Rules", "Providers"}
	case KindApp:
		return []string{"Name", "Status", "Apps", "Rules", "Device rules", "Assurance", "DSC policy"}
	case KindApps:
		return []string{"App", "Sign-on", "Status", "App sign-in policy"}
	case KindAssurance:
		return []string{"Name", "Platform", "Checks", "Grace period", "Used by"}
	case KindEvents:
		return []string{"Published (UTC)", "Event type", "Target", "Outcome"}
	case KindWarnings:
		return []string{"Warning", "Subject", "Message"}
	}
	return nil
}

// LoadOptions tune LoadInventory.
type LoadOptions struct {
	// PageSize of policy list pages (default 200).
	PageSize int
	// Concurrency bounds the requests in flight at once (default 8): Okta caps concurrent requests.
	Concurrency int
	// EventsSince is how far back System Log events are read (default 7 days); EventsMax caps them
	// (default 500). SkipEvents leaves events out.
	EventsSince time.Duration
	EventsMax   int
	SkipEvents  bool
	// Now is the clock grace periods are judged against (default time.Now).
	Now func() time.Time
}

func (o LoadOptions) withDefaults() LoadOptions {
	if o.PageSize <= 0 {
		o.PageSize = 200
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.EventsSince <= 0 {
		o.EventsSince = 7 * 24 * time.Hour
	}
	if o.EventsMax <= 0 {
		o.EventsMax = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Load phases reported through Progress.
const (
	PhaseLoading = "loading"
	PhaseDone    = "done"
)

// Progress reports a load under way. NewRows are preliminary rows (no cross-references yet) for
// the policies that arrived since the previous report, so a screen can show them at once.
type Progress struct {
	Phase        string
	AppPolicies  int // app sign-in policies listed so far
	DSCPolicies  int
	PoliciesRead int // policies whose rules (and mappings) have been read
	Assurances   int
	ListingsDone bool // every policy page has arrived
	NewRows      []Row
}

// Policies is the number of policies listed so far.
func (p Progress) Policies() int { return p.AppPolicies + p.DSCPolicies }

// rawOrg is what LoadInventory reads before cross-referencing.
type rawOrg struct {
	orgURL     string
	dsc        []okta.Policy
	app        []okta.Policy
	rules      map[string][]okta.Rule
	mappings   map[string][]okta.PolicyMapping
	assurances []okta.DeviceAssurance
	apps       []okta.App
	appsErr    error
	events     []okta.LogEvent
	eventsErr  error
	dscErr     error
}

// LoadInventory reads the org's DSC policies (rules, mappings), app sign-in policies (rules),
// device assurance policies and recent device-related events, and cross-references them.
// Policy pages stream in; rules are read while later pages arrive, with at most
// opts.Concurrency requests in flight. progress (may be nil) is called from one goroutine at a
// time. A failed System Log query becomes a warning, not an error: the policies are still useful.
func LoadInventory(ctx context.Context, api okta.API, opts LoadOptions, progress func(Progress)) (*Inventory, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	raw := &rawOrg{orgURL: api.OrgURL(), rules: map[string][]okta.Rule{}, mappings: map[string][]okta.PolicyMapping{}}
	var (
		mu       sync.Mutex
		prog     Progress
		gone     = map[string]bool{} // policies deleted while we read them
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel(err)
	}
	// report must be called with mu held, so the callback runs one call at a time.
	report := func(rows []Row) {
		if progress == nil {
			return
		}
		p := prog
		p.Phase = PhaseLoading
		p.NewRows = rows
		progress(p)
	}

	// Pagers hold no slot: they are two sequential streams. Workers use the remaining slots.
	workers := opts.Concurrency - 2
	if workers < 1 {
		workers = 1
	}
	// Buffered so policy pages keep arriving (and show up on screen) ahead of the rule reads.
	jobs := make(chan func(context.Context) error, 1024)
	var workerWG sync.WaitGroup
	for range workers {
		workerWG.Add(1)
		go func() {
			defer workerWG.Done()
			for job := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := job(ctx); err != nil {
					fail(err)
				}
			}
		}()
	}
	submit := func(job func(context.Context) error) bool {
		select {
		case jobs <- job:
			return true
		case <-ctx.Done():
			return false
		}
	}
	policyRead := func() {
		mu.Lock()
		prog.PoliciesRead++
		if prog.PoliciesRead%50 == 0 {
			report(nil)
		}
		mu.Unlock()
	}

	// readRules reads a policy's rules (unless they came embedded) and a DSC policy's mappings.
	readRules := func(p okta.Policy) func(context.Context) error {
		return func(ctx context.Context) error {
			var rules []okta.Rule
			var err error
			if !p.RulesEmbedded {
				rules, err = api.ListRules(ctx, p.ID)
			}
			if okta.IsNotFound(err) {
				mu.Lock()
				gone[p.ID] = true
				mu.Unlock()
				policyRead()
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading the rules of policy %q: %w", p.Name, err)
			}
			var maps []okta.PolicyMapping
			if p.Type == okta.TypeDeviceSignalCollection {
				maps, err = api.ListMappings(ctx, p.ID)
				if err != nil && !okta.IsNotFound(err) {
					return fmt.Errorf("reading the mappings of policy %q: %w", p.Name, err)
				}
			}
			mu.Lock()
			if !p.RulesEmbedded {
				raw.rules[p.ID] = rules
			}
			if maps != nil {
				raw.mappings[p.ID] = maps
			}
			mu.Unlock()
			policyRead()
			return nil
		}
	}

	page := func(t okta.PolicyType) func([]okta.Policy) error {
		return func(ps []okta.Policy) error {
			rows := make([]Row, 0, len(ps))
			mu.Lock()
			for i := range ps {
				p := &ps[i]
				if p.RulesEmbedded {
					raw.rules[p.ID] = p.Rules
					p.Rules = nil // kept once, in raw.rules
					if p.Type != okta.TypeDeviceSignalCollection {
						prog.PoliciesRead++ // nothing more to read
					}
				}
			}
			for _, p := range ps {
				if t == okta.TypeDeviceSignalCollection {
					raw.dsc = append(raw.dsc, p)
					prog.DSCPolicies++
					rows = append(rows, dscRow(&DSCInfo{Policy: p}, len(raw.dsc)-1, false, true))
				} else {
					raw.app = append(raw.app, p)
					prog.AppPolicies++
					rows = append(rows, appRow(&AppPolicyInfo{Policy: p}, len(raw.app)-1, false, true))
				}
			}
			report(rows)
			mu.Unlock()
			for _, p := range ps {
				if p.RulesEmbedded && p.Type != okta.TypeDeviceSignalCollection {
					continue // its rules came with it
				}
				if !submit(readRules(p)) {
					return context.Cause(ctx)
				}
			}
			return nil
		}
	}

	var pagers sync.WaitGroup
	for _, t := range []okta.PolicyType{okta.TypeDeviceSignalCollection, okta.TypeAccessPolicy} {
		pagers.Add(1)
		go func() {
			defer pagers.Done()
			err := api.ListPoliciesWithRulesPaged(ctx, t, opts.PageSize, page(t))
			if err != nil && t == okta.TypeDeviceSignalCollection && okta.IsCode(err, okta.CodeValidation) {
				// An org without device signal collection policies rejects the type; the
				// rest of the inventory is still worth showing.
				mu.Lock()
				raw.dscErr = err
				mu.Unlock()
				return
			}
			if err != nil {
				fail(fmt.Errorf("listing %s policies: %w", t, err))
			}
		}()
	}
	// Assurances and events go through the workers too, so they count against the bound.
	pagers.Add(1)
	go func() {
		defer pagers.Done()
		submit(func(ctx context.Context) error {
			das, err := api.ListDeviceAssurances(ctx)
			if err != nil {
				return fmt.Errorf("listing device assurance policies: %w", err)
			}
			mu.Lock()
			raw.assurances = das
			prog.Assurances = len(das)
			report(nil)
			mu.Unlock()
			return nil
		})
		submit(func(ctx context.Context) error {
			var apps []okta.App
			err := api.ListAppsPaged(ctx, okta.AppQuery{Limit: opts.PageSize}, func(page []okta.App) error {
				apps = append(apps, page...)
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && ctx.Err() == nil {
				// A token without okta.apps.read still inspects the policies.
				raw.appsErr = err
				return nil
			}
			raw.apps = apps
			return err
		})
		if opts.SkipEvents {
			return
		}
		submit(func(ctx context.Context) error {
			now := opts.Now()
			evs, err := api.QueryLogs(ctx, okta.LogQuery{
				Filter: `eventType sw "device." or eventType sw "policy."`,
				Since:  now.Add(-opts.EventsSince),
				// until is exclusive and our clock may trail Okta's: leave a minute.
				Until: now.Add(time.Minute),
				Limit: min(opts.EventsMax, 1000),
				Max:   opts.EventsMax,
			})
			if err != nil && ctx.Err() == nil {
				mu.Lock()
				raw.eventsErr = err
				mu.Unlock()
				return nil
			}
			mu.Lock()
			raw.events = evs
			mu.Unlock()
			return err
		})
	}()
	pagers.Wait()
	mu.Lock()
	prog.ListingsDone = true
	report(nil)
	mu.Unlock()
	close(jobs)
	workerWG.Wait()

	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(gone) > 0 {
		raw.dsc = dropGone(raw.dsc, gone)
		raw.app = dropGone(raw.app, gone)
	}
	inv := buildInventory(raw, opts.Now())
	if progress != nil {
		p := prog
		p.Phase = PhaseDone
		progress(p)
	}
	return inv, nil
}

func dropGone(ps []okta.Policy, gone map[string]bool) []okta.Policy {
	out := ps[:0]
	for _, p := range ps {
		if !gone[p.ID] {
			out = append(out, p)
		}
	}
	return out
}

// buildInventory cross-references what was read and computes the warnings.
func buildInventory(raw *rawOrg, now time.Time) *Inventory {
	inv := &Inventory{OrgURL: raw.orgURL, LoadedAt: now.UTC()}
	appByID := make(map[string]int, len(raw.app))
	for i, p := range raw.app {
		appByID[p.ID] = i
	}
	daByID := make(map[string]int, len(raw.assurances))
	for i, d := range raw.assurances {
		daByID[d.ID] = i
	}

	// DSC policies and the reverse index app policy -> DSC policies mapped to it.
	mappedDSC := map[string][]ObjectRef{}
	inv.DSCPolicies = make([]DSCInfo, 0, len(raw.dsc))
	for _, p := range raw.dsc {
		info := DSCInfo{Policy: p, Mappings: []MappedPolicy{}, Rules: []DSCRuleInfo{}}
		for _, m := range raw.mappings[p.ID] {
			target := MappingTarget(m, p.ID)
			mp := MappedPolicy{MappingID: m.ID, PolicyID: target}
			if i, ok := appByID[target]; ok {
				mp.PolicyName = raw.app[i].Name
				mp.PolicyStatus = raw.app[i].Status
			}
			info.Mappings = append(info.Mappings, mp)
			mappedDSC[target] = append(mappedDSC[target], ObjectRef{ID: p.ID, Name: p.Name, Status: p.Status})
		}
		for _, r := range sortedRules(raw.rules[p.ID]) {
			info.Rules = append(info.Rules, DSCRuleInfo{Rule: r, Providers: ProviderSummary(r)})
		}
		inv.DSCPolicies = append(inv.DSCPolicies, info)
	}

	// Apps and the reverse index app sign-in policy -> the apps it protects.
	appsOf := map[string][]ObjectRef{}
	inv.Apps = make([]AppInfo, 0, len(raw.apps))
	for _, a := range raw.apps {
		info := AppInfo{App: a, Policy: ObjectRef{ID: a.AccessPolicyID}}
		if i, ok := appByID[a.AccessPolicyID]; ok {
			info.Policy.Name, info.Policy.Status = raw.app[i].Name, raw.app[i].Status
		}
		if a.AccessPolicyID != "" {
			appsOf[a.AccessPolicyID] = append(appsOf[a.AccessPolicyID], ObjectRef{ID: a.ID, Name: a.Label, Status: a.Status})
		}
		inv.Apps = append(inv.Apps, info)
	}

	usedBy := map[string][]RuleRef{}
	inv.AppPolicies = make([]AppPolicyInfo, 0, len(raw.app))
	for _, p := range raw.app {
		info := AppPolicyInfo{Policy: p, MappedDSC: mappedDSC[p.ID], Apps: appsOf[p.ID], Rules: []AppRuleInfo{}}
		if info.Apps == nil {
			info.Apps = []ObjectRef{}
		}
		if info.MappedDSC == nil {
			info.MappedDSC = []ObjectRef{}
		}
		for _, r := range sortedRules(raw.rules[p.ID]) {
			ri := AppRuleInfo{Rule: r, Assurances: []ObjectRef{}}
			if d := deviceCondition(r); d != nil {
				ri.Registered = d.Registered != nil && *d.Registered
				ri.Managed = d.Managed != nil && *d.Managed
				if d.Assurance != nil {
					for _, id := range d.Assurance.Include {
						ref := ObjectRef{ID: id, Name: "(unknown assurance policy)"}
						if i, ok := daByID[id]; ok {
							ref.Name = raw.assurances[i].Name
						}
						ri.Assurances = append(ri.Assurances, ref)
						usedBy[id] = append(usedBy[id], RuleRef{PolicyID: p.ID, PolicyName: p.Name, RuleID: r.ID, RuleName: r.Name, RuleStatus: r.Status})
					}
				}
			}
			info.Rules = append(info.Rules, ri)
		}
		inv.AppPolicies = append(inv.AppPolicies, info)
	}

	inv.Assurances = make([]AssuranceInfo, 0, len(raw.assurances))
	for _, d := range raw.assurances {
		grace, _ := GraceSummary(d.GracePeriod, now)
		info := AssuranceInfo{
			Assurance:   d,
			Checks:      CheckSummary(d),
			GracePeriod: grace,
			Remediation: d.DisplayRemediationMode,
			UsedBy:      usedBy[d.ID],
		}
		if info.Remediation == "" {
			info.Remediation = "(not set)"
		}
		if info.UsedBy == nil {
			info.UsedBy = []RuleRef{}
		}
		inv.Assurances = append(inv.Assurances, info)
	}

	inv.Events = deviceEvents(raw.events, [][]okta.Policy{raw.dsc, raw.app}, raw.assurances, raw.rules)
	inv.Warnings = computeWarnings(inv, raw, now)
	inv.index()
	return inv
}

// MappingTarget is the id of the app sign-in policy a mapping of DSC policy dscID points at:
// the last segment of _links.policy (or _links.application) when that is not the DSC policy
// itself, else the mapping id, which Okta sets to the mapped policy's id.
func MappingTarget(m okta.PolicyMapping, dscID string) string {
	for _, name := range []string{"policy", "resource"} {
		raw, ok := m.Links[name]
		if !ok {
			continue
		}
		var l okta.Link
		if json.Unmarshal(raw, &l) != nil || l.Href == "" {
			continue
		}
		href := strings.TrimRight(l.Href, "/")
		if id := href[strings.LastIndex(href, "/")+1:]; id != "" && id != dscID {
			return id
		}
	}
	return m.ID
}

func sortedRules(rules []okta.Rule) []okta.Rule {
	out := append([]okta.Rule(nil), rules...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := rulePriority(out[i]), rulePriority(out[j])
		return pi < pj
	})
	return out
}

func rulePriority(r okta.Rule) int {
	if r.Priority == nil {
		return 1 << 30
	}
	return *r.Priority
}

func deviceCondition(r okta.Rule) *okta.DeviceCondition {
	if r.Conditions == nil {
		return nil
	}
	return r.Conditions.Device
}

// ProviderSummary describes the device context providers of a DSC rule.
func ProviderSummary(r okta.Rule) []string {
	out := []string{}
	if r.Actions == nil || r.Actions.DeviceSignalCollection == nil {
		return out
	}
	for _, p := range r.Actions.DeviceSignalCollection.DeviceContextProviders {
		s := p.Key
		switch {
		case p.UserIdentification != "":
			s += " (userIdentification " + p.UserIdentification + ")"
		case p.ID != "":
			s += " (IdP " + p.ID + ")"
		}
		out = append(out, s)
	}
	return out
}

// CheckSummary lists the checks a device assurance policy makes, one short phrase each.
func CheckSummary(d okta.DeviceAssurance) []string {
	out := []string{}
	if d.OSVersion != nil {
		if d.OSVersion.Minimum != "" {
			out = append(out, "OS >= "+d.OSVersion.Minimum)
		} else if d.OSVersion.DynamicVersionRequirement != nil {
			out = append(out, "OS "+dynamicSummary(d.OSVersion.DynamicVersionRequirement))
		}
	}
	for _, c := range d.OSVersionConstraints {
		if c.Minimum != "" {
			out = append(out, c.MajorVersionConstraint+" >= "+c.Minimum)
		} else if c.DynamicVersionRequirement != nil {
			out = append(out, c.MajorVersionConstraint+" "+dynamicSummary(c.DynamicVersionRequirement))
		}
	}
	if d.DiskEncryptionType != nil && len(d.DiskEncryptionType.Include) > 0 {
		out = append(out, "disk encryption "+strings.Join(d.DiskEncryptionType.Include, "|"))
	}
	if d.ScreenLockType != nil && len(d.ScreenLockType.Include) > 0 {
		out = append(out, "screen lock "+strings.Join(d.ScreenLockType.Include, "|"))
	}
	if d.Jailbreak != nil && !*d.Jailbreak {
		out = append(out, "not jailbroken")
	}
	if d.SecureHardwarePresent != nil && *d.SecureHardwarePresent {
		out = append(out, "secure hardware")
	}
	if t := d.ThirdPartySignalProviders; t != nil {
		var ps []string
		if len(t.Dtc) > 0 {
			ps = append(ps, "Chrome device trust")
		}
		if len(t.DevicePostureIdP) > 0 {
			ps = append(ps, "device posture IdP")
		}
		if len(t.AndroidDeviceTrust) > 0 {
			ps = append(ps, "Android device trust")
		}
		if len(ps) > 0 {
			out = append(out, "signals from "+strings.Join(ps, ", "))
		}
	}
	if d.DevicePostureChecks != nil && len(d.DevicePostureChecks.Include) > 0 {
		out = append(out, strconv.Itoa(len(d.DevicePostureChecks.Include))+" posture checks")
	}
	return out
}

func dynamicSummary(r *okta.DynamicVersionRequirement) string {
	s := strings.ToLower(strings.ReplaceAll(r.Type, "_", " "))
	if r.DistanceFromLatestMajor != nil {
		s += fmt.Sprintf(" (latest major - %d)", *r.DistanceFromLatestMajor)
	}
	if r.LatestSecurityPatch != nil && *r.LatestSecurityPatch {
		s += " + latest patch"
	}
	return s
}

// GraceSummary describes a grace period and reports whether it has expired at now. A
// BY_DURATION period runs from when a device first fails a check, which Okta does not report,
// so it is never called expired.
func GraceSummary(g *okta.GracePeriod, now time.Time) (string, bool) {
	if g == nil || g.Type == "" {
		return "none", false
	}
	switch g.Type {
	case okta.GraceByDateTime:
		t, err := parseExpiry(g.Expiry)
		if err != nil {
			return "until " + g.Expiry + " (unreadable date)", false
		}
		if !t.After(now) {
			return "until " + t.UTC().Format(time.RFC3339) + " (expired)", true
		}
		return "until " + t.UTC().Format(time.RFC3339), false
	case okta.GraceByDuration:
		return g.Expiry + " after a device first fails (end not known: Okta gives no start)", false
	}
	return g.Type + " " + g.Expiry, false
}

func parseExpiry(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.000", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date-time: %q", s)
}

// deviceEvents keeps device.* events and policy.* events about an object the inspection
// covers: a DSC or app sign-in policy, their rules, an assurance policy; newest first.
func deviceEvents(evs []okta.LogEvent, policies [][]okta.Policy, das []okta.DeviceAssurance, rules map[string][]okta.Rule) []okta.LogEvent {
	related := map[string]bool{}
	for _, ps := range policies {
		for _, p := range ps {
			related[p.ID] = true
			for _, r := range rules[p.ID] {
				related[r.ID] = true
			}
		}
	}
	for _, d := range das {
		related[d.ID] = true
	}
	out := []okta.LogEvent{}
	for _, e := range evs {
		keep := strings.HasPrefix(e.EventType, "device.")
		if !keep && strings.HasPrefix(e.EventType, "policy.") {
			for _, t := range e.Target {
				if related[t.ID] {
					keep = true
					break
				}
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Published.After(out[j].Published) })
	return out
}

func computeWarnings(inv *Inventory, raw *rawOrg, now time.Time) []Warning {
	ws := []Warning{}
	if raw.dscErr != nil {
		ws = append(ws, Warning{Code: WarnDSCUnavailable, Kind: KindDSC, Subject: ObjectRef{Name: "Device signal collection policies"},
			Message: "the org did not list device signal collection policies: " + raw.dscErr.Error()})
	}
	for _, d := range inv.DSCPolicies {
		if d.Policy.Status == okta.StatusInactive {
			ws = append(ws, Warning{
				Code: WarnInactiveDSC, Kind: KindDSC,
				Subject: ObjectRef{ID: d.Policy.ID, Name: d.Policy.Name, Status: d.Policy.Status},
				Message: "device signal collection policy is INACTIVE: it collects no signals for the " +
					plural(len(d.Mappings), "app sign-in policy", "app sign-in policies") + " mapped to it",
			})
		}
	}
	if raw.appsErr != nil {
		ws = append(ws, Warning{Code: WarnAppsUnavailable, Kind: KindApps, Subject: ObjectRef{Name: "Apps"},
			Message: "could not list the org's apps, so which policy protects which app is unknown: " + raw.appsErr.Error()})
	}
	for _, a := range inv.AppPolicies {
		if raw.appsErr == nil && len(a.Apps) == 0 {
			ws = append(ws, Warning{
				Code: WarnPolicyWithoutApps, Kind: KindApp,
				Subject: ObjectRef{ID: a.Policy.ID, Name: a.Policy.Name, Status: a.Policy.Status},
				Message: "no app uses this app sign-in policy: its rules decide no sign-in until an app is assigned to it",
			})
		}
	}
	for _, a := range inv.AppPolicies {
		activeDSC := false
		var inactive []string
		for _, d := range a.MappedDSC {
			if d.Status == okta.StatusInactive {
				inactive = append(inactive, d.Name)
			} else {
				activeDSC = true
			}
		}
		if activeDSC {
			continue
		}
		for _, r := range a.Rules {
			if !r.RequiresDevice() || r.Rule.Status == okta.StatusInactive {
				continue
			}
			need := "registered"
			if r.Managed {
				need = "managed"
			}
			msg := fmt.Sprintf("rule %q requires %s devices but no active device signal collection policy is mapped to this policy", r.Rule.Name, need)
			if len(inactive) > 0 {
				msg += " (mapped only to inactive " + strings.Join(quoteAll(inactive), ", ") + ")"
			}
			ws = append(ws, Warning{
				Code: WarnUnmappedDeviceRule, Kind: KindApp,
				Subject: ObjectRef{ID: a.Policy.ID, Name: a.Policy.Name, Status: a.Policy.Status},
				Message: msg,
			})
		}
	}
	for _, d := range inv.Assurances {
		ref := ObjectRef{ID: d.Assurance.ID, Name: d.Assurance.Name}
		if len(d.UsedBy) == 0 {
			ws = append(ws, Warning{Code: WarnUnusedAssurance, Kind: KindAssurance, Subject: ref,
				Message: "no app sign-in rule uses this " + d.Assurance.Platform + " device assurance policy"})
		}
		if _, expired := GraceSummary(d.Assurance.GracePeriod, now); expired {
			ws = append(ws, Warning{Code: WarnGraceExpired, Kind: KindAssurance, Subject: ref,
				Message: "grace period ended " + d.Assurance.GracePeriod.Expiry + ": devices that fail its checks are now denied"})
		}
	}
	if raw.eventsErr != nil {
		ws = append(ws, Warning{Code: WarnEventsUnavailable, Kind: KindEvents, Subject: ObjectRef{Name: "System Log"},
			Message: "could not read recent events: " + raw.eventsErr.Error()})
	}
	return ws
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// index computes the rows of every kind once, with their search text.
func (inv *Inventory) index() {
	warned := map[string]bool{}
	for _, w := range inv.Warnings {
		warned[string(w.Kind)+"/"+w.Subject.ID] = true
	}
	rows := map[Kind][]Row{}
	dsc := make([]Row, len(inv.DSCPolicies))
	for i := range inv.DSCPolicies {
		dsc[i] = dscRow(&inv.DSCPolicies[i], i, warned["dsc/"+inv.DSCPolicies[i].Policy.ID], false)
	}
	rows[KindDSC] = dsc
	app := make([]Row, len(inv.AppPolicies))
	for i := range inv.AppPolicies {
		app[i] = appRow(&inv.AppPolicies[i], i, warned["app/"+inv.AppPolicies[i].Policy.ID], false)
	}
	rows[KindApp] = app
	apps := make([]Row, len(inv.Apps))
	for i := range inv.Apps {
		apps[i] = appsRow(&inv.Apps[i], i)
	}
	rows[KindApps] = apps
	das := make([]Row, len(inv.Assurances))
	for i := range inv.Assurances {
		a := &inv.Assurances[i]
		used := plural(len(a.UsedBy), "rule", "rules")
		cells := []string{a.Assurance.Name, a.Assurance.Platform, strings.Join(a.Checks, ", "), a.GracePeriod, used}
		extra := []string{a.Assurance.ID, a.Remediation}
		for _, u := range a.UsedBy {
			extra = append(extra, u.PolicyName, u.RuleName)
		}
		das[i] = newRow(KindAssurance, a.Assurance.ID, i, cells, warned["assurance/"+a.Assurance.ID], extra)
	}
	rows[KindAssurance] = das
	evs := make([]Row, len(inv.Events))
	for i, e := range inv.Events {
		var targets []string
		for _, t := range e.Target {
			name := t.DisplayName
			if name == "" {
				name = t.AlternateID
			}
			if name == "" {
				name = t.ID
			}
			targets = append(targets, name)
		}
		outcome := ""
		if e.Outcome != nil {
			outcome = e.Outcome.Result
		}
		cells := []string{e.Published.UTC().Format("2006-01-02 15:04:05"), e.EventType, strings.Join(targets, ", "), outcome}
		extra := []string{e.DisplayMessage, e.UUID}
		if e.Actor != nil {
			extra = append(extra, e.Actor.AlternateID, e.Actor.DisplayName)
		}
		evs[i] = newRow(KindEvents, e.UUID, i, cells, false, extra)
	}
	rows[KindEvents] = evs
	ws := make([]Row, len(inv.Warnings))
	for i, w := range inv.Warnings {
		ws[i] = newRow(KindWarnings, w.Subject.ID, i, []string{w.Code, w.Subject.Name, w.Message}, true, []string{w.Subject.ID, string(w.Kind)})
	}
	rows[KindWarnings] = ws
	inv.rows = rows
}

func dscRow(d *DSCInfo, i int, warn, loading bool) Row {
	p := d.Policy
	if loading {
		return newRow(KindDSC, p.ID, i, []string{p.Name, p.Status, "…", "…", "…"}, false, []string{p.Description})
	}
	var mapped, providers []string
	extra := []string{p.ID, p.Description}
	for _, m := range d.Mappings {
		name := m.PolicyName
		if name == "" {
			name = m.PolicyID
		}
		mapped = append(mapped, name)
	}
	seen := map[string]bool{}
	for _, r := range d.Rules {
		extra = append(extra, r.Rule.Name)
		for _, pr := range r.Providers {
			key, _, _ := strings.Cut(pr, " ")
			if !seen[key] {
				seen[key] = true
				providers = append(providers, key)
			}
		}
	}
	cells := []string{p.Name, p.Status, strings.Join(mapped, ", "), strconv.Itoa(len(d.Rules)), strings.Join(providers, ", ")}
	return newRow(KindDSC, p.ID, i, cells, warn, extra)
}

func appRow(a *AppPolicyInfo, i int, warn, loading bool) Row {
	p := a.Policy
	if loading {
		return newRow(KindApp, p.ID, i, []string{p.Name, p.Status, "…", "…", "…", "…", "…"}, false, []string{p.Description})
	}
	device, managed := 0, 0
	var das, dsc []string
	seen := map[string]bool{}
	extra := []string{p.ID, p.Description}
	for _, r := range a.Rules {
		extra = append(extra, r.Rule.Name)
		if r.RequiresDevice() {
			device++
		}
		if r.Managed {
			managed++
		}
		for _, d := range r.Assurances {
			if !seen[d.ID] {
				seen[d.ID] = true
				das = append(das, d.Name)
			}
		}
	}
	for _, d := range a.MappedDSC {
		dsc = append(dsc, d.Name)
	}
	for _, app := range a.Apps {
		extra = append(extra, app.Name)
	}
	devices := strconv.Itoa(device)
	if managed > 0 {
		devices += fmt.Sprintf(" (%d managed)", managed)
	}
	cells := []string{p.Name, p.Status, strconv.Itoa(len(a.Apps)), strconv.Itoa(len(a.Rules)), devices, strings.Join(das, ", "), strings.Join(dsc, ", ")}
	return newRow(KindApp, p.ID, i, cells, warn, extra)
}

func appsRow(a *AppInfo, i int) Row {
	policy := a.Policy.Name
	switch {
	case a.Policy.ID == "":
		policy = "(none)"
	case policy == "":
		policy = a.Policy.ID
	}
	cells := []string{a.App.Label, SignOnModeLabel(a.App.SignOnMode), a.App.Status, policy}
	return newRow(KindApps, a.App.ID, i, cells, false, []string{a.App.ID, a.App.Name, a.Policy.ID})
}

// SignOnModeLabel names an app's sign-on mode as the Admin Console does (OIDC, SAML, …).
func SignOnModeLabel(mode string) string {
	switch mode {
	case "OPENID_CONNECT":
		return "OIDC"
	case "SAML_2_0":
		return "SAML"
	case "SAML_1_1":
		return "SAML 1.1"
	case "":
		return "app"
	}
	return strings.ReplaceAll(strings.ToLower(mode), "_", " ")
}

func newRow(k Kind, id string, i int, cells []string, warn bool, extra []string) Row {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(c)
		b.WriteByte(0)
	}
	for _, c := range extra {
		b.WriteString(c)
		b.WriteByte(0)
	}
	return Row{Kind: k, ID: id, Index: i, Cells: cells, Warn: warn, search: strings.ToLower(b.String())}
}

// Rows returns every row of a kind (shared: do not modify).
func (inv *Inventory) Rows(k Kind) []Row {
	if inv.rows == nil {
		inv.index()
	}
	return inv.rows[k]
}

// Filter returns the rows of kind whose text contains every word of query (case-insensitive).
// An empty query returns all rows without copying.
func (inv *Inventory) Filter(k Kind, query string) []Row {
	return FilterRows(inv.Rows(k), query)
}

// FilterRows filters rows as Inventory.Filter does; screens use it on rows still loading.
func FilterRows(rows []Row, query string) []Row {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return rows
	}
	// Matching is cheap; copying rows is not (a keystroke's budget is a millisecond at 10,000
	// rows, and garbage from every keystroke makes the collector scan the whole inventory).
	// So the matches are counted first and copied once into a slice of their size, and a
	// query every row matches returns the rows themselves (shared: do not modify).
	matches := func(r *Row) bool {
		for _, w := range words {
			if !strings.Contains(r.search, w) {
				return false
			}
		}
		return true
	}
	n := 0
	for i := range rows {
		if matches(&rows[i]) {
			n++
		}
	}
	if n == len(rows) {
		return rows
	}
	out := make([]Row, 0, n)
	for i := range rows {
		if len(out) == n {
			break
		}
		if matches(&rows[i]) {
			out = append(out, rows[i])
		}
	}
	return out
}

// Object returns the inventory entry a row stands for (a *DSCInfo, *AppPolicyInfo, *AppInfo,
// *AssuranceInfo, *okta.LogEvent or *Warning), or nil when the row is not from this inventory.
func (inv *Inventory) Object(r Row) any {
	switch r.Kind {
	case KindDSC:
		if r.Index < len(inv.DSCPolicies) && inv.DSCPolicies[r.Index].Policy.ID == r.ID {
			return &inv.DSCPolicies[r.Index]
		}
	case KindApp:
		if r.Index < len(inv.AppPolicies) && inv.AppPolicies[r.Index].Policy.ID == r.ID {
			return &inv.AppPolicies[r.Index]
		}
	case KindApps:
		if r.Index < len(inv.Apps) && inv.Apps[r.Index].App.ID == r.ID {
			return &inv.Apps[r.Index]
		}
	case KindAssurance:
		if r.Index < len(inv.Assurances) && inv.Assurances[r.Index].Assurance.ID == r.ID {
			return &inv.Assurances[r.Index]
		}
	case KindEvents:
		if r.Index < len(inv.Events) {
			return &inv.Events[r.Index]
		}
	case KindWarnings:
		if r.Index < len(inv.Warnings) {
			return &inv.Warnings[r.Index]
		}
	}
	return nil
}

// DetailJSON is the indented JSON of the object a row stands for.
func (inv *Inventory) DetailJSON(r Row) ([]byte, error) {
	obj := inv.Object(r)
	if obj == nil {
		return nil, errors.New("no such object in this inventory")
	}
	return json.MarshalIndent(obj, "", "  ")
}

// Count is the number of objects of a kind.
func (inv *Inventory) Count(k Kind) int { return len(inv.Rows(k)) }

// WarningsFor lists the warnings about one object.
func (inv *Inventory) WarningsFor(k Kind, id string) []Warning {
	var out []Warning
	for _, w := range inv.Warnings {
		if w.Kind == k && w.Subject.ID == id {
			out = append(out, w)
		}
	}
	return out
}

// Objects returns the objects of a kind whose rows match query, in row order.
func (inv *Inventory) Objects(k Kind, query string) []any {
	rows := inv.Filter(k, query)
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		if obj := inv.Object(r); obj != nil {
			out = append(out, obj)
		}
	}
	return out
}

// Filtered returns a copy of the inventory holding only the objects whose rows match query
// (every object when query is empty).
func (inv *Inventory) Filtered(query string) *Inventory {
	if strings.TrimSpace(query) == "" {
		return inv
	}
	out := &Inventory{OrgURL: inv.OrgURL, LoadedAt: inv.LoadedAt,
		DSCPolicies: []DSCInfo{}, AppPolicies: []AppPolicyInfo{}, Apps: []AppInfo{}, Assurances: []AssuranceInfo{},
		Events: []okta.LogEvent{}, Warnings: []Warning{}}
	for _, r := range inv.Filter(KindDSC, query) {
		out.DSCPolicies = append(out.DSCPolicies, inv.DSCPolicies[r.Index])
	}
	for _, r := range inv.Filter(KindApp, query) {
		out.AppPolicies = append(out.AppPolicies, inv.AppPolicies[r.Index])
	}
	for _, r := range inv.Filter(KindApps, query) {
		out.Apps = append(out.Apps, inv.Apps[r.Index])
	}
	for _, r := range inv.Filter(KindAssurance, query) {
		out.Assurances = append(out.Assurances, inv.Assurances[r.Index])
	}
	for _, r := range inv.Filter(KindEvents, query) {
		out.Events = append(out.Events, inv.Events[r.Index])
	}
	for _, r := range inv.Filter(KindWarnings, query) {
		out.Warnings = append(out.Warnings, inv.Warnings[r.Index])
	}
	out.index()
	return out
}
