package simulate

import (
	"fmt"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// BenchmarkEvaluateHundredRules evaluates a sign-in that only the catch-all of a 100-rule
// policy (Okta's maximum) decides, so every rule and condition is tried.
func BenchmarkEvaluateHundredRules(b *testing.B) {
	var rules []okta.Rule
	for i := 1; i <= 99; i++ {
		rules = append(rules, rule(fmt.Sprintf("r%d", i), i, &okta.RuleConditions{
			People:   &okta.PeopleCondition{Groups: &okta.IncludeExclude{Include: []string{eng}}},
			Device:   &okta.DeviceCondition{Registered: yes(), Assurance: &okta.AssuranceIDList{Include: []string{"daeWin"}}},
			Platform: &okta.PlatformCondition{Include: []okta.PlatformEntry{{Type: "DESKTOP", OS: &okta.PlatformOS{Type: "WINDOWS"}}}},
		}))
	}
	o := org(rules...)
	req := okta.SimulationRequest{AppInstance: "0oaSF", PolicyTypes: []string{"ACCESS_POLICY"},
		PolicyContext: withDevice(groupsCtx(sales), okta.SimDevice{Platform: "MACOS", Registered: yes(), AssuranceID: macOK})}
	b.ReportAllocs()
	for b.Loop() {
		res, err := Evaluate(o, req)
		if err != nil || len(res.Evaluation[0].Evaluated.Policies[0].Rules) != 99 {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
