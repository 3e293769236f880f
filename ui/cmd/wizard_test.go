package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// TestWizardWithoutTTYNamesTheAlternatives: with no terminal the wizard says so, names the
// non-interactive commands and exits non-zero at once, without connecting or prompting.
func TestWizardWithoutTTYNamesTheAlternatives(t *testing.T) {
	for _, args := range [][]string{{}, {"--accessible"}} {
		var out, errOut bytes.Buffer
		connected := false
		f := &Factory{
			IO:       IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
			StateDir: t.TempDir(),
			Connect: func(context.Context) (*Org, error) {
				connected = true
				return nil, errors.New("must not connect")
			},
		}
		root := NewRootCmd(f)
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&errOut)
		done := make(chan error, 1)
		go func() { done <- root.Execute() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the wizard hangs without a terminal")
		}
		if code := exitCode(err); code != ExitNoTTY {
			t.Errorf("%v: exit code %d, want %d", args, code, ExitNoTTY)
		}
		msg := errOut.String()
		for _, want := range []string{"needs a terminal", "okta-device-wizard apply --file PLAN", "okta-device-wizard inspect --json"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: message lacks %q:\n%s", args, want, msg)
			}
		}
		if connected {
			t.Errorf("%v: connected to an org without a terminal", args)
		}
	}
}

// TestWizardTokenIsNotAFlag: secrets stay out of shell history.
func TestWizardTokenIsNotAFlag(t *testing.T) {
	root := NewRootCmd(&Factory{StateDir: t.TempDir()})
	if root.PersistentFlags().Lookup("token") != nil || root.Flags().Lookup("token") != nil {
		t.Fatal("--token exists")
	}
	for _, name := range []string{"org-url", "state-dir", "log-file", "auth-mode"} {
		if root.PersistentFlags().Lookup(name) == nil {
			t.Errorf("--%s missing", name)
		}
	}
	if root.Flags().Lookup("accessible") == nil {
		t.Error("--accessible missing")
	}
}

// TestConnectWithoutConfigStartsSandbox: no org configured means the in-process sandbox,
// reached through a real client, with its state under the state dir; the port is kept for
// the next start so unfinished runs can be resumed.
func TestConnectWithoutConfigStartsSandbox(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN", "OKTA_CLIENT_AUTHORIZATIONMODE", "OKTA_SANDBOX_FAULTS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	state := t.TempDir()
	f := &Factory{StateDir: state}
	org, err := connect(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if !org.Sandbox || !strings.HasPrefix(org.Label, "SANDBOX (http://127.0.0.1:") {
		t.Fatalf("org %q sandbox=%v", org.Label, org.Sandbox)
	}
	if _, err := org.API.ListPolicies(context.Background(), okta.TypeAccessPolicy); err != nil {
		t.Fatalf("sandbox not reachable through the client: %v", err)
	}
	first := org.API.OrgURL()
	org.Close()
	if _, err := os.Stat(filepath.Join(state, "sandbox.json")); err != nil {
		t.Errorf("sandbox state not under the state dir: %v", err)
	}
	org2, err := connect(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer org2.Close()
	if org2.API.OrgURL() != first {
		t.Errorf("sandbox moved from %s to %s: journals of the first could not be resumed", first, org2.API.OrgURL())
	}
}

// TestConnectBadFaultsIsConfigError: a malformed OKTA_SANDBOX_FAULTS is a configuration error.
func TestConnectBadFaultsIsConfigError(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("OKTA_CLIENT_ORGURL", "")
	os.Unsetenv("OKTA_CLIENT_ORGURL")
	t.Setenv("OKTA_SANDBOX_FAULTS", "latency=soon")
	_, err := connect(context.Background(), &Factory{StateDir: t.TempDir()})
	if err == nil || exitCode(err) != ExitConfig {
		t.Fatalf("err %v, exit code %d, want %d", err, exitCode(err), ExitConfig)
	}
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{&okta.Error{Status: 401, ErrorCode: okta.CodeInvalidToken}, ExitAuth},
		{&CodedError{Code: ExitWarnings, Err: errors.New("warn")}, ExitWarnings},
		{&configError{errors.New("bad url")}, ExitConfig},
		{context.Canceled, ExitInterrupted},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/tmp/xdg-state")
	if got := defaultStateDir(); got != "/tmp/xdg-state/okta-device-wizard" {
		t.Errorf("with XDG_STATE_HOME: %s", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if got := defaultStateDir(); got != "/home/someone/.local/state/okta-device-wizard" {
		t.Errorf("without XDG_STATE_HOME: %s", got)
	}
}
