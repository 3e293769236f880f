package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

type applyOptions struct {
	f           *Factory
	file        string
	dryRun      bool
	json        bool
	journalDir  string
	resume      bool
	rollback    bool
	yes         bool
	runID       string
	adopt       bool
	exportCurl  string
	concurrency int
}

func newApplyCmd(f *Factory) *cobra.Command {
	o := &applyOptions{f: f}
	cmd := &cobra.Command{
		Use:   "apply --file PLAN",
		Short: "Send a saved plan to the org (or preview it, export it as curl, resume or roll back a run)",
		Long: `Apply sends the requests of a plan file (saved from the wizard's review screen, YAML or JSON;
format in docs/plan-format.md) to the org, recording each request in a journal as it goes.

Before any write, every existing object the plan names (policies, rules, groups, identity
providers, network zones, assurance policies) is looked up by name in this org and its id
rewritten; anything missing is reported by name and nothing is sent. With --adopt-existing
(the default) an object the plan creates that already exists by name is adopted instead of
created again, so applying a plan twice creates no duplicates.

When a request fails, Okta's error (code, summary, causes) is printed on stderr with the stage
it belongs to, and the run's journal is kept: fix the plan and run again with --resume (steps
already done are not sent again), or undo what the run created with --rollback.

Never prompts, but for --rollback: it lists the requests that undo the run, then asks on a
terminal (--yes undoes without asking; without a terminal --yes is required). Exit codes: 0 ok, 1 failed (see stderr), 2 bad usage,
5 configuration, 6 credentials refused, 130 interrupted (resume with --resume).`,
		Example: `  okta-device-wizard apply --file plan.yaml --dry-run
  okta-device-wizard apply --file plan.yaml
  okta-device-wizard apply --file plan.yaml --resume
  okta-device-wizard apply --rollback
  okta-device-wizard apply --rollback --yes
  okta-device-wizard apply --file plan.yaml --export-curl plan.sh`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &CodedError{Code: ExitUsage, Err: fmt.Errorf("apply takes no arguments (got %q): name the plan with --file", strings.Join(args, " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Flags parsed: from here on errors are reported by run itself, once.
			cmd.SilenceUsage = true
			cmd.SilenceErrors = true
			err := o.run(cmd.Context())
			if err != nil {
				var reported *reportedError
				if !errors.As(err, &reported) {
					fmt.Fprintf(o.f.IO.ErrOut, "apply: %s\n", flows.RedactSecrets(err.Error()))
				}
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.file, "file", "f", "", "plan file (YAML or JSON)")
	fl.BoolVar(&o.dryRun, "dry-run", false, "print every request (method, path, JSON body) as it would go to this org (references looked up by name there) and write nothing")
	fl.BoolVar(&o.json, "json", false, "machine-readable output: JSON lines of progress, or the request list with --dry-run")
	fl.StringVar(&o.journalDir, "journal-dir", "", "where run journals are kept (default <state-dir>/journal)")
	fl.BoolVar(&o.resume, "resume", false, "continue the unfinished run from its first unfinished request (with --file: with the plan's fixed answers)")
	fl.BoolVar(&o.rollback, "rollback", false, "undo what the unfinished run created, in reverse order")
	fl.BoolVar(&o.yes, "yes", false, "with --rollback: undo without asking (for scripts; without a terminal it is required)")
	fl.StringVar(&o.runID, "run", "", "with --resume or --rollback: the run id (default: the newest unfinished run against this org)")
	fl.BoolVar(&o.adopt, "adopt-existing", true, "treat an object the plan creates that already exists by name as done (adopt it) instead of creating it again")
	fl.StringVar(&o.exportCurl, "export-curl", "", "write the plan, references resolved by name in this org, as a bash script of curl requests to FILE (\"-\" for stdout); writes nothing to the org")
	fl.IntVar(&o.concurrency, "concurrency", flows.DefaultConcurrency, "requests without a dependency between them sent at once (1 sends strictly in order)")
	return cmd
}

// reportedError is a failure whose details apply has already printed; it carries the exit code.
type reportedError struct {
	code int
	err  error
}

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }
func (e *reportedError) ExitCode() int { return e.code }

func usageErr(format string, args ...any) error {
	return &CodedError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

func (o *applyOptions) run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	switch {
	case o.resume && o.rollback:
		return usageErr("--resume and --rollback exclude each other")
	case (o.resume || o.rollback) && (o.dryRun || o.exportCurl != ""):
		return usageErr("--dry-run and --export-curl preview a plan file; they do not combine with --resume or --rollback")
	case o.dryRun && o.exportCurl != "":
		return usageErr("--dry-run and --export-curl exclude each other")
	case o.file == "" && !o.resume && !o.rollback:
		return usageErr("name the plan with --file PLAN (or use --resume / --rollback for an unfinished run)")
	case o.runID != "" && !o.resume && !o.rollback:
		return usageErr("--run selects a run to --resume or --rollback")
	case o.concurrency < 1:
		return usageErr("--concurrency must be 1 or more")
	}
	var plan flows.Plan
	if o.file != "" {
		p, err := flows.LoadPlan(o.file)
		if err != nil {
			// A plan that does not load is bad input, like a bad flag: nothing was sent.
			return &CodedError{Code: ExitUsage, Err: err}
		}
		// Every body and placeholder is checked before the first request, so a bad step 5
		// cannot leave steps 1 to 4 applied.
		if err := flows.CheckPlan(p, time.Now()); err != nil {
			return &CodedError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", o.file, err)}
		}
		plan = p
	}
	if o.dryRun || o.exportCurl != "" {
		return o.preview(ctx, plan)
	}

	if o.f.Connect == nil {
		return errors.New("no way to connect to an org")
	}
	org, err := o.f.Connect(ctx)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	if org.Close != nil {
		defer org.Close()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	dir := o.journalDir
	if dir == "" {
		dir = flows.DefaultJournalDir(o.f.StateDir)
	}
	out := newApplyPrinter(o.f.IO.Out, o.json)
	switch {
	case o.rollback:
		j, err := o.pickJournal(dir, org)
		if err != nil {
			return err
		}
		if confirmed, err := o.confirmRollback(j, org); err != nil || !confirmed {
			return err
		}
		out.note("Rolling back run %s against %s", j.RunID(), org.Label)
		if err := flows.Rollback(ctx, org.API, j, out.event); err != nil {
			return o.reportFailure(err, "roll back", j)
		}
		out.note("Rolled back: what the run created is deleted, what it changed is restored.")
		out.done(nil)
		return nil
	case o.resume:
		var reads *flows.Reads
		j, err := o.pickJournal(dir, org)
		if err != nil {
			return err
		}
		if o.file != "" {
			if jf := j.Plan().Flow; jf != plan.Flow {
				return &CodedError{Code: ExitError, Err: fmt.Errorf("run %s is a %s run; %s holds a %s plan: resume it without --file, or name its run with --run", j.RunID(), jf, o.file, plan.Flow)}
			}
			resolved, r, err := o.resolve(ctx, org, plan, j)
			if err != nil {
				return err
			}
			if err := j.Replace(resolved); err != nil {
				return err
			}
			reads = r
		}
		out.note("Resuming run %s against %s", j.RunID(), org.Label)
		return o.execute(ctx, org, j, reads, out)
	}

	resolved, reads, err := o.resolve(ctx, org, plan, nil)
	if err != nil {
		return err
	}
	if err := o.refuseUnfinished(dir, org, resolved); err != nil {
		return err
	}
	j, err := flows.NewJournal(dir, resolved, org.API.OrgURL())
	if err != nil {
		return err
	}
	out.note("Applying %q to %s: %s (journal %s)", resolved.Title, org.Label, requestCount(len(resolved.Steps)), j.Path())
	if o.adopt {
		out.note("Objects that already exist by name are adopted, not created again (--adopt-existing=false to turn this off).")
	}
	return o.execute(ctx, org, j, reads, out)
}

// confirmRollback lists the requests that undo run j, newest first, and the steps left alone,
// then asks (or takes --yes). Without a terminal and without --yes nothing is undone.
func (o *applyOptions) confirmRollback(j *flows.Journal, org *Org) (bool, error) {
	w := o.f.IO.Out
	if o.json {
		w = o.f.IO.ErrOut
	}
	preview := flows.PlanRollback(j)
	plan := j.Plan()
	fmt.Fprintf(w, "Rolling back run %s (%s) against %s sends %s, newest first:\n", j.RunID(), plan.Title, org.Label, requestCount(len(preview.Requests)))
	for i, q := range preview.Requests {
		fmt.Fprintf(w, "  %2d %-6s %s  (%s)\n", i+1, q.Method, q.Path, q.Title)
		if q.Note != "" {
			fmt.Fprintf(w, "     %s\n", q.Note)
		}
	}
	for _, q := range preview.Cannot {
		fmt.Fprintf(w, "  cannot be undone: %s %s (%s): the roll back stops there\n", q.Method, q.Path, q.Note)
	}
	for _, i := range preview.Kept {
		fmt.Fprintf(w, "  kept (existed before this run): %s\n", plan.Steps[i].Name())
	}
	for _, i := range preview.NotRun {
		fmt.Fprintf(w, "  not run, nothing to undo: %s\n", plan.Steps[i].Name())
	}
	if o.yes {
		return true, nil
	}
	if !o.f.IO.InTTY {
		return false, &CodedError{Code: ExitUsage, Err: errors.New("nothing was undone: --rollback asks before undoing and there is no terminal to ask on; pass --yes to roll back without asking")}
	}
	fmt.Fprint(o.f.IO.ErrOut, "Roll back? Type y to send these requests [y/N]: ")
	line, _ := bufio.NewReader(o.f.IO.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		fmt.Fprintln(o.f.IO.ErrOut, "Nothing was undone; the journal is kept.")
		return false, nil
	}
	return true, nil
}

// resolve maps the plan's references to this org's objects; missing ones stop the run before
// any write. Its reads include the run's own lookups (j is the run resumed, nil for a new
// one), in one wave; the run takes them as RunOptions.Reads.
func (o *applyOptions) resolve(ctx context.Context, org *Org, plan flows.Plan, j *flows.Journal) (flows.Plan, *flows.Reads, error) {
	reads := flows.NewReads(org.API)
	resolved, missing, err := flows.ResolveRefsWith(ctx, reads, plan, j, o.runOptions(nil))
	if err != nil {
		return plan, nil, fmt.Errorf("resolving the plan's references in %s: %w", org.Label, err)
	}
	if len(missing) > 0 {
		w := o.f.IO.ErrOut
		fmt.Fprintf(w, "apply: %s lacks %d object(s) the plan uses; nothing was sent:\n", org.Label, len(missing))
		for _, m := range missing {
			fmt.Fprintf(w, "  - %s\n", m)
		}
		fmt.Fprintln(w, "Create them (same names) or edit the plan, then apply again.")
		return plan, nil, &reportedError{code: ExitError, err: fmt.Errorf("%d missing references", len(missing))}
	}
	return resolved, reads, nil
}

// runOptions are the run's options from the flags, reading through reads.
func (o *applyOptions) runOptions(reads *flows.Reads) flows.RunOptions {
	return flows.RunOptions{Concurrency: o.concurrency, AdoptExisting: o.adopt, Reads: reads}
}

// refuseUnfinished stops a fresh apply of a plan whose earlier run against this org is
// unfinished: sending it again beside that run would mix two records of one change.
func (o *applyOptions) refuseUnfinished(dir string, org *Org, plan flows.Plan) error {
	js, err := flows.OpenJournals(dir)
	var damaged *flows.DamagedJournalsError
	if errors.As(err, &damaged) {
		fmt.Fprintf(o.f.IO.ErrOut, "apply: warning: %v\n", err)
	} else if err != nil {
		return err
	}
	for _, j := range js {
		p := j.Plan()
		if j.SameOrg(org.API.OrgURL()) && p.Flow == plan.Flow && p.Title == plan.Title {
			return &CodedError{Code: ExitError, Err: fmt.Errorf(
				"run %s of this plan against %s is unfinished (started %s): continue it with --resume or undo it with --rollback (--run %s)",
				j.RunID(), org.Label, j.Started().Local().Format("2006-01-02 15:04"), j.RunID())}
		}
	}
	return nil
}

// pickJournal finds the run to resume or roll back: --run, or the newest unfinished run
// against this org.
func (o *applyOptions) pickJournal(dir string, org *Org) (*flows.Journal, error) {
	js, err := flows.OpenJournals(dir)
	var damaged *flows.DamagedJournalsError
	if errors.As(err, &damaged) {
		fmt.Fprintf(o.f.IO.ErrOut, "apply: warning: %v\n", err)
	} else if err != nil {
		return nil, err
	}
	var other []string
	for _, j := range js {
		if o.runID != "" && j.RunID() != o.runID {
			continue
		}
		if !j.SameOrg(org.API.OrgURL()) {
			other = append(other, fmt.Sprintf("%s (against %s)", j.RunID(), j.Org()))
			continue
		}
		return j, nil
	}
	what := "no unfinished run"
	if o.runID != "" {
		what = "no unfinished run " + o.runID
	}
	msg := fmt.Sprintf("%s against %s in %s", what, org.Label, dir)
	if len(other) > 0 {
		msg += "; runs against other orgs: " + strings.Join(other, ", ")
	}
	return nil, &CodedError{Code: ExitError, Err: errors.New(msg)}
}

func (o *applyOptions) execute(ctx context.Context, org *Org, j *flows.Journal, reads *flows.Reads, out *applyPrinter) error {
	outcome, err := flows.RunWith(ctx, org.API, j, o.runOptions(reads), out.event)
	if err != nil {
		return o.reportFailure(err, "apply", j)
	}
	out.done(outcome)
	return nil
}

// reportFailure prints Okta's error beside the stage and step, and how to go on.
func (o *applyOptions) reportFailure(err error, what string, j *flows.Journal) error {
	w := o.f.IO.ErrOut
	var se *flows.StepError
	if errors.As(err, &se) {
		where := ""
		if se.Step.Stage > 0 {
			where = fmt.Sprintf(" (stage %d%s)", se.Step.Stage, stageName(se.Step))
		}
		fmt.Fprintf(w, "%s failed at step %d %q%s: %s %s\n", what, se.Index+1, se.Step.Name(), where, se.Step.Method(), se.Step.Path())
		var oe *okta.Error
		if errors.As(err, &oe) {
			fmt.Fprintf(w, "  Okta error: %s %s\n", oe.ErrorCode, oe.ErrorSummary)
			if oe.Status != 0 {
				fmt.Fprintf(w, "  HTTP status: %d\n", oe.Status)
			}
			for _, c := range oe.ErrorCauses {
				fmt.Fprintf(w, "  cause: %s\n", c.ErrorSummary)
			}
			if oe.ErrorID != "" {
				fmt.Fprintf(w, "  error id: %s\n", oe.ErrorID)
			}
		} else {
			fmt.Fprintf(w, "  error: %s\n", flows.RedactSecrets(se.Err.Error()))
		}
	} else {
		fmt.Fprintf(w, "%s failed: %s\n", what, flows.RedactSecrets(err.Error()))
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "Interrupted. The journal %s keeps the run: continue with --resume or undo with --rollback.\n", j.Path())
		return &reportedError{code: ExitInterrupted, err: err}
	}
	if j.Gone() {
		fmt.Fprintln(w, "Okta changed nothing, so no journal is kept: fix the plan and apply it again.")
		return &reportedError{code: failureCode(err), err: err}
	}
	fmt.Fprintf(w, "The journal %s keeps the run (id %s): fix the plan and run `apply --file PLAN --resume` (steps already done are not sent again), or undo it with `apply --rollback`.\n", j.Path(), j.RunID())
	return &reportedError{code: failureCode(err), err: err}
}

// failureCode is the exit code of a failed run: ExitAuth when Okta refused the credentials.
func failureCode(err error) int {
	if okta.IsCode(err, okta.CodeInvalidToken) || okta.IsCode(err, okta.CodeForbidden) {
		return ExitAuth
	}
	return ExitError
}

func stageName(s flows.Step) string {
	if s.Stage >= 1 && s.Stage <= len(flows.DSCStageNames) && (s.ID == "" || isDSCStep(s)) {
		return ", " + flows.DSCStageNames[s.Stage-1]
	}
	return ""
}

func isDSCStep(s flows.Step) bool {
	switch s.ID {
	case flows.StepAppPolicy, flows.StepAppRule, flows.StepDSCPolicy, flows.StepDSCRule, flows.StepActivateDSC:
		return true
	}
	return strings.HasPrefix(s.ID, "mapping-")
}

func (o *applyOptions) printDryRun(plan flows.Plan) error {
	w := o.f.IO.Out
	if o.json {
		reqs, err := flows.Requests(plan)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(reqs)
	}
	text, err := flows.FormatRequests(plan)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, text)
	return err
}

// preview prints (--dry-run) or exports (--export-curl) the plan as it would be sent to the
// target org: its references are resolved by name there first, so the ids are that org's
// (anything missing is reported and nothing is written). Only reads are sent.
func (o *applyOptions) preview(ctx context.Context, plan flows.Plan) error {
	if o.f.Connect == nil {
		return errors.New("no way to connect to an org")
	}
	org, err := o.f.Connect(ctx)
	if err != nil {
		return fmt.Errorf("connecting to resolve the plan's references: %w", err)
	}
	if org.Close != nil {
		defer org.Close()
	}
	resolved, _, err := o.resolve(ctx, org, plan, nil)
	if err != nil {
		return err
	}
	if o.dryRun {
		return o.printDryRun(resolved)
	}
	// An in-process sandbox's port is gone once this command ends: the script then takes the
	// org from OKTA_ORG_URL only.
	orgURL := org.API.OrgURL()
	if org.Sandbox {
		orgURL = ""
	}
	return o.writeCurl(resolved, orgURL)
}

// writeCurl exports the plan as a curl script for orgURL (the script's OKTA_ORG_URL overrides
// it; with no orgURL the script requires OKTA_ORG_URL).
func (o *applyOptions) writeCurl(plan flows.Plan, orgURL string) error {
	script := flows.CurlScript(plan, orgURL)
	if o.exportCurl == "-" {
		_, err := io.WriteString(o.f.IO.Out, script)
		return err
	}
	if err := os.WriteFile(o.exportCurl, []byte(script), 0o755); err != nil {
		return err
	}
	if orgURL == "" {
		fmt.Fprintf(o.f.IO.ErrOut, "Wrote %s: %s with curl. Run it with OKTA_ORG_URL and OKTA_API_TOKEN set.\n", o.exportCurl, requestCount(len(plan.Steps)))
		return nil
	}
	fmt.Fprintf(o.f.IO.ErrOut, "Wrote %s: %s with curl. Run it with OKTA_API_TOKEN set (OKTA_ORG_URL overrides %s).\n", o.exportCurl, requestCount(len(plan.Steps)), orgURL)
	return nil
}

func requestCount(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}

// applyPrinter shows progress as text lines or JSON lines.
type applyPrinter struct {
	w    io.Writer
	json bool
	enc  *json.Encoder
}

func newApplyPrinter(w io.Writer, asJSON bool) *applyPrinter {
	return &applyPrinter{w: w, json: asJSON, enc: json.NewEncoder(w)}
}

// applyEvent is one JSON line of --json output.
type applyEvent struct {
	Event      string             `json:"event"` // "note", "step", "outcome"
	Message    string             `json:"message,omitempty"`
	Index      int                `json:"index,omitempty"`
	StepID     string             `json:"stepId,omitempty"`
	Stage      int                `json:"stage,omitempty"`
	Title      string             `json:"title,omitempty"`
	State      flows.StepState    `json:"state,omitempty"`
	ObjectID   string             `json:"objectId,omitempty"`
	Adopted    bool               `json:"adopted,omitempty"`
	Reconciled bool               `json:"reconciled,omitempty"`
	Error      *okta.Error        `json:"error,omitempty"`
	ErrorText  string             `json:"errorText,omitempty"`
	Created    map[string]string  `json:"created,omitempty"`
	Results    []flows.StepResult `json:"results,omitempty"`
}

func (p *applyPrinter) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.json {
		_ = p.enc.Encode(applyEvent{Event: "note", Message: msg})
		return
	}
	fmt.Fprintln(p.w, msg)
}

func (p *applyPrinter) event(e flows.Event) {
	if p.json {
		ev := applyEvent{Event: "step", Index: e.Index + 1, StepID: e.Step.ID, Stage: e.Step.Stage, Title: e.Step.Title,
			State: e.State, ObjectID: e.ObjectID, Adopted: e.Adopted, Reconciled: e.Reconciled}
		if e.Err != nil {
			var oe *okta.Error
			if errors.As(e.Err, &oe) {
				ev.Error = oe
			}
			ev.ErrorText = flows.RedactSecrets(e.Err.Error())
		}
		_ = p.enc.Encode(ev)
		return
	}
	label := string(e.State)
	switch {
	case e.Adopted && e.State == flows.StateDone:
		label = "adopted"
	case e.Reconciled:
		label = "found"
	}
	line := fmt.Sprintf("[%d] %-11s %s", e.Index+1, label, e.Step.Title)
	if e.ObjectID != "" {
		line += "  id=" + e.ObjectID
	}
	if e.Adopted && e.State == flows.StateDone {
		line += "  (already existed; not created again)"
	}
	if e.Reconciled {
		line += "  (the interrupted request had taken effect)"
	}
	if e.Err != nil {
		line += "  error: " + flows.RedactSecrets(e.Err.Error())
	}
	fmt.Fprintln(p.w, line)
}

func (p *applyPrinter) done(out *flows.Outcome) {
	if p.json {
		ev := applyEvent{Event: "outcome"}
		if out != nil {
			ev.Created, ev.Results = out.Created, out.Results
		}
		_ = p.enc.Encode(ev)
		return
	}
	if out == nil {
		return
	}
	fmt.Fprintf(p.w, "Done: %s.\n", requestCount(len(out.Results)))
	for _, r := range out.Results {
		how := "created"
		switch {
		case r.Adopted:
			how = "adopted"
		case r.Method != "POST" || strings.Contains(r.Path, "/lifecycle/"):
			how = "changed"
		}
		fmt.Fprintf(p.w, "  %-8s %-40s %s\n", how, r.StepID, r.ObjectID)
	}
}
