package run

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// RenderPlan draws each step: number, method, path, stage and title, then its body (or diff).
func RenderPlan(s common.Styles, plan flows.Plan, showDiff bool, width int) string {
	return renderPlanDone(s, plan, showDiff, nil, width)
}

// renderPlanDone is renderPlan marking the steps an earlier attempt finished.
func renderPlanDone(s common.Styles, plan flows.Plan, showDiff bool, done map[string]string, width int) string {
	referenced := map[string]bool{}
	for _, st := range plan.Steps {
		for _, id := range st.Placeholders() {
			referenced[id] = true
		}
	}
	var b strings.Builder
	for i, st := range plan.Steps {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s %s\n", s.Title.Render(fmt.Sprintf("%2d", i+1)), s.Method.Render(fmt.Sprintf("%-6s", st.Method())), highlightPlaceholders(s, s.Path, st.Path()))
		meta := st.Title
		if st.Stage > 0 {
			meta = fmt.Sprintf("stage %d · %s", st.Stage, st.Title)
		}
		if referenced[st.ID] {
			meta += " → " + flows.Placeholder(st.ID)
		}
		if width > 10 {
			meta = ansi.Wordwrap(meta, width-3, "")
		}
		b.WriteString(common.Indent(s.Subtle.Render(meta), "   "))
		if id, ok := done[st.ID]; ok {
			b.WriteString("   " + s.OK.Render("done by the earlier attempt (id "+id+"): not sent again") + "\n")
			continue
		}
		if showDiff && st.Before != nil && st.Body != nil {
			b.WriteString(common.Indent(renderDiff(s, st), "   "))
			continue
		}
		body, err := st.BodyJSON()
		if err != nil {
			b.WriteString("   " + s.Error.Render("body cannot be shown: "+err.Error()) + "\n")
			continue
		}
		if body == nil {
			b.WriteString("   " + s.Subtle.Render("(no body)") + "\n")
			continue
		}
		b.WriteString(common.Indent(highlightJSON(s, string(body)), "   "))
	}
	return b.String()
}

var (
	jsonKeyRE   = regexp.MustCompile(`^(\s*)("(?:[^"\\]|\\.)*")(:\s*)(.*)$`)
	jsonValueRE = regexp.MustCompile(`^(\s*)(.*?)(,?)$`)
	placeRE     = regexp.MustCompile(`\{\{[A-Za-z0-9_-]+\.id\}\}`)
)

// highlightJSON colours keys, strings and literals of indented JSON line by line; under the
// ASCII profile (NO_COLOR) the styles render as plain text, so the text is unchanged.
func highlightJSON(s common.Styles, text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if m := jsonKeyRE.FindStringSubmatch(l); m != nil {
			lines[i] = m[1] + s.JSONKey.Render(m[2]) + m[3] + highlightValue(s, m[4])
			continue
		}
		m := jsonValueRE.FindStringSubmatch(l)
		lines[i] = m[1] + highlightValue(s, m[2]) + m[3]
	}
	return strings.Join(lines, "\n") + "\n"
}

func highlightValue(s common.Styles, v string) string {
	trail := ""
	if strings.HasSuffix(v, ",") {
		v, trail = strings.TrimSuffix(v, ","), ","
	}
	switch {
	case strings.HasPrefix(v, `"`):
		return highlightPlaceholders(s, s.JSONString, v) + trail
	case v == "{" || v == "[" || v == "}" || v == "]" || v == "{}" || v == "[]":
		return v + trail
	case v == "":
		return trail
	default:
		return s.JSONLiteral.Render(v) + trail
	}
}

// highlightPlaceholders renders text in base, with {{step.id}} placeholders standing out.
func highlightPlaceholders(s common.Styles, base lipgloss.Style, text string) string {
	idx := placeRE.FindAllStringIndex(text, -1)
	if idx == nil {
		return base.Render(text)
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		if m[0] > last {
			b.WriteString(base.Render(text[last:m[0]]))
		}
		b.WriteString(s.Placeholder.Render(text[m[0]:m[1]]))
		last = m[1]
	}
	if last < len(text) {
		b.WriteString(base.Render(text[last:]))
	}
	return b.String()
}

// renderDiff shows the change a replace makes as +/- lines of indented JSON (flows.Step.Diff:
// read-only members left out, equal durations not shown as changes).
func renderDiff(s common.Styles, st flows.Step) string {
	lines := st.Diff()
	if !flows.DiffChanged(lines) {
		return s.Subtle.Render("(no change: the object already looks like this)") + "\n"
	}
	var b strings.Builder
	for _, l := range lines {
		switch l.Op {
		case '+':
			b.WriteString(s.DiffAdd.Render("+ "+l.Text) + "\n")
		case '-':
			b.WriteString(s.DiffDel.Render("- "+l.Text) + "\n")
		default:
			b.WriteString("  " + l.Text + "\n")
		}
	}
	return b.String()
}
