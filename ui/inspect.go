package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/signin"
)

// Inspect is the inspection screen: one tab per inventory kind, a table that filters as you
// type, and a detail pane with the selected object's JSON. The inventory loads in the
// background; rows appear as policy pages arrive, so the screen is usable while a large org loads.
type Inspect struct {
	c             *Common
	width, height int
	opts          flows.LoadOptions

	tab  int // index into flows.Kinds
	inv  *flows.Inventory
	rows []flows.Row // rows of the current tab after the filter

	// While loading: preliminary rows per kind, the latest progress, a way to stop.
	loading  bool
	gen      int
	partial  map[flows.Kind][]flows.Row
	progress flows.Progress
	cancel   context.CancelFunc
	loadErr  error
	// rateWait is the client's latest wait for a rate-limit bucket, shown until it ends.
	rateWait      okta.Notice
	rateWaitUntil time.Time

	spinner   spinner.Model
	filter    textinput.Model
	filtering bool // the filter input has focus

	cursor, offset int
	// Detail: shown below the table when there is room, else toggled full-screen with enter.
	detail     viewport.Model
	detailOpen bool
	detailFor  string // row id whose JSON the viewport holds
	keys       inspectKeys
}

type inspectKeys struct {
	NextTab, PrevTab, Detail, PageUp, PageDown, Top, Bottom key.Binding
}

func newInspectKeys() inspectKeys {
	return inspectKeys{
		NextTab:  key.NewBinding(key.WithKeys("tab", "right", "l"), key.WithHelp("tab", "view")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab", "left", "h"), key.WithHelp("shift+tab", "previous view")),
		Detail:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "json")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " ")),
		Top:      key.NewBinding(key.WithKeys("home", "g")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G")),
	}
}

func init() {
	RegisterFlow(FlowEntry{
		Order:       30,
		Title:       "Inspect the org",
		Description: "Browse DSC, app sign-in and device assurance policies, recent events and warnings",
		Start:       NewInspect,
		Accessible:  runInspectAccessible,
	})
}

// NewInspect returns the inspection screen; it starts loading the org on Init.
func NewInspect(c *Common) Screen { return NewInspectWith(c, flows.LoadOptions{}, flows.KindDSC, "") }

// NewInspectWith opens the screen on a kind with a filter already typed (the inspect command's
// --kind and --filter) and with load options.
func NewInspectWith(c *Common, opts flows.LoadOptions, kind flows.Kind, filter string) *Inspect {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "filter"
	ti.SetValue(filter)
	sp := spinner.New(spinner.WithSpinner(spinner.Line))
	m := &Inspect{c: c, opts: opts, spinner: sp, filter: ti, keys: newInspectKeys(), partial: map[flows.Kind][]flows.Row{}}
	for i, k := range flows.Kinds {
		if k == kind {
			m.tab = i
		}
	}
	m.SetSize(c.Width, c.Height)
	return m
}

// NewInspectApp is the whole program of `okta-device-wizard inspect`: the root model (header,
// footer, quit handling) with the inspection screen s as its only screen.
func NewInspectApp(c *Common, s *Inspect) tea.Model { return newApp(c, s) }

// Messages of a load. gen ties them to the load that sent them, so a refresh ignores stale ones.
type (
	inspectProgressMsg struct {
		gen int
		p   flows.Progress
		ch  <-chan tea.Msg
	}
	inspectLoadedMsg struct {
		gen int
		inv *flows.Inventory
		err error
	}
	// inspectRateWaitMsg: the client waits for a rate-limit bucket before its next request.
	inspectRateWaitMsg struct {
		gen   int
		n     okta.Notice
		until time.Time
		ch    <-chan tea.Msg
	}
)

// Title names the screen in the header.
func (m *Inspect) Title() string { return "Inspect" }

