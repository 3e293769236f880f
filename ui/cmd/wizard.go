package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui"
)

// wizardOptions are the flags of the wizard (the root command).
type wizardOptions struct {
	f          *Factory
	accessible bool
}

// errNoTTY is returned when the wizard has no terminal to draw on.
var errNoTTY = &CodedError{Code: ExitNoTTY, Err: errors.New("no terminal")}

// newWizardCmd is the root command: run without a subcommand it starts the wizard. The
// connection flags are persistent, so every subcommand reads the same org.
func newWizardCmd(f *Factory) *cobra.Command {
	o := &wizardOptions{f: f}
	cmd := &cobra.Command{
		Use:   "okta-device-wizard",
		Short: "Set up Okta device signal collection and device assurance, previewing every request",
		Long: "okta-device-wizard walks an Okta admin through device signal collection and device\n" +
			"assurance setup, shows every request before it is sent, and inspects what exists.\n\n" +
			"The org comes from OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN (or ~/.okta/okta.yaml);\n" +
			"the token is never a flag. With no org configured, a local SANDBOX org is used.",
		SilenceUsage: true,
		Args:         cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if os.Getenv("ACCESSIBLE") != "" && !cmd.Flags().Changed("accessible") {
				o.accessible = true
			}
			return o.run(cmd.Context())
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.Config.OrgURL, "org-url", "", "Okta org URL, e.g. https://example.okta.com (default: OKTA_CLIENT_ORGURL or okta.yaml; none means the sandbox)")
	pf.StringVar(&f.Config.AuthMode, "auth-mode", "", "SSWS (API token) or PrivateKey (OAuth service app); secrets come from the environment or okta.yaml")
	pf.StringVar(&f.Config.ClientID, "client-id", "", "OAuth client id for --auth-mode PrivateKey")
	pf.StringVar(&f.Config.PrivateKeyID, "private-key-id", "", "key id (kid) of the private key for --auth-mode PrivateKey")
	pf.StringVar(&f.StateDir, "state-dir", f.StateDir, "where run journals, the sandbox state and the log are kept")
	pf.StringVar(&f.LogFile, "log-file", "", "log file (default <state-dir>/"+ui.LogFileName+")")
	cmd.Flags().BoolVar(&o.accessible, "accessible", false, "ask plain questions one at a time instead of the full-screen UI (also ACCESSIBLE=1)")
	return cmd
}

func (o *wizardOptions) run(ctx context.Context) error {
	f := o.f
	if !f.IO.InTTY || !f.IO.OutTTY {
		fmt.Fprint(f.IO.ErrOut, "okta-device-wizard: the wizard needs a terminal (stdin and stdout are not both a TTY).\n"+
			"Without one, use the non-interactive commands:\n"+
			"  okta-device-wizard apply --file PLAN    send a saved plan\n"+
			"  okta-device-wizard inspect --json       read what the org has\n")
		return errNoTTY
	}
	if ctx == nil {
		ctx = context.Background()
	}
	logPath := f.LogFile
	if logPath == "" {
		logPath = filepath.Join(f.StateDir, ui.LogFileName)
	}
	log, closeLog, err := ui.OpenLog(logPath)
	if err != nil {
		return err
	}
	defer closeLog()
	if f.Connect == nil {
		return errors.New("no way to connect to an org")
	}
	org, err := f.Connect(ctx)
	if err != nil {
		log.Error("connect", "err", err)
		return err
	}
	defer org.Close()
	if err := checkCredentials(ctx, org, f.IO.ErrOut); err != nil {
		log.Error("credentials refused", "err", err)
		return err
	}
	log.Info("wizard started", "org", org.Label, "sandbox", org.Sandbox, "accessible", o.accessible)

	c := &ui.Common{
		API:        org.API,
		OrgLabel:   org.Label,
		Sandbox:    org.Sandbox,
		Accessible: o.accessible,
		JournalDir: flows.DefaultJournalDir(f.StateDir),
		Styles:     ui.DefaultStyles(),
		Keys:       ui.DefaultKeyMap(),
		Log:        log,
	}
	if org.Sandbox {
		c.OrgLabel = "SANDBOX"
	}
	if o.accessible {
		// ctrl+c keeps its default meaning here (end the process): the journal on disk lets
		// the next start resume or roll back a run it interrupted.
		err := ui.RunAccessible(ctx, c, f.IO.In, f.IO.Out)
		if errors.Is(err, ui.ErrInputEnded) {
			return &CodedError{Code: ExitInterrupted, Err: err}
		}
		return err
	}
	p := tea.NewProgram(ui.New(c), tea.WithAltScreen(), tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out), tea.WithContext(ctx))
	final, err := p.Run()
	if err != nil {
		log.Error("ui stopped", "err", err)
		return err
	}
	return quitError(final)
}

// quitError is the error a quit with an unfinished run ends the command with: exit 130, saying
// the run's journal is kept and how to go on; nil after a clean quit.
func quitError(final tea.Model) error {
	app, ok := final.(*ui.App)
	if !ok || app.KeptJournal() == "" {
		return nil
	}
	return &CodedError{Code: ExitInterrupted, Err: fmt.Errorf(
		"quit with %s unfinished; its journal is kept: the next start offers resume or roll back (or apply --resume / apply --rollback)", app.KeptJournal())}
}

// errStopPaging ends a paged read after its first page.
var errStopPaging = errors.New("first page read")

// checkCredentials reads one app sign-in policy (a single request) so a wrong or expired
// token, or one without the policy scopes, is reported at start with the fix, not after the
// first stage was answered. Other failures (the network) are left to the screens, which
// retry.
func checkCredentials(ctx context.Context, org *Org, errOut io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := org.API.ListPoliciesPaged(ctx, okta.TypeAccessPolicy, 1, func([]okta.Policy) error { return errStopPaging })
	if !okta.IsCode(err, okta.CodeInvalidToken) && !okta.IsCode(err, okta.CodeForbidden) {
		return nil
	}
	fmt.Fprintf(errOut, "okta-device-wizard: %s refused the credentials: %v\n"+
		"Fix: set OKTA_CLIENT_TOKEN to a valid API token of that org (Admin Console > Security > API > Tokens),\n"+
		"or for an OAuth service app check OKTA_CLIENT_CLIENTID, the private key and its scopes\n"+
		"(okta.policies.read, okta.policies.manage, ...); ~/.okta/okta.yaml is read too.\n", org.API.OrgURL(), err)
	return &CodedError{Code: ExitAuth, Err: errors.New("credentials refused")}
}
