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
		s := newJournalSubmit(r.c, r.run.plan, r.run.journal, modeRun)
		return r, func() tea.Msg { return common.ReplaceMsg{Screen: s} }
	case key.Matches(k, r.keys.Rollback):
		preview := NewRollbackReview(r.c, r.run.plan, r.run.journal)
		return r, func() tea.Msg { return common.ReplaceMsg{Screen: preview} }
	}
	return r, nil
}

// newJournalSubmit is a submit screen on an existing journal, resuming or rolling it back.
func newJournalSubmit(c *common.Common, plan flows.Plan, journal Journal, mode submitMode) *Submit {
	s := NewSubmit(c, plan, nil)
	s.journal = journal
	s.mode = mode
	return s
}

// stepStanding is where one step of a stopped run stands, as its journal record says, and
// what resume does with it.
type stepStanding int

const (
	standingNotRun  stepStanding = iota // never sent: resume sends it
	standingDone                        // Okta answered: kept, not sent again
	standingUnknown                     // sent, no answer: looked up by name before anything is sent
	standingRefused                     // Okta refused it (4xx): changed nothing, resume sends it again
	standingUndone                      // rolled back by an earlier roll back
)

// standingOf reads a journal record.
func standingOf(r flows.StepRecord) stepStanding {
	switch {
	case r.State == flows.StateDone:
		return standingDone
	case r.State == flows.StateRunning, r.State == flows.StateFailed && r.Uncertain:
		return standingUnknown
	case r.State == flows.StateFailed:
		return standingRefused
	case r.State == flows.StateRolledBack:
		return standingUndone
	}
	return standingNotRun
}

// standingText is the mark, label and what resume does, per standing.
var standingText = map[stepStanding][3]string{
	standingDone:    {"✓", "done", "kept, not sent again"},
	standingUnknown: {"?", "unknown", "looked up by name first, sent only if not found"},
	standingNotRun:  {"·", "not run", "sent"},
	standingRefused: {"✗", "refused", "Okta changed nothing; sent again"},
	standingUndone:  {"↺", "undone", "rolled back already; left alone"},
}

var standingOrder = []stepStanding{standingDone, standingUnknown, standingRefused, standingUndone, standingNotRun}

func (r *Resume) View() string {
	s := r.c.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render(common.ClipLine(r.run.Title, r.width)) + "\n")
	if r.run.Desc != "" {
		b.WriteString(s.Subtle.Render(common.ClipLine(r.run.Desc, r.width)) + "\n")
	}
	recs := r.run.journal.Records()
	count := map[stepStanding]int{}
	standings := make([]stepStanding, len(r.run.plan.Steps))
	for i := range standings {
		if i < len(recs) {
			standings[i] = standingOf(recs[i])
		}
		count[standings[i]]++
	}
	var counts, legend []string
	for _, st := range standingOrder {
		if count[st] > 0 {
			t := standingText[st]
			counts = append(counts, fmt.Sprintf("%d %s", count[st], t[1]))
			legend = append(legend, t[1]+": "+t[2])
		}
	}
	b.WriteString(strings.Join(counts, " · ") + "\n\n")
	for i, st := range r.run.plan.Steps {
		t := standingText[standings[i]]
		mark := fmt.Sprintf("%s %-7s", t[0], t[1])
		switch standings[i] {
		case standingDone:
			mark = s.OK.Render(mark)
		case standingUnknown, standingRefused:
			mark = s.Warn.Render(mark)
		default:
			mark = s.Subtle.Render(mark)
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
	b.WriteString(s.Subtle.Render(wrapAtSpaces("Resume: "+strings.Join(legend, " · ")+".", max(r.width, 20))) + "\n")
	b.WriteString(s.Warn.Render("r") + " resume   " + s.Warn.Render("u") + " roll back (shows what it undoes, then asks)\n")
	return b.String()
}
