package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// ErrMalformed is a body that is not one JSON object of the request's shape: Okta answers it
// with 400 E0000003 (recorded for the array form the spec's schema describes).
var ErrMalformed = errors.New("the request body was not well-formed")

// Cause is one reason a well-formed request is refused (400 E0000001).
type Cause struct{ Field, Message string }

func (c Cause) String() string { return c.Field + ": " + c.Message }

// InvalidError lists every cause of a refused request.
type InvalidError struct{ Causes []Cause }

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Causes))
	for i, c := range e.Causes {
		parts[i] = c.String()
	}
	return "invalid simulation: " + strings.Join(parts, "; ")
}

// Platforms a simulated device may have.
var Platforms = []string{"ANDROID", "CHROMEOS", "IOS", "MACOS", "WINDOWS", "OTHER"}

// RiskLevels a simulated sign-in may have.
var RiskLevels = []string{"LOW", "MEDIUM", "HIGH"}

// ParseRequest decodes and validates a request body: ErrMalformed or *InvalidError.
func ParseRequest(b []byte) (okta.SimulationRequest, error) {
	var req okta.SimulationRequest
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return req, ErrMalformed
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&req); err != nil {
		return okta.SimulationRequest{}, ErrMalformed
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return okta.SimulationRequest{}, ErrMalformed
	}
	if causes := Validate(req); len(causes) > 0 {
		return req, &InvalidError{Causes: causes}
	}
	return req, nil
}

// Validate lists what is wrong with a request, in field order; nil when it can be evaluated.
func Validate(req okta.SimulationRequest) []Cause {
	var out []Cause
	bad := func(field, msg string) { out = append(out, Cause{field, msg}) }
	if strings.TrimSpace(req.AppInstance) == "" {
		bad("appInstance", "The field cannot be left blank.")
	}
	for _, t := range req.PolicyTypes {
		if !slices.Contains(PolicyTypes, t) {
			bad("policyTypes", fmt.Sprintf("'%s' is not a policy type a simulation evaluates; use %s.", t, strings.Join(PolicyTypes, ", ")))
		}
	}
	pc := req.PolicyContext
	switch {
	case pc.User == nil && pc.Groups == nil:
		bad("policyContext", "Give a user or groups to simulate the sign-in of.")
	case pc.User != nil && pc.Groups != nil:
		bad("policyContext", "Only user IDs or Group IDs are allowed, not both.")
	case pc.User != nil && strings.TrimSpace(pc.User.ID) == "":
		bad("policyContext.user.id", "The field cannot be left blank.")
	case pc.Groups != nil && len(pc.Groups.IDs) == 0:
		bad("policyContext.groups.ids", "Give at least one group id.")
	}
	if d := pc.Device; d != nil {
		if d.Platform != "" && !slices.Contains(Platforms, d.Platform) {
			bad("policyContext.device.platform", fmt.Sprintf("'%s' is not a platform; use %s.", d.Platform, strings.Join(Platforms, ", ")))
		}
		if d.Managed != nil && *d.Managed && d.Registered != nil && !*d.Registered {
			bad("policyContext.device.managed", "A managed device must be registered.")
		}
	}
	if r := pc.Risk; r != nil && !slices.Contains(RiskLevels, r.Level) {
		bad("policyContext.risk.level", fmt.Sprintf("'%s' is not a risk level; use %s.", r.Level, strings.Join(RiskLevels, ", ")))
	}
	return out
}
