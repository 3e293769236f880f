package cmd

// Placeholder until the factory lands; the shell owner replaces this file.
func newDefaultFactory() *Factory { return &Factory{} }

func exitCode(error) int { return 1 }
