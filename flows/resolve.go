package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// A plan names existing objects by id. Ids differ from org to org, so a saved plan also carries
// each referenced object's name (Step.Refs, filled by CollectRefs in the org the plan was made
// in); ResolveRefs finds the same names in the target org and rewrites the ids before any write.

// MissingRef is a referenced object the target org does not have (or has more than once).
type MissingRef struct {
	StepID string
	Ref    Ref
	Reason string
}

func (m MissingRef) String() string {
	what := string(m.Ref.Kind)
	if m.Ref.Platform != "" {
		what += " (" + m.Ref.Platform + ")"
	}
	name := m.Ref.Name
	if name == "" {
		name = "id " + m.Ref.ID
	} else {
		name = fmt.Sprintf("%q", name)
	}
	return fmt.Sprintf("%s %s, used by step %q: %s", what, name, m.StepID, m.Reason)
}

func policyTypeOf(k RefKind) okta.PolicyType {
	if k == RefDSCPolicy {
		return okta.TypeDeviceSignalCollection
	}
	return okta.TypeAccessPolicy
}

// refRead is the read that finds ref in an org: by name when it has one, else by id. policyID
// is the rule's policy in this org ("" while it is not known yet).
func refRead(ref Ref, policyID string) (read, bool) {
	byName := ref.Name != ""
	switch ref.Kind {
	case refAnyPolicy:
		return readPolicy(ref.ID), true
	case RefAccessPolicy, RefDSCPolicy:
		if byName {
			return readPoliciesNamed(policyTypeOf(ref.Kind), ref.Name), true
		}
		return readPolicies(policyTypeOf(ref.Kind)), true
	case RefRule:
		if policyID == "" || isPlaceholder(policyID) {
			return read{}, false
		}
		return readRules(policyID), true
	case RefGroup:
		if byName {
			return readGroupsNamed(ref.Name), true
		}
		return readGroups, true
	case RefIdentityProvider:
		if byName {
			return readIdPsNamed(ref.Name), true
		}
		return readIdPs, true
	case RefNetworkZone:
		return readZones, true
	case RefDeviceAssurance:
		return readAssurances, true
	case RefApp:
		return readApps, true
	}
	return read{}, false
}

// byID finds the name (and platform) of an object by kind and id; found is false when the org
// has no such object.
func (x *Reads) byID(ctx context.Context, kind RefKind, id, policyID string) (name, platform string, found bool, err error) {
	switch kind {
	case refAnyPolicy:
		p, err := x.policy(ctx, id)
		if err != nil || p == nil {
			return "", "", false, err
		}
		return p.Name, "", true, nil
	case RefAccessPolicy, RefDSCPolicy:
		ps, err := getAs[[]okta.Policy](ctx, x, readPolicies(policyTypeOf(kind)))
		if err != nil {
			return "", "", false, err
		}
		for _, p := range ps {
			if p.ID == id {
				return p.Name, "", true, nil
			}
		}
	case RefRule:
		r, err := x.rule(ctx, policyID, id)
		if err != nil || r == nil {
			return "", "", false, err
		}
		return r.Name, "", true, nil
	case RefGroup:
		gs, err := getAs[[]okta.Group](ctx, x, readGroups)
		if err != nil {
			return "", "", false, err
		}
		for _, g := range gs {
			if g.ID == id {
				return g.Profile.Name, "", true, nil
			}
		}
	case RefIdentityProvider:
		idps, err := getAs[[]okta.IdentityProvider](ctx, x, readIdPs)
		if err != nil {
			return "", "", false, err
		}
		for _, i := range idps {
			if i.ID == id {
				return i.Name, "", true, nil
			}
		}
	case RefNetworkZone:
		zs, err := getAs[[]okta.NetworkZone](ctx, x, readZones)
		if err != nil {
			return "", "", false, err
		}
		for _, z := range zs {
			if z.ID == id {
				return z.Name, "", true, nil
			}
		}
	case RefDeviceAssurance:
		d, err := x.assurance(ctx, id)
		if err != nil || d == nil {
			return "", "", false, err
		}
		return d.Name, d.Platform, true, nil
	case RefApp:
		a, err := x.app(ctx, id)
		if err != nil || a == nil {
			return "", "", false, err
		}
		return a.Label, "", true, nil
	}
	return "", "", false, nil
}

