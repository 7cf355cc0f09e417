// Command grader grades learners' solutions to backend challenges in
// isolated Docker containers: locally (grade), for instructors (challenge
// verify|list), and for operators (serve, worker, status, images build,
// cleanup).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/internal/termsafe"
)

// Exit codes shared by every command that grades.
const (
	exitFullMarks = 0 // full marks, or the command did what was asked
	exitLess      = 1 // graded, less than full marks (or a verify check failed)
	exitUsage     = 2 // bad usage, or the submission was rejected before it ran
	exitFault     = 3 // the service failed: Docker unreachable, images missing, ...
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func faultErr(err error) error { return &exitError{code: exitFault, err: err} }

// memoryLimit is the soft heap limit of a grader process unless
// GOMEMLIMIT says otherwise: grading holds little (capped output, one
// compiled program at a time), so the collector may work a little harder
// to keep the process small.
const memoryLimit = 48 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitFullMarks
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && !errors.Is(ee.err, errQuiet) {
			printError(stderr, ee.err)
		}
		return ee.code
	}
	printError(stderr, err)
	return exitUsage
}

// printError prints a command's error, which may quote a service's
// answer or a learner's file, made safe for a terminal.
func printError(w io.Writer, err error) {
	fmt.Fprintln(w, "grader:", termsafe.Text(err.Error()))
}

// errQuiet marks an exit whose reason was already printed.
var errQuiet = errors.New("already reported")

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	cfg := DefaultConfig()
	root := &cobra.Command{
		Use:           "grader",
		Short:         "Grade solutions to backend challenges in isolated containers",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see %s --help)", err, c.CommandPath())
	})
	cfg.bindFlags(root)
	root.AddCommand(
		newGradeCmd(&cfg),
		newChallengeCmd(&cfg),
		newImagesCmd(&cfg),
		newCleanupCmd(&cfg),
		newSandboxCmd(),
		newSubmitCmd(&cfg),
		newResultCmd(&cfg),
		newCohortCmd(&cfg),
		newTokensCmd(),
		newServeCmd(&cfg),
		newWorkerCmd(&cfg),
		newStatusCmd(),
	)
	return root
}

// exactArgs is cobra.ExactArgs with a usage exit code.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s: expected %s (see %s --help)", c.CommandPath(), what, c.CommandPath())
		}
		return nil
	}
}
