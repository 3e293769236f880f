package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// daAPITimeout bounds each read the DA screens make.
const daAPITimeout = 30 * time.Second

// assuranceMenuItem is one choice of the device assurance menu.
type assuranceMenuItem struct {
	title, help string
	open        func(c *Common) Screen
}

var assuranceMenuItems = []assuranceMenuItem{
	{"Create a device assurance policy", "Pick a platform and the checks a device must pass.",
		func(c *Common) Screen { return NewAssuranceEditor(c, flows.AssuranceDraft{}) }},
	{"Edit a device assurance policy", "Change an existing policy; the preview shows the diff.",
		func(c *Common) Screen { return newAssurancePicker(c) }},
	{"Add policies to an app sign-in rule", "Require them in a new or existing rule of an app sign-in policy.",
		func(c *Common) Screen { return NewAssuranceRuleFlow(c) }},
	{"Recent device assurance events", "The System Log's add, update and delete events of the last 24 h.",
		func(c *Common) Screen { return NewSyslogView(c, RecentAssuranceEvents()) }},
}

func init() {
	RegisterFlow(FlowEntry{
		Order:       20,
		Title:       "Device assurance",
		Description: "Create or edit a device assurance policy, require it in an app sign-in rule, see its System Log events.",
		Start:       NewAssuranceFlow,
		Accessible:  runAssuranceAccessible,
	})
}

// AssuranceMenu is the entry of the device assurance flow.
type AssuranceMenu struct {
	c      *Common
	cursor int
	width  int
	height int
}

// NewAssuranceFlow is the device assurance entry the home screen opens: create, edit, add to a
// rule, or recent events.
func NewAssuranceFlow(c *Common) Screen {
	return &AssuranceMenu{c: c, width: c.Width, height: c.Height}
}

func (m *AssuranceMenu) Init() tea.Cmd { return nil }

func (m *AssuranceMenu) Update(msg tea.Msg) (Screen, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.c.Keys.Up):
		m.cursor = (m.cursor + len(assuranceMenuItems) - 1) % len(assuranceMenuItems)
	case key.Matches(k, m.c.Keys.Down):
		m.cursor = (m.cursor + 1) % len(assuranceMenuItems)
	case key.Matches(k, m.c.Keys.Enter):
		return m, daPush(assuranceMenuItems[m.cursor].open(m.c))
	case key.Matches(k, m.c.Keys.Back):
		return m, func() tea.Msg { return BackMsg{} }
	default:
		// Digits pick an item directly.
		if s := k.String(); len(s) == 1 && s[0] >= '1' && int(s[0]-'0') <= len(assuranceMenuItems) {
			m.cursor = int(s[0] - '1')
			return m, daPush(assuranceMenuItems[m.cursor].open(m.c))
		}
	}
	return m, nil
}

func (m *AssuranceMenu) View() string {
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Device assurance"))
	b.WriteString("\n")
	b.WriteString(lipgloss.NewStyle().Width(max(m.width, 20)).Render(st.Subtle.Render(
		"Policies of checks a device must pass, required by app sign-in policy rules.")))
	b.WriteString("\n\n")
	for i, it := range assuranceMenuItems {
		line := fmt.Sprintf("%d. %s", i+1, it.title)
		if i == m.cursor {
			b.WriteString(st.Selected.Render("> " + line))
		} else {
			b.WriteString("  " + line)
		}
		b.WriteString("\n")
		b.WriteString("     " + st.Subtle.Render(it.help) + "\n")
	}
	return b.String()
}

func (m *AssuranceMenu) SetSize(w, h int) { m.width, m.height = w, h }

func (m *AssuranceMenu) ShortHelp() []key.Binding {
	// Short labels: the digits and the shell's own keys must fit 80 columns too.
	move := key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "move"))
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
	return []key.Binding{move, open, common.DigitKeys(len(assuranceMenuItems), "open")}
}

func (m *AssuranceMenu) Title() string { return "Device assurance" }

func (m *AssuranceMenu) Explanation() string { return assuranceExplanation }

// Messages of the edit picker's reads.
type (
	assuranceListMsg struct {
		p        *assurancePicker
		policies []okta.DeviceAssurance
		err      error
	}
	assuranceReadMsg struct {
		p      *assurancePicker
		policy *okta.DeviceAssurance
		err    error
	}
)

// assurancePicker lists the org's device assurance policies and opens the chosen one in the editor.
type assurancePicker struct {
	c        *Common
	pf       *pagedForm
	policies []okta.DeviceAssurance
	loaded   bool
	chosen   string
	reading  bool
}

