package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"context"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

// Screens in tests are plain text whatever terminal runs them (what NO_COLOR gives).
func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// shellSandbox starts an in-memory sandbox org (opts may change it) and a real okta.Client
// talking to it over HTTP, with a 20 s request timeout.
func shellSandbox(t *testing.T, opts ...sandboxtest.Option) (*sandbox.Server, *okta.Client) {
	t.Helper()
	return uitest.Sandbox(t, opts...)
}

// shellCommon is the Common of a test run against api at a fixed size.
func shellCommon(t *testing.T, api okta.API, w, h int) *Common { return uitest.Common(t, api, w, h) }

// driver steps the root model message by message (see uitest.Driver).
type driver struct{ *uitest.Driver }

func newDriver(t *testing.T, m tea.Model, w, h int) *driver {
	return &driver{uitest.New(t, m, w, h)}
}

// app returns the root model.
func (d *driver) app() *App { return d.Model().(*App) }

var oktaIDRE = regexp.MustCompile(`\b(rst|rul|00g|nzo|0oa|dae|00u)[A-Za-z0-9]{17}\b`)

// maskIDs replaces the sandbox's random ids so screens can be compared with golden files.
func maskIDs(s string) string { return oktaIDRE.ReplaceAllString(s, "<id>") }

// checkScreenSize fails when a screen is wider or taller than the terminal.
func checkScreenSize(t *testing.T, view string, w, h int) {
	t.Helper()
	uitest.CheckScreenSize(t, view, w, h)
}

// waitScreen waits until the program's output contains all of want.
func waitScreen(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	var last []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		last = b
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	_ = last
}

// press sends keys to a program one by one, leaving time for the commands they start.
func press(tm *teatest.TestModel, keys ...tea.KeyMsg) {
	for _, k := range keys {
		tm.Send(k)
		time.Sleep(60 * time.Millisecond)
	}
}

func kEnter() tea.KeyMsg           { return tea.KeyMsg{Type: tea.KeyEnter} }
func kType(s string) tea.KeyMsg    { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
func kOf(k tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: k} }

// failFirstMappingPOST makes the sandbox refuse the first policy mapping it is asked to
// create with E0000001, as a run that stops at stage 3.
func failFirstMappingPOST() sandboxtest.Option {
	return sandboxtest.Faults(sandbox.Faults{Rules: []sandbox.FaultRule{
		{Kind: sandbox.FaultValidation, Method: "POST", Path: "/api/v1/policies/*/mappings", Nth: 1},
	}})
}

// newShellDriver starts a sandbox org (opts may change it) and the wizard on it at w x h.
func newShellDriver(t *testing.T, w, h int, opts ...sandboxtest.Option) (*driver, *Common, *okta.Client) {
	t.Helper()
	_, api := shellSandbox(t, opts...)
	c := shellCommon(t, api, w, h)
	return newDriver(t, New(c), w, h), c, api
}

// runAccessibleAnswers runs accessible mode on c, typing answers one a line, and returns what
// it wrote; an error fails the test with that output.
func runAccessibleAnswers(t *testing.T, c *Common, answers []string) string {
	t.Helper()
	var out writesRecorder
	if err := RunAccessible(context.Background(), c, strings.NewReader(strings.Join(answers, "\n")+"\n"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.all.String())
	}
	// Every line the wizard ends fits 80 columns: explanations and messages are wrapped.
	requireWrittenLinesWithin(t, &out, 80)
	return out.all.String()
}

// requireOutput reports every want the text (what names it) lacks.
func requireOutput(t *testing.T, what, text string, want ...string) {
	t.Helper()
	fold := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, w := range want {
		// Accessible output is wrapped at 80 columns: a message may span lines.
		if !strings.Contains(text, w) && !strings.Contains(fold(text), fold(w)) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// requireLinesWithin fails for each line of accessible-mode text wider than width cells: a
// plain prompt is read on an 80-column terminal or by a screen reader, line by line.
func requireLinesWithin(t *testing.T, text string, width int) {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if n := lipgloss.Width(l); n > width {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, width, l)
		}
	}
}

// writesRecorder keeps each write, so tests can check the lines the wizard ends (a prompt is
// followed by the user's own echo on a terminal, which a buffer does not have).
type writesRecorder struct {
	all    strings.Builder
	writes []string
}

func (w *writesRecorder) Write(b []byte) (int, error) {
	w.writes = append(w.writes, string(b))
	return w.all.Write(b)
}

// requireWrittenLinesWithin fails for each line of a line-ending write wider than width.
func requireWrittenLinesWithin(t *testing.T, w *writesRecorder, width int) {
	t.Helper()
	for _, chunk := range w.writes {
		if !strings.HasSuffix(chunk, "\n") {
			continue // a prompt: the user's answer and Enter follow it on a terminal
		}
		requireLinesWithin(t, chunk, width)
	}
}
