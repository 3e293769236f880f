package ui

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

func TestDbgRules(t *testing.T) {
	_, api := shellSandbox(t, sandbox.Options{})
	ctx := context.Background()
	pol, _ := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Has device rule"}, true)
	yes := true
	r, err := api.CreateRule(ctx, pol.ID, okta.Rule{
		Type: okta.TypeAccessPolicy, Name: "Registered only",
		Conditions: &okta.RuleConditions{Device: &okta.DeviceCondition{Registered: &yes}},
		Actions:    &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: flows.AccessAllow}},
	}, true)
	b, _ := json.Marshal(r)
	t.Log(string(b), err)
	rules, err := api.ListRules(ctx, pol.ID)
	b, _ = json.Marshal(rules)
	t.Log(string(b), err)
}
