// Package flows turns a wizard's answers into a Plan of Okta requests, validates answers before
// anything is sent, and runs plans with a journal on disk so a run can resume or roll back.
// It is plain Go: no terminal, no HTTP; it talks to Okta only through okta.API.
package flows

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Action names the Okta operation of a step; with a step's ids it fixes method and path.
type Action string

const (
	ActCreatePolicy           Action = "createPolicy"           // POST   /api/v1/policies
	ActReplacePolicy          Action = "replacePolicy"          // PUT    /api/v1/policies/{policyId}
	ActActivatePolicy         Action = "activatePolicy"         // POST   /api/v1/policies/{policyId}/lifecycle/activate
	ActDeactivatePolicy       Action = "deactivatePolicy"       // POST   /api/v1/policies/{policyId}/lifecycle/deactivate
	ActDeletePolicy           Action = "deletePolicy"           // DELETE /api/v1/policies/{policyId}
	ActCreateRule             Action = "createRule"             // POST   /api/v1/policies/{policyId}/rules
	ActReplaceRule            Action = "replaceRule"            // PUT    /api/v1/policies/{policyId}/rules/{ruleId}
	ActActivateRule           Action = "activateRule"           // POST   /api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/activate
	ActDeleteRule             Action = "deleteRule"             // DELETE /api/v1/policies/{policyId}/rules/{ruleId}
	ActMapResource            Action = "mapResource"            // POST   /api/v1/policies/{policyId}/mappings
	ActDeleteMapping          Action = "deleteMapping"          // DELETE /api/v1/policies/{policyId}/mappings/{mappingId}
	ActCreateDeviceAssurance  Action = "createDeviceAssurance"  // POST   /api/v1/device-assurances
	ActReplaceDeviceAssurance Action = "replaceDeviceAssurance" // PUT    /api/v1/device-assurances/{deviceAssuranceId}
	ActDeleteDeviceAssurance  Action = "deleteDeviceAssurance"  // DELETE /api/v1/device-assurances/{deviceAssuranceId}
	// ActAssignAppPolicy makes PolicyID the sign-in policy of app ObjectID; Before is the
	// *AppProtection naming the policy the app used, which a roll back assigns again.
	ActAssignAppPolicy Action = "assignAppPolicy" // PUT /api/v1/apps/{appId}/policies/{policyId}
)

// Step is one request of a plan. PolicyID and ObjectID may hold placeholders such as
// "{{app-policy.id}}" that name the result of an earlier step; so may string members of Body.
type Step struct {
	// ID is unique within the plan and names the step's result for placeholders ("app-policy").
	ID string `json:"id"`
	// Stage is the wizard stage the step belongs to (1-based), so an error can be shown beside it.
	Stage int    `json:"stage"`
	Title string `json:"title"`
	// Action with PolicyID and ObjectID determine method and path.
	Action   Action `json:"action"`
	PolicyID string `json:"policyId,omitempty"`
	ObjectID string `json:"objectId,omitempty"`
	// Body is *okta.Policy, *okta.Rule, *okta.MappingRequest or *okta.DeviceAssurance, or nil.
	Body any `json:"-"`
	// Before is the object as read from Okta, for a replace: the preview diffs it, roll back restores it.
	Before any `json:"-"`
	// Activate sends ?activate=true on a create (policies and rules).
	Activate bool `json:"activate,omitempty"`
	// DependsOn lists the step ids whose results this step needs; steps without a dependency
	// between them may run together.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Refs names the existing objects (policies, rules, groups, IdPs, zones, assurance policies)
	// whose ids the step carries, so a saved plan can be resolved by name in another org
	// (flows.CollectRefs fills it, flows.ResolveRefs uses it).
	Refs []Ref `json:"refs,omitempty"`
}