// Explanation says what the screen shows.
func (m *Inspect) Explanation() string {
	return "Inspection reads the org without changing it: device signal collection policies with " +
		"their mappings and rules, app sign-in policies with their device conditions and the apps they " +
		"protect, each app with its app sign-in policy, device assurance policies and which rules use " +
		"them, and recent device-related System Log events. Warnings list what looks wrong: device rules " +
		"no active DSC policy serves, app sign-in policies no app uses, unused assurance policies, " +
		"inactive DSC policies and expired grace periods."
}

// CapturingInput reports whether keys are text for the filter.
func (m *Inspect) CapturingInput() bool { return m.filtering }

// Init starts loading the inventory.
func (m *Inspect) Init() tea.Cmd { return m.load() }

func (m *Inspect) load() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	gen := m.gen
	m.loading, m.loadErr = true, nil
	m.partial = map[flows.Kind][]flows.Row{}
	m.progress = flows.Progress{}
	if m.c.API == nil {
		m.loading = false
		m.loadErr = fmt.Errorf("no org connected")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	// Progress goes through a channel read one message per command, so the loader never
	// touches the model and a slow screen slows the loader instead of piling up messages.
	ch := make(chan tea.Msg, 16)
	m.rateWaitUntil = time.Time{}
	ctx = okta.WithNotifier(ctx, func(n okta.Notice) {
		if n.Kind != okta.NoticeRateLimitWait {
			return
		}
		select { // never block a request: a wait not shown is shown by the next one
		case ch <- inspectRateWaitMsg{gen: gen, n: n, until: time.Now().Add(n.Wait), ch: ch}:
		default:
		}
	})
	api, opts := m.c.API, m.opts
	go func() {
		inv, err := flows.LoadInventory(ctx, api, opts, func(p flows.Progress) {
			select {
			case ch <- inspectProgressMsg{gen: gen, p: p, ch: ch}:
			case <-ctx.Done():
			}
		})
		select {
		case ch <- inspectLoadedMsg{gen: gen, inv: inv, err: err}:
		case <-ctx.Done():
		}
	}()
	return tea.Batch(m.spinner.Tick, waitInspect(ch))
}

func waitInspect(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// Update handles loading messages and keys.
func (m *Inspect) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case inspectProgressMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.progress = msg.p
		for _, r := range msg.p.NewRows {
			m.partial[r.Kind] = append(m.partial[r.Kind], r)
		}
		if len(msg.p.NewRows) > 0 {
			m.refilter(false)
		}
		return m, waitInspect(msg.ch)
	case inspectRateWaitMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.rateWait, m.rateWaitUntil = msg.n, msg.until
		return m, waitInspect(msg.ch)
	case inspectLoadedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.loading = false
		m.cancel = nil
		if msg.err != nil {
			m.loadErr = msg.err
			return m, nil
		}
		m.inv = msg.inv
		m.partial = map[flows.Kind][]flows.Row{}
		m.detailFor = ""
		m.refilter(false)
		return m, nil
	case spinner.TickMsg:
		return m, tickSpinner(&m.spinner, m.loading, msg)
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return m, nil
}

