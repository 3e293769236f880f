package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// Exit codes besides ExitOK, ExitError, ExitUsage and ExitWarnings (inspect.go).
const (
	// ExitNoTTY: the wizard needs a terminal and has none (use apply or inspect --json).
	ExitNoTTY = 4
	// ExitConfig: the Okta configuration (flags, environment, okta.yaml) is wrong.
	ExitConfig = 5
	// ExitAuth: Okta refused the credentials (E0000011 or E0000006).
	ExitAuth = 6
	// ExitInterrupted: the user quit (ctrl+c) before the flow finished.
	ExitInterrupted = 130
)

// newDefaultFactory wires the process's streams, the state directory and the org connection.
func newDefaultFactory() *Factory {
	f := &Factory{
		IO: IOStreams{
			In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
			InTTY:  isTerminal(os.Stdin),
			OutTTY: isTerminal(os.Stdout),
		},
		StateDir: defaultStateDir(),
	}
	f.Connect = func(ctx context.Context) (*Org, error) { return connect(ctx, f) }
	return f
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// sandboxStateFile is the default sandbox org's state file, in the state directory.
const sandboxStateFile = "sandbox.json"

// defaultStateDir is $XDG_STATE_HOME/okta-device-wizard, or ~/.local/state/okta-device-wizard.
func defaultStateDir() string {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "okta-device-wizard")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(os.TempDir(), "okta-device-wizard")
	}
	return filepath.Join(home, ".local", "state", "okta-device-wizard")
}

// configError marks a configuration problem (exit code ExitConfig).
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// connect resolves the configuration; a configured org gets a client, otherwise an in-process
// sandbox is started (state in <StateDir>/sandbox.json, faults from OKTA_SANDBOX_FAULTS) and a
// real client talks to it over HTTP.
func connect(ctx context.Context, f *Factory) (*Org, error) {
	cfg, err := okta.LoadConfig(f.Config)
	if err != nil {
		return nil, &configError{err}
	}
	if cfg.Configured() {
		client, err := okta.New(cfg)
		if err != nil {
			return nil, &configError{err}
		}
		return &Org{API: client, Label: client.OrgURL(), Close: func() {}}, nil
	}
	return startSandbox(f.StateDir, f.IO.ErrOut)
}

// startSandbox starts the default org. It listens on the port it used last time when that port
// is free, so journals of an interrupted run (which record the org URL) can be resumed.
// What opening its state file did that the user should know (a migration) goes to notes.
func startSandbox(stateDir string, notes io.Writer) (*Org, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	faults, err := sandbox.FaultsFromEnv()
	if err != nil {
		return nil, &configError{err}
	}
	srv, err := sandbox.New(sandbox.Options{StatePath: filepath.Join(stateDir, sandboxStateFile), Faults: faults})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if notes != nil {
		for _, n := range srv.Notices() {
			fmt.Fprintf(notes, "Note: %s.\n", n)
		}
	}
	addrFile := filepath.Join(stateDir, "sandbox.addr")
	started := false
	if b, err := os.ReadFile(addrFile); err == nil {
		last := strings.TrimSpace(string(b))
		if host, _, err := net.SplitHostPort(last); err == nil && host == "127.0.0.1" {
			started = srv.Start(last) == nil
		}
	}
	if !started {
		if err := srv.Start("127.0.0.1:0"); err != nil {
			_ = srv.Close()
			return nil, err
		}
	}
	url := srv.URL()
	_ = os.WriteFile(addrFile, []byte(strings.TrimPrefix(url, "http://")+"\n"), 0o600)
	client, err := okta.New(okta.Config{OrgURL: url, Token: srv.Token()})
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	return &Org{API: client, Label: "SANDBOX (" + url + ")", Sandbox: true, Close: func() { _ = srv.Close() }}, nil
}

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	var ce *configError
	switch {
	case errors.As(err, &ce):
		return ExitConfig
	case okta.IsCode(err, okta.CodeInvalidToken), okta.IsCode(err, okta.CodeForbidden):
		return ExitAuth
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	return 1
}
