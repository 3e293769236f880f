package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until this command lands; the owner replaces this file.
func newApplyCmd(f *Factory) *cobra.Command {
	return &cobra.Command{Use: "apply", RunE: func(*cobra.Command, []string) error { return errors.New("apply: not built yet") }}
}