// byName finds the ids of the objects of a kind with a name (and platform, for assurance).
func (x *Reads) byName(ctx context.Context, ref Ref, policyID string) ([]string, error) {
	var ids []string
	switch ref.Kind {
	case RefAccessPolicy, RefDSCPolicy:
		ps, err := x.policiesNamed(ctx, policyTypeOf(ref.Kind), ref.Name)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	case RefRule:
		rules, err := x.rules(ctx, policyID)
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			if r.Name == ref.Name {
				ids = append(ids, r.ID)
			}
		}
	case RefGroup:
		gs, err := getAs[[]okta.Group](ctx, x, readGroupsNamed(ref.Name))
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
	case RefIdentityProvider:
		idps, err := getAs[[]okta.IdentityProvider](ctx, x, readIdPsNamed(ref.Name))
		if err != nil {
			return nil, err
		}
		for _, i := range idps {
			ids = append(ids, i.ID)
		}
	case RefNetworkZone:
		zs, err := getAs[[]okta.NetworkZone](ctx, x, readZones)
		if err != nil {
			return nil, err
		}
		for _, z := range zs {
			if z.Name == ref.Name {
				ids = append(ids, z.ID)
			}
		}
	case RefDeviceAssurance:
		das, err := getAs[[]okta.DeviceAssurance](ctx, x, readAssurances)
		if err != nil {
			return nil, err
		}
		for _, d := range das {
			if d.Name == ref.Name && (ref.Platform == "" || d.Platform == ref.Platform) {
				ids = append(ids, d.ID)
			}
		}
	case RefApp:
		apps, err := getAs[[]okta.App](ctx, x, readApps)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			if a.Label == ref.Name {
				ids = append(ids, a.ID)
			}
		}
	}
	return ids, nil
}

// refAnyPolicy is a policy id whose type is not known yet.
const refAnyPolicy RefKind = "policy"

func isPlaceholder(s string) bool { return strings.Contains(s, "{{") }

// stepRefIDs lists the ids of existing objects a step carries, with their kind (policies'
// kind is settled by looking them up). Placeholders are not references: they name results of
// the plan itself.
func stepRefIDs(s Step) []Ref {
	var out []Ref
	seen := map[string]bool{}
	add := func(kind RefKind, id, policyID string) {
		if id == "" || isPlaceholder(id) || seen[string(kind)+id] {
			return
		}
		seen[string(kind)+id] = true
		out = append(out, Ref{Kind: kind, ID: id, PolicyID: policyID})
	}
	if s.Action != ActCreatePolicy && s.Action != ActCreateDeviceAssurance {
		add(refAnyPolicy, s.PolicyID, "")
	}
	switch s.Action {
	case ActReplaceRule, ActActivateRule, ActDeleteRule:
		add(RefRule, s.ObjectID, s.PolicyID)
	case ActReplaceDeviceAssurance, ActDeleteDeviceAssurance:
		add(RefDeviceAssurance, s.ObjectID, "")
	case ActAssignAppPolicy:
		add(RefApp, s.ObjectID, "")
	}
	switch b := s.Body.(type) {
	case *okta.Rule:
		if b != nil {
			addRuleRefs(*b, add)
		}
	case *okta.MappingRequest:
		if b != nil {
			add(RefAccessPolicy, b.ResourceID, "")
		}
	}
	return out
}

