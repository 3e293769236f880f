package run

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// RollbackReview shows the requests a roll back will send (flows.PlanRollback), in order and
// as the review shows writes, and the steps it leaves alone; nothing is undone until enter.
type RollbackReview struct {
	c             *common.Common
	plan          flows.Plan
	journal       Journal
	preview       flows.RollbackPlan
	vp            viewport.Model
	width, height int
	keys          rollbackKeys
}

type rollbackKeys struct{ Confirm, Scroll key.Binding }

// NewRollbackReview returns the roll back preview of journal (whose plan is plan).
func NewRollbackReview(c *common.Common, plan flows.Plan, journal Journal) *RollbackReview {
	r := &RollbackReview{c: c, plan: plan, journal: journal, preview: journal.PlanRollback(), vp: viewport.New(c.Width, 10)}
	r.keys = rollbackKeys{
		Confirm: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "roll back")),
		Scroll:  key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "scroll")),
	}
	r.SetSize(c.Width, c.Height)
	return r
}

func (r *RollbackReview) Init() tea.Cmd        { return nil }
func (r *RollbackReview) Title() string        { return "Roll back? · " + r.plan.Title }
func (r *RollbackReview) CapturingInput() bool { return false }
func (r *RollbackReview) ShortHelp() []key.Binding {
	return []key.Binding{r.keys.Confirm, r.keys.Scroll}
}

func (r *RollbackReview) Explanation() string {
	return "Rolling back undoes what this run did, newest first: what it created is deleted, " +
		"what it activated is deactivated, what it replaced is put back as it was. Objects that " +
		"existed before the run are kept. Nothing is sent until you press enter."
}

func (r *RollbackReview) SetSize(width, height int) {
	r.width, r.height = width, height
	r.vp.Width = width
	r.vp.Height = max(height-lipgloss.Height(r.intro())-lipgloss.Height(r.bottom())-2, 1)
	r.vp.SetContent(r.content())
}

func (r *RollbackReview) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, r.c.Keys.Back):
			return r, func() tea.Msg { return common.BackMsg{} }
		case key.Matches(k, r.keys.Confirm):
			s := newJournalSubmit(r.c, r.plan, r.journal, modeRollback)
			return r, func() tea.Msg { return common.ReplaceMsg{Screen: s} }
		}
	}
	var cmd tea.Cmd
	r.vp, cmd = r.vp.Update(msg)
	return r, cmd
}

func (r *RollbackReview) intro() string {
	n, maybe := len(r.preview.Requests), 0
	for _, q := range r.preview.Requests {
		if q.Note != "" {
			maybe++
		}
	}
	line := fmt.Sprintf("%d request%s undo this run, newest first", n, common.Plural(n))
	if maybe > 0 {
		line += fmt.Sprintf(" (%d only if needed)", maybe)
	}
	line += ". Nothing is undone until you press enter."
	return lipgloss.NewStyle().Width(max(r.width, 20)).Render(line)
}

func (r *RollbackReview) bottom() string {
	n := len(r.preview.Requests)
	return r.c.Styles.Warn.Render(fmt.Sprintf("enter sends %d request%s to roll back · esc: back, nothing is undone", n, common.Plural(n)))
}

func (r *RollbackReview) View() string {
	rule := r.c.Styles.Subtle.Render(strings.Repeat("─", max(r.width, 1)))
	return r.intro() + "\n" + rule + "\n" + r.vp.View() + "\n" + rule + "\n" + r.bottom()
}

// content lists the requests (method, path, what it undoes, note, body) and what is left alone.
func (r *RollbackReview) content() string {
	s := r.c.Styles
	wrap := func(text string) string { return ansi.Wordwrap(text, max(r.width-3, 10), "") }
	var b strings.Builder
	for i, q := range r.preview.Requests {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s %s\n", s.Title.Render(fmt.Sprintf("%2d", i+1)), s.Method.Render(fmt.Sprintf("%-6s", q.Method)), highlightPlaceholders(s, s.Path, q.Path))
		b.WriteString(common.Indent(s.Subtle.Render(wrap(q.Title)), "   "))
		if q.Note != "" {
			b.WriteString(common.Indent(s.Warn.Render(wrap(q.Note)), "   "))
		}
		if q.Body != nil {
			if body, err := (flows.Step{Body: q.Body}).BodyJSON(); err == nil {
				b.WriteString(common.Indent(highlightJSON(s, string(body)), "   "))
			}
		}
	}
	left := func(label string, idx []int, style lipgloss.Style) {
		for _, i := range idx {
			if i < len(r.plan.Steps) {
				b.WriteString(common.ClipLine(style.Render(label)+" "+r.plan.Steps[i].Title, r.width) + "\n")
			}
		}
	}
	if len(r.preview.Cannot)+len(r.preview.Kept)+len(r.preview.NotRun)+len(r.preview.Undone) > 0 {
		b.WriteString("\n" + s.Title.Render("Left alone") + "\n")
	}
	for _, q := range r.preview.Cannot {
		b.WriteString(common.Indent(s.Error.Render(wrap(q.Method+" "+q.Path+": "+q.Note+"; the roll back stops here")), ""))
	}
	left("kept (existed before this run):", r.preview.Kept, s.OK)
	left("rolled back already:", r.preview.Undone, s.Subtle)
	left("not run:", r.preview.NotRun, s.Subtle)
	return b.String()
}
