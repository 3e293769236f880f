package signin

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Query is the sign-in to try, as the admin picked it.
type Query struct {
	AppID string
	// Who is a group id, or whoUser for the user User (a login or an id).
	Who  string
	User string
	// Platform is an okta.Platform* value; "" says nothing about the device's platform.
	Platform            string
	Registered, Managed bool
	// AssuranceID is the device assurance policy the device passes ("" none).
	AssuranceID string
	// ZoneID is the network zone the sign-in comes from ("" any network).
	ZoneID string
}

// whoUser is the picker value of Query.Who for "a user", besides group ids.
const whoUser = "\x00user"

// orgChoices is what the pickers list, read from the org when the screen opens.
type orgChoices struct {
	apps       []okta.App
	groups     []okta.Group
	zones      []okta.NetworkZone
	assurances []okta.DeviceAssurance
	// policyNames names the app sign-in policies, to say which one an app uses.
	policyNames map[string]string
	// movedByPlan are the apps the plan under prediction gives another policy.
	movedByPlan map[string]bool
}

// loadChoices reads the apps, groups, zones and device assurance policies to pick from.
func loadChoices(ctx context.Context, api okta.API) (orgChoices, error) {
	var o orgChoices
	var err error
	if o.apps, err = api.ListApps(ctx, okta.AppQuery{}); err != nil {
		return o, fmt.Errorf("listing apps: %w", err)
	}
	policies, err := api.ListPolicies(ctx, okta.TypeAccessPolicy)
	if err != nil {
		return o, fmt.Errorf("listing app sign-in policies: %w", err)
	}
	o.policyNames = map[string]string{}
	for _, p := range policies {
		o.policyNames[p.ID] = p.Name
	}
	if o.groups, err = api.ListGroups(ctx); err != nil {
		return o, fmt.Errorf("listing groups: %w", err)
	}
	if o.zones, err = api.ListNetworkZones(ctx); err != nil {
		return o, fmt.Errorf("listing network zones: %w", err)
	}
	if o.assurances, err = api.ListDeviceAssurances(ctx); err != nil {
		return o, fmt.Errorf("listing device assurance policies: %w", err)
	}
	sort.SliceStable(o.apps, func(i, j int) bool { return lower(o.apps[i].Label) < lower(o.apps[j].Label) })
	// Everyone first: every user is in it, so it is the plainest "who".
	sort.SliceStable(o.groups, func(i, j int) bool {
		ei, ej := o.groups[i].Profile.Name == "Everyone", o.groups[j].Profile.Name == "Everyone"
		if ei != ej {
			return ei
		}
		return lower(o.groups[i].Profile.Name) < lower(o.groups[j].Profile.Name)
	})
	return o, nil
}

func lower(s string) string { return strings.ToLower(s) }

// platformChoices are the device platforms a sign-in can come from.
var platformChoices = []struct{ label, value string }{
	{"macOS", okta.PlatformMacOS}, {"Windows", okta.PlatformWindows}, {"iOS", okta.PlatformIOS},
	{"Android", okta.PlatformAndroid}, {"ChromeOS", okta.PlatformChromeOS},
}

// chosenFirst moves the option already chosen to the top: huh scrolls a select so that its
// chosen option is the first line shown, which would hide the options above it.
func chosenFirst(opts []huh.Option[string], chosen string) []huh.Option[string] {
	i := slices.IndexFunc(opts, func(o huh.Option[string]) bool { return o.Value == chosen })
	if i <= 0 {
		return opts
	}
	out := append([]huh.Option[string]{opts[i]}, opts[:i]...)
	return append(out, opts[i+1:]...)
}

func yesNo() []huh.Option[bool] {
	return []huh.Option[bool]{huh.NewOption("Yes", true), huh.NewOption("No", false)}
}

func platformLabel(v string) string {
	for _, p := range platformChoices {
		if p.value == v {
			return p.label
		}
	}
	return v
}

