package flows

import (
	"context"
	"fmt"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// AppProtection is an app to protect with a flow's app sign-in policy, as picked from the org.
// PreviousPolicyID is the policy the app uses now: a roll back assigns it again. It is also
// the before-image (Step.Before) of the assignAppPolicy step.
type AppProtection struct {
	AppID              string `json:"appId"`
	AppLabel           string `json:"appLabel,omitempty"`
	PreviousPolicyID   string `json:"previousPolicyId"`
	PreviousPolicyName string `json:"previousPolicyName,omitempty"`
}

// ProtectionOf is the protection of app as read from the org; policyName names its current
// policy (may be "").
func ProtectionOf(app okta.App, policyName string) AppProtection {
	return AppProtection{AppID: app.ID, AppLabel: app.Label, PreviousPolicyID: app.AccessPolicyID, PreviousPolicyName: policyName}
}

// ProtectStepID names the n-th app assignment step (1-based).
func ProtectStepID(n int) string { return fmt.Sprintf("protect-app-%d", n) }

func (a AppProtection) label() string {
	if a.AppLabel != "" {
		return a.AppLabel
	}
	return a.AppID
}

// checkProtectApps validates the apps picked for protection under field.
func checkProtectApps(errs *fieldErrors, field string, apps []AppProtection) {
	ids := make([]string, len(apps))
	for i, a := range apps {
		ids[i] = a.AppID
		errs.check(fmt.Sprintf("%s[%d].previousPolicyId", field, i), ValidateID("The app's current sign-in policy")(a.PreviousPolicyID))
	}
	checkIDList(errs, field, "App", ids)
}

// protectSteps are the assignments of apps to policyID (an id or a placeholder), each after
// deps; apps that use the policy already need no request.
func protectSteps(apps []AppProtection, stage int, policyID, policyName string, deps []string) []Step {
	var out []Step
	for _, a := range apps {
		if a.PreviousPolicyID == policyID {
			continue
		}
		before := a
		from := ""
		if a.PreviousPolicyName != "" {
			from = fmt.Sprintf(" (instead of “%s”)", a.PreviousPolicyName)
		}
		out = append(out, Step{
			ID: ProtectStepID(len(out) + 1), Stage: stage,
			Title:    fmt.Sprintf("Protect app “%s” with “%s”%s", strings.TrimSpace(a.label()), policyName, from),
			Action:   ActAssignAppPolicy,
			PolicyID: policyID, ObjectID: a.AppID,
			Before:    &before,
			DependsOn: append([]string(nil), deps...),
		})
	}
	return out
}

// readApps lists every app (for app references by label or id).
var readApps = read{key: "apps", load: func(ctx context.Context, api okta.API) (any, error) {
	apps, err := api.ListApps(ctx, okta.AppQuery{})
	if err != nil {
		return nil, fmt.Errorf("listing apps: %w", err)
	}
	return apps, nil
}}

// app finds an app by id among the apps read (nil when the org has none).
func (x *Reads) app(ctx context.Context, id string) (*okta.App, error) {
	apps, err := getAs[[]okta.App](ctx, x, readApps)
	if err != nil {
		return nil, err
	}
	for i := range apps {
		if apps[i].ID == id {
			a := apps[i]
			return &a, nil
		}
	}
	return nil, nil
}

// refreshAppBefore records the policy the assignment's app uses in this org now, which a roll
// back gives back.
func refreshAppBefore(ctx context.Context, x *Reads, s *Step) error {
	if isPlaceholder(s.ObjectID) {
		return nil
	}
	a, err := x.app(ctx, s.ObjectID)
	if err != nil {
		return err
	}
	if a == nil {
		return notFoundIn(x, "app", s.ObjectID)
	}
	prev := ProtectionOf(*a, "")
	if old, ok := s.Before.(*AppProtection); ok && old != nil && old.PreviousPolicyID == prev.PreviousPolicyID {
		prev.PreviousPolicyName = old.PreviousPolicyName
	}
	s.Before = &prev
	return nil
}
