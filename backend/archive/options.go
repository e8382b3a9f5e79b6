package archive

import (
	"fmt"
	"log/slog"
	"os"
)

// Option changes how Open works. Options are applied in order; an invalid
// option makes Open fail before it touches the path.
type Option func(*options) error

type options struct {
	tempDir string
	logger  *slog.Logger
}

func defaultOptions() options {
	return options{
		tempDir: os.TempDir(),
		logger:  slog.New(slog.DiscardHandler),
	}
}

// WithTempDir sets the directory where a gzip-compressed archive is decompressed
// to give layers random access. The directory must exist. The default is
// os.TempDir(). The temporary file is removed by Close, or by Open when it fails.
func WithTempDir(dir string) Option {
	return func(o *options) error {
		st, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("checking temp dir: %w", err)
		}
		if !st.IsDir() {
			return fmt.Errorf("temp dir %s is not a directory", dir)
		}
		o.tempDir = dir
		return nil
	}
}

// WithLogger sets the logger that receives debug records about opening and
// verifying archives. The default discards everything; nil keeps the default.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l != nil {
			o.logger = l
		}
		return nil
	}
}
