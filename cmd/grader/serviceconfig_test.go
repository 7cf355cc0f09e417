package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServiceConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*ServiceConfig)
		wantErr string
	}{
		{name: "defaults", change: func(*ServiceConfig) {}},
		{name: "listen", change: func(c *ServiceConfig) { c.Listen = "8080" }, wantErr: "--listen"},
		{name: "concurrency", change: func(c *ServiceConfig) { c.Concurrency = 0 }, wantErr: "--concurrency"},
		{name: "worker id", change: func(c *ServiceConfig) { c.WorkerID = "a b" }, wantErr: "--worker-id"},
		{name: "submit limit", change: func(c *ServiceConfig) { c.SubmitLimit = -1 }, wantErr: "--submit-limit"},
		{name: "submit window", change: func(c *ServiceConfig) { c.SubmitWindow = time.Millisecond }, wantErr: "--submit-window"},
		{name: "shutdown", change: func(c *ServiceConfig) { c.ShutdownTimeout = -1 }, wantErr: "--shutdown-timeout"},
		{name: "files ttl", change: func(c *ServiceConfig) { c.FilesTTL = time.Second }, wantErr: "--files-ttl"},
		{name: "streams per subject", change: func(c *ServiceConfig) { c.StreamsPerSubject = 0 }, wantErr: "--streams-per-subject"},
		{name: "streams", change: func(c *ServiceConfig) { c.Streams = -1 }, wantErr: "--streams"},
		{name: "upload slots", change: func(c *ServiceConfig) { c.UploadSlots = 0 }, wantErr: "--upload-slots"},
		{name: "metrics listen", change: func(c *ServiceConfig) { c.MetricsListen = "9090" }, wantErr: "--metrics-listen"},
		{name: "metrics on the API's address", change: func(c *ServiceConfig) { c.MetricsListen = c.Listen }, wantErr: "--metrics-listen"},
		{name: "metrics on any free port", change: func(c *ServiceConfig) { c.Listen, c.MetricsListen = "127.0.0.1:0", "127.0.0.1:0" }},
		{name: "metrics off", change: func(c *ServiceConfig) { c.MetricsListen = "" }},
		{name: "metrics token", change: func(c *ServiceConfig) { c.MetricsToken = "0123456789abcdef" }},
		{name: "short metrics token", change: func(c *ServiceConfig) { c.MetricsToken = "secret" }, wantErr: "metrics token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultServiceConfig()
			c.WorkerID = "host-1"
			tc.change(&c)
			err := c.Validate(true, true)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want it to name %s", err, tc.wantErr)
			}
		})
	}
}

func TestServiceConfigFromEnv(t *testing.T) {
	t.Setenv("GRADER_CONCURRENCY", "three")
	t.Setenv("GRADER_SUBMIT_WINDOW", "90s")
	c := DefaultServiceConfig()
	if c.SubmitWindow != 90*time.Second {
		t.Errorf("SubmitWindow = %v, want 90s", c.SubmitWindow)
	}
	if err := c.Validate(false, true); err == nil || !strings.Contains(err.Error(), "GRADER_CONCURRENCY") {
		t.Errorf("a malformed GRADER_CONCURRENCY: %v", err)
	}
}

func TestLoadMetricsToken(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, env, file string
		want, wantErr   string
	}{
		{name: "none"},
		{name: "env", env: "0123456789abcdef", want: "0123456789abcdef"},
		{name: "file, first line trimmed", file: file("ok", "  0123456789abcdef \nignored\n"), want: "0123456789abcdef"},
		{name: "file and env", env: "0123456789abcdef", file: file("both", "fedcba9876543210\n"), wantErr: "keep one"},
		{name: "empty file", file: file("empty", "\n"), wantErr: "empty"},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantErr: "read metrics token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GRADER_METRICS_TOKEN", tc.env)
			t.Setenv("GRADER_METRICS_TOKEN_FILE", tc.file)
			c := DefaultServiceConfig()
			err := c.loadMetricsToken()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("loadMetricsToken = %v, want an error about %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.MetricsToken != tc.want {
				t.Fatalf("token %q, %v; want %q", c.MetricsToken, err, tc.want)
			}
		})
	}
}