func newAssurancePicker(c *Common) *assurancePicker {
	p := &assurancePicker{c: c}
	p.pf = newPagedForm(c, p.pages, p.finish)
	return p
}

func (p *assurancePicker) load() tea.Cmd {
	api := p.c.API
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), daAPITimeout)
		defer cancel()
		list, err := api.ListDeviceAssurances(ctx)
		return assuranceListMsg{p: p, policies: list, err: err}
	}
}

func (p *assurancePicker) pages() []formPage {
	return []formPage{{
		key: "pick", title: "Pick the policy to edit", owns: []string{"id"},
		ready: func() bool { return p.loaded && len(p.policies) > 0 },
		group: func() *huh.Group {
			opts := make([]huh.Option[string], 0, len(p.policies))
			for _, d := range p.policies {
				label := fmt.Sprintf("%-8s %s", daLabel(platformLabels, d.Platform), d.Name)
				if d.LastUpdate != "" {
					if t, err := time.Parse(time.RFC3339, d.LastUpdate); err == nil {
						label += "  (updated " + t.In(daLocation).Format("2006-01-02") + ")"
					}
				}
				opts = append(opts, huh.NewOption(label, d.ID))
			}
			if p.chosen == "" {
				p.chosen = p.policies[0].ID
			}
			return huh.NewGroup(huh.NewSelect[string]().Title("Device assurance policies").
				Description("/ filters the list.").
				Options(opts...).Value(&p.chosen).Height(p.pf.listHeight(len(opts), 2)))
		},
	}}
}

// finish reads the chosen policy whole (list answers may be abridged) and opens the editor.
func (p *assurancePicker) finish() tea.Cmd {
	p.reading = true
	api, id := p.c.API, p.chosen
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), daAPITimeout)
		defer cancel()
		d, err := api.GetDeviceAssurance(ctx, id)
		return assuranceReadMsg{p: p, policy: d, err: err}
	}
}

func (p *assurancePicker) Init() tea.Cmd { return p.load() }

func (p *assurancePicker) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case assuranceListMsg:
		if msg.p != p {
			return p, nil
		}
		p.loaded = true
		if msg.err != nil {
			p.pf.errMsg = "Could not list device assurance policies: " + msg.err.Error() + " (ctrl+r retries)"
			return p, nil
		}
		p.pf.errMsg = ""
		p.policies = msg.policies
		sort.SliceStable(p.policies, func(i, j int) bool {
			return strings.ToLower(p.policies[i].Name) < strings.ToLower(p.policies[j].Name)
		})
		return p, p.pf.start()
	case assuranceReadMsg:
		if msg.p != p {
			return p, nil
		}
		p.reading = false
		if msg.err != nil {
			p.pf.errMsg = "Could not read the policy: " + msg.err.Error()
			return p, p.pf.reopen()
		}
		draft := flows.DraftFromAssurance(*msg.policy, daLocation)
		return p, tea.Batch(p.pf.reopen(), daPush(NewAssuranceEditor(p.c, draft)))
	case tea.KeyMsg:
		if key.Matches(msg, p.c.Keys.Refresh) && !p.pf.capturing() {
			p.loaded = false
			return p, p.load()
		}
	}
	cmd, back := p.pf.update(msg)
	if back {
		return p, func() tea.Msg { return BackMsg{} }
	}
	return p, cmd
}

func (p *assurancePicker) View() string {
	st := p.c.Styles
	switch {
	case p.reading:
		return st.Title.Render("Pick the policy to edit") + "\n\n" + st.Subtle.Render("Reading the policy...")
	case p.loaded && len(p.policies) == 0 && p.pf.errMsg == "":
		return st.Title.Render("Pick the policy to edit") + "\n\n" +
			"The org has no device assurance policies yet. Press esc and create one."
	case !p.loaded:
		return st.Title.Render("Pick the policy to edit") + "\n\n" + st.Subtle.Render("Loading device assurance policies...")
	}
	return p.pf.view()
}

func (p *assurancePicker) SetSize(w, h int) { p.pf.setSize(w, h) }

func (p *assurancePicker) ShortHelp() []key.Binding {
	return append(p.pf.keys(), p.c.Keys.Filter, p.c.Keys.Refresh)
}

func (p *assurancePicker) Title() string { return "Edit device assurance" }

func (p *assurancePicker) CapturingInput() bool { return p.pf.capturing() }
