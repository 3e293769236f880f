package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until this command lands; the owner replaces this file.
func newWizardCmd(f *Factory) *cobra.Command {
	return &cobra.Command{Use: "wizard", RunE: func(*cobra.Command, []string) error { return errors.New("wizard: not built yet") }}
}
