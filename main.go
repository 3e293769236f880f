// Command okta-device-wizard walks Okta admins through device signal collection and device
// assurance setup, previews every request and sends it through the Okta Management API.
package main

import (
	"os"

	"github.com/okta-device-wizard/okta-device-wizard/ui/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
