package run

import "github.com/okta-device-wizard/okta-device-wizard/flows"

// HasAction reports whether a step of p does a.
func HasAction(p flows.Plan, a flows.Action) bool {
	for _, s := range p.Steps {
		if s.Action == a {
			return true
		}
	}
	return false
}

// WithoutActivation is p without its activatePolicy steps (the policy is left inactive).
func WithoutActivation(p flows.Plan) flows.Plan {
	out := p
	out.Steps = nil
	for _, s := range p.Steps {
		if s.Action != flows.ActActivatePolicy {
			out.Steps = append(out.Steps, s)
		}
	}
	return out
}
