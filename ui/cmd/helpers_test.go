package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// cmdEnv is a sandbox org and a Factory whose Connect returns a real okta.Client on it; the
// commands' output is captured.
type cmdEnv struct {
	srv      *sandbox.Server
	api      *okta.Client
	f        *Factory
	out, err *bytes.Buffer
	connects int // how many times a command called Connect
}

func newCmdEnv(t testing.TB, opts ...sandboxtest.Option) *cmdEnv {
	t.Helper()
	srv, api := sandboxtest.Start(t, opts...)
	e := &cmdEnv{srv: srv, api: api, out: &bytes.Buffer{}, err: &bytes.Buffer{}}
	e.f = &Factory{
		IO:       IOStreams{In: strings.NewReader(""), Out: e.out, ErrOut: e.err},
		StateDir: t.TempDir(),
		Connect: func(context.Context) (*Org, error) {
			e.connects++
			return &Org{API: api, Label: "SANDBOX (" + srv.URL() + ")", Sandbox: true, Close: func() {}}, nil
		},
	}
	return e
}

// execute runs `okta-device-wizard ARGS` on fresh output buffers and returns the exit code.
func (e *cmdEnv) execute(args ...string) int {
	e.out.Reset()
	e.err.Reset()
	root := NewRootCmd(e.f)
	root.SetArgs(args)
	root.SetOut(e.out)
	root.SetErr(e.err)
	return exitCode(root.Execute())
}
