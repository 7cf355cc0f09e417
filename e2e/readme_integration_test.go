//go:build integration

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeCommands returns the shell commands of the README's fenced sh
// block that holds marker, one per command (continuation lines joined,
// comments dropped).
func readmeCommands(t *testing.T, marker string) []string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		if !strings.Contains(block[1], marker) {
			continue
		}
		var cmds []string
		cur := ""
		for _, line := range strings.Split(block[1], "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			if i := strings.Index(line, "   # "); i >= 0 {
				line = line[:i]
			}
			if cont, ok := strings.CutSuffix(strings.TrimRight(line, " "), `\`); ok {
				cur += cont + " "
				continue
			}
			if cmd := strings.TrimSpace(cur + line); cmd != "" {
				cmds = append(cmds, cmd)
			}
			cur = ""
		}
		return cmds
	}
	t.Fatalf("README.md has no sh block with %q", marker)
	return nil
}

// TestREADMECurlExample runs the README's tar and curl lines, as written,
// against a served development service (only the address, the archive's
// path and the submission id are put in): the archive `tar -C dir .`
// makes is accepted and graded to full marks.
func TestREADMECurlExample(t *testing.T) {
	for _, bin := range []string{"sh", "tar", "curl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed", bin)
		}
	}
	cmds := readmeCommands(t, "tar -czf")
	if len(cmds) != 4 || !strings.HasPrefix(cmds[0], "tar ") {
		t.Fatalf("the README's curl example changed shape; update this test:\n%s", strings.Join(cmds, "\n"))
	}
	svc := startDevService(t, "e2e-readme-curl")
	archive := filepath.Join(t.TempDir(), "notes.tar.gz")
	run := func(cmd, id string) string {
		t.Helper()
		cmd = strings.ReplaceAll(cmd, "http://127.0.0.1:8080", svc.url)
		cmd = strings.ReplaceAll(cmd, "/tmp/notes.tar.gz", archive)
		cmd = strings.ReplaceAll(cmd, "sub_…", id)
		c := exec.Command("sh", "-c", cmd)
		c.Dir = ".."
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		return string(out)
	}
	run(cmds[0], "")
	var sub struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	out := run(cmds[1], "")
	if err := json.Unmarshal([]byte(out), &sub); err != nil || sub.ID == "" || sub.State != "queued" {
		t.Fatalf("the README's submit answered %s (%v); want a queued submission", out, err)
	}
	events := run(cmds[2], sub.ID)
	if !strings.Contains(events, "event: done") {
		t.Fatalf("the README's events command printed no done event:\n%s", events)
	}
	var res struct {
		State  string `json:"state"`
		Result struct {
			Status   string `json:"status"`
			Score    int    `json:"score"`
			MaxScore int    `json:"max_score"`
		} `json:"result"`
	}
	out = run(cmds[3], sub.ID)
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("the README's result command printed %s: %v", out, err)
	}
	if res.Result.MaxScore == 0 || res.Result.Score != res.Result.MaxScore {
		t.Errorf("the README's reference archive scored %d/%d (%s): %s", res.Result.Score, res.Result.MaxScore, res.Result.Status, out)
	}
}
