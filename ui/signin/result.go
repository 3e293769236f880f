package signin

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// Condition statuses, as Okta's simulation reports them (spec: SimulateResultStatus).
const (
	statusMatch     = "MATCH"
	statusNotMatch  = "NOT_MATCH"
	statusUndefined = "UNDEFINED"
)

// outcome is an answer as the screen shows it, whoever gave it (Okta or the prediction).
type outcome struct {
	policyID, policyName string
	// tried are the rules evaluated, in priority order, the deciding one last.
	tried []triedRule
	// decided is false when no rule matched (no policy for the app, or no active rule).
	decided bool
	grant   grant
	// note explains an answer without a deciding rule.
	note string
}

type triedRule struct {
	id, name   string
	status     string
	conditions []condition
}

type condition struct{ kind, status string }

// grant is what the user gets from the deciding rule.
type grant struct {
	access  string // ALLOW or DENY
	factors string // e.g. "any 2 factors", "" when the rule asks for none beyond the password
	reauth  string // e.g. "every 2 hours", "" when the rule does not say
}

func (o outcome) decidingRule() (triedRule, bool) {
	if !o.decided || len(o.tried) == 0 {
		return triedRule{}, false
	}
	return o.tried[len(o.tried)-1], true
}

// render draws the answer: who answered, the sign-in, what decides, what the user gets, why.
func (o outcome) render(st common.Styles, source, signIn string, width int) string {
	w := max(width, 20)
	wrap := lipgloss.NewStyle().Width(w)
	var b strings.Builder
	b.WriteString(wrap.Render(st.Warn.Render(source)) + "\n")
	b.WriteString(wrap.Render(st.Subtle.Render("Sign-in: "+signIn)) + "\n\n")
	if o.policyName != "" || o.policyID != "" {
		b.WriteString(st.Title.Render("Policy   ") + quoted(o.policyName, o.policyID) + "\n")
	}
	rule, ok := o.decidingRule()
	if !ok {
		b.WriteString(st.Title.Render("Decides  ") + st.Error.Render("no rule") + "\n")
		if o.note != "" {
			b.WriteString(wrap.Render(o.note) + "\n")
		}
		return b.String()
	}
	b.WriteString(st.Title.Render("Decides  ") + quoted(rule.name, "") + ", the first rule that matches" + "\n")
	b.WriteString(st.Title.Render("User gets ") + o.grant.render(st) + "\n\n")
	b.WriteString(st.Title.Render("Why") + st.Subtle.Render(" (rules in priority order; the first that matches decides)") + "\n")
	for i, r := range o.tried {
		b.WriteString(fmt.Sprintf("%2d %s %s\n", i+1, statusMark(st, r.status), ansi.Truncate(quoted(r.name, ""), w-14, "…")))
		if len(r.conditions) == 0 {
			b.WriteString("      " + st.Subtle.Render("no conditions: matches every sign-in") + "\n")
		}
		for _, c := range r.conditions {
			b.WriteString(fmt.Sprintf("      %-11s %s\n", statusMark(st, c.status), ansi.Truncate(c.kind, w-20, "…")))
		}
	}
	return b.String()
}

func (g grant) render(st common.Styles) string {
	if g.access == "" {
		return st.Subtle.Render("(the rule's actions could not be read)")
	}
	if g.access == "DENY" {
		return st.Error.Render("DENY: the sign-in is refused")
	}
	parts := []string{st.OK.Render(g.access)}
	if g.factors != "" {
		parts = append(parts, g.factors)
	}
	if g.reauth != "" {
		parts = append(parts, "re-authenticate "+g.reauth)
	}
	return strings.Join(parts, " · ")
}

func statusMark(st common.Styles, status string) string {
	label := fmt.Sprintf("%-9s", status)
	switch status {
	case statusMatch:
		return st.OK.Render(label)
	case statusNotMatch:
		return st.Error.Render(label)
	}
	return st.Warn.Render(label)
}

func quoted(name, id string) string {
	if strings.HasPrefix(id, "predicted-") {
		id = "created by the plan"
	}
	switch {
	case name == "":
		return id
	case id == "":
		return "“" + name + "”"
	}
	return "“" + name + "” (" + id + ")"
}

// verificationMethod is the part of an app sign-in rule's actions.appSignOn.verificationMethod
// the screen reads (spec: AssuranceMethod / AuthenticationMethodChain).
type verificationMethod struct {
	Type             string `json:"type"`
	FactorMode       string `json:"factorMode"`
	ReauthenticateIn string `json:"reauthenticateIn"`
	Constraints      []struct {
		Knowledge  *struct{ Types []string } `json:"knowledge"`
		Possession *struct{ Types []string } `json:"possession"`
	} `json:"constraints"`
}

// grantOf reads what a rule gives: access, the factors it asks for, how often it asks again.
func grantOf(r okta.Rule) grant {
	if r.Actions == nil || r.Actions.AppSignOn == nil {
		return grant{access: "ALLOW"}
	}
	a := r.Actions.AppSignOn
	g := grant{access: a.Access}
	if g.access == "" {
		g.access = "ALLOW"
	}
	raw, ok := a.Extra["verificationMethod"]
	if !ok || g.access == "DENY" {
		return g
	}
	var vm verificationMethod
	if json.Unmarshal(raw, &vm) != nil {
		return g
	}
	switch {
	case vm.Type == "AUTH_METHOD_CHAIN":
		g.factors = "an authentication method chain"
	case vm.FactorMode == "1FA":
		g.factors = "one factor"
	case vm.FactorMode == "2FA":
		g.factors = "two factors"
	}
	var kinds []string
	for _, c := range vm.Constraints {
		if c.Possession != nil {
			kinds = append(kinds, "a possession factor")
		}
		if c.Knowledge != nil {
			kinds = append(kinds, "a knowledge factor")
		}
	}
	if len(kinds) > 0 && g.factors != "" {
		g.factors += " (" + strings.Join(kinds, ", ") + ")"
	}
	switch d, err := flows.ParseISODuration(vm.ReauthenticateIn); {
	case vm.ReauthenticateIn == "":
	case err != nil:
		g.reauth = "after " + vm.ReauthenticateIn
	case d == 0:
		g.reauth = "at every sign-in"
	default:
		g.reauth = "every " + humanDuration(d)
	}
	return g
}

// humanDuration writes d in the largest whole unit: 12 hours, 2 days, 90 minutes.
func humanDuration(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return d.String()
}
