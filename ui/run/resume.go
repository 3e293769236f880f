package run

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// UnfinishedRun is a journal left by a run that stopped before its end (crash, kill, ctrl+c,
// or an error the user walked away from).
type UnfinishedRun struct {
	// Title names the run; Desc says when it started and how far it got.
	Title, Desc string
	org         string
	sameOrg     bool
	plan        flows.Plan
	done        int // steps finished
	journal     Journal
}

// Resume offers to continue an unfinished run from its first unfinished request, or to roll
// back what it created, in reverse order.
type Resume struct {
	c             *common.Common
	run           UnfinishedRun
	width, height int
	keys          resumeKeys
}

type resumeKeys struct{ Resume, Rollback key.Binding }

// NewResume returns the resume / roll back offer for run.
func NewResume(c *common.Common, run UnfinishedRun) *Resume {
	return &Resume{c: c, run: run, keys: resumeKeys{
		Resume:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resume")),
		Rollback: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "roll back")),
	}}
}

func (r *Resume) Init() tea.Cmd            { return nil }
func (r *Resume) Title() string            { return "Unfinished run" }
func (r *Resume) SetSize(w, h int)         { r.width, r.height = w, h }
func (r *Resume) CapturingInput() bool     { return false }
func (r *Resume) ShortHelp() []key.Binding { return []key.Binding{r.keys.Resume, r.keys.Rollback} }

func (r *Resume) Explanation() string {
	return "A run stopped before its last request. Its journal records which requests Okta " +
		"answered. Resume sends the rest, starting with the first unfinished one (an object " +
		"whose create may have been lost is looked up by name first, never created twice). " +
		"Roll back deletes what the run created, newest first."
}

func (r *Resume) orgMismatch() bool {
	return !r.run.sameOrg
}

func (r *Resume) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return r, nil
	}
	switch {
	case key.Matches(k, r.c.Keys.Back):
		return r, func() tea.Msg { return common.BackMsg{} }
	case r.orgMismatch():
		return r, nil
	case key.Matches(k, r.keys.Resume):
		return r, func() tea.Msg { return common.ReplaceMsg{Screen: newJournalSubmit(r.c, r.run, modeRun)} }
	case key.Matches(k, r.keys.Rollback):
		return r, func() tea.Msg { return common.ReplaceMsg{Screen: newJournalSubmit(r.c, r.run, modeRollback)} }
	}
	return r, nil
}

// newJournalSubmit is a submit screen on an existing journal, resuming or rolling it back.
func newJournalSubmit(c *common.Common, run UnfinishedRun, mode submitMode) *Submit {
	s := NewSubmit(c, run.plan, nil)
	s.journal = run.journal
	s.mode = mode
	return s
}

func (r *Resume) View() string {
	s := r.c.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render(r.run.Title) + "\n")
	if r.run.Desc != "" {
		b.WriteString(s.Subtle.Render(r.run.Desc) + "\n")
	}
	b.WriteString(fmt.Sprintf("%d of %d requests were done.\n\n", r.run.done, len(r.run.plan.Steps)))
	for i, st := range r.run.plan.Steps {
		mark := s.Subtle.Render("·")
		if i < r.run.done {
			mark = s.OK.Render("✓")
		}
		b.WriteString(common.ClipLine(fmt.Sprintf("%s %-6s %s", mark, st.Method(), st.Title), r.width) + "\n")
	}
	b.WriteString("\n")
	if r.orgMismatch() {
		b.WriteString(s.Error.Render(common.ClipLine("This run was against "+r.run.org+";", r.width)) + "\n")
		b.WriteString(s.Error.Render(common.ClipLine("the wizard is connected to "+r.c.API.OrgURL()+".", r.width)) + "\n")
		b.WriteString(common.ClipLine("Connect to that org to resume or roll it back.", r.width) + "\n")
		return b.String()
	}
	b.WriteString(s.Warn.Render("r") + " resume from the first unfinished request   " + s.Warn.Render("u") + " roll back\n")
	return b.String()
}
