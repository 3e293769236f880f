package ui

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// withDefault is a text prompt's title; in accessible mode it names the answer an empty line
// keeps, which huh's plain prompt does not show.
func withDefault(c *Common, title, value string) string {
	if c == nil || !c.Accessible || strings.TrimSpace(value) == "" {
		return title
	}
	return fmt.Sprintf("%s (enter keeps “%s”)", title, strings.TrimSpace(value))
}

// runInspectAccessible prints what the org has, as the inspect command's plain tables: every
// kind, or the one asked for.
func runInspectAccessible(ctx context.Context, c *Common, in io.Reader, out io.Writer) error {
	kind := flows.Kind("")
	opts := []huh.Option[flows.Kind]{huh.NewOption("Everything", flows.Kind(""))}
	for _, k := range flows.Kinds {
		opts = append(opts, huh.NewOption(k.Title(), k))
	}
	if err := accessibleForm(in, out, huh.NewGroup(huh.NewSelect[flows.Kind]().Title("Inspect which part of the org?").
		Options(opts...).Value(&kind))); err != nil {
		return err
	}
	fmt.Fprintln(out, "Reading the org…")
	inv, err := flows.LoadInventory(ctx, c.API, flows.LoadOptions{}, nil)
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	org := c.OrgLabel
	if c.Sandbox {
		org = "SANDBOX"
	}
	return flows.WriteInventoryText(out, org, inv, kind, "")
}

// unfinishedJournals are the runs against this org that stopped before they finished.
func unfinishedJournals(c *Common) []*flows.Journal {
	here, _ := splitUnfinished(c)
	return here
}

// splitUnfinished sorts the unfinished runs into this org's and other orgs'.
func splitUnfinished(c *Common) (here, elsewhere []*flows.Journal) {
	if c.JournalDir == "" || c.API == nil {
		return nil, nil
	}
	js, _ := flows.OpenJournals(c.JournalDir)
	for _, j := range js {
		switch {
		case !j.Unfinished():
		case j.SameOrg(c.API.OrgURL()):
			here = append(here, j)
		default:
			elsewhere = append(elsewhere, j)
		}
	}
	return here, elsewhere
}

// runTitle names an unfinished run in the accessible menu.
func runTitle(j *flows.Journal) string {
	return fmt.Sprintf("Resume or roll back: %s (%d of %d requests done)", j.Title(), j.DoneCount(), len(j.Plan().Steps))
}

// runUnfinishedAccessible shows where each step of an unfinished run stands, then resumes it,
// or rolls it back after listing the requests that undo it and asking, or leaves it.
func runUnfinishedAccessible(ctx context.Context, c *Common, j *flows.Journal, in *lineReader, out io.Writer) error {
	plan, recs := j.Plan(), j.Steps()
	fmt.Fprintf(out, "\nRun %s, started %s:\n", j.RunID(), j.Started().Local().Format("2006-01-02 15:04"))
	for i, s := range plan.Steps {
		fmt.Fprintln(out, common.Wrap(fmt.Sprintf("  %d. %s: %s", i+1, stepStateWord(recs[i]), s.Name())))
	}
	const (
		doResume   = "resume"
		doRollback = "rollback"
		doLeave    = "leave"
	)
	what := doResume
	if err := accessibleForm(in, out, huh.NewGroup(huh.NewSelect[string]().Title("What now?").Options(
		huh.NewOption("Resume: send the steps not done (done ones are not sent again)", doResume),
		huh.NewOption("Roll back: undo what this run created or changed", doRollback),
		huh.NewOption("Leave it for later (the journal is kept)", doLeave)).Value(&what))); err != nil {
		return err
	}
	switch what {
	case doLeave:
		fmt.Fprintln(out, "Nothing was sent; the journal is kept.")
		return nil
	case doRollback:
		preview := flows.PlanRollback(j)
		fmt.Fprintf(out, "Rolling back sends %d request%s, newest first:\n", len(preview.Requests), plural(len(preview.Requests)))
		for i, q := range preview.Requests {
			fmt.Fprintln(out, common.Wrap(fmt.Sprintf("  %d. %s %s (%s)", i+1, q.Method, q.Path, q.Title)))
		}
		for _, i := range preview.Kept {
			fmt.Fprintln(out, common.Wrap("  kept (it existed before this run): "+plan.Steps[i].Name()))
		}
		for _, i := range preview.NotRun {
			fmt.Fprintln(out, common.Wrap("  not run, nothing to undo: "+plan.Steps[i].Name()))
		}
		sure := false
		if err := accessibleForm(in, out, huh.NewGroup(huh.NewConfirm().Title("Send these requests?").Value(&sure))); err != nil {
			return err
		}
		if !sure {
			fmt.Fprintln(out, "Nothing was undone; the journal is kept.")
			return nil
		}
		if err := flows.Rollback(ctx, c.API, j, nil); err != nil {
			return fmt.Errorf("roll back: %w (the journal is kept)", err)
		}
		fmt.Fprintln(out, "Rolled back: what the run created is deleted, what it changed is restored.")
		return nil
	}
	_, err := flows.Run(ctx, c.API, j, func(ev flows.Event) {
		if ev.State == flows.StateDone {
			fmt.Fprintln(out, common.Wrap(fmt.Sprintf("done %d of %d: %s", ev.Index+1, len(plan.Steps), ev.Step.Name())))
		}
	})
	if err != nil {
		return fmt.Errorf("resume: %w (the journal is kept: resume again or roll back)", err)
	}
	fmt.Fprintln(out, "Done: the run is finished.")
	return nil
}

// stepStateWord says where a step of a journal stands.
func stepStateWord(r flows.StepRecord) string {
	switch {
	case r.State == flows.StateDone && r.Adopted:
		return "done (it existed already)"
	case r.State == flows.StateDone:
		return "done"
	case r.State == flows.StateRolledBack:
		return "rolled back"
	case r.State == flows.StateRunning, r.State == flows.StateFailed && r.Uncertain:
		return "unknown (sent, no answer: looked up before anything is sent again)"
	case r.State == flows.StateFailed:
		return "refused by Okta (" + r.ErrorCode + ")"
	}
	return "not run"
}
