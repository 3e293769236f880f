package run

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

func reviewTestPlan() flows.Plan {
	before := &okta.Rule{Type: okta.TypeAccessPolicy, Name: "Old name", ID: "rul1", Status: "ACTIVE"}
	return flows.Plan{Flow: flows.FlowDSC, Title: "Test plan", Steps: []flows.Step{
		{ID: "dsc-policy", Stage: 2, Title: "Create policy", Action: flows.ActCreatePolicy,
			Body: &okta.Policy{Type: okta.TypeDeviceSignalCollection, Name: "Signals"}},
		{ID: "rule", Stage: 4, Title: "Rename rule", Action: flows.ActReplaceRule, PolicyID: "rst1", ObjectID: "rul1",
			Before: before, Body: &okta.Rule{Type: okta.TypeAccessPolicy, Name: "New name"}},
		{ID: "activate", Stage: 5, Title: "Activate", Action: flows.ActActivatePolicy, PolicyID: flows.Placeholder("dsc-policy")},
	}}
}

// TestReviewShowsEveryRequest: method, path with named placeholders, JSON body (plain under
// the ASCII profile), the replace as a diff, and the activation toggle.
func TestReviewShowsEveryRequest(t *testing.T) {
	c := testCommon(t, nil, 80, 40)
	var confirmed *flows.Plan
	r := NewReview(c, reviewTestPlan(), ReviewOptions{AllowLeaveInactive: true, ShowDiff: true,
		OnConfirm: func(p flows.Plan) tea.Cmd { confirmed = &p; return nil }})
	content := r.RequestsView()
	for _, want := range []string{
		"POST   /api/v1/policies?activate=false",
		"stage 2 · Create policy → {{dsc-policy.id}}",
		`"type": "DEVICE_SIGNAL_COLLECTION",`,
		"PUT    /api/v1/policies/rst1/rules/rul1",
		`-   "name": "Old name"`, `+   "name": "New name"`,
		"POST   /api/v1/policies/{{dsc-policy.id}}/lifecycle/activate",
		"(no body)",
	} {
		if !strings.Contains(content, want) {
			t.Errorf("review lacks %q:\n%s", want, content)
		}
	}
	if strings.Contains(content, `"status"`) {
		t.Error("the diff shows a read-only member")
	}
	if strings.ContainsRune(content, '\x1b') {
		t.Error("escape sequences under the ASCII profile")
	}
	r.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	if !strings.Contains(r.View(), "[ ] Activate the policy last") {
		t.Errorf("toggle not shown:\n%s", r.View())
	}
	r.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if confirmed == nil || len(confirmed.Steps) != 2 || HasAction(*confirmed, flows.ActActivatePolicy) {
		t.Fatalf("confirmed plan %+v, want the activation dropped", confirmed)
	}
}

// TestReviewScrolls: a plan longer than the screen scrolls in the viewport.
func TestReviewScrolls(t *testing.T) {
	c := testCommon(t, nil, 80, 12)
	r := NewReview(c, reviewTestPlan(), ReviewOptions{})
	first := r.View()
	uitest.CheckScreenSize(t, first, 80, 12)
	for i := 0; i < 10; i++ {
		r.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	if r.View() == first {
		t.Fatal("down did not scroll")
	}
	if !strings.Contains(r.View(), "%") {
		t.Error("no scroll position shown")
	}
}

// TestHighlightJSONKeepsText: colouring never changes the text of the body.
func TestHighlightJSONKeepsText(t *testing.T) {
	body := "{\n  \"name\": \"a {{x.id}} b\",\n  \"n\": 1,\n  \"ok\": true,\n  \"list\": [\n    \"x\"\n  ]\n}\n"
	if got := highlightJSON(common.DefaultStyles(), body); got != body {
		t.Errorf("got\n%s\nwant\n%s", got, body)
	}
}

// TestReviewCountsWhatItSendsNow: after an earlier attempt finished some steps, the review
// counts only the requests enter sends now.
func TestReviewCountsWhatItSendsNow(t *testing.T) {
	c := testCommon(t, nil, 80, 24)
	r := NewReview(c, reviewTestPlan(), ReviewOptions{Done: map[string]string{"dsc-policy": "rstEARLIER"}})
	if !strings.Contains(r.View(), "enter sends 2 remaining requests") {
		t.Errorf("the footer does not count the remaining requests:\n%s", r.View())
	}
	if !strings.Contains(r.View(), "1 done by the earlier attempt is not sent again") {
		t.Errorf("the intro does not say what is not sent again:\n%s", r.View())
	}
	if !strings.Contains(NewReview(c, reviewTestPlan(), ReviewOptions{}).View(), "enter sends 3 requests") {
		t.Error("a fresh review does not count every request")
	}
}
