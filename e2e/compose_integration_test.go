//go:build integration

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestComposeDeployment brings up deploy/compose.yaml with Debian's
// docker-compose, as deploy/README.md tells an operator to: the README's
// `grader submit --wait` of the notes-api reference gets full marks
// through it, its result's signature checks, and both survive a restart
// of Redis (its append-only file). Everything is taken down after.
func TestComposeDeployment(t *testing.T) {
	compose, err := exec.LookPath("docker-compose")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("docker-compose is missing: make setup installs Debian's")
		}
		t.Skip("docker-compose is missing (make setup installs it)")
	}
	port := freePort(t)
	project := fmt.Sprintf("grader-e2e-%d", os.Getpid())
	run := func(timeout time.Duration, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, compose, append([]string{"-f", "../deploy/compose.yaml", "-p", project}, args...)...)
		cmd.Env = append(os.Environ(), "GRADER_PORT="+strconv.Itoa(port))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			cmd := exec.Command(compose, "-f", "../deploy/compose.yaml", "-p", project, "logs", "--tail", "40")
			out, _ := cmd.CombinedOutput()
			t.Logf("the deployment's logs:\n%s", out)
		}
		cmd := exec.Command(compose, "-f", "../deploy/compose.yaml", "-p", project, "down", "-v", "--timeout", "10")
		cmd.Env = append(os.Environ(), "GRADER_PORT="+strconv.Itoa(port))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("docker-compose down: %v\n%s", err, out)
		}
	})
	run(3*time.Minute, "up", "-d")
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	waitReady(t, base, 2*time.Minute)

	const alice = "dev-learner-alice-0001"
	cli := exec.Command(os.Getenv("GRADER_BIN"), "submit", "--server", base, "--token", alice,
		"--challenge", "notes-api", "--wait", "--quiet", "../challenges/notes-api/solution")
	out, err := cli.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "score: 30/30") {
		t.Fatalf("grader submit --wait of the reference through the deployment: %v\n%s", err, out)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	getJSON(t, base, alice, "/v1/submissions", &list)
	if len(list.Items) != 1 {
		t.Fatalf("alice has %d submissions, want 1", len(list.Items))
	}
	id := list.Items[0].ID

	run(2*time.Minute, "restart", "redis")
	waitReady(t, base, time.Minute)
	verify := exec.Command(os.Getenv("GRADER_BIN"), "result", "verify", "--token", alice, base+"/v1/submissions/"+id)
	if out, err := verify.CombinedOutput(); err != nil || !strings.Contains(string(out), "passed 30/30") {
		t.Fatalf("after a restart of Redis, the result of %s: %v\n%s", id, err, out)
	}
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls GET /readyz until it answers 200.
func waitReady(t *testing.T, base string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz not ready after %s (last: %v)", base, timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
