package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/simulate"
)

// What simulate prints: the decision, and Okta's (or the prediction's) whole answer.

// simDecision is the policy and rule that decide, with what the user gets.
type simDecision struct {
	Policy     simRef              `json:"policy"`
	Rule       simRef              `json:"rule"`
	Outcome    simulate.Outcome    `json:"outcome"`
	Conditions []okta.SimCondition `json:"conditions"`
}

type simRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// decisionOf reads the deciding rule to say what the user gets; nil when nothing decides.
func decisionOf(ctx context.Context, api okta.API, res *okta.SimulationResult) (*simDecision, error) {
	p, r, ok := res.Decision(string(okta.TypeAccessPolicy))
	if !ok {
		return nil, nil
	}
	rule, err := api.GetRule(ctx, p.ID, r.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the deciding rule %q: %w", r.Name, err)
	}
	return &simDecision{Policy: simRef{p.ID, p.Name}, Rule: simRef{r.ID, r.Name}, Outcome: simulate.OutcomeOf(*rule), Conditions: r.Conditions}, nil
}

// predictedDecision is the decision of a prediction, read from the copy the plan changed.
func predictedDecision(pred *flows.Prediction) *simDecision {
	p, r, ok := pred.Result.Decision(string(okta.TypeAccessPolicy))
	if !ok || pred.Rule == nil {
		return nil
	}
	return &simDecision{Policy: simRef{p.ID, p.Name}, Rule: simRef{r.ID, r.Name}, Outcome: simulate.OutcomeOf(*pred.Rule), Conditions: r.Conditions}
}

// resolvePlanRefs maps a saved plan's references to this org's objects, as apply does.
func resolvePlanRefs(ctx context.Context, org *Org, plan flows.Plan) (flows.Plan, error) {
	resolved, missing, err := flows.ResolveRefs(ctx, org.API, plan)
	if err != nil {
		return plan, fmt.Errorf("simulate: reading what the plan uses: %w", err)
	}
	if len(missing) > 0 {
		var lines []string
		for _, m := range missing {
			lines = append(lines, "  "+m.String())
		}
		return plan, fmt.Errorf("simulate: %s lacks %d object(s) the plan uses:\n%s", org.Label, len(missing), strings.Join(lines, "\n"))
	}
	return resolved, nil
}

// simulationJSON is the --json document; source says whose evaluation it is: "okta", or
// "prediction" (with the label saying what that means and the plan file).
type simulationJSON struct {
	Source   string                 `json:"source"`
	Label    string                 `json:"label,omitempty"`
	Plan     string                 `json:"plan,omitempty"`
	Org      string                 `json:"org"`
	Request  okta.SimulationRequest `json:"request"`
	Decision *simDecision           `json:"decision"`
	Result   *okta.SimulationResult `json:"result"`
}

func writeSimulationJSON(w io.Writer, doc simulationJSON) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func writeSimulationText(w io.Writer, doc simulationJSON, app okta.App, signIn string) error {
	var b strings.Builder
	d, res := doc.Decision, doc.Result
	if doc.Source == "prediction" {
		fmt.Fprintf(&b, "PREDICTION, not Okta's answer: plan %s applied to a copy of %s\n", doc.Plan, doc.Org)
		fmt.Fprintf(&b, "(%s)\n", doc.Label)
	} else {
		fmt.Fprintf(&b, "Okta's simulation in %s\n", doc.Org)
	}
	fmt.Fprintf(&b, "Sign-in to %q: %s\n\n", app.Label, signIn)
	if d == nil {
		b.WriteString("No rule decides: the app has no active app sign-in policy.\n")
	} else {
		fmt.Fprintf(&b, "Decided by rule %q of policy %q: %s\n", d.Rule.Name, d.Policy.Name, d.Outcome)
		writeConditions(&b, d.Conditions)
	}
	for _, e := range res.Evaluation {
		if e.PolicyType != string(okta.TypeAccessPolicy) {
			continue
		}
		writeRules(&b, "Tried before it and not matched:", e.Evaluated)
		writeRules(&b, "Passed over (the sign-in does not say):", e.Undefined)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeRules(b *strings.Builder, title string, ps okta.SimPolicies) {
	var rules []okta.SimRule
	for _, p := range ps.Policies {
		rules = append(rules, p.Rules...)
	}
	if len(rules) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", title)
	for _, r := range rules {
		fmt.Fprintf(b, "  %q %s\n", r.Name, r.Status)
		writeConditions(b, r.Conditions)
	}
}

func writeConditions(b *strings.Builder, conds []okta.SimCondition) {
	for _, c := range conds {
		fmt.Fprintf(b, "    %-26s %s\n", c.Type, c.Status)
	}
}
