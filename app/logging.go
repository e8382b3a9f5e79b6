package app

import (
	"io"
	"log/slog"
	"path/filepath"

	"gopkg.in/natefinch/lumberjack.v2"
)

// LogFile is the name of the log file in the log directory.
const LogFile = "imagedesk.log"

// NewLogger returns a logger writing JSON lines to a size-capped, rotating file in
// dir (5 MiB, three old files kept), and the closer for that file. With verbose,
// debug lines are kept too. Messages are lower-case and never carry a secret.
func NewLogger(dir string, verbose bool) (*slog.Logger, io.Closer) {
	w := &lumberjack.Logger{
		Filename:   filepath.Join(dir, LogFile),
		MaxSize:    5,
		MaxBackups: 3,
		LocalTime:  true,
	}
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(h), w
}
