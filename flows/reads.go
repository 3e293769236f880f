package flows

import (
	"context"
	"fmt"
	"sync"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Every read a run needs before its first write (references by name, objects to adopt or
// reconcile, objects a replace must restore) is gathered first and sent as one concurrent
// wave, so the reads cost one round trip whatever the plan's size. Later lookups are answered
// from what the wave read; only what could not be known before it (the rules or mappings of
// a policy found by the wave, when the org did not embed them) costs another request.

// readWaveLimit bounds the reads of a wave in flight: enough for a plan's reads to share one
// round trip, far below Okta's concurrent-request cap (35 to 75).
const readWaveLimit = 8

// Reads holds what one wave of reads found in an org. Share one between ResolveRefsWith and
// RunWith (RunOptions.Reads) so a run sends its reads once; it is valid until the first write.
type Reads struct {
	api  okta.API
	mu   sync.Mutex
	done map[string]any // read key -> its answer
}

// NewReads starts an empty set of reads of api's org.
func NewReads(api okta.API) *Reads {
	return &Reads{api: api, done: map[string]any{}}
}

// read is one request the wave may send; key names what it reads, so each is sent once.
type read struct {
	key  string
	load func(ctx context.Context, api okta.API) (any, error)
}

// get answers r from an earlier read, or sends it now.
func (x *Reads) get(ctx context.Context, r read) (any, error) {
	x.mu.Lock()
	v, ok := x.done[r.key]
	x.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := r.load(ctx, x.api)
	if err != nil {
		return nil, err
	}
	x.store(r.key, v)
	return v, nil
}

// store remembers an answer; policies that came with their rules embedded also answer the
// rules read of each policy.
func (x *Reads) store(key string, v any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.done[key] = v
	if ps, ok := v.([]okta.Policy); ok {
		for _, p := range ps {
			if p.RulesEmbedded {
				x.done[rulesKey(p.ID)] = p.Rules
			}
		}
	}
}

// wave sends every read not answered yet, all at once (at most readWaveLimit in flight), and
// returns the first error.
func (x *Reads) wave(ctx context.Context, reads []read) error {
	seen := map[string]bool{}
	var todo []read
	x.mu.Lock()
	for _, r := range reads {
		if _, done := x.done[r.key]; done || seen[r.key] {
			continue
		}
		seen[r.key] = true
		todo = append(todo, r)
	}
	x.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	errs := make([]error, len(todo))
	slots := make(chan struct{}, readWaveLimit)
	var wg sync.WaitGroup
	for i, r := range todo {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			_, errs[i] = x.get(ctx, r)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ---- the reads ----

func rulesKey(policyID string) string { return "rules " + policyID }

// readPoliciesNamed finds policies of type t named name (q= name prefix, rules embedded).
func readPoliciesNamed(t okta.PolicyType, name string) read {
	return read{key: "policies " + string(t) + " named " + name, load: func(ctx context.Context, api okta.API) (any, error) {
		ps, err := api.SearchPolicies(ctx, t, name)
		if err != nil {
			return nil, fmt.Errorf("looking up %s policies named %q: %w", t, name, err)
		}
		var out []okta.Policy
		for _, p := range ps {
			if p.Name == name && p.Type == t {
				out = append(out, p)
			}
		}
		return out, nil
	}}
}

// readPolicies lists every policy of type t (for references by id).
func readPolicies(t okta.PolicyType) read {
	return read{key: "policies " + string(t), load: func(ctx context.Context, api okta.API) (any, error) {
		ps, err := api.ListPolicies(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("listing %s policies: %w", t, err)
		}
		return ps, nil
	}}
}

func readPolicy(id string) read {
	return read{key: "policy " + id, load: func(ctx context.Context, api okta.API) (any, error) {
		p, err := api.GetPolicy(ctx, id)
		if okta.IsNotFound(err) {
			return (*okta.Policy)(nil), nil
		}
		return p, err
	}}
}

// readRules lists a policy's rules; a policy that does not exist has none.
func readRules(policyID string) read {
	return read{key: rulesKey(policyID), load: func(ctx context.Context, api okta.API) (any, error) {
		rules, err := api.ListRules(ctx, policyID)
		if okta.IsNotFound(err) {
			return []okta.Rule{}, nil
		}
		return rules, err
	}}
}

func readRuleByID(policyID, ruleID string) read {
	return read{key: "rule " + policyID + " " + ruleID, load: func(ctx context.Context, api okta.API) (any, error) {
		r, err := api.GetRule(ctx, policyID, ruleID)
		if okta.IsNotFound(err) {
			return (*okta.Rule)(nil), nil
		}
		return r, err
	}}
}

func readMappings(policyID string) read {
	return read{key: "mappings " + policyID, load: func(ctx context.Context, api okta.API) (any, error) {
		ms, err := api.ListMappings(ctx, policyID)
		if okta.IsNotFound(err) {
			return []okta.PolicyMapping{}, nil
		}
		return ms, err
	}}
}

func readGroupsNamed(name string) read {
	return read{key: "groups named " + name, load: func(ctx context.Context, api okta.API) (any, error) {
		gs, err := api.FindGroupsByName(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("looking up groups named %q: %w", name, err)
		}
		return gs, nil
	}}
}

func readIdPsNamed(name string) read {
	return read{key: "idps named " + name, load: func(ctx context.Context, api okta.API) (any, error) {
		idps, err := api.FindIdentityProvidersByName(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("looking up identity providers named %q: %w", name, err)
		}
		return idps, nil
	}}
}

// readList wraps a list call with the name of what it lists for errors.
func readList[T any](key string, list func(okta.API, context.Context) ([]T, error)) read {
	return read{key: key, load: func(ctx context.Context, api okta.API) (any, error) {
		v, err := list(api, ctx)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", key, err)
		}
		return v, nil
	}}
}

var (
	readGroups     = readList("groups", okta.API.ListGroups)
	readIdPs       = readList("identity providers", okta.API.ListIdentityProviders)
	readZones      = readList("network zones", okta.API.ListNetworkZones)
	readAssurances = readList("device assurance policies", okta.API.ListDeviceAssurances)
)

// getAs answers r and returns its answer as a T.
func getAs[T any](ctx context.Context, x *Reads, r read) (T, error) {
	v, err := x.get(ctx, r)
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// ---- lookups answered from the wave ----

func (x *Reads) policiesNamed(ctx context.Context, t okta.PolicyType, name string) ([]okta.Policy, error) {
	return getAs[[]okta.Policy](ctx, x, readPoliciesNamed(t, name))
}

func (x *Reads) rules(ctx context.Context, policyID string) ([]okta.Rule, error) {
	return getAs[[]okta.Rule](ctx, x, readRules(policyID))
}

// cachedPolicy finds a policy by id among the policies already read.
func (x *Reads) cachedPolicy(id string) *okta.Policy {
	x.mu.Lock()
	defer x.mu.Unlock()
	if p, ok := x.done["policy "+id].(*okta.Policy); ok && p != nil {
		return p
	}
	for _, v := range x.done {
		if ps, ok := v.([]okta.Policy); ok {
			for i := range ps {
				if ps[i].ID == id {
					p := ps[i]
					return &p
				}
			}
		}
	}
	return nil
}

// policy reads one policy by id (nil when the org has none), from the wave when it has it.
func (x *Reads) policy(ctx context.Context, id string) (*okta.Policy, error) {
	if p := x.cachedPolicy(id); p != nil {
		return p, nil
	}
	return getAs[*okta.Policy](ctx, x, readPolicy(id))
}

// rule reads one rule (nil when the org has none), from the policy's rules when read.
func (x *Reads) rule(ctx context.Context, policyID, ruleID string) (*okta.Rule, error) {
	x.mu.Lock()
	rules, listed := x.done[rulesKey(policyID)].([]okta.Rule)
	x.mu.Unlock()
	if listed {
		for i := range rules {
			if rules[i].ID == ruleID {
				r := rules[i]
				return &r, nil
			}
		}
		return nil, nil
	}
	return getAs[*okta.Rule](ctx, x, readRuleByID(policyID, ruleID))
}

// assurance finds a device assurance policy by id (nil when the org has none).
func (x *Reads) assurance(ctx context.Context, id string) (*okta.DeviceAssurance, error) {
	das, err := getAs[[]okta.DeviceAssurance](ctx, x, readAssurances)
	if err != nil {
		return nil, err
	}
	for i := range das {
		if das[i].ID == id {
			d := das[i]
			return &d, nil
		}
	}
	return nil, nil
}
