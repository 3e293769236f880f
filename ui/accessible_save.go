package ui

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// offerSaveAccessible asks, in accessible mode, whether to save the requests that were not sent
// as a plan file for `okta-device-wizard apply`. An empty answer (or the end of input) saves
// nothing; a bad path is asked again.
func offerSaveAccessible(ctx context.Context, c *Common, in io.Reader, out io.Writer, plan flows.Plan, answers any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == errLineReaderEOF {
				err = nil // the input ended: nothing to save, nothing lost
				return
			}
			panic(p)
		}
	}()
	fmt.Fprintf(out, "\nSave these requests as a plan file? Apply it later with okta-device-wizard apply --file PATH.\n")
	for {
		var typed string
		if err := accessibleForm(in, out, huh.NewGroup(huh.NewInput().
			Title("File to save the plan to (.yaml or .json; empty: do not save)").Value(&typed))); err != nil {
			return err
		}
		if strings.TrimSpace(typed) == "" {
			return nil
		}
		path, err := run.CheckPlanPath(typed)
		if err != nil {
			fmt.Fprintln(out, err)
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, run.SaveTimeout)
		if c.API == nil {
			err = flows.SavePlanWithDraft(path, plan, run.AnswersFor(answers, plan))
		} else {
			err = flows.SavePlanWithRefs(sctx, c.API, path, plan, run.AnswersFor(answers, plan))
		}
		cancel()
		if err != nil {
			fmt.Fprintln(out, "Could not save the plan: "+flows.RedactSecrets(err.Error()))
			continue
		}
		fmt.Fprintln(out, run.SavedPlanMessage(path))
		return nil
	}
}