// newForm builds the three pages of the sign-in: app, who, device and network.
func newForm(q *Query, o orgChoices, listHeight int) *huh.Form {
	appOpts := make([]huh.Option[string], 0, len(o.apps))
	for _, a := range o.apps {
		label := a.Label + "  · no app sign-in policy"
		if name, ok := o.policyNames[a.AccessPolicyID]; ok {
			label = a.Label + "  · policy “" + name + "”"
		}
		if o.movedByPlan[a.ID] {
			label = a.Label + "  · the policy this plan gives it"
		}
		appOpts = append(appOpts, huh.NewOption(label, a.ID))
	}
	if q.AppID == "" && len(o.apps) > 0 {
		q.AppID = o.apps[0].ID
	}
	whoOpts := []huh.Option[string]{}
	if q.Who == "" && len(o.groups) > 0 {
		q.Who = o.groups[0].ID
	}
	for _, g := range o.groups {
		whoOpts = append(whoOpts, huh.NewOption("Group: "+g.Profile.Name, g.ID))
	}
	whoOpts = append(whoOpts, huh.NewOption("A user (type their login or id)", whoUser))
	platOpts := make([]huh.Option[string], 0, len(platformChoices))
	for _, p := range platformChoices {
		platOpts = append(platOpts, huh.NewOption(p.label, p.value))
	}
	if q.Platform == "" {
		q.Platform = okta.PlatformMacOS
	}
	daOpts := []huh.Option[string]{huh.NewOption("none", "")}
	for _, d := range o.assurances {
		daOpts = append(daOpts, huh.NewOption(d.Name, d.ID))
	}
	zoneOpts := []huh.Option[string]{huh.NewOption("any network (no zone)", "")}
	for _, z := range o.zones {
		zoneOpts = append(zoneOpts, huh.NewOption(z.Name, z.ID))
	}
	return huh.NewForm(
		huh.NewGroup(huh.NewSelect[string]().Title("App signed in to").
			Description("Okta evaluates the app sign-in policy of this app. / filters.").
			Options(chosenFirst(appOpts, q.AppID)...).Height(min(len(appOpts)+3, listHeight)).Value(&q.AppID)),
		huh.NewGroup(huh.NewSelect[string]().Title("Who signs in").
			Description("Rules match people by group or user. / filters.").
			Options(chosenFirst(whoOpts, q.Who)...).Height(min(len(whoOpts)+3, listHeight)).Value(&q.Who)),
		huh.NewGroup(huh.NewInput().Title("User: login or id").Placeholder("e.g. pat@example.com or 00u…").Value(&q.User).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return fmt.Errorf("type the user's login or id, or go back (shift+tab) and pick a group")
				}
				return nil
			})).WithHideFunc(func() bool { return q.Who != whoUser }),
		huh.NewGroup(
			huh.NewSelect[string]().Title("Platform").Inline(true).Options(platOpts...).Value(&q.Platform),
			// Yes/no as selects: they show the answer as text, which a confirm does not under
			// NO_COLOR.
			huh.NewSelect[bool]().Title("Registered with Okta Verify?").Inline(true).Options(yesNo()...).Value(&q.Registered),
			huh.NewSelect[bool]().Title("Managed (MDM)?").Inline(true).Options(yesNo()...).Value(&q.Managed),
			huh.NewSelect[string]().Title("Passes device assurance").Inline(true).Options(daOpts...).Value(&q.AssuranceID),
			huh.NewSelect[string]().Title("Network zone").Inline(true).Options(zoneOpts...).Value(&q.ZoneID),
		).Description("The device and network of the sign-in; ←/→ change, enter goes on."),
	).WithTheme(huh.ThemeBase16()).WithShowHelp(false)
}

// describe is the sign-in in one line, as the result repeats it.
func (q Query) describe(o orgChoices) string {
	parts := []string{labelOf(o.apps, q.AppID, func(a okta.App) (string, string) { return a.ID, a.Label })}
	switch q.Who {
	case whoUser:
		parts = append(parts, "user "+strings.TrimSpace(q.User))
	default:
		parts = append(parts, "group "+labelOf(o.groups, q.Who, func(g okta.Group) (string, string) { return g.ID, g.Profile.Name }))
	}
	dev := platformLabel(q.Platform)
	if q.Registered {
		dev += ", registered"
	} else {
		dev += ", not registered"
	}
	if q.Managed {
		dev += ", managed"
	}
	if q.AssuranceID != "" {
		dev += ", passes " + labelOf(o.assurances, q.AssuranceID, func(d okta.DeviceAssurance) (string, string) { return d.ID, d.Name })
	}
	parts = append(parts, dev)
	if q.ZoneID != "" {
		parts = append(parts, "from "+labelOf(o.zones, q.ZoneID, func(z okta.NetworkZone) (string, string) { return z.ID, z.Name }))
	} else {
		parts = append(parts, "any network")
	}
	return strings.Join(parts, " · ")
}

// labelOf names the item with id, or gives the id when the list lacks it.
func labelOf[T any](items []T, id string, idAndName func(T) (string, string)) string {
	for _, it := range items {
		if i, n := idAndName(it); i == id {
			return n
		}
	}
	return id
}
