package okta_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

func appLabels(apps []okta.App) []string {
	var out []string
	for _, a := range apps {
		out = append(out, a.Label)
	}
	return out
}

func appLabeled(t *testing.T, apps []okta.App, label string) okta.App {
	t.Helper()
	for _, a := range apps {
		if a.Label == label {
			return a
		}
	}
	t.Fatalf("no app %q among %v", label, appLabels(apps))
	return okta.App{}
}

func TestListAppsGivesEachAppItsSignInPolicyFromTheAccessPolicyLink(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	apps, err := c.ListApps(ctx, okta.AppQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Okta Admin Console", "Okta Dashboard", "Expense Portal", "Salesforce.com", "Workday"} {
		appLabeled(t, apps, want)
	}
	sf := appLabeled(t, apps, "Salesforce.com")
	if sf.SignOnMode != "SAML_2_0" || sf.Name != "salesforce" || sf.Status != okta.StatusActive {
		t.Fatalf("Salesforce.com = %+v", sf)
	}
	if want := sandboxtest.PolicyID(t, c, okta.TypeAccessPolicy, "Any two factors"); sf.AccessPolicyID != want {
		t.Fatalf("Salesforce.com policy = %q, want Any two factors %q", sf.AccessPolicyID, want)
	}
	admin := appLabeled(t, apps, "Okta Admin Console")
	if want := sandboxtest.PolicyID(t, c, okta.TypeAccessPolicy, "Okta Admin Console"); admin.AccessPolicyID != want {
		t.Fatalf("Admin Console policy = %q, want %q", admin.AccessPolicyID, want)
	}
	if _, ok := sf.Extra["credentials"]; !ok {
		t.Fatalf("members not modelled are lost: %v", sf.Extra)
	}
	one, err := c.GetApp(ctx, sf.ID)
	if err != nil || one.Label != "Salesforce.com" || one.AccessPolicyID != sf.AccessPolicyID {
		t.Fatalf("GetApp = %+v, %v", one, err)
	}
}

