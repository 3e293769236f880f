package ui

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// FlowEntry is one flow the home screen offers. Flows register themselves from an init
// function in their own file (RegisterFlow), so the home screen needs no edit per flow.
type FlowEntry struct {
	// Order sorts the list: 10 device signal collection, 20 device assurance, 30 inspect.
	Order       int
	Title       string
	Description string
	// Start returns the flow's first screen.
	Start func(c *Common) Screen
	// Accessible, when set, runs the flow as plain prompts (accessible mode, no full screen).
	Accessible func(ctx context.Context, c *Common, in io.Reader, out io.Writer) error
}

var (
	flowsMu    sync.Mutex
	flowsByKey = map[string]FlowEntry{}
)

// RegisterFlow adds (or replaces, by title) a flow on the home screen.
func RegisterFlow(e FlowEntry) {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	flowsByKey[e.Title] = e
}

// registeredFlows returns the flows in display order.
func registeredFlows() []FlowEntry {
	flowsMu.Lock()
	defer flowsMu.Unlock()
	out := make([]FlowEntry, 0, len(flowsByKey))
	for _, e := range flowsByKey {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Title < out[j].Title
	})
	return out
}

// homeItem is a row of the home list: a flow, or an unfinished run to resume or roll back.
type homeItem struct {
	title, desc string
	open        func() tea.Cmd
}

// Home lists the flows and which org the wizard talks to, and offers unfinished runs.
type Home struct {
	c             *Common
	cursor        int
	width, height int
	runs          []run.UnfinishedRun
	runsErr       error
	keys          homeKeys
}

type homeKeys struct {
	Open, Move key.Binding
}

// NewHome returns the home screen.
func NewHome(c *Common) *Home {
	return &Home{c: c, keys: homeKeys{
		Open: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Move: key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "move")),
	}}
}

// homeRunsMsg carries the unfinished runs found in the journal dir.
type homeRunsMsg struct {
	runs []run.UnfinishedRun
	err  error
}

func (h *Home) loadRuns() tea.Cmd {
	c := h.c
	return func() tea.Msg {
		runs, err := run.FindUnfinishedRuns(c)
		return homeRunsMsg{runs: runs, err: err}
	}
}

func (h *Home) Init() tea.Cmd { return h.loadRuns() }

// Reveal re-reads the journals: a run may have finished or stopped since.
func (h *Home) Reveal() tea.Cmd { return h.loadRuns() }

func (h *Home) Title() string { return "Home" }

func (h *Home) Explanation() string {
	return "Device signal collection sets up what Okta learns about a device at sign-in " +
		"(Okta Verify, Chrome Device Trust, a device posture IdP). Device assurance policies " +
		"then say which devices are good enough, and app sign-in rules require them. Start " +
		"with signal collection: assurance checks need the signals it collects."
}

func (h *Home) CapturingInput() bool { return false }

func (h *Home) SetSize(w, ht int) { h.width, h.height = w, ht }

func (h *Home) ShortHelp() []key.Binding {
	b := []key.Binding{h.keys.Move, h.keys.Open}
	if n := len(h.items()); n > 0 {
		b = append(b, common.DigitKeys(n, "open"))
	}
	return b
}

func (h *Home) items() []homeItem {
	var items []homeItem
	for _, r := range h.runs {
		r := r
		items = append(items, homeItem{
			title: "Resume or roll back: " + r.Title,
			desc:  r.Desc,
			open:  func() tea.Cmd { return push(run.NewResume(h.c, r)) },
		})
	}
	for _, f := range registeredFlows() {
		f := f
		items = append(items, homeItem{
			title: f.Title, desc: f.Description,
			open: func() tea.Cmd { return push(f.Start(h.c)) },
		})
	}
	return items
}

func push(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{Screen: s} } }

func (h *Home) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case homeRunsMsg:
		h.runs, h.runsErr = msg.runs, msg.err
		if h.runsErr != nil && h.c.Log != nil {
			h.c.Log.Warn("reading journals", "err", h.runsErr)
		}
		h.cursor = min(h.cursor, max(len(h.items())-1, 0))
	case tea.KeyMsg:
		items := h.items()
		switch {
		case key.Matches(msg, h.c.Keys.Up):
			h.cursor = max(h.cursor-1, 0)
		case key.Matches(msg, h.c.Keys.Down):
			h.cursor = min(h.cursor+1, max(len(items)-1, 0))
		case key.Matches(msg, h.keys.Open):
			if h.cursor < len(items) {
				return h, items[h.cursor].open()
			}
		default:
			// Digits open a flow directly.
			if s := msg.String(); len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
				if i := int(s[0] - '1'); i < len(items) {
					h.cursor = i
					return h, items[i].open()
				}
			}
		}
	}
	return h, nil
}

func (h *Home) View() string {
	s := h.c.Styles
	var b strings.Builder
	if h.c.Sandbox {
		b.WriteString("Talking to the " + s.Sandbox.Render("SANDBOX") + " org: a local stand-in for Okta, safe to\n")
		b.WriteString(s.Subtle.Render("try everything. Set OKTA_CLIENT_ORGURL (or --org-url) for a real org.") + "\n\n")
	} else {
		b.WriteString("Org: " + s.Title.Render(h.c.OrgLabel) + "\n")
		b.WriteString(s.Subtle.Render("Every request is shown before it is sent.") + "\n\n")
	}
	if h.runsErr != nil {
		b.WriteString(s.Warn.Render(clipLine("Could not read unfinished runs: "+h.runsErr.Error(), h.width)) + "\n\n")
	}
	items := h.items()
	if len(items) == 0 {
		b.WriteString(s.Subtle.Render("No flows are available in this build.") + "\n")
	}
	descWidth := max(h.width-5, 20)
	for i, it := range items {
		cursor := "  "
		title := fmt.Sprintf("%d. %s", i+1, it.title)
		if i == h.cursor {
			cursor = s.Selected.Render("> ")
			title = s.Selected.Render(title)
		}
		b.WriteString(cursor + clipLine(title, h.width-2) + "\n")
		if it.desc != "" {
			desc := lipgloss.NewStyle().Width(descWidth).Render(it.desc)
			b.WriteString(indent(s.Subtle.Render(desc), "     "))
		}
	}
	return b.String()
}
