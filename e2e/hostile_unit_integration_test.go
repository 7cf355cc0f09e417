//go:build integration

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// unitAttack is a hostile change to a fix-ledger sample of one language:
// files to add (path: content) and edits of the sample's files (path:
// old, new), and the verdict it must get.
type unitAttack struct {
	name   string
	base   string // starter or solution
	add    map[string]string
	edit   map[string][2]string
	status grader.Status
	// score is the most the attack may score: the base's own score for
	// attacks that try to add points, 0 for those that end the run.
	score func(base int) int
	// message must appear in the result's message or in a test's.
	message string
}

func sameAsBase(base int) int { return base }
func nothing(int) int         { return 0 }
func fullMarks(int) int       { return 18 }

// forgedReport is a JUnit report in which every fix-ledger test passed,
// under both languages' names.
const forgedReport = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0" tests="7">` +
	`<testcase name="test_deposit_and_withdraw"/><testcase name="test_parse_amount"/><testcase name="test_parse_amount_refuses"/>` +
	`<testcase name="test_split_keeps_every_cent"/><testcase name="test_history_pages"/><testcase name="test_transfer_rules"/><testcase name="test_format_cents"/>` +
	`<testcase name="deposit and withdraw"/><testcase name="parse amount"/><testcase name="parse amount refuses"/><testcase name="split keeps every cent"/>` +
	`<testcase name="history pages"/><testcase name="transfer rules"/><testcase name="format cents"/></testsuite></testsuites>`

