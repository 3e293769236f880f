package flows

// Checking a plan whole before its first request
//
// A plan file may come from another admin or be edited by hand, so apply checks it the way the
// wizard checks its answers, before anything is sent: every body goes through the wizard's own
// validators, and every {{...}} token must be a placeholder for an earlier step's id. All
// problems are reported at once, by step and field, so a plan is never half applied because
// its fifth body had a typo.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// PlanProblem is one thing wrong with a step of a plan.
type PlanProblem struct {
	Index  int    // of the step, 0-based
	StepID string // the step's id
	Field  string // "policyId", "body.gracePeriod.expiry", ...
	Msg    string
}

func (p PlanProblem) String() string {
	return fmt.Sprintf("step %d %q: %s: %s", p.Index+1, p.StepID, p.Field, p.Msg)
}

// PlanProblems is every problem of a plan; CheckPlan returns it as its error.
type PlanProblems []PlanProblem

func (ps PlanProblems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the plan has %d problem(s); nothing was sent:", len(ps))
	for _, p := range ps {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// CheckPlan validates every body of p with the wizard's validators (now is the present for due
// dates) and checks that every {{...}} token names an earlier step's id. It returns
// PlanProblems listing all problems, or nil.
func CheckPlan(p Plan, now time.Time) error {
	var out PlanProblems
	earlier := map[string]bool{}
	for i, s := range p.Steps {
		add := func(field, msg string) {
			out = append(out, PlanProblem{Index: i, StepID: s.ID, Field: field, Msg: msg})
		}
		for _, f := range stepStrings(s) {
			for _, msg := range tokenProblems(f.value, earlier) {
				add(f.field, msg)
			}
		}
		for _, fe := range bodyProblems(s.Body, now) {
			add("body."+fe.Field, fe.Msg)
		}
		earlier[s.ID] = true
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// fieldString is one string of a step with its field path.
type fieldString struct{ field, value string }

// stepStrings lists the strings of a step that may hold placeholders: its ids and every string
// in its body, with JSON paths ("body.conditions.people.groups.include[0]").
func stepStrings(s Step) []fieldString {
	out := []fieldString{{"policyId", s.PolicyID}, {"objectId", s.ObjectID}}
	if s.Body == nil {
		return out
	}
	b, err := json.Marshal(s.Body)
	if err != nil {
		return out
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return out
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case string:
			out = append(out, fieldString{path, t})
		case []any:
			for i, e := range t {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(path+"."+k, t[k])
			}
		}
	}
	walk("body", v)
	return out
}

// tokenRE finds {{...}} tokens, whatever is inside.
var tokenRE = regexp.MustCompile(`\{\{[^{}]*\}\}`)

// tokenProblems checks every {{...}} token of text: each must be {{STEP.id}} with STEP an
// earlier step.
func tokenProblems(text string, earlier map[string]bool) []string {
	var out []string
	for _, tok := range tokenRE.FindAllString(text, -1) {
		m := placeholderRE.FindStringSubmatch(tok)
		switch {
		case m == nil || m[0] != tok:
			out = append(out, fmt.Sprintf("%s is not a placeholder: write {{STEP.id}} with the id of an earlier step", tok))
		case !earlier[m[1]]:
			out = append(out, fmt.Sprintf("placeholder %s names no earlier step", tok))
		}
	}
	if rest := tokenRE.ReplaceAllString(text, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
		out = append(out, fmt.Sprintf("%q has an unclosed {{ or a stray }}: write placeholders as {{STEP.id}}", text))
	}
	return out
}

// bodyProblems runs the wizard's validators on a request body.
func bodyProblems(body any, now time.Time) []FieldError {
	var errs fieldErrors
	switch b := body.(type) {
	case *okta.Policy:
		checkPolicyType(&errs, b.Type)
		errs.check("name", ValidateName("Policy name")(b.Name))
		errs.check("description", ValidateDescription("Policy description")(b.Description))
	case *okta.Rule:
		checkPolicyType(&errs, b.Type)
		errs.check("name", ValidateName("Rule name")(b.Name))
		if b.Priority != nil {
			errs.check("priority", checkPriority(*b.Priority))
		}
		if a := b.Actions; a != nil && a.AppSignOn != nil && !oneOf(a.AppSignOn.Access, AccessAllow, AccessDeny) {
			errs.add("actions.appSignOn.access", "access %q is not a choice: choose ALLOW or DENY", a.AppSignOn.Access)
		}
		if c := b.Conditions; c != nil && c.Device != nil && c.Device.Managed != nil && *c.Device.Managed &&
			(c.Device.Registered == nil || !*c.Device.Registered) {
			errs.add("conditions.device.managed", "managed devices must be registered too: set registered: true or drop managed")
		}
	case *okta.MappingRequest:
		if !placeholderRE.MatchString(b.ResourceID) {
			errs.check("resourceId", ValidateID("Mapped policy")(b.ResourceID))
		}
		if b.ResourceType != string(okta.TypeAccessPolicy) {
			errs.add("resourceType", "resource type %q is not a choice: a signal collection policy is mapped to an ACCESS_POLICY", b.ResourceType)
		}
	case *okta.DeviceAssurance:
		errs = append(errs, assuranceBodyProblems(*b, now)...)
	}
	return errs
}

func checkPolicyType(errs *fieldErrors, t okta.PolicyType) {
	if t != okta.TypeAccessPolicy && t != okta.TypeDeviceSignalCollection {
		errs.add("type", "type %q is not one the wizard writes: use %s or %s", t, okta.TypeAccessPolicy, okta.TypeDeviceSignalCollection)
	}
}

// assuranceBodyProblems checks a device assurance body as the wizard checks its form: the body
// is read back into the form's answers and validated; an expiry that does not parse is
// reported as such rather than as a missing value.
func assuranceBodyProblems(a okta.DeviceAssurance, now time.Time) []FieldError {
	var expiryErr error
	if g := a.GracePeriod; g != nil {
		switch g.Type {
		case okta.GraceByDuration:
			_, expiryErr = ParseISODuration(g.Expiry)
		case okta.GraceByDateTime:
			if _, err := time.Parse(time.RFC3339, g.Expiry); err != nil {
				expiryErr = fmt.Errorf("due date %q is not a date and time like 2026-12-31T17:00:00.000Z", g.Expiry)
			}
		default:
			return append(fieldErrors{{Field: "gracePeriod.type", Msg: fmt.Sprintf("grace period type %q is not a choice: choose %s or %s", g.Type, okta.GraceByDuration, okta.GraceByDateTime)}},
				assuranceDraftProblems(a, now, "gracePeriod")...)
		}
	}
	errs := assuranceDraftProblems(a, now, "")
	if expiryErr != nil {
		errs = append(assuranceDraftProblems(a, now, "gracePeriod.expiry"), FieldError{Field: "gracePeriod.expiry", Msg: expiryErr.Error()})
	}
	return errs
}

// assuranceDraftProblems validates a body as the wizard's form, leaving out the errors of field
// skip (already reported more precisely).
func assuranceDraftProblems(a okta.DeviceAssurance, now time.Time, skip string) []FieldError {
	d := DraftFromAssurance(a, now.Location())
	d.Original = nil // a body is checked for itself, whether it creates or replaces
	if skip == "gracePeriod" {
		d.GraceMode = GraceNone
	}
	var out []FieldError
	for _, fe := range d.Validate(now) {
		if skip == "" || fe.Field != skip {
			out = append(out, fe)
		}
	}
	return out
}