func TestListAppsFollowsNextLinksPageByPage(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	all, err := c.ListApps(ctx, okta.AppQuery{})
	if err != nil {
		t.Fatal(err)
	}
	rec.reset()
	var pages [][]okta.App
	err = c.ListAppsPaged(ctx, okta.AppQuery{Limit: 3}, func(p []okta.App) error { pages = append(pages, p); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var paged []okta.App
	for i, p := range pages {
		if len(p) > 3 {
			t.Fatalf("page %d has %d apps, limit 3", i, len(p))
		}
		paged = append(paged, p...)
	}
	if !slices.Equal(appLabels(paged), appLabels(all)) {
		t.Fatalf("paged %v, unpaged %v", appLabels(paged), appLabels(all))
	}
	if n := rec.count("GET", exactPath("/api/v1/apps")); n != len(pages) || n < 3 {
		t.Fatalf("%d GETs for %d pages of %d apps", n, len(pages), len(all))
	}
}

func TestListAppsQMatchesTheStartOfNameOrLabelAndFilterSelectsStatus(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	for _, tc := range []struct {
		q    okta.AppQuery
		want []string
	}{
		{okta.AppQuery{Q: "sales"}, []string{"Salesforce.com"}},
		{okta.AppQuery{Q: "Okta D"}, []string{"Okta Dashboard"}},
		{okta.AppQuery{Q: "work"}, []string{"Workday"}},
		{okta.AppQuery{Q: "force"}, nil},
		{okta.AppQuery{Filter: `status eq "INACTIVE"`}, []string{"Legacy Wiki"}},
		{okta.AppQuery{Filter: `name eq "workday" or name eq "slack"`}, []string{"Workday", "Slack"}},
		{okta.AppQuery{Q: "s", Filter: `status eq "ACTIVE"`}, []string{"Okta Admin Console", "Salesforce.com", "Slack"}},
	} {
		got, err := c.ListApps(ctx, tc.q)
		if err != nil {
			t.Fatalf("%+v: %v", tc.q, err)
		}
		if !slices.Equal(appLabels(got), tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.q, appLabels(got), tc.want)
		}
	}
	_, err := c.ListApps(ctx, okta.AppQuery{Filter: `label eq "x"`})
	oe := mustOktaError(t, err, 400, "E0000001")
	if !strings.Contains(oe.Error(), "label") {
		t.Fatalf("unsupported filter field not named: %v", oe)
	}
}

func TestGetUnknownAppIs404NamingTheAppInstance(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	_, err := c.GetApp(testCtx(t), "0oaNOPE")
	oe := mustOktaError(t, err, 404, "E0000007")
	if oe.ErrorSummary != "Not found: Resource not found: 0oaNOPE (AppInstance)" {
		t.Fatalf("summary %q", oe.ErrorSummary)
	}
}

func TestAssignAppPolicyMovesTheAppBetweenPoliciesAndLogsIt(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "Sales apps")}, true)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := c.ListPolicyApps(ctx, p.ID)
	if err != nil || len(empty) != 0 {
		t.Fatalf("a new policy protects %v, %v", appLabels(empty), err)
	}
	apps, _ := c.ListApps(ctx, okta.AppQuery{Q: "Salesforce"})
	sf := appLabeled(t, apps, "Salesforce.com")
	before := sf.AccessPolicyID
	if err := c.AssignAppPolicy(ctx, sf.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetApp(ctx, sf.ID)
	if err != nil || got.AccessPolicyID != p.ID {
		t.Fatalf("after assigning, app policy = %q (%v), want %q", got.AccessPolicyID, err, p.ID)
	}
	now, err := c.ListPolicyApps(ctx, p.ID)
	if err != nil || !slices.Equal(appLabels(now), []string{"Salesforce.com"}) {
		t.Fatalf("new policy protects %v, %v", appLabels(now), err)
	}
	old, _ := c.ListPolicyApps(ctx, before)
	if slices.Contains(appLabels(old), "Salesforce.com") {
		t.Fatalf("previous policy still lists Salesforce.com: %v", appLabels(old))
	}
	events, err := c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "` + sandbox.EventAppPolicyUpdate + `"`})
	if err != nil || len(events) != 1 {
		t.Fatalf("events %v, %v", events, err)
	}
	var targets []string
	for _, tg := range events[0].Target {
		targets = append(targets, tg.ID)
	}
	if !slices.Contains(targets, sf.ID) || !slices.Contains(targets, p.ID) {
		t.Fatalf("event targets %v, want app %s and policy %s", targets, sf.ID, p.ID)
	}
	// Assigning the policy the app already uses changes nothing and logs nothing.
	if err := c.AssignAppPolicy(ctx, sf.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	events, _ = c.QueryLogs(ctx, okta.LogQuery{Filter: `eventType eq "` + sandbox.EventAppPolicyUpdate + `"`})
	if len(events) != 1 {
		t.Fatalf("a no-op assignment logged: %d events", len(events))
	}
}

func TestAssignAppPolicyRefusesWhatOktaRefuses(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	apps, _ := c.ListApps(ctx, okta.AppQuery{})
	wd := appLabeled(t, apps, "Workday")
	admin := sandboxtest.PolicyID(t, c, okta.TypeAccessPolicy, "Okta Admin Console")
	err := c.AssignAppPolicy(ctx, wd.ID, admin)
	oe := mustOktaError(t, err, 400, "E0000001")
	if len(oe.ErrorCauses) != 1 || oe.ErrorCauses[0].ErrorSummary != `This policy belongs to "Okta Admin Console", and re-assignment of this policy is not allowed` {
		t.Fatalf("causes %+v (recorded answer differs)", oe.ErrorCauses)
	}
	dsc, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: uniqueName(t, "dsc")}, true)
	if err != nil {
		t.Fatal(err)
	}
	mustOktaError(t, c.AssignAppPolicy(ctx, wd.ID, dsc.ID), 400, "E0000001")
	mustOktaError(t, c.AssignAppPolicy(ctx, "0oaNOPE", admin), 404, "E0000007")
	mustOktaError(t, c.AssignAppPolicy(ctx, wd.ID, "rstNOPE"), 404, "E0000007")
	if got, _ := c.GetApp(ctx, wd.ID); got.AccessPolicyID != wd.AccessPolicyID {
		t.Fatalf("a refused assignment changed the app: %q", got.AccessPolicyID)
	}
}

func TestDeletingAPolicyAnAppUsesIsRefusedNamingTheApp(t *testing.T) {
	srv := sandboxtest.StartServer(t)
	c, _ := newClient(t, srv)
	ctx := testCtx(t)
	p, err := c.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: uniqueName(t, "p")}, true)
	if err != nil {
		t.Fatal(err)
	}
	apps, _ := c.ListApps(ctx, okta.AppQuery{Q: "Slack"})
	slack := appLabeled(t, apps, "Slack")
	if err := c.AssignAppPolicy(ctx, slack.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	oe := mustOktaError(t, c.DeletePolicy(ctx, p.ID), 400, "E0000001")
	if !strings.Contains(oe.Error(), "Slack") {
		t.Fatalf("refusal does not name the app: %v", oe)
	}
	if err := c.AssignAppPolicy(ctx, slack.ID, slack.AccessPolicyID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePolicy(ctx, p.ID); err != nil {
		t.Fatalf("delete after moving the app back: %v", err)
	}
}

func TestAssignAppPolicyWithALostAnswerIsReconciledBySeeingTheApp(t *testing.T) {
	srv := sandboxtest.StartServer(t, sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultDrop, Method: "PUT", Path: "/api/v1/apps/*/policies/*", Nth: 1},
	}}))
	c, rec := newClient(t, srv)
	ctx := testCtx(t)
	apps, _ := c.ListApps(ctx, okta.AppQuery{Q: "Workday"})
	wd := appLabeled(t, apps, "Workday")
	target := sandboxtest.PolicyID(t, c, okta.TypeAccessPolicy, "Password only")
	if err := c.AssignAppPolicy(ctx, wd.ID, target); err != nil {
		t.Fatalf("lost answer not reconciled: %v", err)
	}
	assertReconciled(t, rec, "PUT", func(p string) bool { return strings.HasSuffix(p, "/policies/"+target) })
	if n := rec.count("PUT", func(p string) bool { return strings.HasPrefix(p, "/api/v1/apps/") }); n != 1 {
		t.Fatalf("PUT sent %d times; the read-back showed it applied", n)
	}
	if got, _ := c.GetApp(ctx, wd.ID); got.AccessPolicyID != target {
		t.Fatalf("app policy %q", got.AccessPolicyID)
	}
}
