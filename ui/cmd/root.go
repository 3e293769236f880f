// Package cmd holds the okta-device-wizard command line (cobra): each command is an options
// struct holding its dependencies, a constructor and a run function, as in cli/cli.
package cmd

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Version is set at build time with -ldflags "-X .../ui/cmd.Version=...".
var Version = "0.1.0-dev"

// IOStreams are the process's standard streams and whether they are terminals.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY and OutTTY say whether stdin and stdout are terminals; without them the wizard never prompts.
	InTTY, OutTTY bool
}

// Org is a connected org: the API, how to show it, and what to release when done.
type Org struct {
	API okta.API
	// Label is the org URL, or "SANDBOX (http://127.0.0.1:port)" for the in-process sandbox.
	Label   string
	Sandbox bool
	Close   func()
}

// Factory holds what commands depend on, so tests can swap them.
type Factory struct {
	IO IOStreams
	// Connect resolves the configuration (flags, environment, ~/.okta/okta.yaml) and returns the
	// org to talk to: the configured one, or an in-process sandbox when none is configured.
	Connect func(ctx context.Context) (*Org, error)
	// StateDir is where journals, the default sandbox state and logs live.
	StateDir string
	// Config holds the connection flags (--org-url, --auth-mode, ...); Connect passes its
	// non-empty fields to okta.LoadConfig as overrides. Never a token: secrets stay out of flags.
	Config okta.Config
	// LogFile is where the log goes; "" means <StateDir>/okta-device-wizard.log.
	LogFile string
}

// NewRootCmd builds the command tree. Running it without a subcommand starts the wizard.
func NewRootCmd(f *Factory) *cobra.Command {
	root := newWizardCmd(f)
	root.Version = Version
	root.AddCommand(newSandboxCmd(f), newInspectCmd(f), newApplyCmd(f), newSimulateCmd(f))
	markUsageErrors(root)
	redactErrors(root)
	return root
}

// redactErrors makes the error of every command (and of its argument check) pass through
// okta.Redact before anything prints it: one redaction path, whichever command failed and
// whatever produced the message (an org URL with ?token=..., a YAML error quoting a value).
func redactErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error { return redacted(run(cmd, args)) }
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error { return redacted(check(cmd, args)) }
	}
	for _, sub := range c.Commands() {
		redactErrors(sub)
	}
}

func redacted(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{err}
}

// redactedError shows its error redacted and keeps it for errors.As (exit codes).
type redactedError struct{ err error }

func (e *redactedError) Error() string { return okta.Redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// usageError makes err a bad-usage error (exit code ExitUsage), as the README promises for
// every unknown flag, flag value, command or argument.
func usageError(err error) error {
	var coded *CodedError
	if errors.As(err, &coded) {
		return err
	}
	return &CodedError{Code: ExitUsage, Err: err}
}

// markUsageErrors routes flag errors of every command (subcommands inherit the root's) and
// unknown subcommands of command groups through usageError.
func markUsageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() {
			args := c.Args
			if args == nil {
				args = cobra.NoArgs // a group takes a subcommand, nothing else
			}
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return usageError(err)
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// Main runs the command line with the process's streams and returns the exit code.
func Main() int {
	f := newDefaultFactory()
	root := NewRootCmd(f)
	if err := root.Execute(); err != nil {
		return exitCode(err)
	}
	return 0
}
