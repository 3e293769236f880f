package run

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

func (s *Submit) View() string {
	return s.vp.View() + "\n" + s.statusView()
}

func (s *Submit) stepsView() string {
	st := s.c.Styles
	var b strings.Builder
	for i, step := range s.plan.Steps {
		var mark string
		switch s.states[i] {
		case StepPending:
			mark = st.Subtle.Render("·")
		case StepRunning:
			mark = s.spinner.View()
		case StepDone:
			mark = st.OK.Render("✓")
		case StepSkipped:
			mark = st.OK.Render("=")
		case StepFailed:
			mark = st.Error.Render("✗")
		case StepUndone:
			mark = st.Warn.Render("↺")
		case StepKept:
			mark = st.OK.Render("=")
		case StepUnknown:
			mark = st.Warn.Render("?")
		}
		line := fmt.Sprintf("%s %s %s", mark, st.Method.Render(fmt.Sprintf("%-6s", step.Method())), step.Title)
		line = common.ClipLine(line, s.width)
		b.WriteString(line + "\n")
		// The second line names the stage, so an error sits beside the stage that caused it.
		stage := ""
		if step.Stage > 0 {
			stage = fmt.Sprintf("stage %d · ", step.Stage)
		}
		switch {
		case s.states[i] == StepDone && s.ids[i] != "":
			b.WriteString("    " + st.Subtle.Render(stage+"id "+s.ids[i]) + "\n")
		case s.states[i] == StepSkipped:
			text := stage + "already done by the earlier run"
			if s.ids[i] != "" {
				text += ": id " + s.ids[i]
			}
			b.WriteString("    " + st.Subtle.Render(common.ClipLine(text, s.width-4)) + "\n")
		case s.states[i] == StepUndone:
			b.WriteString("    " + st.Subtle.Render(stage+"rolled back") + "\n")
		case s.states[i] == StepUnknown:
			b.WriteString("    " + st.Subtle.Render(common.ClipLine(stage+"sent earlier without an answer: looked up by name first", s.width-4)) + "\n")
		case s.states[i] == StepKept:
			b.WriteString("    " + st.Subtle.Render(stage+"kept: it existed before this run") + "\n")
		case s.mode == modeRollback && s.finished && s.states[i] == StepPending:
			b.WriteString("    " + st.Subtle.Render(stage+"not run: nothing to undo") + "\n")
		case s.states[i] == StepFailed && s.errs[i] != nil:
			b.WriteString(common.Indent(s.errorView(step, s.errs[i]), "    "))
		}
	}
	return b.String()
}

// errorView shows an Okta error as code, summary and causes, naming the stage it came from.
func (s *Submit) errorView(step flows.Step, err error) string {
	st := s.c.Styles
	w := max(s.width-6, 20)
	var oe *okta.Error
	var lines []string
	if errors.As(err, &oe) {
		head := oe.ErrorCode
		if head == "" {
			head = fmt.Sprintf("HTTP %d", oe.Status)
		}
		lines = append(lines, st.Error.Render(stagePrefix(step)+head+" "+oe.ErrorSummary))
		for _, c := range oe.ErrorCauses {
			lines = append(lines, lipgloss.NewStyle().Width(w).Render("• "+c.ErrorSummary))
		}
	} else {
		lines = append(lines, st.Error.Render(lipgloss.NewStyle().Width(w).Render(stagePrefix(step)+flows.RedactSecrets(err.Error()))))
	}
	if errors.Is(err, okta.ErrOutcomeUnknown) {
		lines = append(lines, st.Warn.Render("Okta may or may not have applied it: check the org before retrying."))
	}

	return strings.Join(lines, "\n")
}

func stagePrefix(step flows.Step) string {
	if step.Stage > 0 {
		return fmt.Sprintf("stage %d · ", step.Stage)
	}
	return ""
}

// statusView is the line(s) under the steps: progress, the error's next move, or the summary.
func (s *Submit) statusView() string {
	st := s.c.Styles
	done := 0
	for _, x := range s.states {
		if x == StepDone || x == StepSkipped || x == StepUndone {
			done++
		}
	}
	switch {
	case !s.finished && !s.running:
		return st.Subtle.Render("Waiting to start…")
	case s.running:
		verb := "Sending"
		if s.mode == modeRollback {
			verb = "Rolling back"
		}
		line := st.Subtle.Render(fmt.Sprintf("%s… %d of %d done. ctrl+c asks before stopping.", verb, done, len(s.states)))
		if s.notice != "" {
			line = st.Warn.Render(wrapAtSpaces(s.notice, max(s.width, 20))) + "\n" + line
		}
		return line
	case s.err != nil:
		var parts []string
		if s.failedStep < 0 {
			parts = append(parts, st.Error.Render(common.ClipLine("Stopped: "+s.err.Error(), s.width)))
		} else {
			parts = append(parts, st.Error.Render(fmt.Sprintf("Stopped at request %d.", s.failedStep+1)))
		}
		if s.journal != nil && !s.journal.Kept() {
			parts[0] += " " + st.Subtle.Render("Okta changed nothing: no journal is kept.")
		}
		var opts []string
		if s.onFix != nil && s.failedStage() > 0 && s.mode == modeRun {
			opts = append(opts, fmt.Sprintf("f: fix stage %d and continue", s.failedStage()))
		}
		opts = append(opts, "r: retry")
		if s.canRollBack() {
			opts = append(opts, "u: roll back")
		}
		parts = append(parts, st.Warn.Render(strings.Join(opts, " · ")))
		return strings.Join(parts, "\n")
	case s.mode == modeRollback:
		line := "Rolled back: what the run had created is deleted, what it changed is restored."
		for _, x := range s.states {
			if x == StepKept {
				line += " What existed before the run is kept."
				break
			}
		}
		return st.OK.Render(wrapAtSpaces(line, max(s.width, 20))) + "\n" + st.Subtle.Render("enter: home")
	default:
		return s.summaryView()
	}
}

func (s *Submit) summaryView() string {
	st := s.c.Styles
	lines := []string{st.OK.Render(s.doneLine())}
	for _, r := range s.reconciled {
		lines = append(lines, st.Warn.Render(wrapAtSpaces(r, max(s.width, 20))))
	}
	next := s.next
	if next == "" {
		next = DefaultNextSteps(s.plan.Flow)
	}
	if next != "" {
		lines = append(lines, lipgloss.NewStyle().Width(max(s.width, 20)).Render("Next: "+next))
	}
	lines = append(lines, st.Subtle.Render("t: try a sign-in (Okta's own simulation) · enter: home"))
	return strings.Join(lines, "\n")
}

// doneLine counts the requests this screen sent; steps an earlier attempt had already done are
// counted apart, since they were not sent again.
func (s *Submit) doneLine() string {
	sent, earlier := 0, 0
	for _, state := range s.states {
		switch state {
		case StepDone:
			sent++
		case StepSkipped:
			earlier++
		}
	}
	line := fmt.Sprintf("Done: %d request%s sent", sent, common.Plural(sent))
	if earlier > 0 {
		line += fmt.Sprintf("; %d already done by the earlier run", earlier)
	}
	return line + "."
}

// DefaultNextSteps is the summary's "what to do next" for a flow that has no text of its own.
func DefaultNextSteps(flow string) string {
	switch flow {
	case flows.FlowDSC:
		return "sign in to an app that uses the mapped app sign-in policy from a registered " +
			"device; Okta now collects the chosen signals. Inspect the org to see the setup."
	case flows.FlowAssurance:
		return "add the policy to an app sign-in rule (Device assurance › add to a rule)."
	}
	return "inspect the org to check the result."
}