// Ref is an existing object a step refers to by id, with its name as read from the org.
type Ref struct {
	Kind RefKind `json:"kind"`
	ID   string  `json:"id"`
	Name string  `json:"name,omitempty"`
	// Platform of a device assurance policy; PolicyID of a rule's policy (an id or placeholder).
	Platform string `json:"platform,omitempty"`
	PolicyID string `json:"policyId,omitempty"`
}

// RefKind is the kind of object a Ref names.
type RefKind string

const (
	RefAccessPolicy     RefKind = "accessPolicy"
	RefDSCPolicy        RefKind = "deviceSignalCollectionPolicy"
	RefRule             RefKind = "rule"
	RefGroup            RefKind = "group"
	RefIdentityProvider RefKind = "identityProvider"
	RefNetworkZone      RefKind = "networkZone"
	RefDeviceAssurance  RefKind = "deviceAssurance"
	RefApp              RefKind = "app" // named by its label
)

// Plan is the ordered list of requests a flow will send.
type Plan struct {
	// Flow names the flow that made the plan: "device-signal-collection", "device-assurance", "assurance-rule".
	Flow  string `json:"flow"`
	Title string `json:"title"`
	Steps []Step `json:"steps"`
}

// Placeholder returns the placeholder that stands for the id created by step stepID.
func Placeholder(stepID string) string { return "{{" + stepID + ".id}}" }

var placeholderRE = regexp.MustCompile(`\{\{([A-Za-z0-9_-]+)\.id\}\}`)

// Placeholders lists the step ids that s refers to through placeholders, in order of appearance.
func (s Step) Placeholders() []string {
	text := s.PolicyID + " " + s.ObjectID
	if b, err := json.Marshal(s.Body); err == nil && s.Body != nil {
		text += string(b)
	}
	var ids []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
	}
	return ids
}

// Label names step index (0-based) of a plan in messages: its number, its title (its id when
// it has none), its stage when it has one and its action: `step 2 "Create rule" (stage 1, createRule)`.
func (s Step) Label(index int) string {
	name := s.Name()
	if s.Stage > 0 {
		return fmt.Sprintf("step %d %q (stage %d, %s)", index+1, name, s.Stage, s.Action)
	}
	return fmt.Sprintf("step %d %q (%s)", index+1, name, s.Action)
}

// Name is the step's title, or its id when it has none.
func (s Step) Name() string {
	if strings.TrimSpace(s.Title) == "" {
		return s.ID
	}
	return s.Title
}

// Method is the HTTP method of the step.
func (s Step) Method() string {
	switch s.Action {
	case ActReplacePolicy, ActReplaceRule, ActReplaceDeviceAssurance, ActAssignAppPolicy:
		return "PUT"
	case ActDeletePolicy, ActDeleteRule, ActDeleteMapping, ActDeleteDeviceAssurance:
		return "DELETE"
	default:
		return "POST"
	}
}

// Path is the request path (with query) of the step, placeholders left as they are and every
// id percent-escaped as one path segment.
func (s Step) Path() string {
	p := "/api/v1/policies/" + pathSegment(s.PolicyID)
	obj := pathSegment(s.ObjectID)
	switch s.Action {
	case ActCreatePolicy:
		if s.Activate {
			return "/api/v1/policies?activate=true"
		}
		return "/api/v1/policies?activate=false"
	case ActReplacePolicy, ActDeletePolicy:
		return p
	case ActActivatePolicy:
		return p + "/lifecycle/activate"
	case ActDeactivatePolicy:
		return p + "/lifecycle/deactivate"
	case ActCreateRule:
		if s.Activate {
			return p + "/rules?activate=true"
		}
		return p + "/rules?activate=false"
	case ActReplaceRule, ActDeleteRule:
		return p + "/rules/" + obj
	case ActActivateRule:
		return p + "/rules/" + obj + "/lifecycle/activate"
	case ActMapResource:
		return p + "/mappings"
	case ActDeleteMapping:
		return p + "/mappings/" + obj
	case ActCreateDeviceAssurance:
		return "/api/v1/device-assurances"
	case ActReplaceDeviceAssurance, ActDeleteDeviceAssurance:
		return "/api/v1/device-assurances/" + obj
	case ActAssignAppPolicy:
		return "/api/v1/apps/" + obj + "/policies/" + pathSegment(s.PolicyID)
	}
	return ""
}

