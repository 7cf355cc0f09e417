package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/fixture"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/httpcheck"
)

// newSandboxCmd holds the programs the grader runs inside its own boxes
// (from the tools image). They are not meant to be run by hand.
func newSandboxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "sandbox", Short: "Programs the grader runs inside its sandboxes", Hidden: true}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "hold",
			Short: "Hold a job's network namespace until killed",
			Args:  exactArgs(0, "no arguments"),
			RunE: func(cmd *cobra.Command, args []string) error {
				return fixture.Hold(cmd.Context())
			},
		},
		&cobra.Command{
			Use:   "tester PLAN.json",
			Short: "Wait for the fixtures, then run an http suite against the service",
			Args:  exactArgs(1, "the plan file"),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runTester(cmd.Context(), args[0], cmd.OutOrStdout())
			},
		},
		newUpstreamCmd(),
	)
	return cmd
}

func newUpstreamCmd() *cobra.Command {
	var addr string
	var delay time.Duration
	cmd := &cobra.Command{
		Use:   "upstream --addr HOST:PORT --delay D",
		Short: "Serve the slow upstream fixture; its controls need GRADER_FIXTURE_SECRET",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			secret := os.Getenv(grader.FixtureSecretEnv)
			if secret == "" {
				return usageErr("%s is not set", grader.FixtureSecretEnv)
			}
			return fixture.ServeUpstream(cmd.Context(), addr, fixture.UpstreamConfig{Delay: delay, Secret: secret})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:9000", "address to listen on")
	cmd.Flags().DurationVar(&delay, "delay", 200*time.Millisecond, "time each call takes")
	return cmd
}

// runTester reads the plan, waits until every fixture accepts connections
// and every database holds its schema and seed, says so on out, then runs
// the tests.
func runTester(ctx context.Context, planPath string, out io.Writer) error {
	f, err := os.Open(planPath)
	if err != nil {
		return fmt.Errorf("open plan: %w", err)
	}
	defer f.Close()
	plan, err := httpcheck.DecodePlan(f)
	if err != nil {
		return err
	}
	if err := waitForAddrs(ctx, plan.WaitFor, plan.ReadyTimeout); err != nil {
		return err
	}
	if err := httpcheck.PrepareDatabases(ctx, plan); err != nil {
		return err
	}
	if err := json.NewEncoder(out).Encode(grader.TesterEvent{Event: grader.TesterFixturesReady}); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return httpcheck.Run(ctx, plan, out)
}

// waitForAddrs dials each address until it accepts a connection.
func waitForAddrs(ctx context.Context, addrs []string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	for _, addr := range addrs {
		for {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("fixture at %s did not start: %w", addr, err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}
