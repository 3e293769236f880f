package okta

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// App is the part of an application the wizard shows and protects (spec: Application).
// AccessPolicyID is the app sign-in policy Okta links under _links.accessPolicy; it is filled
// when an App is decoded and never sent.
type App struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Label          string     `json:"label"`
	Status         string     `json:"status"`
	SignOnMode     string     `json:"signOnMode"`
	Created        *time.Time `json:"created,omitempty"`
	LastUpdated    *time.Time `json:"lastUpdated,omitempty"`
	Links          Links      `json:"_links,omitempty"`
	AccessPolicyID string     `json:"-"`
	Extra          Extra      `json:"-"`
}

type plainApp App

func (a *App) UnmarshalJSON(b []byte) error {
	if err := unmarshalKeepingExtra(b, (*plainApp)(a), &a.Extra); err != nil {
		return err
	}
	a.AccessPolicyID = linkedID(a.Links, "accessPolicy")
	return nil
}
func (a App) MarshalJSON() ([]byte, error) { return marshalWithExtra(plainApp(a), a.Extra) }

// linkedID is the last path segment of the link named name ("" when there is none).
func linkedID(links Links, name string) string {
	raw, ok := links[name]
	if !ok {
		return ""
	}
	var l Link
	if json.Unmarshal(raw, &l) != nil || l.Href == "" {
		return ""
	}
	u, err := url.Parse(l.Href)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// AppQuery selects apps: Q matches the start of name or label, Filter is an Okta filter
// expression (e.g. `status eq "ACTIVE"`), Limit is the page size (0 = the server default).
type AppQuery struct {
	Q      string
	Filter string
	Limit  int
}

func appPath(id string) string { return "/api/v1/apps/" + url.PathEscape(id) }

// ListApps returns every app q selects, following every page.
func (c *Client) ListApps(ctx context.Context, q AppQuery) ([]App, error) {
	all := []App{}
	err := c.ListAppsPaged(ctx, q, func(p []App) error {
		all = append(all, p...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ListAppsPaged hands each page of apps q selects to page as it arrives.
func (c *Client) ListAppsPaged(ctx context.Context, q AppQuery, page func([]App) error) error {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Filter != "" {
		v.Set("filter", q.Filter)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return pagesOf(ctx, c, "/api/v1/apps", v, page)
}

// GetApp reads one app.
func (c *Client) GetApp(ctx context.Context, id string) (*App, error) {
	var a App
	if err := c.getJSON(ctx, appPath(id), nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// AssignAppPolicy makes policyID the app sign-in policy of appID (PUT, 204), replacing the
// app's previous one. When the answer is lost the app is read back: already linked to
// policyID means applied; otherwise the idempotent PUT is sent once more.
func (c *Client) AssignAppPolicy(ctx context.Context, appID, policyID string) error {
	if appID == "" || policyID == "" {
		return errors.New("AssignAppPolicy: an app id and a policy id are required")
	}
	path := appPath(appID) + "/policies/" + url.PathEscape(policyID)
	_, err := c.call(ctx, http.MethodPut, path, nil, nil)
	if err == nil || !lostResponse(err) {
		return err
	}
	app, gerr := c.GetApp(ctx, appID)
	if gerr != nil {
		return outcomeUnknown(http.MethodPut, path, err, gerr)
	}
	if app.AccessPolicyID == policyID {
		notify(ctx, Notice{Kind: NoticeReconciled, Method: http.MethodPut, Path: path, Detail: "the answer was lost; reading the app back shows the policy assigned"})
		return nil
	}
	if _, err2 := c.call(ctx, http.MethodPut, path, nil, nil); err2 != nil {
		if lostResponse(err2) {
			return outcomeUnknown(http.MethodPut, path, err2, nil)
		}
		return err2
	}
	return nil
}

// ListPolicyApps lists the apps an app sign-in policy protects (all pages).
func (c *Client) ListPolicyApps(ctx context.Context, policyID string) ([]App, error) {
	return listAll[App](ctx, c, policyPath(policyID)+"/app", nil)
}

// User is the part of a user the wizard shows (spec: User).
type User struct {
	ID      string      `json:"id"`
	Status  string      `json:"status"`
	Profile UserProfile `json:"profile"`
}

// UserProfile holds the user's login and name.
type UserProfile struct {
	Login     string `json:"login"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// ListUsers lists users whose login, email, first or last name starts with q ("" = all).
func (c *Client) ListUsers(ctx context.Context, q string) ([]User, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	return listAll[User](ctx, c, "/api/v1/users", v)
}

// ListUserGroups lists the groups a user belongs to.
func (c *Client) ListUserGroups(ctx context.Context, userID string) ([]Group, error) {
	return listAll[Group](ctx, c, "/api/v1/users/"+url.PathEscape(userID)+"/groups", nil)
}
