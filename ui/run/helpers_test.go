package run

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

// Screens in tests are plain text whatever terminal runs them (what NO_COLOR gives).
func init() { lipgloss.SetColorProfile(termenv.Ascii) }

var (
	testSandbox = uitest.Sandbox
	testCommon  = uitest.Common
)

// screenModel runs one screen as a tea.Model so uitest.Driver can step it; the navigation
// messages it sends are recorded; a push or replace shows the new screen in its place.
type screenModel struct {
	s    common.Screen
	sent []tea.Msg
}

func (m *screenModel) Init() tea.Cmd { return m.s.Init() }

func (m *screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.s.SetSize(msg.Width, msg.Height)
		return m, nil
	case common.PushMsg:
		m.sent = append(m.sent, msg)
		return m, m.open(msg.Screen)
	case common.ReplaceMsg:
		m.sent = append(m.sent, msg)
		return m, m.open(msg.Screen)
	case common.BackMsg, common.HomeMsg, common.BusyMsg:
		m.sent = append(m.sent, msg)
		return m, nil
	}
	var cmd tea.Cmd
	m.s, cmd = m.s.Update(msg)
	return m, cmd
}

func (m *screenModel) View() string { return m.s.View() }

// open shows s in place of the current screen (a push or a replace: there is no stack here).
func (m *screenModel) open(s common.Screen) tea.Cmd {
	m.s = s
	return s.Init()
}

// driveScreen steps s at w x h.
func driveScreen(t *testing.T, s common.Screen, w, h int) (*uitest.Driver, *screenModel) {
	t.Helper()
	m := &screenModel{s: s}
	return uitest.New(t, m, w, h), m
}
