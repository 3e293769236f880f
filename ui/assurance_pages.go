package ui

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
)

// formPage is one page of a paged form: one huh group whose fields are bound to a draft.
// Pages are listed afresh from the draft on every move, so a page that does not apply to the
// answers so far (another platform, another grace mode) is simply not in the list: this is
// the page-level equivalent of huh's WithHideFunc, and it lets Esc step back over exactly the
// pages the user saw.
type formPage struct {
	key   string
	title string
	// owns lists the FieldError.Field prefixes whose errors belong on this page.
	owns []string
	// group builds the page's fields; it runs each time the page opens so options can depend
	// on earlier answers.
	group func() *huh.Group
	// done copies buffered answers (numbers, dates typed as text) into the draft; an error keeps
	// the user on the page with the message shown.
	done func() error
	// ready reports whether data the page needs has been loaded (nil: always ready).
	ready func() bool
	// explain is the page's ctrl+e text (empty: the screen's general one).
	explain string
}

// pagedForm walks a list of formPages, one huh form per page. Answers live in the draft the
// pages are bound to, so going back (Esc) and forward again keeps them.
type pagedForm struct {
	c      *Common
	pages  func() []formPage
	finish func() tea.Cmd // after the last page

	cur    string // key of the page shown
	form   *huh.Form
	group  *huh.Group
	errMsg string // from the page's done func or the whole-draft validation
	width  int
	height int
	// scrolled is set when the form got a fixed height (the page is taller than the screen).
	scrolled bool
}

func newPagedForm(c *Common, pages func() []formPage, finish func() tea.Cmd) *pagedForm {
	return &pagedForm{c: c, pages: pages, finish: finish, width: c.Width, height: c.Height}
}

// page returns the current page and its index in the current list (-1 when it is gone).
func (p *pagedForm) page() (formPage, int) {
	list := p.pages()
	for i, pg := range list {
		if pg.key == p.cur {
			return pg, i
		}
	}
	return formPage{}, -1
}

// start opens the first page.
func (p *pagedForm) start() tea.Cmd {
	list := p.pages()
	if len(list) == 0 {
		return nil
	}
	return p.open(list[0].key)
}

// open shows page key with a fresh form bound to the draft.
func (p *pagedForm) open(key string) tea.Cmd {
	p.cur = key
	p.form = nil
	pg, i := p.page()
	if i < 0 || (pg.ready != nil && !pg.ready()) {
		return nil
	}
	km := huh.NewDefaultKeyMap()
	p.scrolled = false
	p.group = pg.group()
	p.form = huh.NewForm(p.group).
		WithShowHelp(false).
		WithKeyMap(km).
		WithWidth(max(p.width, 20)).
		WithTheme(daFormTheme())
	p.fit()
	return p.form.Init()
}

// reopen rebuilds the current page (e.g. when data it waited for arrived, or the user came
// back from a later screen).
func (p *pagedForm) reopen() tea.Cmd {
	if p.cur == "" {
		return p.start()
	}
	return p.open(p.cur)
}

// Refresh rebuilds the current page when its data has arrived.
func (p *pagedForm) refresh() tea.Cmd {
	if p.form == nil {
		return p.reopen()
	}
	return nil
}

func (p *pagedForm) formHeight() int {
	return max(p.height-lipgloss.Height(p.header()), 5)
}

// errorRoom is kept free under the fields for huh's validation message.
const errorRoom = 3

// fit lets the form take its natural height, and scroll only when the page is taller than the
// screen; either way a validation message below the fields stays on screen.
func (p *pagedForm) fit() {
	if p.form == nil || p.group == nil {
		return
	}
	room := p.formHeight() - errorRoom
	natural := lipgloss.Height(p.group.Content())
	if h := p.group.Header(); h != "" {
		natural += lipgloss.Height(h)
	}
	if natural > room {
		p.form.WithHeight(max(room, 4))
		p.scrolled = true
	}
}

// listHeight is the height to give a select of n options under chrome lines of title and
// description: 0 (its natural height) when it fits the page, else the room there is, so the
// list scrolls instead of pushing the page off screen.
func (p *pagedForm) listHeight(n, chrome int) int {
	room := p.formHeight() - errorRoom
	if n+chrome <= room {
		return 0
	}
	return max(room, chrome+3)
}

func (p *pagedForm) setSize(w, h int) {
	p.width, p.height = w, h
	if p.form == nil {
		return
	}
	if p.scrolled {
		// huh cannot undo a fixed height: build the page again (answers live in the draft).
		p.open(p.cur)
		return
	}
	p.form.WithWidth(max(w, 20))
	p.fit()
}