func addRuleRefs(r okta.Rule, add func(RefKind, string, string)) {
	if c := r.Conditions; c != nil {
		if c.People != nil && c.People.Groups != nil {
			for _, id := range append(append([]string(nil), c.People.Groups.Include...), c.People.Groups.Exclude...) {
				add(RefGroup, id, "")
			}
		}
		if c.Device != nil && c.Device.Assurance != nil {
			for _, id := range c.Device.Assurance.Include {
				add(RefDeviceAssurance, id, "")
			}
		}
		if c.Network != nil {
			for _, id := range append(append([]string(nil), c.Network.Include...), c.Network.Exclude...) {
				add(RefNetworkZone, id, "")
			}
		}
	}
	if a := r.Actions; a != nil && a.DeviceSignalCollection != nil {
		for _, p := range a.DeviceSignalCollection.DeviceContextProviders {
			if p.Key == okta.ProviderDevicePostureIdP {
				add(RefIdentityProvider, p.ID, "")
			}
		}
	}
}

// CollectRefs fills each step's Refs with the name of every existing object it uses, read from
// the org the plan was made in. Call it before saving a plan. An id the org does not have is
// an error naming the step.
func CollectRefs(ctx context.Context, api okta.API, p Plan) (Plan, error) {
	x := NewReads(api)
	var wave []read
	for _, s := range p.Steps {
		for _, r := range stepRefIDs(s) {
			if rd, ok := refRead(r, r.PolicyID); ok {
				wave = append(wave, rd)
			}
		}
	}
	if err := x.wave(ctx, wave); err != nil {
		return p, err
	}
	out := p
	out.Steps = make([]Step, len(p.Steps))
	for i, s := range p.Steps {
		var refs []Ref
		for _, r := range stepRefIDs(s) {
			if r.Kind == refAnyPolicy {
				kind, name, err := policyKind(ctx, x, r.ID)
				if err != nil {
					return p, fmt.Errorf("step %q: %w", s.ID, err)
				}
				r.Kind, r.Name = kind, name
			} else {
				name, platform, found, err := x.byID(ctx, r.Kind, r.ID, r.PolicyID)
				if err != nil {
					return p, fmt.Errorf("step %q: %w", s.ID, err)
				}
				if !found {
					return p, fmt.Errorf("step %q uses %s %s, which %s does not have", s.ID, r.Kind, r.ID, api.OrgURL())
				}
				r.Name, r.Platform = name, platform
			}
			refs = append(refs, r)
		}
		s.Refs = refs
		out.Steps[i] = s
	}
	return out, nil
}

func policyKind(ctx context.Context, x *Reads, id string) (RefKind, string, error) {
	p, err := x.policy(ctx, id)
	if err != nil {
		return "", "", fmt.Errorf("policy %s: %w", id, err)
	}
	if p == nil {
		return "", "", fmt.Errorf("policy %s: not found in %s", id, x.api.OrgURL())
	}
	if p.Type == okta.TypeDeviceSignalCollection {
		return RefDSCPolicy, p.Name, nil
	}
	return RefAccessPolicy, p.Name, nil
}

// ResolveRefs rewrites the ids of the objects a plan references to those of the same-named
// objects in api's org, and re-reads the current version of every object a step replaces (so a
// roll back restores what this org had). Every object the org lacks, or has more than once, is
// returned in the missing list, by name; the plan must not be applied then. A ref without a
// name (a hand-written plan) is kept when its id exists in the org.
func ResolveRefs(ctx context.Context, api okta.API, p Plan) (Plan, []MissingRef, error) {
	return ResolveRefsWith(ctx, NewReads(api), p, nil, RunOptions{})
}

