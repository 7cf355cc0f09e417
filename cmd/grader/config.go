package main

import (
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Config is the grader CLI's configuration, from flags and environment.
type Config struct {
	// Catalog is the folder of challenges (GRADER_CATALOG; default
	// "challenges").
	Catalog string
	// LogLevel is debug, info, warn or error (GRADER_LOG_LEVEL; default
	// warn for the CLI, so learner-facing output stays clean).
	LogLevel string
	// Runtime is an optional OCI runtime for sandboxes, such as runsc
	// (GRADER_RUNTIME; default the engine's).
	Runtime string
	// ToolsImage is the image of the grader's own sandbox programs: the
	// http tester, the upstream fixture, the network holder
	// (GRADER_TOOLS_IMAGE; default grader/tools:local). Set it to try a
	// tester built from a working copy without replacing the shared image.
	ToolsImage string
}

// DefaultConfig returns the defaults, overridden by environment variables.
func DefaultConfig() Config {
	return Config{
		Catalog:    envOr("GRADER_CATALOG", "challenges"),
		LogLevel:   envOr("GRADER_LOG_LEVEL", "warn"),
		Runtime:    os.Getenv("GRADER_RUNTIME"),
		ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE"),
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (c *Config) bindFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&c.Catalog, "catalog", c.Catalog, "folder of challenges (env GRADER_CATALOG)")
	f.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error (env GRADER_LOG_LEVEL)")
	f.StringVar(&c.Runtime, "runtime", c.Runtime, "OCI runtime for sandboxes, e.g. runsc (env GRADER_RUNTIME)")
}

// logger returns a text logger on stderr at the configured level.
func (c *Config) logger(cmd *cobra.Command) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToLower(c.LogLevel))); err != nil {
		return nil, usageErr("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})), nil
}