// capturing reports whether the focused field takes printable keys.
func (p *pagedForm) capturing() bool {
	if p.form == nil {
		return false
	}
	switch f := p.form.GetFocusedField().(type) {
	case *huh.Input, *huh.Text:
		return true
	case interface{ GetFiltering() bool }:
		return f.GetFiltering()
	}
	return false
}

// update routes a message to the page's form; it reports back=true when Esc was pressed on
// the first page (the caller leaves the screen).
func (p *pagedForm) update(msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, p.c.Keys.Back) {
		if f, ok := p.focusedFiltering(); ok && f {
			// Esc clears the filter of a select first.
			return p.forward(msg), false
		}
		return p.back()
	}
	if _, ok := msg.(tea.WindowSizeMsg); ok {
		// Size comes through SetSize from the root, which knows header and footer.
		return nil, false
	}
	return p.forward(msg), false
}

func (p *pagedForm) focusedFiltering() (bool, bool) {
	if p.form == nil {
		return false, false
	}
	f, ok := p.form.GetFocusedField().(interface{ GetFiltering() bool })
	if !ok {
		return false, false
	}
	return f.GetFiltering(), true
}

// back opens the previous page, keeping every answer; on the first page it leaves.
func (p *pagedForm) back() (tea.Cmd, bool) {
	list := p.pages()
	_, i := p.page()
	if i <= 0 {
		return nil, true
	}
	p.errMsg = ""
	return p.open(list[i-1].key), false
}

func (p *pagedForm) forward(msg tea.Msg) tea.Cmd {
	if p.form == nil {
		return nil
	}
	m, cmd := p.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		p.form = f
	}
	if p.form.State != huh.StateCompleted {
		return cmd
	}
	return tea.Batch(cmd, p.next())
}

// next stores the page's answers and opens the following page, or finishes.
func (p *pagedForm) next() tea.Cmd {
	pg, i := p.page()
	if pg.done != nil {
		if err := pg.done(); err != nil {
			p.errMsg = err.Error()
			return p.open(pg.key)
		}
	}
	p.errMsg = ""
	// The list is taken again: this page's answers may add or remove later pages.
	list := p.pages()
	for j, q := range list {
		if q.key == pg.key {
			i = j
			break
		}
	}
	if i+1 < len(list) {
		return p.open(list[i+1].key)
	}
	return p.finish()
}

// showErrors puts validation errors on the page that owns the first of them (the page with the
// most specific field prefix), with every message that belongs there.
func (p *pagedForm) showErrors(errs []flows.FieldError) tea.Cmd {
	if len(errs) == 0 {
		return nil
	}
	list := p.pages()
	owner := func(field string) int {
		best, bestLen := 0, -1
		for i, pg := range list {
			for _, prefix := range pg.owns {
				if ownsField(prefix, field) && len(prefix) > bestLen {
					best, bestLen = i, len(prefix)
				}
			}
		}
		return best
	}
	target := owner(errs[0].Field)
	var msgs []string
	for _, e := range errs {
		if owner(e.Field) == target {
			msgs = append(msgs, e.Msg)
		}
	}
	cmd := p.open(list[target].key)
	p.errMsg = strings.Join(msgs, "\n")
	return cmd
}

func ownsField(prefix, field string) bool {
	return field == prefix || strings.HasPrefix(field, prefix+".") || strings.HasPrefix(field, prefix+"[")
}

// fieldErrorsOf extracts FieldErrors from an error a Plan method returned.
func fieldErrorsOf(err error) []flows.FieldError {
	var v flows.ValidationErrors
	if errors.As(err, &v) {
		return v
	}
	var f flows.FieldError
	if errors.As(err, &f) {
		return []flows.FieldError{f}
	}
	return nil
}

// header is the page's title line, its position and any error.
func (p *pagedForm) header() string {
	st := p.c.Styles
	pg, i := p.page()
	n := len(p.pages())
	var b strings.Builder
	if i >= 0 {
		b.WriteString(st.Title.Render(pg.title))
		if n > 1 {
			b.WriteString(st.Subtle.Render(" · page " + strconv.Itoa(i+1) + " of " + strconv.Itoa(n)))
		}
	}
	if p.errMsg != "" {
		b.WriteString("\n")
		b.WriteString(lipgloss.NewStyle().Width(max(p.width, 20)).Render(st.Error.Render(p.errMsg)))
	}
	return b.String()
}