func (m *Inspect) handleKey(msg tea.KeyMsg) (Screen, tea.Cmd) {
	k := m.c.Keys
	if key.Matches(msg, k.Refresh) {
		return m, m.load()
	}
	if m.filtering {
		switch msg.Type {
		case tea.KeyEsc:
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.refilter(true)
			return m, nil
		case tea.KeyEnter, tea.KeyUp, tea.KeyDown, tea.KeyTab, tea.KeyShiftTab:
			m.filtering = false
			m.filter.Blur()
			if msg.Type == tea.KeyEnter {
				return m, nil
			}
			return m.handleKey(msg)
		}
		before := m.filter.Value()
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		if m.filter.Value() != before {
			m.refilter(true)
		}
		return m, cmd
	}
	if m.detailOpen {
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, m.keys.Detail):
			m.detailOpen = false
			m.layoutDetail()
			return m, nil
		}
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return m, cmd
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m, m.filter.Focus()
	case key.Matches(msg, k.Back):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.refilter(true)
			return m, nil
		}
		if m.cancel != nil {
			m.cancel()
		}
		return m, func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, m.keys.NextTab):
		m.setTab(m.tab + 1)
	case key.Matches(msg, m.keys.PrevTab):
		m.setTab(m.tab - 1 + len(flows.Kinds))
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, m.keys.PageUp):
		m.move(-m.tableRows())
	case key.Matches(msg, m.keys.PageDown):
		m.move(m.tableRows())
	case key.Matches(msg, m.keys.Top):
		m.move(-len(m.rows))
	case key.Matches(msg, m.keys.Bottom):
		m.move(len(m.rows))
	case key.Matches(msg, k.TrySignIn):
		// On the apps view the sign-in starts from the app under the cursor.
		var opts signin.Options
		if m.Kind() == flows.KindApps && len(m.rows) > 0 {
			opts.AppID = m.rows[m.cursor].ID
		}
		screen := signin.New(m.c, opts)
		return m, func() tea.Msg { return PushMsg{Screen: screen} }
	case key.Matches(msg, m.keys.Detail):
		if len(m.rows) > 0 {
			m.detailOpen = true
			m.layoutDetail()
			m.syncDetail()
		}
	default:
		if msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && msg.Runes[0] <= '9' {
			if i := int(msg.Runes[0] - '1'); i < len(flows.Kinds) {
				m.setTab(i)
			}
		}
	}
	return m, nil
}

func (m *Inspect) setTab(i int) {
	m.tab = i % len(flows.Kinds)
	m.cursor, m.offset = 0, 0
	m.refilter(true)
}

// Kind is the view on screen.
func (m *Inspect) Kind() flows.Kind { return flows.Kinds[m.tab] }

// Rows are the rows the table shows (after the filter).
func (m *Inspect) Rows() []flows.Row { return m.rows }

// Inventory is the loaded inventory (nil while the first load runs).
func (m *Inspect) Inventory() *flows.Inventory { return m.inv }

// refilter recomputes the visible rows; reset puts the cursor back on the first row (a new
// query), otherwise the cursor stays on the same row when rows are appended.
func (m *Inspect) refilter(reset bool) {
	kind := m.Kind()
	var all []flows.Row
	if m.inv != nil {
		all = m.inv.Rows(kind)
	} else {
		all = m.partial[kind]
	}
	m.rows = flows.FilterRows(all, m.filter.Value())
	if reset {
		m.cursor, m.offset = 0, 0
	}
	m.move(0)
}

func (m *Inspect) move(delta int) {
	m.cursor += delta
	if m.cursor >= len(m.rows) {
		m.cursor = len(m.rows) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	n := m.tableRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	if m.offset < 0 {
		m.offset = 0
	}
	m.syncDetail()
}

// splitDetail reports whether the detail pane fits below the table.
func (m *Inspect) splitDetail() bool { return m.height >= 30 }

// tableRows is how many rows the table shows.
func (m *Inspect) tableRows() int {
	n := m.height - 3 // tabs, status line, column titles
	if m.splitDetail() {
		n = (m.height - 3) * 2 / 5
	}
	return max(n, 1)
}

// SetSize lays the screen out.
func (m *Inspect) SetSize(width, height int) {
	m.width, m.height = width, height
	m.filter.Width = max(width-30, 10)
	m.layoutDetail()
	m.move(0)
}

// layoutDetail sizes the detail viewport: the whole body when open, else the split pane.
func (m *Inspect) layoutDetail() {
	dh := m.height - 2
	if !m.detailOpen && m.splitDetail() {
		dh = m.height - 3 - m.tableRows() - 1
	}
	m.detail.Width, m.detail.Height = max(m.width, 10), max(dh, 1)
}

func (m *Inspect) syncDetail() {
	if !m.detailOpen && !m.splitDetail() {
		return
	}
	if len(m.rows) == 0 {
		m.detail.SetContent("")
		m.detailFor = ""
		return
	}
	r := m.rows[m.cursor]
	id := string(r.Kind) + "/" + r.ID + "/" + strconv.Itoa(r.Index)
	if id == m.detailFor {
		return
	}
	m.detailFor = id
	m.detail.SetContent(m.detailText(r))
	m.detail.GotoTop()
}

func (m *Inspect) detailText(r flows.Row) string {
	if m.inv == nil {
		return "Rules, mappings and cross-references are still loading…\n\n" + strings.Join(r.Cells, "\n")
	}
	var b strings.Builder
	for _, w := range m.inv.WarningsFor(r.Kind, r.ID) {
		b.WriteString(m.c.Styles.Warn.Width(max(m.width, 20)).Render("! "+w.Message) + "\n")
	}
	js, err := m.inv.DetailJSON(r)
	if err == nil {
		js, err = withoutLinks(js)
	}
	if err != nil {
		b.WriteString(err.Error())
		return b.String()
	}
	b.Write(js)
	return b.String()
}

// ShortHelp lists the screen's keys.
func (m *Inspect) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	return []key.Binding{m.keys.NextTab, k.Filter, m.keys.Detail, k.TrySignIn, k.Refresh}
}

