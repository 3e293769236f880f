package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// appState is what the root model is doing besides routing to the top screen.
type appState int

const (
	stateRunning     appState = iota // keys go to the top screen
	stateConfirmQuit                 // a submit is in flight and ctrl+c was pressed: ask first
	stateConfirmHome                 // ctrl+g would discard answers: ask first
	stateQuitting                    // tea.Quit sent; render nothing more
)

// App is the root model: a stack of screens under a header and above a footer.
type App struct {
	c     *Common
	stack []Screen
	state appState
	busy  bool
	// keptJournal is the run left unfinished when the user quit (see KeptJournal).
	keptJournal string
	explain     bool
	help        help.Model
}

// New returns the root model, starting on the home screen.
func New(c *Common) tea.Model {
	return newApp(c, NewHome(c))
}

// NewAppOn is the root model (header, footer, ctrl+e, quit) with first as its first screen:
// screen packages under ui/ run their screens in the real shell this way, in tests too.
func NewAppOn(c *Common, first Screen) tea.Model { return newApp(c, first) }

// newApp starts the root model on any first screen (tests start mid-flow this way).
func newApp(c *Common, first Screen) *App {
	if c.Width == 0 {
		c.Width, c.Height = 80, 24
	}
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles.ShortKey = c.Styles.Title.Bold(false)
	h.Styles.ShortDesc = c.Styles.Subtle
	h.Styles.ShortSeparator = c.Styles.Subtle
	a := &App{c: c, stack: []Screen{first}, help: h}
	a.layout()
	return a
}

func (a *App) top() Screen { return a.stack[len(a.stack)-1] }

// Top returns the screen the user sees (tests of other packages read the review through it).
func (a *App) Top() Screen { return a.top() }

// Init starts the first screen.
func (a *App) Init() tea.Cmd { return a.top().Init() }

// Update routes messages: navigation and window size here, everything else to the top screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.layout()
		// Forms size themselves from the window message as well.
		return a, a.forward(msg)
	case tea.KeyMsg:
		return a, a.handleKey(msg)
	case BusyMsg:
		a.busy = msg.Busy
		if !a.busy && a.state == stateConfirmQuit {
			a.state = stateRunning
		}
		return a, nil
	case PushMsg:
		if msg.Screen == nil {
			return a, nil
		}
		a.stack = append(a.stack, msg.Screen)
		a.layout()
		return a, msg.Screen.Init()
	case ReplaceMsg:
		if msg.Screen == nil {
			return a, nil
		}
		a.stack[len(a.stack)-1] = msg.Screen
		a.layout()
		return a, msg.Screen.Init()
	case BackMsg:
		if len(a.stack) <= 1 {
			return a, nil
		}
		a.stack = a.stack[:len(a.stack)-1]
		return a, a.reveal()
	case PopToMsg:
		for i := len(a.stack) - 1; i >= 0; i-- {
			if a.stack[i] == msg.Target {
				a.stack = a.stack[:i+1]
				return a, a.reveal()
			}
		}
		return a, nil
	case HomeMsg:
		a.stack = a.stack[:1]
		return a, a.reveal()
	}
	return a, a.forward(msg)
}

func (a *App) forward(msg tea.Msg) tea.Cmd {
	i := len(a.stack) - 1
	s, cmd := a.stack[i].Update(msg)
	if s != nil {
		a.stack[i] = s
	}
	return cmd
}

func (a *App) reveal() tea.Cmd {
	a.layout()
	if r, ok := a.top().(Revealer); ok {
		return r.Reveal()
	}
	return nil
}

func (a *App) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.Keys
	if a.state == stateConfirmQuit {
		switch msg.String() {
		case "y", "Y", "ctrl+c": // a second ctrl+c means it
			return a.quit()
		case "n", "N", "esc":
			a.state = stateRunning
		}
		return nil
	}
	if a.state == stateConfirmHome {
		switch msg.String() {
		case "y", "Y":
			a.state = stateRunning
			return func() tea.Msg { return HomeMsg{} }
		case "n", "N", "esc":
			a.state = stateRunning
			return nil
		}
		if !key.Matches(msg, k.Quit) {
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.Home) && len(a.stack) > 1 && !a.busy:
		if a.answersAtRisk() {
			a.state = stateConfirmHome
			return nil
		}
		return func() tea.Msg { return HomeMsg{} }
	case key.Matches(msg, k.Quit):
		if a.busy {
			a.state = stateConfirmQuit
			return nil
		}
		return a.quit()
	case key.Matches(msg, k.Explain) || (key.Matches(msg, k.Help) && !a.capturing()):
		if _, ok := a.top().(Explainer); ok {
			a.explain = !a.explain
			a.layout()
			return nil
		}
		if key.Matches(msg, k.Explain) {
			return nil
		}
	}
	return a.forward(msg)
}

// quit stops background work of every open screen and ends the program.
func (a *App) quit() tea.Cmd {
	a.state = stateQuitting
	for _, s := range a.stack {
		if st, ok := s.(Stopper); ok {
			st.Stop()
		}
		if k, ok := s.(JournalKeeper); ok && k.KeptJournal() != "" {
			a.keptJournal = k.KeptJournal()
		}
	}
	return tea.Quit
}

