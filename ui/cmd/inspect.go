package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until this command lands; the owner replaces this file.
func newInspectCmd(f *Factory) *cobra.Command {
	return &cobra.Command{Use: "inspect", RunE: func(*cobra.Command, []string) error { return errors.New("inspect: not built yet") }}
}
