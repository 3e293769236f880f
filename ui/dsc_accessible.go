package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// ErrInputEnded is returned when the input closes before an accessible-mode flow finished.
var ErrInputEnded = errors.New("input ended before the wizard finished: nothing more was sent")

// RunAccessible runs the wizard as plain prompts, one question at a time, for screen readers
// (ACCESSIBLE=1 or --accessible): the same questions, validation and requests as the
// full-screen UI, without it.
func RunAccessible(ctx context.Context, c *Common, in io.Reader, out io.Writer) (err error) {
	lr := &lineReader{r: bufio.NewReader(in)}
	out = plainWrapWriter{out}
	defer func() {
		if p := recover(); p != nil {
			if p == errLineReaderEOF {
				err = ErrInputEnded
				return
			}
			panic(p)
		}
	}()
	org := c.OrgLabel
	if c.Sandbox {
		org = "SANDBOX (a local stand-in for Okta)"
	}
	fmt.Fprintf(out, "okta-device-wizard, accessible mode.\nOrg: %s\n\n", org)
	var entries []FlowEntry
	for _, e := range registeredFlows() {
		if e.Accessible != nil {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return errors.New("no flow supports accessible mode in this build")
	}
	// Unfinished runs come first, as on the home screen: resume or roll back each.
	runs, elsewhere := splitUnfinished(c)
	for _, j := range elsewhere {
		fmt.Fprintln(out, common.Wrap(fmt.Sprintf("An unfinished run (%s) was against %s: connect to that org to resume or roll it back.", j.Plan().Title, j.Org())))
	}
	choice := 0
	opts := make([]huh.Option[int], 0, len(runs)+len(entries))
	for i, j := range runs {
		opts = append(opts, huh.NewOption(runTitle(j), i))
	}
	for i, e := range entries {
		opts = append(opts, huh.NewOption(e.Title, len(runs)+i))
	}
	if err := accessibleForm(lr, out, huh.NewGroup(huh.NewSelect[int]().Title("What do you want to do?").Options(opts...).Value(&choice))); err != nil {
		return err
	}
	if choice < len(runs) {
		return runUnfinishedAccessible(ctx, c, runs[choice], lr, out)
	}
	choice -= len(runs)
	return entries[choice].Accessible(ctx, c, lr, out)
}

// accessibleForm asks the fields of one group as plain prompts.
func accessibleForm(in io.Reader, out io.Writer, g *huh.Group) error {
	return huh.NewForm(g).WithAccessible(true).WithInput(in).WithOutput(out).WithShowHelp(false).Run()
}

var errLineReaderEOF = errors.New("line reader: end of input")

// lineReader hands out one line per Read. huh's accessible prompts wrap the reader in a new
// bufio.Scanner for every question, which would swallow the following answers from a pipe;
// and at end of input they would ask forever, so the end of input aborts the flow instead.
type lineReader struct{ r *bufio.Reader }

func (l *lineReader) Read(p []byte) (int, error) {
	line, err := l.r.ReadString('\n')
	if line == "" && err != nil {
		panic(errLineReaderEOF)
	}
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	return copy(p, line), nil
}

// runDSCAccessible is the device signal collection flow as plain prompts.
func runDSCAccessible(ctx context.Context, c *Common, in io.Reader, out io.Writer) error {
	f := newDSCFlow(c)
	for n := flows.StageAppPolicy; n <= flows.StageDSCRule; n++ {
		if err := askStage(ctx, f, n, in, out); err != nil {
			return err
		}
		if n == flows.StageAppPolicy {
			if err := askProtectAccessible(ctx, f, in, out); err != nil {
				return err
			}
		}
	}
	for {
		plan, err := f.checkedPlan()
		var ve flows.ValidationErrors
		if errors.As(err, &ve) {
			fmt.Fprintln(out, "These answers need a fix:")
			for _, fe := range ve {
				fmt.Fprintln(out, common.Wrap(fmt.Sprintf("  stage %d: %s", flows.DSCFieldStage(fe.Field), fe.Msg)))
			}
			if err := askStage(ctx, f, flows.DSCFieldStage(ve[0].Field), in, out); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nStage 5 of 5: Review. %d requests, in the order they are sent:\n\n", len(plan.Steps))
		fmt.Fprintln(out, run.RenderPlan(Styles{}, plan, false, common.PlainWidth))
		activate := true
		send := false
		if err := accessibleForm(in, out, huh.NewGroup(
			huh.NewConfirm().Title("Activate the signal collection policy as the last request?").Value(&activate),
			huh.NewConfirm().Title("Send these requests now?").Value(&send),
		)); err != nil {
			return err
		}
		if !activate {
			plan = run.WithoutActivation(plan)
		}
		if !send {
			fmt.Fprintln(out, "Nothing was sent.")
			return offerSaveAccessible(ctx, c, in, out, plan, f.draft)
		}
		f.draft.Activate = activate
		return runAccessiblePlan(ctx, f, plan, in, out)
	}
}

// askStage asks the pages of stage n.
func askStage(ctx context.Context, f *dscFlow, n int, in io.Reader, out io.Writer) error {
	s := f.stage(n)
	fmt.Fprintf(out, "\nStage %d of %d: %s\n%s\n\n", n, len(flows.DSCStageNames), flows.DSCStageNames[n-1], common.Wrap(stageExplanations[n]))
	for _, p := range s.pages {
		if p.skip != nil && p.skip() {
			continue
		}
		if p.load != nil && (p.needs == "" || !f.org.loaded[p.needs]) {
			lctx, cancel := context.WithTimeout(ctx, loadTimeout)
			apply, err := p.load(lctx)
			cancel()
			if err != nil {
				return err
			}
			if apply != nil {
				apply(&f.org)
			}
			if p.needs != "" {
				f.org.loaded[p.needs] = true
			}
			if p.skip != nil && p.skip() {
				continue
			}
		}
		if p.info != nil {
			fmt.Fprintln(out, common.Wrap(p.info()))
		}
		if err := accessibleForm(in, out, p.group()); err != nil {
			return err
		}
		if p.done != nil {
			p.done()
		}
	}
	return nil
}

// runAccessiblePlan sends the plan, reporting each request; on an Okta error it offers to fix
// the stage and continue with the same journal (nothing is created twice).
func runAccessiblePlan(ctx context.Context, f *dscFlow, plan flows.Plan, in io.Reader, out io.Writer) error {
	j, err := run.NewJournal(f.c, plan)
	if err != nil {
		return err
	}
	for {
		steps := j.Plan().Steps
		created, err := j.Run(ctx, f.c.API, func(ev run.Event) {
			if ev.Index < 0 || ev.Index >= len(steps) {
				return
			}
			st := steps[ev.Index]
			switch ev.State {
			case run.StepDone, run.StepSkipped:
				fmt.Fprintf(out, "done %d of %d: %s %s, id %s\n", ev.Index+1, len(steps), st.Method(), st.Title, ev.ID)
			case run.StepFailed:
				fmt.Fprintf(out, "failed %d of %d: %s %s\n", ev.Index+1, len(steps), st.Method(), st.Title)
			}
		})
		if err == nil {
			fmt.Fprintf(out, "\nDone. Created:\n")
			for _, st := range steps {
				if id := created[st.ID]; id != "" {
					fmt.Fprintf(out, "  %s: %s\n", st.Title, id)
				}
			}
			fmt.Fprintln(out, common.Wrap("Next: "+run.DefaultNextSteps(flows.FlowDSC)))
			return nil
		}
		var se *flows.StepError
		if !errors.As(err, &se) || se.Step.Stage < 1 {
			return err
		}
		fmt.Fprintf(out, "\nStage %d failed: %s\n", se.Step.Stage, se.Step.Title)
		var oe *okta.Error
		if errors.As(err, &oe) {
			fmt.Fprintf(out, "%s %s\n", oe.ErrorCode, oe.ErrorSummary)
			for _, c := range oe.ErrorCauses {
				fmt.Fprintf(out, "  cause: %s\n", c.ErrorSummary)
			}
		} else {
			fmt.Fprintln(out, se.Err)
		}
		fix := true
		if err := accessibleForm(in, out, huh.NewGroup(huh.NewConfirm().
			Title(fmt.Sprintf("Answer stage %d again and continue? (No keeps the run for resume or roll back.)", se.Step.Stage)).
			Value(&fix))); err != nil {
			return err
		}
		if !fix {
			return err
		}
		stage := min(se.Step.Stage, flows.StageDSCRule)
		if err := askStage(ctx, f, stage, in, out); err != nil {
			return err
		}
		next, perr := f.plan()
		if perr != nil {
			return perr
		}
		if !f.draft.Activate {
			next = run.WithoutActivation(next)
		}
		if err := j.Replace(next); err != nil {
			return err
		}
	}
}

// plainWrapWriter wraps the lines of each write that ends a line at common.PlainWidth, so
// every message of accessible mode (explanations, errors, run progress) reads on an
// 80-column terminal. A write that ends no line is a prompt waiting for input: it passes as
// it is.
type plainWrapWriter struct{ w io.Writer }

func (p plainWrapWriter) Write(b []byte) (int, error) {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return p.w.Write(b)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i, l := range lines {
		if lipgloss.Width(l) > common.PlainWidth {
			lines[i] = common.Wrap(l)
		}
	}
	if _, err := io.WriteString(p.w, strings.Join(lines, "\n")+"\n"); err != nil {
		return 0, err
	}
	return len(b), nil
}
