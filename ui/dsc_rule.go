package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Stage 4: the signal collection policy's rule: which device context providers collect signals,
// optionally only on some platforms or network zones.
func newStage4(f *dscFlow) *dscStage {
	d := &f.draft
	has := func(p string) bool { return slices.Contains(f.providers, p) }
	return newDSCStage(f, flows.StageDSCRule, []page{
		{
			group: func() *huh.Group {
				return huh.NewGroup(
					huh.NewInput().Title(withDefault(f.c, "Rule name", d.RuleName)).
						Validate(keepOr(&d.RuleName, flows.ValidateName("Signal collection rule name"))).
						CharLimit(flows.MaxNameLength+10).
						Value(&d.RuleName),
					huh.NewMultiSelect[string]().
						Title("Device context providers").
						Description("Where Okta gets device signals from. x toggles.").
						Options(
							huh.NewOption("Okta Verify", okta.ProviderOktaVerify),
							huh.NewOption("Chrome Device Trust", okta.ProviderChromeDeviceTrust),
							huh.NewOption("Device posture IdP (a third-party identity provider)", okta.ProviderDevicePostureIdP),
						).
						Validate(func(v []string) error {
							if len(v) == 0 {
								return errors.New("choose at least one provider (x toggles)")
							}
							return nil
						}).
						Value(&f.providers),
				)
			},
			done: func() {
				d.OktaVerify = has(okta.ProviderOktaVerify)
				d.ChromeDeviceTrust = has(okta.ProviderChromeDeviceTrust)
				switch {
				case !d.OktaVerify:
					d.UserIdentification = ""
				case d.UserIdentification == "":
					d.UserIdentification = flows.UserIdentificationAllow
				}
				if !has(okta.ProviderDevicePostureIdP) {
					d.DevicePostureIdPID = ""
				}
			},
		},
		{
			skip: func() bool { return !has(okta.ProviderOktaVerify) },
			group: func() *huh.Group {
				return huh.NewGroup(
					huh.NewSelect[string]().
						Title("Okta Verify: user identification").
						Options(
							huh.NewOption("ALLOW: Okta Verify may identify the user", flows.UserIdentificationAllow),
							huh.NewOption("IGNORE: collect device signals only", flows.UserIdentificationIgnore),
						).
						Value(&d.UserIdentification),
				)
			},
		},
		{
			skip:  func() bool { return !has(okta.ProviderDevicePostureIdP) },
			needs: "idps",
			load:  f.loadIdPs,
			group: func() *huh.Group {
				var opts []huh.Option[string]
				for _, p := range f.org.idps {
					label := fmt.Sprintf("%s (%s)", p.Name, p.Type)
					if p.Status != "" && p.Status != okta.StatusActive {
						label += " inactive"
					}
					opts = append(opts, huh.NewOption(label, p.ID))
				}
				if len(opts) == 0 {
					return huh.NewGroup(huh.NewConfirm().Title("Device posture IdP").
						Description("The org has no identity provider to pick.").
						Affirmative("OK").Negative("").
						Validate(func(bool) error {
							return errors.New("no identity provider: press esc and unselect the device posture IdP")
						}))
				}
				return huh.NewGroup(
					huh.NewSelect[string]().
						Title("Device posture IdP").
						Description("The identity provider that reports device posture. / filters.").
						Options(opts...).
						Height(min(len(opts)+2, 8)).
						Validate(flows.ValidateID("Device posture IdP")).
						Value(&d.DevicePostureIdPID),
				)
			},
		},
		{
			needs: "zones",
			load:  f.loadZones,
			group: func() *huh.Group {
				platformOpts := make([]huh.Option[string], 0, len(flows.DSCPlatformOptions))
				for _, p := range flows.DSCPlatformOptions {
					platformOpts = append(platformOpts, huh.NewOption(platformName(p), p))
				}
				fields := []huh.Field{
					huh.NewMultiSelect[string]().
						Title("Only on these platforms (optional)").
						Description("None chosen means every platform.").
						Options(platformOpts...).
						Value(&d.PlatformOS),
				}
				var zoneOpts []huh.Option[string]
				for _, z := range f.org.zones {
					zoneOpts = append(zoneOpts, huh.NewOption(fmt.Sprintf("%s (%s)", z.Name, z.Type), z.ID))
				}
				if len(zoneOpts) > 0 {
					fields = append(fields, huh.NewMultiSelect[string]().
						Title("Only from these network zones (optional)").
						Description("None chosen means anywhere.").
						Options(zoneOpts...).
						Filterable(true).
						Height(min(len(zoneOpts)+2, 6)).
						Value(&d.ZoneIDs))
				}
				return huh.NewGroup(fields...)
			},
		},
	})
}

func platformName(p string) string {
	switch p {
	case okta.PlatformIOS:
		return "iOS"
	case okta.PlatformAndroid:
		return "Android"
	case okta.PlatformMacOS:
		return "macOS"
	case okta.PlatformWindows:
		return "Windows"
	case okta.PlatformChromeOS:
		return "ChromeOS"
	}
	return p
}

func (f *dscFlow) loadIdPs(ctx context.Context) (func(*orgData), error) {
	idps, err := f.c.API.ListIdentityProviders(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing identity providers: %w", err)
	}
	return func(o *orgData) { o.idps = idps }, nil
}

func (f *dscFlow) loadZones(ctx context.Context) (func(*orgData), error) {
	zones, err := f.c.API.ListNetworkZones(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing network zones: %w", err)
	}
	return func(o *orgData) { o.zones = zones }, nil
}
