//go:build integration

package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
)

// cohortLearner is one generated learner: the sample they submit to one
// seed challenge and the score it must get (the challenge's golden).
type cohortLearner struct {
	id, challenge, sample, dir string
	language                   grader.Language
	score, maxScore            int
	// passedPaging: the sample passes notes-api's hidden paging test.
	passedPaging bool
}

// pagingTest is the notes-api test the regrade below changes.
const pagingTest = "list pages through notes oldest first"

// interleave orders samples one language after the other (a Go sample,
// a Python one, a JavaScript one, another Go one, ...), so that a few
// learners cover every language.
func interleave(all []challenges.Sample) []challenges.Sample {
	byLang := map[grader.Language][]challenges.Sample{}
	for _, s := range all {
		byLang[s.Language] = append(byLang[s.Language], s)
	}
	var out []challenges.Sample
	for i := 0; len(out) < len(all); i++ {
		for _, l := range grader.Languages {
			if i < len(byLang[l]) {
				out = append(out, byLang[l][i])
			}
		}
	}
	return out
}

// generateCohort makes 30 learners, ten per seed challenge, cycling
// through each challenge's solution, starter and mutants, with their
// submissions copied into dir/<challenge>/<learner>.
func generateCohort(t *testing.T, catalog, dir string) []cohortLearner {
	t.Helper()
	var out []cohortLearner
	n := 0
	for _, chID := range []string{"notes-api", "cache-aside", "fix-ledger"} {
		ch, err := challenges.Load(filepath.Join(catalog, chID))
		if err != nil {
			t.Fatal(err)
		}
		all, err := challenges.SamplesOf(ch)
		if err != nil {
			t.Fatal(err)
		}
		// Every language: the cohort commands submit without naming one,
		// and the service tells it from each learner's files.
		samples := interleave(all)
		for i := range 10 {
			n++
			s := samples[i%len(samples)]
			golden := filepath.Join(catalog, chID, "testdata", s.Golden())
			var res struct {
				Score    int `json:"score"`
				MaxScore int `json:"max_score"`
				Tests    []struct {
					Name   string `json:"name"`
					Status string `json:"status"`
				} `json:"tests"`
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			l := cohortLearner{id: fmt.Sprintf("learner%02d", n), challenge: chID, sample: s.Name, language: s.Language, score: res.Score, maxScore: res.MaxScore}
			for _, tr := range res.Tests {
				l.passedPaging = l.passedPaging || (tr.Name == pagingTest && tr.Status == string(grader.TestPassed))
			}
			l.dir = filepath.Join(dir, chID, l.id)
			if err := os.MkdirAll(filepath.Dir(l.dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("cp", "-r", s.Dir, l.dir).CombinedOutput(); err != nil {
				t.Fatalf("copy %s: %v %s", s.Dir, err, out)
			}
			out = append(out, l)
		}
	}
	return out
}

// cli runs the grader binary against the service and returns its stdout,
// stderr and exit code.
func cohortCLI(t *testing.T, url string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Getenv("GRADER_BIN"), args...)
	cmd.Env = append(os.Environ(), "GRADER_SERVER="+url, "GRADER_TOKEN="+tokenInstructor)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run grader %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// TestCohortGradedThroughCLI grades a generated cohort of 30 learners
// with `grader cohort grade`, checks the CSV and JUnit exports against
// every learner's expected score, then changes a hidden test and checks
// that a regrade preview lists exactly the learners whose score changes.
func TestCohortGradedThroughCLI(t *testing.T) {
	catalog := t.TempDir()
	if out, err := exec.Command("cp", "-r", "../challenges/.", catalog).CombinedOutput(); err != nil {
		t.Fatalf("copy the catalog: %v %s", err, out)
	}
	rs := redistest.Start(t)
	svc := startGrader(t, []string{"GRADER_TOKENS=" + serviceTokens},
		"serve", "--catalog", catalog, "--listen", "127.0.0.1:0", "--redis-url", rs.URL(), "--worker-id", "e2e-cohort", "--concurrency", "2")
	subs := t.TempDir()
	learners := generateCohort(t, catalog, subs)
	var ids []string
	langOf := map[string]grader.Language{}
	for _, l := range learners {
		ids = append(ids, l.id)
		langOf[l.id] = l.language
	}
	if out, errOut, code := cohortCLI(t, svc.url, "cohort", "create", "--id", "bootcamp", "--name", "Bootcamp", "--learners", strings.Join(ids, ","),
		"--challenges", "notes-api,cache-aside,fix-ledger"); code != 0 {
		t.Fatalf("cohort create: %d %s %s", code, out, errOut)
	}
	for _, chID := range []string{"notes-api", "cache-aside", "fix-ledger"} {
		out, progress, code := cohortCLI(t, svc.url, "cohort", "grade", "--cohort", "bootcamp", "--challenge", chID, filepath.Join(subs, chID))
		if code != 0 {
			t.Fatalf("cohort grade %s: exit %d\n%s\n%s", chID, code, out, progress)
		}
		for _, want := range []string{"uploading [", "grading   [", "10/10"} {
			if !strings.Contains(progress, want) {
				t.Errorf("cohort grade %s shows no progress %q:\n%s", chID, want, progress)
			}
		}
		t.Logf("cohort grade %s:\n%s%s", chID, progress, out)
	}

	checkExports := func(want map[string]int, label string) {
		t.Helper()
		dir := t.TempDir()
		csvPath, junitPath := filepath.Join(dir, "report.csv"), filepath.Join(dir, "report.xml")
		for format, path := range map[string]string{"csv": csvPath, "junit": junitPath} {
			if out, errOut, code := cohortCLI(t, svc.url, "cohort", "report", "--cohort", "bootcamp", "--format", format, "-o", path); code != 0 {
				t.Fatalf("%s: cohort report --format %s: %d %s %s", label, format, code, out, errOut)
			}
		}
		// CSV: one row per learner and challenge; the learner's own
		// challenge has the expected score, the others no submission.
		f, err := os.Open(csvPath)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+30*3 {
			t.Fatalf("%s: CSV has %d rows, want a header and 90", label, len(rows))
		}
		got := map[string]int{}
		for _, r := range rows[1:] {
			score, _ := strconv.Atoi(r[2])
			attempts, _ := strconv.Atoi(r[4])
			if attempts > 0 {
				got[r[0]+"/"+r[1]] = score
				if want := string(langOf[r[0]]); r[11] != want {
					t.Errorf("%s: CSV row %v: language %q, want %q", label, r, r[11], want)
				}
			} else if score != 0 || r[6] != "" {
				t.Errorf("%s: CSV row %v: no attempt but a score", label, r)
			}
		}
		checkScores(t, label+" CSV", want, got)

		if out, err := exec.Command("xmllint", "--noout", "--schema", "../report/testdata/JUnit.xsd", junitPath).CombinedOutput(); err != nil {
			t.Errorf("%s: the JUnit report does not validate: %v\n%s", label, err, out)
		}
		b, err := os.ReadFile(junitPath)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Suites []struct {
				Name  string `xml:"name,attr"`
				Props []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Suites) != 30 {
			t.Errorf("%s: JUnit has %d testsuites, want one per learner", label, len(doc.Suites))
		}
		got = map[string]int{}
		for _, s := range doc.Suites {
			for _, p := range s.Props {
				ch, ok := strings.CutSuffix(p.Name, ".score")
				if !ok {
					continue
				}
				v, _ := strconv.Atoi(p.Value)
				if _, expected := want[s.Name+"/"+ch]; expected {
					got[s.Name+"/"+ch] = v
				} else if v != 0 {
					t.Errorf("%s: JUnit gives %s a score of %d at %s without a submission", label, s.Name, v, ch)
				}
			}
		}
		checkScores(t, label+" JUnit", want, got)
	}
	want := map[string]int{}
	for _, l := range learners {
		want[l.id+"/"+l.challenge] = l.score
	}
	checkExports(want, "first grading")

	// The report narrowed to Python counts the Python learners only.
	out, errOut, code := cohortCLI(t, svc.url, "cohort", "report", "--cohort", "bootcamp", "--language", "python", "--format", "json")
	if code != 0 {
		t.Fatalf("cohort report --language python: %d %s %s", code, out, errOut)
	}
	var pyReport struct {
		Language string `json:"language"`
		Rows     []struct {
			Learner   string `json:"learner"`
			Challenge string `json:"challenge"`
			Attempts  int    `json:"attempts"`
			BestScore int    `json:"best_score"`
			Language  string `json:"language"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &pyReport); err != nil {
		t.Fatalf("python report: %v\n%s", err, out)
	}
	pythonRows := 0
	for _, r := range pyReport.Rows {
		isPython := langOf[r.Learner] == grader.LanguagePython && r.Attempts > 0
		if r.Attempts > 0 && (langOf[r.Learner] != grader.LanguagePython || r.Language != "python" || r.BestScore != want[r.Learner+"/"+r.Challenge]) {
			t.Errorf("python report row %+v: want only Python learners, with their scores", r)
		}
		if isPython {
			pythonRows++
		}
	}
	if pyReport.Language != "python" || pythonRows == 0 {
		t.Errorf("python report: language %q, %d Python rows", pyReport.Language, pythonRows)
	}

	// A hidden test changes: the last step of the paging test now wants
	// a total no server gives, so everyone who passed it loses its 3
	// points and nobody else changes. The running service loads the
	// edit on SIGHUP.
	yamlPath := filepath.Join(catalog, "notes-api", "tests", "api.yaml")
	b, err := os.ReadFile(yamlPath)
	if err != nil {
		t.Fatal(err)
	}
	const old = "json: {items: {type: array}, items.#: 0, total: 3}"
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s no longer holds %q; update the test", yamlPath, old)
	}
	if err := os.WriteFile(yamlPath, bytes.Replace(b, []byte(old), []byte("json: {items: {type: array}, items.#: 0, total: 4}"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := svc.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	svc.waitLog(t, "challenge=notes-api change=changed")
	var wantChanged []string
	for _, l := range learners {
		if l.challenge == "notes-api" && l.passedPaging {
			wantChanged = append(wantChanged, l.id)
			want[l.id+"/notes-api"] = l.score - 3
		}
	}
	out, errOut, code = cohortCLI(t, svc.url, "cohort", "regrade", "--cohort", "bootcamp", "--challenge", "notes-api", "--json")
	if code != 1 {
		t.Fatalf("regrade preview: exit %d, want 1 (scores change)\n%s\n%s", code, out, errOut)
	}
	var rg struct {
		ID      string `json:"id"`
		State   string `json:"state"`
		Total   int    `json:"total"`
		Changes []struct {
			Learner  string `json:"learner"`
			OldScore int    `json:"old_score"`
			NewScore int    `json:"new_score"`
		} `json:"changes"`
		Unchanged int `json:"unchanged"`
		Outdated  int `json:"outdated"`
	}
	if err := json.Unmarshal([]byte(out), &rg); err != nil {
		t.Fatalf("regrade preview: %v\n%s", err, out)
	}
	var gotChanged []string
	for _, c := range rg.Changes {
		gotChanged = append(gotChanged, c.Learner)
		if c.NewScore != c.OldScore-3 {
			t.Errorf("regrade: %s %d -> %d, want 3 points less", c.Learner, c.OldScore, c.NewScore)
		}
	}
	sort.Strings(gotChanged)
	if strings.Join(gotChanged, ",") != strings.Join(wantChanged, ",") || rg.State != "previewed" || rg.Total != 10 || rg.Unchanged != 10-len(wantChanged) || rg.Outdated != 10 {
		t.Errorf("regrade preview %+v: changes %v, want exactly %v", rg, gotChanged, wantChanged)
	}
	t.Logf("regrade preview:\n%s", errOut)
	// Applying records the new results; the exports follow.
	if out, errOut, code := cohortCLI(t, svc.url, "cohort", "regrade", "--cohort", "bootcamp", "--apply", rg.ID); code != 0 {
		t.Fatalf("regrade apply: %d %s %s", code, out, errOut)
	}
	checkExports(want, "after the regrade")
}

func checkScores(t *testing.T, label string, want, got map[string]int) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: %s scored %d (present %v), want %d", label, k, g, ok, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s has a score but made no submission", label, k)
		}
	}
}
