package main

import (
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
