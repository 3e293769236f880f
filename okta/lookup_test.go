package okta_test

import (
	"context"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

func groupNames(gs []okta.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Profile.Name)
	}
	return out
}

func TestFindGroupsByNameSearchesExactlyInOneRequest(t *testing.T) {
	trips := &sandboxtest.Trips{}
	srv, api := sandboxtest.Start(t, sandboxtest.Transport(trips.Wrap))
	if err := srv.SeedGroups("Sales East", "Sales"); err != nil {
		t.Fatal(err)
	}
	gs, err := api.FindGroupsByName(context.Background(), "Sales")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(groupNames(gs), ",") != "Sales,Sales" {
		t.Fatalf("found %v, want both groups named exactly Sales", groupNames(gs))
	}
	reqs := trips.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Query, "search=profile.name+eq+%22Sales%22") {
		t.Fatalf("requests %+v, want one search", reqs)
	}
}

func TestFindGroupsByNameFallsBackToQueryWhenSearchIsRefused(t *testing.T) {
	trips := &sandboxtest.Trips{}
	_, api := sandboxtest.Start(t, sandboxtest.Transport(trips.Wrap), sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/groups", Nth: 1}}}))
	gs, err := api.FindGroupsByName(context.Background(), "Engineering")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Profile.Name != "Engineering" {
		t.Fatalf("found %v", groupNames(gs))
	}
	reqs := trips.Requests()
	if len(reqs) != 2 || !strings.Contains(reqs[1].Query, "q=Engineering") {
		t.Fatalf("requests %+v, want the refused search then q=", reqs)
	}
}

// A q= answer is capped and never paged: when it is full, the group may be past the cap.
func TestFindGroupsByNameListsEverythingWhenTheQueryAnswerIsCapped(t *testing.T) {
	trips := &sandboxtest.Trips{}
	srv, api := sandboxtest.Start(t, sandboxtest.Transport(trips.Wrap), sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "GET", Path: "/api/v1/groups", Nth: 1}}}))
	var names []string
	for i := 0; i < 320; i++ {
		names = append(names, "Team "+strings.Repeat("z", i%9)+string(rune('a'+i%26)))
	}
	// The group asked for comes after 300 others that share its prefix.
	if err := srv.SeedGroups(append(names, "Team")...); err != nil {
		t.Fatal(err)
	}
	gs, err := api.FindGroupsByName(context.Background(), "Team")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Profile.Name != "Team" {
		t.Fatalf("found %v, want the one group named Team", groupNames(gs))
	}
	if reqs := trips.Requests(); len(reqs) != 3 || reqs[2].Query != "" {
		t.Fatalf("requests %+v, want search, q=, then the full list", reqs)
	}
}

func TestFindIdentityProvidersByNameIsExact(t *testing.T) {
	_, api := sandboxtest.Start(t)
	idps, err := api.FindIdentityProvidersByName(context.Background(), "Device Posture Provider")
	if err != nil || len(idps) != 1 || idps[0].Name != "Device Posture Provider" {
		t.Fatalf("found %v, %v", idps, err)
	}
	if idps, err := api.FindIdentityProvidersByName(context.Background(), "Device"); err != nil || len(idps) != 0 {
		t.Fatalf("a prefix matched %v, %v", idps, err)
	}
}

func TestSearchPoliciesNarrowsByNameAndEmbedsRules(t *testing.T) {
	trips := &sandboxtest.Trips{}
	srv, api := sandboxtest.Start(t, sandboxtest.Transport(trips.Wrap))
	if err := srv.SeedLarge(12, 3, 0); err != nil {
		t.Fatal(err)
	}
	const prefix = "Load Test App Policy 0001"
	all, err := api.ListPolicies(context.Background(), okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, p := range all {
		if strings.HasPrefix(p.Name, prefix) {
			want++
		}
	}
	trips.Reset()
	ps, err := api.SearchPolicies(context.Background(), okta.TypeAccessPolicy, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != want || want == 0 || want == len(all) {
		t.Fatalf("found %d policies, want the %d of %d named %s...", len(ps), want, len(all), prefix)
	}
	for _, p := range ps {
		if !p.RulesEmbedded || len(p.Rules) != 4 {
			t.Fatalf("%s: embedded %v, %d rules; want its 4 rules", p.Name, p.RulesEmbedded, len(p.Rules))
		}
		if _, kept := p.Extra["_embedded"]; kept {
			t.Fatalf("%s keeps _embedded among members sent back on replace", p.Name)
		}
	}
	if len(trips.Requests()) != 1 {
		t.Fatalf("%d requests, want 1", len(trips.Requests()))
	}
}

// _embedded is read-only: a policy read with its rules is sent back without them.
func TestPolicyWithEmbeddedRulesIsSentBackWithoutThem(t *testing.T) {
	var p okta.Policy
	if err := p.UnmarshalJSON([]byte(`{"id":"rst1","type":"ACCESS_POLICY","name":"A","conditions":null,"_embedded":{"rules":[{"id":"r1","type":"ACCESS_POLICY","name":"R"}]}}`)); err != nil {
		t.Fatal(err)
	}
	if !p.RulesEmbedded || len(p.Rules) != 1 || p.Rules[0].Name != "R" {
		t.Fatalf("rules %+v embedded %v", p.Rules, p.RulesEmbedded)
	}
	out, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "_embedded") || !strings.Contains(string(out), `"conditions":null`) {
		t.Fatalf("sent back %s", out)
	}
}