// View draws tabs, status or filter line, the table and the detail pane.
func (m *Inspect) View() string {
	lines := []string{m.tabsView(), m.statusView()}
	if m.detailOpen {
		lines = append(lines, m.detail.View())
		return strings.Join(lines, "\n")
	}
	lines = append(lines, m.tableView()...)
	if m.splitDetail() {
		lines = append(lines, m.c.Styles.Subtle.Render(strings.Repeat("─", max(m.width, 1))), m.detail.View())
	}
	return strings.Join(lines, "\n")
}

func (m *Inspect) count(k flows.Kind) int {
	if m.inv != nil {
		return m.inv.Count(k)
	}
	return len(m.partial[k])
}

func (m *Inspect) tabsView() string {
	s := m.c.Styles
	short := m.width < 110
	parts := make([]string, len(flows.Kinds))
	for i, k := range flows.Kinds {
		title := k.Title()
		if short {
			title = shortKindTitle(k)
		}
		label := fmt.Sprintf("%s (%s)", title, formatCount(m.count(k)))
		if m.loading && (k == flows.KindEvents || k == flows.KindWarnings) {
			label = title + " (…)"
		}
		if i == m.tab {
			parts[i] = s.Selected.Render("[" + label + "]")
		} else {
			parts[i] = s.Subtle.Render(" " + label + " ")
		}
	}
	return ansi.Truncate(strings.Join(parts, ""), m.width, "…")
}

func shortKindTitle(k flows.Kind) string {
	switch k {
	case flows.KindDSC:
		return "DSC"
	case flows.KindApp:
		return "App"
	case flows.KindAssurance:
		return "Assurance"
	}
	return k.Title()
}

func (m *Inspect) statusView() string {
	s := m.c.Styles
	var status string
	switch {
	case m.loadErr != nil:
		status = s.Error.Render("Could not load the org: "+m.loadErr.Error()) + s.Subtle.Render("  ctrl+r retries")
	case m.loading:
		p := m.progress
		if p.ListingsDone {
			status = fmt.Sprintf("loaded %s policies · rules read for %s of %s…",
				formatCount(p.Policies()), formatCount(p.PoliciesRead), formatCount(p.Policies()))
		} else {
			status = fmt.Sprintf("loaded %s policies… rules read for %s", formatCount(p.Policies()), formatCount(p.PoliciesRead))
		}
		if left := time.Until(m.rateWaitUntil); left > 0 {
			// Said first and short: an 80-column status line has room for little else.
			status = fmt.Sprintf("waiting %s for Okta's rate limit (%s) · %s policies",
				max(left.Round(time.Second), time.Second), okta.RateLimitFamily(m.rateWait.Path), formatCount(p.Policies()))
		}
		status = m.spinner.View() + " " + status
	case m.inv != nil:
		status = s.Subtle.Render(fmt.Sprintf("%s of %s", formatCount(len(m.rows)), formatCount(m.count(m.Kind()))))
		if m.Kind() == flows.KindApps && len(m.rows) > 0 {
			// The footer may have no room for t at 80 columns.
			status += s.Subtle.Render(" · t: try a sign-in to the app under the cursor")
		}
	}
	if m.filtering || m.filter.Value() != "" {
		return ansi.Truncate(m.filter.View()+"  "+status, m.width, "…")
	}
	return ansi.Truncate(status, m.width, "…")
}