// pathSegment escapes an id for a path with okta.PathSegment, keeping placeholders as they are
// so previews show them and the curl export can substitute them.
func pathSegment(id string) string {
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(id, -1) {
		if m[0] > last {
			b.WriteString(okta.PathSegment(id[last:m[0]]))
		}
		b.WriteString(id[m[0]:m[1]])
		last = m[1]
	}
	if last < len(id) || last == 0 {
		b.WriteString(okta.PathSegment(id[last:]))
	}
	return b.String()
}

// BodyJSON is the indented JSON body the step sends (nil when it sends none).
func (s Step) BodyJSON() ([]byte, error) {
	if s.Body == nil {
		return nil, nil
	}
	return json.MarshalIndent(s.Body, "", "  ")
}

// Resolve returns a copy of s with every placeholder replaced by the ids in created
// (step id -> object id). It fails, naming the step, when a placeholder has no id yet.
func (s Step) Resolve(created map[string]string) (Step, error) {
	var missing []string
	replace := func(text string) string {
		return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
			id := placeholderRE.FindStringSubmatch(m)[1]
			if v, ok := created[id]; ok {
				return v
			}
			missing = append(missing, id)
			return m
		})
	}
	out := s
	out.PolicyID = replace(s.PolicyID)
	out.ObjectID = replace(s.ObjectID)
	if s.Body != nil {
		b, err := json.Marshal(s.Body)
		if err != nil {
			return s, err
		}
		body, err := newBody(s.Action)
		if err != nil {
			return s, err
		}
		if err := json.Unmarshal([]byte(replace(string(b))), body); err != nil {
			return s, err
		}
		out.Body = body
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("step %q needs the id of %s, which has not been created yet", s.ID, strings.Join(missing, ", "))
	}
	return out, nil
}

// newBody returns a pointer to the zero body type of an action.
func newBody(a Action) (any, error) {
	switch a {
	case ActCreatePolicy, ActReplacePolicy:
		return &okta.Policy{}, nil
	case ActCreateRule, ActReplaceRule:
		return &okta.Rule{}, nil
	case ActMapResource:
		return &okta.MappingRequest{}, nil
	case ActCreateDeviceAssurance, ActReplaceDeviceAssurance:
		return &okta.DeviceAssurance{}, nil
	}
	return nil, fmt.Errorf("action %q sends no body", a)
}

// MarshalJSON writes the step with its body and before-image, for journals and plan files.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	out := struct {
		plain
		Body   any `json:"body,omitempty"`
		Before any `json:"before,omitempty"`
	}{plain(s), s.Body, s.Before}
	return json.Marshal(out)
}

// UnmarshalJSON reads a step, decoding body and before-image into the action's type.
func (s *Step) UnmarshalJSON(b []byte) error {
	type plain Step
	var in struct {
		plain
		Body   json.RawMessage `json:"body,omitempty"`
		Before json.RawMessage `json:"before,omitempty"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*s = Step(in.plain)
	for _, f := range []struct {
		raw json.RawMessage
		dst *any
	}{{in.Body, &s.Body}, {in.Before, &s.Before}} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		v, err := newBody(s.Action)
		if f.dst == &s.Before && s.Action == ActAssignAppPolicy {
			v, err = &AppProtection{}, nil
		}
		if err != nil {
			if !knownAction(s.Action) {
				return fmt.Errorf("step %q: unknown action %q (one of %s)", s.ID, s.Action, strings.Join(actionNames(), ", "))
			}
			return fmt.Errorf("step %q: %w", s.ID, err)
		}
		if err := json.Unmarshal(f.raw, v); err != nil {
			return fmt.Errorf("step %q: %w", s.ID, err)
		}
		*f.dst = v
	}
	return nil
}