func (p *pagedForm) view() string {
	head := p.header()
	if p.form == nil {
		return head + "\n\n" + p.c.Styles.Subtle.Render("Loading from Okta...")
	}
	return head + "\n" + p.form.View()
}

// explanation is the current page's ctrl+e text, or general.
func (p *pagedForm) explanation(general string) string {
	if pg, i := p.page(); i >= 0 && pg.explain != "" {
		return pg.explain
	}
	return general
}

func (p *pagedForm) keys() []key.Binding {
	if p.form == nil {
		return nil
	}
	// The footer has one line: the field's first few keys are enough next to esc and ctrl+c.
	b := p.form.KeyBinds()
	return append([]key.Binding(nil), b[:min(len(b), 3)]...)
}

// daFormTheme is huh's base theme with the wizard's accents; under NO_COLOR it renders plain.
func daFormTheme() *huh.Theme {
	t := huh.ThemeBase()
	t.Focused.Title = t.Focused.Title.Bold(true).Foreground(lipgloss.Color("12"))
	t.Focused.ErrorMessage = t.Focused.ErrorMessage.Foreground(lipgloss.Color("9"))
	t.Focused.ErrorIndicator = t.Focused.ErrorIndicator.Foreground(lipgloss.Color("9"))
	t.Focused.SelectSelector = t.Focused.SelectSelector.Foreground(lipgloss.Color("13"))
	t.Focused.SelectedOption = t.Focused.SelectedOption.Foreground(lipgloss.Color("13"))
	t.Focused.MultiSelectSelector = t.Focused.MultiSelectSelector.Foreground(lipgloss.Color("13"))
	t.Focused.Description = t.Focused.Description.Foreground(lipgloss.Color("8"))
	// Without colour (NO_COLOR) the chosen button would look like the other: bracket it.
	t.Focused.FocusedButton = t.Focused.FocusedButton.Transform(func(s string) string { return "[" + s + "]" })
	t.Focused.BlurredButton = t.Focused.BlurredButton.Transform(func(s string) string { return " " + s + " " })
	t.Blurred.FocusedButton = t.Blurred.FocusedButton.Transform(func(s string) string { return "[" + s + "]" })
	t.Blurred.BlurredButton = t.Blurred.BlurredButton.Transform(func(s string) string { return " " + s + " " })
	return t
}

// reviewReadOnly are members Okta sets itself; a replace body leaves them out, so the preview
// must not show their absence as a change.
var reviewReadOnly = []string{
	"id", "created", "lastUpdated", "status", "_links", "_embedded",
	"createdBy", "createdDate", "lastUpdate", "lastUpdatedBy",
	"resourceType", "resourceDisplayName", "resourceId", "createdUpdate",
}

// forReview returns the plan as the review screen should diff it: each before-image without the
// read-only members the body does not carry, and with a grace period written as the body
// writes it when both mean the same duration (Okta answers P30D as PT720H). The plan that is
// sent keeps the before-image as read (roll back restores that).
func forReview(plan flows.Plan) flows.Plan {
	out := plan
	out.Steps = append([]flows.Step(nil), plan.Steps...)
	for i, st := range out.Steps {
		if st.Before == nil || st.Body == nil {
			continue
		}
		var before, body map[string]any
		if b, err := json.Marshal(st.Before); err != nil || json.Unmarshal(b, &before) != nil {
			continue
		}
		if b, err := json.Marshal(st.Body); err != nil || json.Unmarshal(b, &body) != nil {
			continue
		}
		for _, k := range reviewReadOnly {
			if _, sent := body[k]; !sent {
				delete(before, k)
			}
		}
		if gb, ok := before["gracePeriod"].(map[string]any); ok {
			if ga, ok := body["gracePeriod"].(map[string]any); ok && gb["type"] == ga["type"] {
				eb, _ := gb["expiry"].(string)
				ea, _ := ga["expiry"].(string)
				if eb != ea && (flows.SameDuration(eb, ea) || daSameInstant(eb, ea)) {
					gb["expiry"] = ea
				}
			}
		}
		b, err := json.Marshal(before)
		if err != nil {
			continue
		}
		// Decode into the before-image's own type, so both sides print their members in the
		// same order.
		typed := reflect.New(reflect.TypeOf(st.Before).Elem()).Interface()
		if reflect.TypeOf(st.Before).Kind() != reflect.Pointer || json.Unmarshal(b, typed) != nil {
			continue
		}
		out.Steps[i].Before = typed
	}
	return out
}

func daSameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	return errA == nil && errB == nil && ta.Equal(tb)
}
