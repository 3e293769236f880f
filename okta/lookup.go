package okta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Lookups by name ask Okta for the few objects that can match instead of listing everything,
// so a run's reads before its writes stay one short wave however large the org is.

// groupQueryCap is how many groups Okta answers to q= at most (its default limit; q answers
// are never paged): an answer this long may have left the group out.
const groupQueryCap = 300

// SearchPolicies returns the policies of type t whose name starts with namePrefix, every page,
// with expand=rules so the rules come in the same answer where the org embeds them.
func (c *Client) SearchPolicies(ctx context.Context, t PolicyType, namePrefix string) ([]Policy, error) {
	if t == "" {
		return nil, errors.New("SearchPolicies: a policy type is required")
	}
	q := url.Values{"type": {string(t)}, "expand": {"rules"}, "limit": {strconv.Itoa(policyPageSize)}}
	if namePrefix != "" {
		q.Set("q", namePrefix)
	}
	return listAll[Policy](ctx, c, "/api/v1/policies", q)
}

// FindGroupsByName returns the groups whose profile.name is exactly name. It asks with
// search= (exact and paged); an org that refuses the expression is asked with q= (a prefix,
// capped at groupQueryCap answers), and an answer that reaches the cap is not trusted to hold
// every match: then every group is listed.
func (c *Client) FindGroupsByName(ctx context.Context, name string) ([]Group, error) {
	named := func(gs []Group) []Group {
		out := []Group{}
		for _, g := range gs {
			if g.Profile.Name == name {
				out = append(out, g)
			}
		}
		return out
	}
	search := url.Values{"search": {`profile.name eq "` + filterString(name) + `"`}}
	gs, err := listAll[Group](ctx, c, "/api/v1/groups", search)
	if err == nil {
		return named(gs), nil
	}
	var oe *Error
	if !errors.As(err, &oe) || oe.Status != http.StatusBadRequest {
		return nil, err
	}
	gs, err = listAll[Group](ctx, c, "/api/v1/groups", url.Values{"q": {name}, "limit": {strconv.Itoa(groupQueryCap)}})
	if err != nil {
		return nil, err
	}
	if len(gs) < groupQueryCap {
		return named(gs), nil
	}
	all, err := c.ListGroups(ctx)
	if err != nil {
		return nil, err
	}
	return named(all), nil
}

// FindIdentityProvidersByName returns the identity providers named exactly name (q= matches
// names loosely, so the answer is filtered; every page is read).
func (c *Client) FindIdentityProvidersByName(ctx context.Context, name string) ([]IdentityProvider, error) {
	idps, err := listAll[IdentityProvider](ctx, c, "/api/v1/idps", url.Values{"q": {name}})
	if err != nil {
		return nil, err
	}
	out := []IdentityProvider{}
	for _, i := range idps {
		if i.Name == name {
			out = append(out, i)
		}
	}
	return out, nil
}

// filterString escapes s for a double-quoted string in an Okta filter expression.
func filterString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
