package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// Saving the plan under review (ctrl+s): a one-line prompt for the file under the review's
// requests, then flows.SavePlanWithRefs, which records the names of what the plan references
// so `okta-device-wizard apply` can resolve them in another org.

// SaveTimeout bounds reading the names of the referenced objects from the org.
const SaveTimeout = 60 * time.Second

// planSaver is the review's save prompt and the outcome of the last save.
type planSaver struct {
	c     *common.Common
	open  bool // the prompt is shown and takes the keys
	busy  bool // a save is being written
	input textinput.Model
	// replace is the path the user was told exists; enter again on it replaces the file.
	replace string
	note    string // the last save's success line
	err     string // what went wrong; the prompt stays open with the typed path
}

// planSavedMsg reports a finished save to the review that started it.
type planSavedMsg struct {
	review *Review
	path   string
	err    error
}

func newPlanSaver(c *common.Common) planSaver {
	in := textinput.New()
	in.Prompt = "Save plan to: "
	in.CharLimit = 1024
	return planSaver{c: c, input: in}
}

// DefaultPlanFileName is the name the save prompt offers: <flow>-<yyyymmdd-hhmm>.yaml.
func DefaultPlanFileName(flow string, now time.Time) string {
	if flow == "" {
		flow = "plan"
	}
	return fmt.Sprintf("%s-%s.yaml", flow, now.Format("20060102-1504"))
}

// start opens the prompt with the default file name (or the path typed last time).
func (s *planSaver) start(flow string, width int) tea.Cmd {
	s.open, s.err, s.note, s.replace = true, "", "", ""
	if s.input.Value() == "" {
		s.input.SetValue(DefaultPlanFileName(flow, time.Now()))
	}
	s.input.CursorEnd()
	s.input.Width = max(width-lipgloss.Width(s.input.Prompt)-2, 10)
	return s.input.Focus()
}

// CapturingInput: while the save prompt is open, printable keys ("?") are part of the path.
func (r *Review) CapturingInput() bool { return r.save.open }

// updateSavePrompt handles a message while the prompt is open: enter saves, esc closes it.
func (r *Review) updateSavePrompt(msg tea.Msg) tea.Cmd {
	s := &r.save
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case s.busy:
			return nil // one save at a time; its result closes or re-arms the prompt
		case key.Matches(k, r.keys.SaveCancel):
			s.open, s.err, s.replace = false, "", ""
			s.input.Blur()
			return nil
		case key.Matches(k, r.keys.SaveConfirm):
			return r.submitSave()
		}
	}
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	if s.input.Value() != before {
		s.err, s.replace = "", ""
	}
	return cmd
}

// submitSave checks the typed path and starts writing the plan.
func (r *Review) submitSave() tea.Cmd {
	s := &r.save
	path, err := CheckPlanPath(s.input.Value())
	if err != nil {
		s.err = err.Error()
		return nil
	}
	if _, err := os.Stat(path); err == nil && s.replace != path {
		s.replace = path
		s.err = path + " exists: enter again replaces it (or change the name)."
		return nil
	}
	s.busy, s.err = true, ""
	plan := r.planToSave()
	answers := AnswersFor(r.opts.Answers, plan)
	api := r.c.API
	return func() tea.Msg {
		var err error
		if api == nil {
			err = flows.SavePlanWithDraft(path, plan, answers)
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), SaveTimeout)
			defer cancel()
			err = flows.SavePlanWithRefs(ctx, api, path, plan, answers)
		}
		return planSavedMsg{review: r, path: path, err: err}
	}
}

// finished shows how the save went; after a failure the prompt stays open with the path.
func (s *planSaver) finished(m planSavedMsg) {
	s.busy, s.replace = false, ""
	if m.err != nil {
		s.err = "Could not save the plan: " + flows.RedactSecrets(m.err.Error())
		if s.c != nil && s.c.Log != nil {
			s.c.Log.Warn("saving plan", "path", m.path, "err", flows.RedactSecrets(m.err.Error()))
		}
		return
	}
	s.open, s.err = false, ""
	s.input.Blur()
	s.note = SavedPlanMessage(m.path)
}

// SavedPlanMessage is what the user reads after a plan was saved to path.
func SavedPlanMessage(path string) string {
	return fmt.Sprintf("Saved plan to %s — apply it with: okta-device-wizard apply --file %s --dry-run", path, shellQuote(path))
}

// view is the prompt and the save's outcome, wrapped to width ("" when there is nothing).
func (s *planSaver) view(st common.Styles, width int) string {
	// Wrapped at spaces only: a path must stay one piece to be copied (a path wider than the
	// screen is cut without a hyphen).
	wrap := func(text string) string { return wrapAtSpaces(text, max(width, 20)) }
	var lines []string
	if s.open {
		lines = append(lines, s.input.View())
		hint := "enter saves (.yaml, .yml or .json) · esc cancels"
		if s.busy {
			hint = "Saving…"
		}
		lines = append(lines, st.Subtle.Render(wrap(hint)))
	}
	if s.err != "" {
		lines = append(lines, st.Error.Render(wrap(s.err)))
	}
	if s.note != "" {
		lines = append(lines, st.OK.Render(wrap(s.note)))
	}
	return strings.Join(lines, "\n")
}

// wrapAtSpaces breaks text into lines of at most width cells at spaces only (common.WrapAt).
func wrapAtSpaces(text string, width int) string { return common.WrapAt(text, width) }

// planToSave is the plan as it would be sent now (leave-inactive applied).
func (r *Review) planToSave() flows.Plan {
	if r.opts.PlanToSave == nil {
		return r.Plan()
	}
	if !r.leaveInactive {
		return *r.opts.PlanToSave
	}
	return WithoutActivation(*r.opts.PlanToSave)
}

// AnswersFor returns the answers to save with plan; a DSC draft records whether the plan
// activates the policy (the review's toggle), as sending it would.
func AnswersFor(answers any, plan flows.Plan) any {
	switch d := answers.(type) {
	case flows.DSCDraft:
		d.Activate = HasAction(plan, flows.ActActivatePolicy)
		return d
	case *flows.DSCDraft:
		c := *d
		c.Activate = HasAction(plan, flows.ActActivatePolicy)
		return c
	}
	return answers
}

// CheckPlanPath trims the typed path, expands a leading ~/ and checks the extension.
func CheckPlanPath(typed string) (string, error) {
	path := strings.TrimSpace(typed)
	if path == "" {
		return "", errors.New("Type the file to save the plan to, e.g. plan.yaml.")
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
	default:
		return "", fmt.Errorf("%s: a plan file ends in .yaml, .yml or .json.", path)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return "", fmt.Errorf("%s is a directory.", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("folder %s does not exist.", dir)
		}
	}
	return path, nil
}

var shellSafeRE = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes path for a POSIX shell when it holds anything but safe characters.
func shellQuote(path string) string {
	if shellSafeRE.MatchString(path) {
		return path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}
