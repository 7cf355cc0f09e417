package grader

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/internal/golden"
)

// buildCase is a learner package that does not compile against hidden
// tests: the fix-ledger starter with edits, and what go test -c printed
// for it (testdata/build/<name>.txt, recorded with the real compiler).
type buildCase struct {
	name   string
	edits  []edit
	hidden string // the hidden file in testdata/build, by default ledger's
}

// edit replaces old with new in a learner file; an empty new with a
// trailing old of "…" cuts the file there.
type edit struct{ file, old, new string }

var splitParamType = []edit{
	{"money.go", "func Split(total Cents, n int) []Cents {", "func Split(total struct{}, n int) []Cents {\n\t_ = total\n\tvar x Cents = 0"},
	{"money.go", "each := total / Cents(n)", "each := x / Cents(n)"},
}

var buildCases = []buildCase{
	{name: "param-type", edits: splitParamType},
	{name: "result-type", edits: []edit{
		{"money.go", "func Split(total Cents, n int) []Cents {", "func Split(total Cents, n int) []int {"},
		{"money.go", "parts := make([]Cents, n)", "parts := make([]int, n)"},
		{"money.go", "parts[i] = each", "parts[i] = int(each)"},
	}},
	{name: "result-count", edits: []edit{
		{"money.go", "func Split(total Cents, n int) []Cents {", "func Split(total Cents, n int) ([]Cents, error) {"},
		{"money.go", "return nil\n", "return nil, nil\n"},
		{"money.go", "return parts\n", "return parts, nil\n"},
	}},
	{name: "arg-count", edits: []edit{{"money.go", "func Split(total Cents, n int) []Cents {", "func Split(total Cents) []Cents {\n\tn := 3"}}},
	{name: "missing-func", edits: []edit{{"money.go", "// Split divides…", ""}}},
	{name: "unexported", edits: []edit{{"money.go", "func Split(", "func split("}}},
	{name: "missing-method", edits: []edit{{"ledger.go", "func (l *Ledger) Deposit(", "func (l *Ledger) deposit("}}},
	{name: "learner-error", edits: []edit{{"ledger.go", "func New() *Ledger {", "func New() *Ledger {\n\tundefinedThing()"}}},
	{name: "mixed", edits: append([]edit{{"ledger.go", "func New() *Ledger {", "func New() *Ledger {\n\tundefinedThing()"}}, splitParamType...)},
	// The learner's code refers to a hidden constant and variable: the
	// compiler's messages about the learner's file would show their value
	// and type.
	{name: "probe", hidden: "probe/probe_hidden_test.go", edits: []edit{
		{"ledger.go", "// add records", "var probeA string = expected\n\nvar probeB int = table\n\n// add records"},
	}},
	{name: "helper", hidden: "helper/extra_hidden_test.go", edits: []edit{
		{"ledger.go", "// add records", "func mustOpen() {}\n\nfunc (l *Ledger) Last() int { return 0 }\n\n// add records"},
		{"money.go", "func Split(total Cents, n int) []Cents {", "func Split(total Cents, n int) []int {\n\treturn nil"},
	}},
}

