package ui

import (
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// Screens in tests are plain text whatever terminal runs them (what NO_COLOR gives).
func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// shellSandbox starts a sandbox org (in memory unless opts says otherwise) and a real
// okta.Client talking to it over HTTP.
func shellSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *okta.Client) {
	t.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	api, err := okta.New(okta.Config{OrgURL: srv.URL(), Token: srv.Token(), RequestTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return srv, api
}

// shellCommon is the Common of a test run against api at a fixed size.
func shellCommon(t *testing.T, api okta.API, w, h int) *Common {
	return &Common{
		Width: w, Height: h,
		API: api, OrgLabel: "SANDBOX", Sandbox: true,
		JournalDir: t.TempDir(),
		Styles:     DefaultStyles(),
		Keys:       DefaultKeyMap(),
		Log:        DiscardLog(),
	}
}

// driver runs a model without a tea.Program: each message goes through Update and the
// commands it returns are run to completion, in order, before the next message. Screens
// are then deterministic, which golden files need. Timer commands (spinner, cursor blink)
// are dropped so the loop ends.
type driver struct {
	t     *testing.T
	m     tea.Model
	quit  bool
	w, h  int
	trace []string
}

func newDriver(t *testing.T, m tea.Model, w, h int) *driver {
	d := &driver{t: t, m: m, w: w, h: h}
	d.exec(m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 5000 {
			d.t.Fatalf("driver: message loop does not settle: %v", d.trace[max(len(d.trace)-10, 0):])
		}
		next := queue[0]
		queue = queue[1:]
		if _, ok := next.(tea.QuitMsg); ok {
			d.quit = true
			continue
		}
		d.trace = append(d.trace, fmt.Sprintf("%T", next))
		m, cmd := d.m.Update(next)
		d.m = m
		queue = append(queue, d.run(cmd)...)
	}
}

// exec runs a command and feeds what it returns.
func (d *driver) exec(cmd tea.Cmd) {
	for _, msg := range d.run(cmd) {
		d.send(msg)
	}
}

// run executes cmd (and batches, sequences) and returns the messages to deliver.
func (d *driver) run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	// Cursor blinks and spinner ticks only sleep and animate: not run at all.
	if fn := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()); fn != nil {
		if name := fn.Name(); strings.Contains(name, "/cursor.") || strings.Contains(name, "/spinner.") {
			return nil
		}
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(3 * time.Second):
		return nil // a timer that would not fire in time for a screen; dropped
	}
	if msg == nil {
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		// A batch's commands run together, as in a program; results keep the batch's order.
		results := make([]chan []tea.Msg, len(b))
		for i, c := range b {
			results[i] = make(chan []tea.Msg, 1)
			go func() { results[i] <- d.run(c) }()
		}
		var out []tea.Msg
		for _, r := range results {
			out = append(out, <-r...)
		}
		return out
	}
	// tea.Sequence returns an unexported []tea.Cmd type.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			out = append(out, d.run(v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	switch msg.(type) {
	case spinner.TickMsg:
		return nil
	}
	name := fmt.Sprintf("%T", msg)
	if strings.Contains(name, "cursor.") || strings.Contains(strings.ToLower(name), "blink") || name == "tea.windowSizeMsg" {
		return nil
	}
	return []tea.Msg{msg}
}

func (d *driver) key(k tea.KeyType) { d.send(tea.KeyMsg{Type: k}) }
func (d *driver) typeText(s string) { d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }
func (d *driver) keys(ks ...tea.KeyType) {
	for _, k := range ks {
		d.key(k)
	}
}
func (d *driver) view() string { return d.m.View() }

// requireView fails unless the screen shows every want.
func (d *driver) requireView(want ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			d.t.Fatalf("screen lacks %q:\n%s", w, v)
		}
	}
}

// app returns the root model.
func (d *driver) app() *App { return d.m.(*App) }

var oktaIDRE = regexp.MustCompile(`\b(rst|rul|00g|nzo|0oa|dae|00u)[A-Za-z0-9]{17}\b`)

// maskIDs replaces the sandbox's random ids so screens can be compared with golden files.
func maskIDs(s string) string { return oktaIDRE.ReplaceAllString(s, "<id>") }

// checkScreenSize fails when a screen is wider or taller than the terminal.
func checkScreenSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("screen has %d lines, more than %d:\n%s", len(lines), h, view)
	}
	for i, l := range lines {
		if n := lipgloss.Width(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, w, l)
		}
	}
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
