// Package uitest drives Bubble Tea models in tests without a tea.Program, so the ui package's
// tests and the commands' tests (ui/cmd) step the wizard the same way. It does not import ui,
// so ui's own tests can use it too.
package uitest

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// DefaultCommandTimeout is how long a command may run before its message is dropped.
const DefaultCommandTimeout = 3 * time.Second

// Driver runs a model without a tea.Program: each message goes through Update and the
// commands it returns are run to completion, in order, before the next message. Screens
// are then deterministic, which golden files need. Animation ticks (cursor blink, spinner)
// are dropped so the loop ends.
type Driver struct {
	t       testing.TB
	m       tea.Model
	quit    bool
	trace   []string
	timeout time.Duration
}

// Option adjusts a Driver.
type Option func(*Driver)

// CommandTimeout sets how long one command may run before it counts as a timer that would
// not fire in time for a screen, and its message is dropped (default DefaultCommandTimeout).
func CommandTimeout(d time.Duration) Option { return func(dr *Driver) { dr.timeout = d } }

// New starts m (its Init commands run) and sends it a w x h window size.
func New(t testing.TB, m tea.Model, w, h int, opts ...Option) *Driver {
	d := &Driver{t: t, m: m, timeout: DefaultCommandTimeout}
	for _, o := range opts {
		o(d)
	}
	d.Exec(m.Init())
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// Send delivers msg and every message the commands it starts produce.
func (d *Driver) Send(msg tea.Msg) {
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

// Exec runs a command and feeds what it returns.
func (d *Driver) Exec(cmd tea.Cmd) {
	for _, msg := range d.run(cmd) {
		d.Send(msg)
	}
}

// run executes cmd (and batches, sequences) and returns the messages to deliver.
func (d *Driver) run(cmd tea.Cmd) []tea.Msg {
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
	case <-time.After(d.timeout):
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
	name := fmt.Sprintf("%T", msg)
	if strings.Contains(name, "cursor.") || strings.Contains(name, "spinner.") ||
		strings.Contains(strings.ToLower(name), "blink") || name == "tea.windowSizeMsg" {
		return nil
	}
	return []tea.Msg{msg}
}

// Key sends each key in turn.
func (d *Driver) Key(ks ...tea.KeyType) {
	for _, k := range ks {
		d.Send(tea.KeyMsg{Type: k})
	}
}

// TypeText types s as one run of runes.
func (d *Driver) TypeText(s string) { d.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

// Model is the model as its last Update returned it.
func (d *Driver) Model() tea.Model { return d.m }

// Quit reports whether the model asked to quit.
func (d *Driver) Quit() bool { return d.quit }

// View is the screen.
func (d *Driver) View() string { return d.m.View() }

// Flat is the screen with line breaks and padding folded into single spaces, so messages
// wrapped to the width can be searched for.
func (d *Driver) Flat() string { return fold(d.View()) }

func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

// RequireView fails unless the screen shows every want.
func (d *Driver) RequireView(want ...string) {
	d.t.Helper()
	v := d.View()
	for _, w := range want {
		if !strings.Contains(v, w) {
			d.t.Fatalf("screen lacks %q:\n%s", w, v)
		}
	}
}

// RequireFlat fails unless the folded screen (Flat) shows every want, itself folded.
func (d *Driver) RequireFlat(want ...string) {
	d.t.Helper()
	v := d.Flat()
	for _, w := range want {
		if !strings.Contains(v, fold(w)) {
			d.t.Fatalf("screen lacks %q:\n%s", w, d.View())
		}
	}
}