// ResolveRefsWith is ResolveRefs reading through x, with the lookups the run that follows will
// make (j is its journal when it resumes one, nil for a fresh run) in the same single wave of
// reads; pass x to that run as RunOptions.Reads.
func ResolveRefsWith(ctx context.Context, x *Reads, p Plan, j *Journal, run RunOptions) (Plan, []MissingRef, error) {
	api := x.api
	stepRefs := func(s Step) []Ref {
		if len(s.Refs) > 0 {
			return s.Refs
		}
		return stepRefIDs(s) // a plan saved without names: its ids must exist here
	}
	// Named objects get new ids; every other id stays as it is.
	renamed := map[string]bool{}
	for _, s := range p.Steps {
		for _, r := range stepRefs(s) {
			if r.Name != "" {
				renamed[r.ID] = true
			}
		}
	}
	var wave []read
	for _, s := range p.Steps {
		for _, r := range stepRefs(s) {
			policyID := r.PolicyID
			if renamed[policyID] {
				policyID = "" // its rules come embedded in the policy's lookup
			}
			if rd, ok := refRead(r, policyID); ok {
				wave = append(wave, rd)
			}
		}
		wave = append(wave, beforeReads(s, renamed)...)
	}
	recs, created := freshRecords(p), map[string]string{}
	if j != nil {
		recs, created = j.Steps(), j.Created()
	}
	wave = append(wave, runReads(p, recs, created, run.AdoptExisting, renamed)...)
	if err := x.wave(ctx, wave); err != nil {
		return p, nil, err
	}

	rewrite := map[string]string{} // old id -> new id
	var missing []MissingRef
	resolveOne := func(stepID string, r Ref) error {
		if _, done := rewrite[r.ID]; done {
			return nil
		}
		policyID := r.PolicyID
		if v, ok := rewrite[policyID]; ok {
			policyID = v
		}
		if r.Kind == RefRule && isPlaceholder(policyID) {
			missing = append(missing, MissingRef{StepID: stepID, Ref: r, Reason: "its policy is created by this plan, so the rule cannot exist yet"})
			return nil
		}
		if r.Name == "" {
			_, _, found, err := x.byID(ctx, r.Kind, r.ID, policyID)
			if err != nil {
				return err
			}
			if !found {
				missing = append(missing, MissingRef{StepID: stepID, Ref: r, Reason: "no object with this id in " + api.OrgURL()})
				return nil
			}
			rewrite[r.ID] = r.ID
			return nil
		}
		ids, err := x.byName(ctx, r, policyID)
		if err != nil {
			return err
		}
		switch len(ids) {
		case 1:
			rewrite[r.ID] = ids[0]
		case 0:
			missing = append(missing, MissingRef{StepID: stepID, Ref: r, Reason: "not found in " + api.OrgURL()})
		default:
			missing = append(missing, MissingRef{StepID: stepID, Ref: r, Reason: fmt.Sprintf("%d objects have this name in %s; rename all but one", len(ids), api.OrgURL())})
		}
		return nil
	}
	// Rules are resolved within their policy, so policies and everything else come first.
	for _, rulesPass := range []bool{false, true} {
		for _, s := range p.Steps {
			for _, r := range stepRefs(s) {
				if (r.Kind == RefRule) != rulesPass {
					continue
				}
				if err := resolveOne(s.ID, r); err != nil {
					return p, nil, fmt.Errorf("step %q: %w", s.ID, err)
				}
			}
		}
	}
	if len(missing) > 0 {
		return p, missing, nil
	}
	out := p
	out.Steps = make([]Step, len(p.Steps))
	for i, s := range p.Steps {
		ns, err := rewriteIDs(s, rewrite)
		if err != nil {
			return p, nil, err
		}
		if err := refreshBefore(ctx, x, &ns); err != nil {
			return p, nil, fmt.Errorf("step %q: reading the object it replaces: %w", s.ID, err)
		}
		out.Steps[i] = ns
	}
	return out, nil, nil
}

// freshRecords are the records of a plan none of whose steps has run.
func freshRecords(p Plan) []StepRecord {
	recs := make([]StepRecord, len(p.Steps))
	for i := range recs {
		recs[i].State = StatePending
	}
	return recs
}