// answersAtRisk reports whether a screen on the stack holds answers going home would lose.
func (a *App) answersAtRisk() bool {
	for _, s := range a.stack {
		if h, ok := s.(AnswerHolder); ok && h.HasUnsavedAnswers() {
			return true
		}
	}
	return false
}

// KeptJournal names the unfinished run whose journal was kept when the user quit ("" when
// none): the command then exits 130 and says so.
func (a *App) KeptJournal() string { return a.keptJournal }

func (a *App) capturing() bool {
	c, ok := a.top().(InputCapturer)
	return ok && c.CapturingInput()
}

// layout gives every screen on the stack the space left by header, explanation and footer.
func (a *App) layout() {
	w, h := a.c.Width, a.c.Height
	body := h - lipgloss.Height(a.headerView()) - lipgloss.Height(a.footerView())
	if ex := a.explanationView(); ex != "" {
		body -= lipgloss.Height(ex)
	}
	if body < 3 {
		body = 3
	}
	a.help.Width = w
	for _, s := range a.stack {
		s.SetSize(w, body)
	}
}

// View draws header, optional explanation, the top screen and the footer.
func (a *App) View() string {
	if a.state == stateQuitting {
		return ""
	}
	parts := []string{a.headerView()}
	if ex := a.explanationView(); ex != "" {
		parts = append(parts, ex)
	}
	body := a.top().View()
	switch a.state {
	case stateConfirmQuit:
		body = a.confirmQuitView()
	case stateConfirmHome:
		body = a.confirmHomeView()
	}
	bodyHeight := a.c.Height - lipgloss.Height(parts[0]) - lipgloss.Height(a.footerView())
	if len(parts) > 1 {
		bodyHeight -= lipgloss.Height(parts[1])
	}
	parts = append(parts, fitHeight(body, bodyHeight), a.footerView())
	return strings.Join(parts, "\n")
}

func (a *App) confirmQuitView() string {
	s := a.c.Styles
	msg := s.Warn.Render("A submit is in flight.") + "\n\n" +
		"Quitting now stops it after the request being sent; the journal keeps what was\n" +
		"done so the home screen can resume or roll back the run next time.\n\n" +
		s.Title.Render("Quit anyway? ") + "y / n (ctrl+c again: yes)"
	return s.Box.Render(msg)
}

func (a *App) confirmHomeView() string {
	s := a.c.Styles
	msg := s.Warn.Render("Going home discards the answers of this flow.") + "\n\n" +
		"Nothing has been sent for them; they are not kept.\n\n" +
		s.Title.Render("Discard them and go home? ") + "y / n"
	return s.Box.Render(msg)
}

func (a *App) explanationView() string {
	if !a.explain {
		return ""
	}
	ex, ok := a.top().(Explainer)
	if !ok || ex.Explanation() == "" {
		return ""
	}
	w := a.c.Width - 4
	if w < 20 {
		w = 20
	}
	text := lipgloss.NewStyle().Width(w).Render(ex.Explanation())
	return a.c.Styles.Box.Render(text)
}

func (a *App) footerView() string {
	k := a.c.Keys
	screen := append([]key.Binding{}, a.top().ShortHelp()...)
	explain := false
	if _, ok := a.top().(Explainer); ok {
		explain = true
	}
	home := len(a.stack) > 1 && !a.busy
	measure := a.help
	measure.Width = 0
	keys := func() []key.Binding {
		b := append([]key.Binding{}, screen...)
		if home {
			b = append(b, k.Home)
		}
		if explain {
			b = append(b, k.Explain)
		}
		if len(a.stack) > 1 && !escTaken(screen) {
			b = append(b, k.Back)
		}
		return append(b, k.Quit)
	}
	fits := func() bool { return lipgloss.Width(measure.ShortHelpView(keys())) <= a.c.Width }
	// When the line is too wide, keys give way in this order: home; the screen's keys past its
	// first three (its main actions); ctrl+e; arrow keys, which need no explaining; then the
	// screen's keys from the end. esc and ctrl+c always show.
	if !fits() {
		home = false
	}
	for !fits() && len(screen) > 3 {
		screen = screen[:len(screen)-1]
	}
	if !fits() {
		explain = false
	}
	if !fits() {
		screen = slices.DeleteFunc(screen, func(b key.Binding) bool {
			return strings.ContainsAny(b.Help().Key, "↑↓←→")
		})
	}
	for !fits() && len(screen) > 0 {
		screen = screen[:len(screen)-1]
	}
	return a.help.ShortHelpView(keys())
}

// escTaken reports whether one of the screen's keys is esc now (clear a filter, cancel a
// prompt): the footer then does not also say "esc back".
func escTaken(screen []key.Binding) bool {
	for _, b := range screen {
		if b.Enabled() && slices.Contains(b.Keys(), "esc") {
			return true
		}
	}
	return false
}

// fitHeight pads or cuts s to exactly n lines so header and footer stay put.
func fitHeight(s string, n int) string {
	if n < 0 {
		n = 0
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
