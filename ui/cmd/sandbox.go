package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until this command lands; the owner replaces this file.
func newSandboxCmd(f *Factory) *cobra.Command {
	return &cobra.Command{Use: "sandbox", RunE: func(*cobra.Command, []string) error { return errors.New("sandbox: not built yet") }}
}
