package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui"
)

// Exit codes of `inspect`.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitWarnings = 3
)

// CodedError is an error that carries the process exit code (exitCode honours any error with
// an ExitCode method). Errors without one (Okta's, the configuration's) are mapped by exitCode.
type CodedError struct {
	Code int
	Err  error
}

func (e *CodedError) Error() string { return e.Err.Error() }
func (e *CodedError) Unwrap() error { return e.Err }

// ExitCode is the code the process exits with.
func (e *CodedError) ExitCode() int { return e.Code }

type inspectOptions struct {
	f              *Factory
	json           bool
	plain          bool
	kind           string
	filter         string
	failOnWarnings bool
	skipEvents     bool
}

func newInspectCmd(f *Factory) *cobra.Command {
	o := &inspectOptions{f: f}
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Inspect device signal collection, app sign-in and device assurance policies",
		Long: `Inspect reads the org without changing it: device signal collection (DSC) policies with
their mappings and rules, app sign-in policies with their device conditions, device assurance
policies and the rules that use them, recent device-related System Log events, and warnings.

On a terminal it opens the inspection screen. With --json it prints the inventory as JSON (with
--kind, a JSON array of that kind's objects); without a terminal, or with --plain, plain text tables.

Exit codes: 0 ok, 1 error (Okta's error code and summary are printed), 2 bad usage,
3 warnings exist and --fail-on-warnings is set (and the codes every command shares: 5 bad
configuration, 6 credentials refused).`,
		Example: `  okta-device-wizard inspect
  okta-device-wizard inspect --json > inventory.json
  okta-device-wizard inspect --kind warnings --plain --fail-on-warnings
  okta-device-wizard inspect --kind app --filter "registered"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &CodedError{Code: ExitUsage, Err: fmt.Errorf("inspect takes no arguments, got %q", strings.Join(args, " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			err := o.run(cmd.Context())
			var coded *CodedError
			if err != nil && !(errors.As(err, &coded) && coded.Code == ExitUsage) {
				cmd.SilenceUsage = true
			}
			return err
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &CodedError{Code: ExitUsage, Err: err}
	})
	fl := cmd.Flags()
	fl.BoolVar(&o.json, "json", false, "print the inventory as JSON")
	fl.BoolVar(&o.plain, "plain", false, "print plain text tables even on a terminal")
	fl.StringVar(&o.kind, "kind", "", "only this view: dsc, app, assurance, events or warnings")
	fl.StringVar(&o.filter, "filter", "", "only objects whose text contains every word of TEXT")
	fl.BoolVar(&o.failOnWarnings, "fail-on-warnings", false, "exit with code 3 when there are warnings")
	fl.BoolVar(&o.skipEvents, "no-events", false, "do not read the System Log")
	return cmd
}

func (o *inspectOptions) run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var kind flows.Kind
	if o.kind != "" {
		k, err := flows.ParseKind(o.kind)
		if err != nil {
			return &CodedError{Code: ExitUsage, Err: err}
		}
		kind = k
	}
	if o.json && o.plain {
		return &CodedError{Code: ExitUsage, Err: errors.New("--json and --plain exclude each other")}
	}
	if o.f.Connect == nil {
		return errors.New("no way to connect to an org")
	}
	org, err := o.f.Connect(ctx)
	if err != nil {
		return err
	}
	if org.Close != nil {
		defer org.Close()
	}
	opts := flows.LoadOptions{SkipEvents: o.skipEvents}
	streams := o.f.IO
	if !o.json && !o.plain && streams.InTTY && streams.OutTTY {
		return o.interactive(org, opts, kind)
	}
	// Waits for rate limits go to stderr, so stdout stays the inventory alone. Requests run
	// concurrently, so the lines are written one at a time.
	var errMu sync.Mutex
	ctx = okta.WithNotifier(ctx, func(n okta.Notice) {
		if n.Kind == okta.NoticeRateLimitWait {
			errMu.Lock()
			defer errMu.Unlock()
			fmt.Fprintf(o.f.IO.ErrOut, "inspect: waiting %s for Okta's rate limit (%s)\n", n.Wait.Round(time.Millisecond), okta.RateLimitFamily(n.Path))
		}
	})
	inv, err := flows.LoadInventory(ctx, org.API, opts, nil)
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	if o.json {
		err = writeInventoryJSON(streams.Out, inv, kind, o.filter)
	} else {
		err = flows.WriteInventoryText(streams.Out, org.Label, inv, kind, o.filter)
	}
	if err != nil {
		return err
	}
	return o.warningsExit(inv)
}

func (o *inspectOptions) warningsExit(inv *flows.Inventory) error {
	if o.failOnWarnings && len(inv.Warnings) > 0 {
		return &CodedError{Code: ExitWarnings, Err: fmt.Errorf("%d warnings", len(inv.Warnings))}
	}
	return nil
}

func (o *inspectOptions) interactive(org *Org, opts flows.LoadOptions, kind flows.Kind) error {
	if kind == "" {
		kind = flows.KindDSC
	}
	c := &ui.Common{
		API:      org.API,
		OrgLabel: org.Label,
		Sandbox:  org.Sandbox,
		Styles:   ui.DefaultStyles(),
		Keys:     ui.DefaultKeyMap(),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	screen := ui.NewInspectWith(c, opts, kind, o.filter)
	p := tea.NewProgram(ui.NewInspectApp(c, screen), tea.WithInput(o.f.IO.In), tea.WithOutput(o.f.IO.Out), tea.WithAltScreen())
	if _, err := p.Run(); err != nil {
		return err
	}
	if inv := screen.Inventory(); inv != nil {
		return o.warningsExit(inv)
	}
	return nil
}

// writeInventoryJSON prints the inventory (or, with a kind, the array of that kind's objects).
func writeInventoryJSON(w io.Writer, inv *flows.Inventory, kind flows.Kind, filter string) error {
	var v any = inv.Filtered(filter)
	if kind != "" {
		v = inv.Objects(kind, filter)
	}
	return writeIndentedJSON(w, v)
}
