package ui

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// LogFileName is the log's name under the state directory.
const LogFileName = "okta-device-wizard.log"

// OpenLog opens (appending) the log file at path, creating its directory; the wizard never
// logs to the screen. The returned close function flushes and closes the file. Records carry
// ids, names and error codes, never a token (okta.Config redacts itself in logs).
func OpenLog(path string) (*slog.Logger, func() error, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo})), f.Close, nil
}

// DiscardLog is a logger that writes nothing (tests, or when the log cannot be opened).
func DiscardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
