package run

import (
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
)

func TestDefaultPlanFileNameAndQuoting(t *testing.T) {
	at := time.Date(2026, 11, 25, 0, 7, 0, 0, time.UTC)
	if got := DefaultPlanFileName(flows.FlowDSC, at); got != "device-signal-collection-20261125-0007.yaml" {
		t.Errorf("default name %q", got)
	}
	if got := SavedPlanMessage("my plans/a.yaml"); !strings.Contains(got, "apply --file 'my plans/a.yaml' --dry-run") {
		t.Errorf("a path with a space is not quoted for the shell: %s", got)
	}
}