func buildCaseNamed(t *testing.T, name string) buildCase {
	t.Helper()
	for _, c := range buildCases {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no build case %s", name)
	return buildCase{}
}

// learnerFiles returns the starter's files with c's edits.
func (c buildCase) learnerFiles(t *testing.T) []File {
	t.Helper()
	var files []File
	for _, name := range []string{"ledger.go", "money.go"} {
		src, err := os.ReadFile(filepath.Join("testdata/build/ledger", name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		for _, e := range c.edits {
			if e.file != name {
				continue
			}
			if cut, ok := strings.CutSuffix(e.old, "…"); ok && e.new == "" {
				text = text[:strings.Index(text, cut)]
				continue
			}
			if !strings.Contains(text, e.old) {
				t.Fatalf("%s: %q not in %s", c.name, e.old, name)
			}
			text = strings.Replace(text, e.old, e.new, 1)
		}
		files = append(files, File{Name: name, Data: []byte(text)})
	}
	return files
}

func (c buildCase) hiddenFiles(t *testing.T) map[string][]byte {
	t.Helper()
	name := c.hidden
	if name == "" {
		name = "ledger/ledger_hidden_test.go"
	}
	src, err := os.ReadFile(filepath.Join("testdata/build", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{filepath.Base(name): src}
}

func TestLearnerBuildText(t *testing.T) {
	for _, c := range buildCases {
		t.Run(c.name, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata/build", c.name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			hidden := c.hiddenFiles(t)
			got := learnerBuildText(string(out), newGoSources(hidden, c.learnerFiles(t), "."))
			golden.Bytes(t, filepath.Join("testdata", "build", c.name+".learner.txt"), []byte(got))
			assertNoHiddenDetail(t, got, hidden)
		})
	}
}

// assertNoHiddenDetail fails when text shows a hidden file's name, a
// position in it, or a literal or local name of it.
func assertNoHiddenDetail(t *testing.T, text string, hidden map[string][]byte) {
	t.Helper()
	for name := range hidden {
		if strings.Contains(text, name) || strings.Contains(text, strings.TrimSuffix(name, ".go")) {
			t.Errorf("learner text names hidden file %s:\n%s", name, text)
		}
	}
	if testFilePos.MatchString(text) {
		t.Errorf("learner text holds a test file position:\n%s", text)
	}
	for _, secret := range []string{"100", "total", "secretLocal", "carol", "c.want", " got ", "(3)", "mustOpen(t", "34", "want Cents"} {
		if strings.Contains(text, secret) {
			t.Errorf("learner text holds %q from a hidden file:\n%s", secret, text)
		}
	}
	if regexp.MustCompile(`:\d+:\d+`).MatchString(regexp.MustCompile(`\./(ledger|money)\.go:\d+:\d+`).ReplaceAllString(text, "")) {
		t.Errorf("learner text holds a line:column outside the learner's files:\n%s", text)
	}
}

// TestGradeGoSuiteBuildFailureViews grades a submission whose Split no
// longer matches what a hidden test calls: the instructor keeps the
// compiler's text, the learner sees their own messages and a summary of
// the hidden ones.
func TestGradeGoSuiteBuildFailureViews(t *testing.T) {
	c := buildCaseNamed(t, "mixed") // one message about the learner's file, two about the hidden one
	out, err := os.ReadFile(filepath.Join("testdata/build", c.name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	hidden := c.hiddenFiles(t)
	ch := &Challenge{ID: "fix-ledger", Version: "v1", Image: "grader/go:local", Suites: []Suite{{
		Name: "ledger", Kind: SuiteGo, Package: ".", Files: hidden,
		Tests: []TestSpec{{Name: "TestSplitKeepsEveryCent", Points: 3, Visibility: Visible}, {Name: "TestParseAmount", Points: 3, Visibility: Hidden}},
	}}}
	sb := &fakeSandbox{RunFn: func(spec BoxSpec) Exit {
		return Exit{Code: 1, Stderr: Output{Text: string(out)}}
	}}
	sub := Submission{ID: "sub3", Files: append(c.learnerFiles(t), File{Name: "go.mod", Data: []byte("module ledger\n")})}
	res, err := testEngine(sb).Grade(t.Context(), ch, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusBuildFailed || res.Build.Text != string(out) {
		t.Errorf("instructor view: status %s, build text %q; want build_failed with the compiler's text", res.Status, res.Build.Text)
	}
	learner := res.As(ViewLearner)
	assertNoHiddenDetail(t, learner.Build.Text, hidden)
	if !strings.Contains(learner.Build.Text, "./ledger.go:40:2: undefined: undefinedThing") || !strings.Contains(learner.Build.Text, "the tests call Split(Cents, int); your Split takes (struct{}, int)") {
		t.Errorf("learner build text must keep the learner's own message and name Split:\n%s", learner.Build.Text)
	}
	golden.JSON(t, "testdata/go_build_failed_instructor.json", res)
	golden.JSON(t, "testdata/go_build_failed_learner.json", learner)
}

// TestLearnerViewOfOlderResults: a result stored without a learner text
// still shows no position in a hidden file.
func TestLearnerViewOfOlderResults(t *testing.T) {
	res := Result{Build: Output{Text: "# ledger [ledger.test]\n./ledger.go:3:1: syntax error\n./ledger_hidden_test.go:66:15: cannot use 100 (untyped int constant) as struct{} value in argument to Split\n\thave (number)\n"}}
	got := res.As(ViewLearner).Build.Text
	want := "# ledger [ledger.test]\n./ledger.go:3:1: syntax error\n" + genericHidden + "\n"
	if got != want {
		t.Errorf("learner build text (-want +got):\n%s", cmp.Diff(want, got))
	}
}

func TestHideTestFrames(t *testing.T) {
	in := "panic: boom [recovered]\n\ngoroutine 6 [running]:\ntesting.tRunner.func1.2({0x1, 0x2})\n\t/usr/local/go/src/testing/testing.go:1974 +0x232\nledger.Split(...)\n\t/work/money.go:44\nledger.secretHelper(0xc0)\n\t/work/ledger_hidden_test.go:9 +0xa\nledger.TestSplit(0xc0)\n\t/work/ledger_hidden_test.go:66 +0x1d\ntesting.tRunner(0xc0, 0x5)\n\t/usr/local/go/src/testing/testing.go:2036 +0xea\n"
	got := hideTestFrames(in)
	want := "panic: boom [recovered]\n\ngoroutine 6 [running]:\ntesting.tRunner.func1.2({0x1, 0x2})\n\t/usr/local/go/src/testing/testing.go:1974 +0x232\nledger.Split(...)\n\t/work/money.go:44\n" + hiddenFrame + "\ntesting.tRunner(0xc0, 0x5)\n\t/usr/local/go/src/testing/testing.go:2036 +0xea\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hideTestFrames (-want +got):\n%s", diff)
	}
	if msg, want := panicMessage(in), "panic: boom [recovered]\nledger.Split(...)\n\t/work/money.go:44"; msg != want {
		t.Errorf("panicMessage (-want +got):\n%s", cmp.Diff(want, msg))
	}
}