// beforeReads are the reads refreshBefore needs for a step whose object keeps its id (one
// found by name is read by its lookup).
func beforeReads(s Step, renamed map[string]bool) []read {
	switch s.Action {
	case ActReplacePolicy:
		if !isPlaceholder(s.PolicyID) && !renamed[s.PolicyID] {
			return []read{readPolicy(s.PolicyID)}
		}
	case ActReplaceRule:
		if !isPlaceholder(s.PolicyID) && !renamed[s.PolicyID] {
			return []read{readRules(s.PolicyID)}
		}
	case ActReplaceDeviceAssurance:
		return []read{readAssurances}
	case ActAssignAppPolicy:
		return []read{readApps}
	}
	return nil
}

// rewriteIDs replaces old ids by new ones in a step's ids, body strings and refs.
func rewriteIDs(s Step, rewrite map[string]string) (Step, error) {
	out := s
	if v, ok := rewrite[s.PolicyID]; ok {
		out.PolicyID = v
	}
	if v, ok := rewrite[s.ObjectID]; ok {
		out.ObjectID = v
	}
	out.Refs = make([]Ref, len(s.Refs))
	for i, r := range s.Refs {
		if v, ok := rewrite[r.ID]; ok {
			r.ID = v
		}
		if v, ok := rewrite[r.PolicyID]; ok {
			r.PolicyID = v
		}
		out.Refs[i] = r
	}
	if len(s.Refs) == 0 {
		out.Refs = nil
	}
	if s.Body != nil {
		b, err := json.Marshal(s.Body)
		if err != nil {
			return s, err
		}
		text := string(b)
		for old, nw := range rewrite {
			if old != nw {
				text = strings.ReplaceAll(text, `"`+old+`"`, `"`+nw+`"`)
			}
		}
		body, err := newBody(s.Action)
		if err != nil {
			return s, err
		}
		if err := json.Unmarshal([]byte(text), body); err != nil {
			return s, err
		}
		out.Body = body
	}
	return out, nil
}

// refreshBefore sets Before of a replace step to the object as the org has it now (as the
// wave of reads found it).
func refreshBefore(ctx context.Context, x *Reads, s *Step) error {
	switch s.Action {
	case ActAssignAppPolicy:
		return refreshAppBefore(ctx, x, s)
	case ActReplacePolicy:
		if isPlaceholder(s.PolicyID) {
			return nil
		}
		p, err := x.policy(ctx, s.PolicyID)
		if err != nil {
			return err
		}
		if p == nil {
			return notFoundIn(x, "policy", s.PolicyID)
		}
		before := *p
		before.Rules, before.RulesEmbedded = nil, false
		s.Before = &before
	case ActReplaceRule:
		if isPlaceholder(s.PolicyID) || isPlaceholder(s.ObjectID) {
			return nil
		}
		r, err := x.rule(ctx, s.PolicyID, s.ObjectID)
		if err != nil {
			return err
		}
		if r == nil {
			return notFoundIn(x, "rule", s.ObjectID)
		}
		s.Before = r
	case ActReplaceDeviceAssurance:
		if isPlaceholder(s.ObjectID) {
			return nil
		}
		d, err := x.assurance(ctx, s.ObjectID)
		if err != nil {
			return err
		}
		if d == nil {
			return notFoundIn(x, "device assurance policy", s.ObjectID)
		}
		s.Before = d
	}
	return nil
}

func notFoundIn(x *Reads, what, id string) error {
	return fmt.Errorf("%s %s: not found in %s", what, id, x.api.OrgURL())
}

// SavePlanWithRefs records the names of what the plan references in api's org (CollectRefs)
// and saves it with the answers that made it (SavePlanWithDraft), so it can be applied to
// another org. The review screens save plans through it.
func SavePlanWithRefs(ctx context.Context, api okta.API, path string, p Plan, draft any) error {
	withRefs, err := CollectRefs(ctx, api, p)
	if err != nil {
		return err
	}
	return SavePlanWithDraft(path, withRefs, draft)
}
