package sandboxtest

import (
	"context"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// GroupID returns the id of the group named name; the test fails when there is none.
func GroupID(t testing.TB, api okta.API, name string) string {
	t.Helper()
	list, err := api.ListGroups(context.Background())
	return idNamed(t, "group", name, list, err, func(g okta.Group) (string, string) { return g.Profile.Name, g.ID })
}

// IdPID returns the id of the identity provider named name; the test fails when there is none.
func IdPID(t testing.TB, api okta.API, name string) string {
	t.Helper()
	list, err := api.ListIdentityProviders(context.Background())
	return idNamed(t, "IdP", name, list, err, func(x okta.IdentityProvider) (string, string) { return x.Name, x.ID })
}

// ZoneID returns the id of the network zone named name; the test fails when there is none.
func ZoneID(t testing.TB, api okta.API, name string) string {
	t.Helper()
	list, err := api.ListNetworkZones(context.Background())
	return idNamed(t, "zone", name, list, err, func(x okta.NetworkZone) (string, string) { return x.Name, x.ID })
}

// PolicyID returns the id of the policy of type typ named name; the test fails when there is none.
func PolicyID(t testing.TB, api okta.API, typ okta.PolicyType, name string) string {
	t.Helper()
	list, err := api.ListPolicies(context.Background(), typ)
	return idNamed(t, "policy", name, list, err, func(x okta.Policy) (string, string) { return x.Name, x.ID })
}

func idNamed[T any](t testing.TB, what, name string, list []T, err error, nameAndID func(T) (string, string)) string {
	t.Helper()
	if err != nil {
		t.Fatalf("listing to find %s %q: %v", what, name, err)
	}
	for _, x := range list {
		if n, id := nameAndID(x); n == name {
			return id
		}
	}
	t.Fatalf("no %s %q", what, name)
	return ""
}
