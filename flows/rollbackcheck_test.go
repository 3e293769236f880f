package flows_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// unfinishedAssuranceRun runs a plan whose first step creates a device assurance policy and
// whose second is refused, so the journal in dir is kept with one created object.
func unfinishedAssuranceRun(t *testing.T, srv *sandbox.Server, api okta.API, dir string) (journalPath, createdID string) {
	t.Helper()
	ctx := context.Background()
	body := func(name string) *okta.DeviceAssurance {
		return &okta.DeviceAssurance{Name: name, Platform: okta.PlatformIOS, OSVersion: &okta.OSVersion{Minimum: "17.0.0"}}
	}
	plan := flows.Plan{Flow: flows.FlowAssurance, Title: "Two", Steps: []flows.Step{
		{ID: "a", Title: "First", Action: flows.ActCreateDeviceAssurance, Body: body("Run's policy")},
		{ID: "b", Title: "Second", Action: flows.ActCreateDeviceAssurance, Body: body("Refused policy")},
	}}
	srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/device-assurances", Nth: 2}}})
	j, err := flows.NewJournal(dir, plan, api.OrgURL())
	if err != nil {
		t.Fatal(err)
	}
	out, err := flows.RunWith(ctx, api, j, flows.RunOptions{Concurrency: 1}, nil)
	if err == nil {
		t.Fatalf("want the second step refused, got %+v", out)
	}
	srv.SetFaults(sandbox.Faults{})
	return j.Path(), j.Created()["a"]
}

// editJournal points step 0's record of the journal at objectID, as a hand edit would.
func editJournal(t *testing.T, path, objectID string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["steps"].([]any)[0].(map[string]any)["objectId"] = objectID
	raw, _ = json.Marshal(doc)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRollbackRefusesAnObjectTheRunDidNotCreate(t *testing.T) {
	ctx := context.Background()
	srv, api := sandboxtest.Start(t)
	other, err := api.CreateDeviceAssurance(ctx, okta.DeviceAssurance{Name: "Someone else's", Platform: okta.PlatformIOS, OSVersion: &okta.OSVersion{Minimum: "16.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, mine := unfinishedAssuranceRun(t, srv, api, dir)
	editJournal(t, path, other.ID)

	err = flows.Rollback(ctx, api, reopen(t, dir), nil)
	var foreign *flows.ForeignObjectError
	if !errors.As(err, &foreign) || foreign.ID != other.ID {
		t.Fatalf("err = %v, want the foreign object refused", err)
	}
	if _, err := api.GetDeviceAssurance(ctx, other.ID); err != nil {
		t.Errorf("the object the run did not create was deleted: %v", err)
	}
	if _, err := api.GetDeviceAssurance(ctx, mine); err != nil {
		t.Errorf("the run's own object is gone although the roll back refused: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the journal was not kept: %v", err)
	}
}

func TestRollbackRefusesASameNamedObjectOlderThanTheRun(t *testing.T) {
	ctx := context.Background()
	var offset atomic.Int64
	offset.Store(int64(-time.Hour))
	srv, api := sandboxtest.Start(t, sandboxtest.Now(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	policy, err := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: "Shared"}, true)
	if err != nil {
		t.Fatal(err)
	}
	rule := okta.Rule{Type: okta.TypeAccessPolicy, Name: "Old rule", Actions: &okta.RuleActions{AppSignOn: &okta.AppSignOn{Access: "ALLOW"}}}
	old, err := api.CreateRule(ctx, policy.ID, rule, true)
	if err != nil {
		t.Fatal(err)
	}
	offset.Store(0)
	runRule, refused := rule, rule
	runRule.Name, refused.Name = "Run rule", "Refused rule"
	plan := flows.Plan{Flow: flows.FlowAssuranceRule, Title: "Rules", Steps: []flows.Step{
		{ID: "a", Title: "Rule", Action: flows.ActCreateRule, PolicyID: policy.ID, Body: &runRule},
		{ID: "b", Title: "Refused", Action: flows.ActCreateRule, PolicyID: policy.ID, Body: &refused},
	}}
	srv.SetFaults(sandbox.Faults{Rules: []sandbox.FaultRule{{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/rules", Nth: 2}}})
	dir := t.TempDir()
	j, _ := flows.NewJournal(dir, plan, api.OrgURL())
	if _, err := flows.RunWith(ctx, api, j, flows.RunOptions{Concurrency: 1}, nil); err == nil {
		t.Fatal("want the second step refused")
	}
	srv.SetFaults(sandbox.Faults{})
	// Make the older rule look like the run's: same name, in place of the run's rule.
	if err := api.DeleteRule(ctx, policy.ID, j.Created()["a"]); err != nil {
		t.Fatal(err)
	}
	old.Name = "Run rule"
	if _, err := api.ReplaceRule(ctx, policy.ID, *old); err != nil {
		t.Fatal(err)
	}
	editJournal(t, j.Path(), old.ID)

	err = flows.Rollback(ctx, api, reopen(t, dir), nil)
	var foreign *flows.ForeignObjectError
	if !errors.As(err, &foreign) || foreign.ID != old.ID || !strings.Contains(err.Error(), "before the run started") {
		t.Fatalf("err = %v, want the older rule refused", err)
	}
	if _, err := api.GetRule(ctx, policy.ID, old.ID); err != nil {
		t.Errorf("the older rule was deleted: %v", err)
	}
}

func TestRollbackStillDeletesWhatTheRunCreated(t *testing.T) {
	ctx := context.Background()
	srv, api := sandboxtest.Start(t)
	dir := t.TempDir()
	path, mine := unfinishedAssuranceRun(t, srv, api, dir)
	if err := flows.Rollback(ctx, api, reopen(t, dir), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetDeviceAssurance(ctx, mine); !okta.IsNotFound(err) {
		t.Errorf("the run's object survived the roll back: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the journal of a finished roll back remains: %v", err)
	}
}