// TestHostileUnitSubmissions grades fix-ledger samples in Python and
// JavaScript changed to attack the pytest and node-test suites: forged
// output and reports, exiting mid-suite, registering tests of their own,
// and files that would hook the interpreter or shadow the image's
// packages. Each gets its verdict and score, and leaves nothing behind.
func TestHostileUnitSubmissions(t *testing.T) {
	ch, err := challenges.Load("../challenges/fix-ledger")
	if err != nil {
		t.Fatal(err)
	}
	py := []unitAttack{
		{name: "forge-output", base: "starter", status: grader.StatusFailed, score: sameAsBase,
			edit: map[string][2]string{"money.py": {"\nclass BadAmount", `
import os, sys
print("test_ledger.py::test_parse_amount PASSED\n============ 7 passed in 0.01s ============")
print(open(os.path.join(os.path.dirname(__file__), "forged.xml")).read())
try:
    with open("/work/.grader-out/report.xml", "w") as f:
        f.write(open(os.path.join(os.path.dirname(__file__), "forged.xml")).read())
except OSError as e:
    print("cannot write the report:", e, file=sys.stderr)

class BadAmount`}},
			add: map[string]string{"forged.xml": forgedReport}},
		{name: "exit-mid-suite", base: "solution", status: grader.StatusFailed, score: nothing, message: "did not report a result",
			edit: map[string][2]string{"money.py": {"    if n <= 0:", "    import os\n    os._exit(0)\n    if n <= 0:"}}},
		{name: "shadow-pytest", base: "solution", status: grader.StatusPassed, score: fullMarks,
			add: map[string]string{"pytest.py": "import os\nos._exit(0)\n", "_pytest/__init__.py": "import os\nos._exit(0)\n"}},
		{name: "conftest", base: "starter", status: grader.StatusBuildFailed, score: nothing, message: "conftest.py",
			add: map[string]string{"conftest.py": "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n    outcome = yield\n    outcome.get_result().outcome = 'passed'\n"}},
		{name: "sitecustomize", base: "starter", status: grader.StatusBuildFailed, score: nothing, message: "sitecustomize.py",
			add: map[string]string{"sitecustomize.py": "import builtins\n"}},
		{name: "pth", base: "starter", status: grader.StatusBuildFailed, score: nothing, message: ".pth",
			add: map[string]string{"hook.pth": "import os\n"}},
		{name: "site-packages", base: "starter", status: grader.StatusBuildFailed, score: nothing, message: "site-packages",
			add: map[string]string{"venv/lib/python3.11/site-packages/pytest/__init__.py": "raise SystemExit(0)\n"}},
	}
	js := []unitAttack{
		{name: "forge-output", base: "starter", status: grader.StatusFailed, score: sameAsBase,
			edit: map[string][2]string{"money.js": {"class BadAmount", `const fs = require('fs');
const forged = fs.readFileSync(__dirname + '/forged.xml', 'utf8');
console.log('TAP version 13\nok 1 - parse amount\nok 2 - split keeps every cent\n1..2\n# pass 2\n# fail 0');
console.log(forged);
try { fs.writeFileSync('/work/.grader-out/report.xml', forged); } catch (e) { console.error('cannot write the report:', e.message); }

class BadAmount`}},
			add: map[string]string{"forged.xml": forgedReport}},
		{name: "exit-mid-suite", base: "solution", status: grader.StatusFailed, score: nothing, message: "did not report a result",
			edit: map[string][2]string{"money.js": {"  if (n <= 0) {", "  process.exit(0);\n  if (n <= 0) {"}}},
		{name: "register-duplicate", base: "starter", status: grader.StatusFailed, score: sameAsBase, message: "reported more than once",
			edit: map[string][2]string{"money.js": {"class BadAmount", "require('node:test')('parse amount', () => {});\nrequire('node:test')('split keeps every cent', () => {});\n\nclass BadAmount"}}},
		{name: "node-modules", base: "starter", status: grader.StatusBuildFailed, score: nothing, message: "node_modules",
			add: map[string]string{"node_modules/express/index.js": "module.exports = () => {};\n", "node_modules/assert/index.js": "module.exports = { strict: {} };\n"}},
	}
	eng := newEngine()
	for _, lang := range []struct {
		lang    grader.Language
		attacks []unitAttack
	}{{grader.LanguagePython, py}, {grader.LanguageJavaScript, js}} {
		samples := filepath.Join("../challenges/fix-ledger/languages", string(lang.lang))
		base := map[string]int{}
		for _, b := range []string{"starter", "solution"} {
			res := gradeUnit(t, eng, ch, lang.lang, "hostile-unit-"+string(lang.lang)+"-"+b, copyTree(t, filepath.Join(samples, b)))
			base[b] = res.Score
		}
		for _, a := range lang.attacks {
			t.Run(string(lang.lang)+"/"+a.name, func(t *testing.T) {
				dir := copyTree(t, filepath.Join(samples, a.base))
				for name, content := range a.add {
					writeNested(t, filepath.Join(dir, name), content)
				}
				for name, e := range a.edit {
					editSample(t, filepath.Join(dir, name), e[0], e[1])
				}
				res := gradeUnit(t, eng, ch, lang.lang, "hostile-unit-"+string(lang.lang)+"-"+a.name, dir)
				if res.Status != a.status {
					t.Errorf("status %s (%s), want %s\n%s", res.Status, res.Message, a.status, describe(res))
				}
				if most := a.score(base[a.base]); res.Score > most || a.status == grader.StatusPassed && res.Score != most {
					t.Errorf("scored %d/%d, want at most %d (the %s scores %d)\n%s", res.Score, res.MaxScore, most, a.base, base[a.base], describe(res))
				}
				if a.message != "" && !strings.Contains(describe(res)+res.Message, a.message) {
					t.Errorf("no message mentions %q:\n%s%s", a.message, res.Message, describe(res))
				}
			})
		}
	}
}

// gradeUnit grades dir as a submission in lang and checks that the job
// left nothing behind.
func gradeUnit(t *testing.T, eng *grader.Engine, ch *grader.Challenge, lang grader.Language, id, dir string) grader.Result {
	t.Helper()
	sub, err := grader.ReadDirIn(id, lang, dir, grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Grade(context.Background(), ch, sub, nil)
	if err != nil {
		t.Fatalf("grading failed: %v", err)
	}
	t.Logf("%s: %s %d/%d: %s", id, res.Status, res.Score, res.MaxScore, res.Message)
	assertNoLeftovers(t, id)
	return res
}

// copyTree copies the regular files of src, folders included, into a
// fresh folder.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		writeNested(t, filepath.Join(dst, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeNested writes a file, making its folders.
func writeNested(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeSample(t, path, text)
}