// columnSpec sizes one column: a fixed width, or a share (weight) of what the fixed ones leave.
type columnSpec struct{ fixed, weight int }

func columnSpecs(k flows.Kind) []columnSpec {
	switch k {
	case flows.KindDSC:
		return []columnSpec{{weight: 5}, {fixed: 8}, {weight: 4}, {fixed: 5}, {weight: 4}}
	case flows.KindApp:
		return []columnSpec{{weight: 6}, {fixed: 8}, {fixed: 4}, {fixed: 5}, {fixed: 12}, {weight: 3}, {weight: 3}}
	case flows.KindApps:
		return []columnSpec{{weight: 5}, {fixed: 8}, {fixed: 8}, {weight: 5}}
	case flows.KindAssurance:
		return []columnSpec{{weight: 5}, {fixed: 8}, {weight: 5}, {weight: 3}, {fixed: 8}}
	case flows.KindEvents:
		return []columnSpec{{fixed: 19}, {weight: 4}, {weight: 4}, {fixed: 8}}
	case flows.KindWarnings:
		return []columnSpec{{fixed: 20}, {weight: 2}, {weight: 5}}
	}
	return nil
}

func (m *Inspect) columnWidths(k flows.Kind) []int {
	specs := columnSpecs(k)
	// 2 for the row marker, 1 space between columns.
	avail := m.width - 2 - (len(specs) - 1)
	total := 0
	for _, c := range specs {
		avail -= c.fixed
		total += c.weight
	}
	widths := make([]int, len(specs))
	used := 0
	last := -1
	for i, c := range specs {
		if c.weight == 0 {
			widths[i] = c.fixed
			continue
		}
		widths[i] = max(avail*c.weight/total, 4)
		used += widths[i]
		last = i
	}
	if last >= 0 {
		widths[last] += max(avail-used, 0)
	}
	return widths
}

func (m *Inspect) tableView() []string {
	s := m.c.Styles
	k := m.Kind()
	widths := m.columnWidths(k)
	n := m.tableRows()
	lines := []string{s.Title.Render("  " + joinCells(flows.Columns(k), widths))}
	if len(m.rows) == 0 {
		msg := "nothing here"
		switch {
		case m.filter.Value() != "":
			msg = "no " + strings.ToLower(k.Title()) + " match " + strconv.Quote(m.filter.Value())
		case m.loading:
			msg = "loading…"
		case k == flows.KindWarnings:
			msg = "no warnings"
		}
		lines = append(lines, s.Subtle.Render("  "+msg))
	}
	for i := m.offset; i < len(m.rows) && i < m.offset+n; i++ {
		r := m.rows[i]
		marker := "  "
		if r.Warn {
			marker = " !"
		}
		line := joinCells(r.Cells, widths)
		if i == m.cursor {
			marker = ">" + marker[1:]
			lines = append(lines, s.Selected.Render(marker+line))
		} else {
			lines = append(lines, marker+line)
		}
	}
	for len(lines) < n+1 {
		lines = append(lines, "")
	}
	return lines
}

func joinCells(cells []string, widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i > 0 {
			b.WriteByte(' ')
		}
		c := ""
		if i < len(cells) {
			c = strings.ReplaceAll(cells[i], "\n", " ")
		}
		c = ansi.Truncate(c, w, "…")
		b.WriteString(c)
		if i < len(widths)-1 {
			b.WriteString(strings.Repeat(" ", w-ansi.StringWidth(c)))
		}
	}
	return b.String()
}

// formatCount writes n with thousands separators: 1,200.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// withoutLinks drops the `_links` members, which take most of a policy's JSON and say little
// to a reader; `inspect --json` keeps them.
func withoutLinks(js []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		return nil, err
	}
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "_links")
			for _, e := range x {
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(v)
	return json.MarshalIndent(v, "", "  ")
}
