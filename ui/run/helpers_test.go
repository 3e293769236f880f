package run

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/okta-device-wizard/okta-device-wizard/ui/uitest"
)

// Screens in tests are plain text whatever terminal runs them (what NO_COLOR gives).
func init() { lipgloss.SetColorProfile(termenv.Ascii) }

var (
	testSandbox = uitest.Sandbox
	testCommon  = uitest.Common
)
