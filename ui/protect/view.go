package protect

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// heading is the list's title, also shown when there is no list.
func (s *Step) heading() string {
	return "Protect these apps with “" + s.opts.PolicyName + "” (optional)"
}

// appLabel is an option line: the app, its kind and the policy it has now.
func (s *Step) appLabel(a okta.App) string {
	now := "no app sign-in policy"
	if id := a.AccessPolicyID; id != "" {
		now = "now “" + s.policyName(id) + "”"
	}
	label := fmt.Sprintf("%s (%s) · %s", a.Label, flows.SignOnModeLabel(a.SignOnMode), now)
	if a.Status != "" && a.Status != okta.StatusActive {
		label += " · " + strings.ToLower(a.Status)
	}
	return label
}

func (s *Step) policyName(id string) string {
	if n, ok := s.names[id]; ok {
		return n
	}
	return id
}

// dedicated reports whether the policy belongs to one Okta app and can't be given to others.
func (s *Step) dedicated() bool { return s.opts.PolicyID != "" && dedicatedPolicies[s.opts.PolicyName] }

// infoView says what the policy protects already.
func (s *Step) infoView() string {
	text, warn := s.infoText()
	if warn {
		text = s.c.Styles.Warn.Render(text)
	}
	return lipgloss.NewStyle().Width(max(s.width-2, 20)).Render(text)
}

// infoText is what the policy protects already, plain; warn marks a policy that protects none.
func (s *Step) infoText() (text string, warn bool) {
	switch {
	case s.dedicated():
		return "“" + s.opts.PolicyName + "” belongs to the " + s.opts.PolicyName + " app: Okta does not let other apps use it.", false
	case s.opts.PolicyID == "":
		return "“" + s.opts.PolicyName + "” is new: it protects no app until one is assigned to it.", false
	case len(s.already) == 0:
		return "“" + s.opts.PolicyName + "” protects no app yet: its rules decide nothing until an app uses it.", true
	}
	labels := make([]string, len(s.already))
	for i, a := range s.already {
		labels[i] = a.Label
	}
	return "Already protected by “" + s.opts.PolicyName + "”: " + strings.Join(labels, ", ") + ".", false
}

// formHeight is the room the list has under the info text (and huh's error line).
func (s *Step) formHeight() int {
	return max(s.height-lipgloss.Height(s.infoView())-2, 5)
}

func (s *Step) View() string {
	st := s.c.Styles
	switch {
	case s.loadErr != nil:
		return st.Error.Render("Could not read the org's apps:") + "\n" +
			lipgloss.NewStyle().Width(max(s.width-2, 20)).Render(s.loadErr.Error()) + "\n\n" +
			"ctrl+r tries again; esc goes back.\n"
	case !s.loaded:
		return s.spinner.View() + " Reading the org's apps…\n"
	case s.form == nil:
		return s.infoView() + "\n\n" + st.Title.Render(s.heading()) + "\n" +
			st.Subtle.Render("No app to pick: enter goes on.") + "\n"
	}
	return s.infoView() + "\n\n" + s.form.View()
}
