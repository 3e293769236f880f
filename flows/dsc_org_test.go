package flows

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// orgWithSalesMapping has "Okta Dashboard" mapped to the DSC policy "Sales device signals",
// "Office 365" unmapped with a rule named "Registered", and the mapping named by its policy link.
func orgWithSalesMapping() DSCOrg {
	return DSCOrg{
		AccessPolicies: []okta.Policy{
			{ID: "rstDash", Name: "Okta Dashboard", Type: okta.TypeAccessPolicy},
			{ID: "rstO365", Name: "Office 365", Type: okta.TypeAccessPolicy},
		},
		DSCPolicies: []okta.Policy{{ID: "rstSales", Name: "Sales device signals", Type: okta.TypeDeviceSignalCollection}},
		Mappings: map[string][]okta.PolicyMapping{"rstSales": {{
			ID:    "mapX",
			Links: okta.Links{"policy": json.RawMessage(`{"href":"https://x.okta.com/api/v1/policies/rstDash"}`)},
		}}},
		Rules: map[string][]okta.Rule{"rstO365": {{ID: "rul1", Name: "Registered"}}},
	}
}

func TestCheckDSCOrgRefusesWhatOktaWouldRefuseAtItsStage(t *testing.T) {
	base := func() DSCDraft {
		return DSCDraft{
			AppPolicy: PolicyChoice{Name: "New apps"},
			AppRule:   AppRuleDraft{Name: "Require a registered device", Access: AccessAllow},
			Name:      "Workforce signals", RuleName: "Collect", OktaVerify: true,
		}
	}
	cases := []struct {
		name   string
		edit   func(*DSCDraft)
		field  string
		stage  int
		phrase string
	}{
		{"clean answers pass", func(*DSCDraft) {}, "", 0, ""},
		{"new app sign-in policy named like an existing one", func(d *DSCDraft) { d.AppPolicy.Name = " Okta Dashboard " },
			"appPolicy.name", StageAppPolicy, "an app sign-in policy named “Okta Dashboard” exists: pick it from the list or choose another name"},
		{"picked app sign-in policy mapped to another DSC policy", func(d *DSCDraft) {
			d.AppPolicy = PolicyChoice{ExistingID: "rstDash", ExistingName: "Okta Dashboard"}
		}, "appPolicy.existingId", StageAppPolicy, "“Okta Dashboard” can't be picked: “Sales device signals” maps it already"},
		{"new rule named like a rule of the picked policy", func(d *DSCDraft) {
			d.AppPolicy = PolicyChoice{ExistingID: "rstO365", ExistingName: "Office 365"}
			d.AppRule.Name = "Registered"
		}, "appRule.name", StageAppPolicy, "“Office 365” already has a rule named “Registered”: choose another rule name"},
		{"reusing a rule is no name clash", func(d *DSCDraft) {
			d.AppPolicy = PolicyChoice{ExistingID: "rstO365", ExistingName: "Office 365"}
			d.AppRule = AppRuleDraft{ReuseID: "rul1", Name: "Registered"}
		}, "", 0, ""},
		{"DSC policy named like an existing one", func(d *DSCDraft) { d.Name = "Sales device signals" },
			"name", StageDSCPolicy, "a signal collection policy named “Sales device signals” exists: choose another name"},
		{"a DSC name equal to an app sign-in policy name is allowed (names are unique per type)", func(d *DSCDraft) { d.Name = "Office 365" }, "", 0, ""},
		{"extra mapping of a policy mapped elsewhere", func(d *DSCDraft) {
			d.ExtraMappings = []string{"rstO365", "rstDash"}
			d.ExtraMappingNames = map[string]string{"rstDash": "Okta Dashboard"}
		}, "extraMappings[1]", StageMapping, "“Okta Dashboard” can't be mapped: “Sales device signals” maps it already"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := base()
			tc.edit(&d)
			errs := CheckDSCOrg(d, orgWithSalesMapping())
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("refused clean answers: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Msg, tc.phrase) {
				t.Fatalf("errors = %v, want one on %s containing %q", errs, tc.field, tc.phrase)
			}
			if got := DSCFieldStage(errs[0].Field); got != tc.stage {
				t.Errorf("error belongs to stage %d, want %d", got, tc.stage)
			}
			for s := StageAppPolicy; s <= StageDSCRule; s++ {
				n := len(CheckDSCOrgStage(d, orgWithSalesMapping(), s))
				if want := map[bool]int{true: 1, false: 0}[s == tc.stage]; n != want {
					t.Errorf("stage %d check has %d errors, want %d", s, n, want)
				}
			}
		})
	}
}

func TestMappedToReadsMappingsByPolicyLinkOrID(t *testing.T) {
	o := orgWithSalesMapping()
	o.Mappings["rstSales"] = append(o.Mappings["rstSales"], okta.PolicyMapping{ID: "rstO365"})
	for _, id := range []string{"rstDash", "rstO365"} {
		if p, ok := o.MappedTo(id); !ok || p.Name != "Sales device signals" {
			t.Errorf("MappedTo(%s) = %v %v, want Sales device signals", id, p.Name, ok)
		}
	}
	if _, ok := o.MappedTo("rstOther"); ok {
		t.Error("an unmapped policy is reported mapped")
	}
}
