package uitest

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// Sandbox starts an in-memory sandbox org (opts may change it) and a real okta.Client talking
// to it over HTTP, with a 20 s request timeout.
func Sandbox(t *testing.T, opts ...sandboxtest.Option) (*sandbox.Server, *okta.Client) {
	t.Helper()
	return sandboxtest.Start(t, append([]sandboxtest.Option{sandboxtest.RequestTimeout(20 * time.Second)}, opts...)...)
}

// Common is the Common of a test run against api at a fixed size, journals in a temp dir.
func Common(t *testing.T, api okta.API, w, h int) *common.Common {
	return &common.Common{
		Width: w, Height: h,
		API: api, OrgLabel: "SANDBOX", Sandbox: true,
		JournalDir: t.TempDir(),
		Styles:     common.DefaultStyles(),
		Keys:       common.DefaultKeyMap(),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}
