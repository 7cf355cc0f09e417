package challenges

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// goChallenge is a go-only challenge whose one suite lists files (paths
// under tests/) with the extra suite lines given.
func goChallenge(suite string, hidden map[string]string) map[string]string {
	var names []string
	files := map[string]string{
		"README.md":        "Fix it.\n",
		"tests/go.mod":     "module hidden\n",
		"starter/go.mod":   "module x\n",
		"solution/go.mod":  "module x\n",
		"solution/x.go":    "package x\n",
		"mutants/a/go.mod": "module x\n",
		"mutants/b/go.mod": "module x\n",
	}
	for _, name := range slices.Sorted(maps.Keys(hidden)) {
		files[name] = hidden[name]
	}
	for _, line := range strings.Split(suite, "\n") {
		if f, ok := strings.CutPrefix(line, "#files "); ok {
			names = strings.Fields(f)
		}
	}
	files["challenge.yaml"] = "id: gox\ntitle: Go\nsummary: Go.\ndifficulty: easy\nsuites:\n  - name: unit\n    kind: go\n    files: [" +
		strings.Join(names, ", ") + "]\n" + suite
	return files
}

func TestGoTestDiscovery(t *testing.T) {
	tests := []struct {
		name   string
		suite  string // suite lines; "#files a b" lists the files in order
		hidden map[string]string
		want   []string // name:points:visibility
	}{
		{
			name:  "files in the listed order, functions in source order",
			suite: "#files tests/b_test.go tests/a_test.go\n",
			hidden: map[string]string{
				"tests/a_test.go": "package x\nimport \"testing\"\nfunc TestA(t *testing.T) {}\n",
				"tests/b_test.go": "package x\nimport \"testing\"\nfunc TestZ(t *testing.T) {}\nfunc TestY(t *testing.T) {}\n",
			},
			want: []string{"TestZ:1:hidden", "TestY:1:hidden", "TestA:1:hidden"},
		},
		{
			name:  "go test's naming and signature rules",
			suite: "#files tests/n_test.go\n",
			hidden: map[string]string{"tests/n_test.go": `package x

import "testing"

type S struct{}

func (S) TestMethod(t *testing.T) {}
func Test(t *testing.T)         {}
func Test_under(t *testing.T)   {}
func TestÜber(t *testing.T)     {}
func Testlower(t *testing.T)    {}
func TestMain(m *testing.M)     {}
func BenchmarkX(b *testing.B)   {}
func FuzzX(f *testing.F)        {}
func ExampleX()                 {}
func helper(t *testing.T)       {}
var TestVar = 1
`},
			want: []string{"Test:1:hidden", "Test_under:1:hidden", "TestÜber:1:hidden"},
		},
		{
			name:  "renamed and dot imports of testing",
			suite: "#files tests/r_test.go tests/d_test.go\n",
			hidden: map[string]string{
				"tests/r_test.go": "package x\nimport tt \"testing\"\nfunc TestRenamed(t *tt.T) {}\n",
				"tests/d_test.go": "package x_test\nimport . \"testing\"\nfunc TestDot(t *T) {}\n",
			},
			want: []string{"TestRenamed:1:hidden", "TestDot:1:hidden"},
		},
		{
			name: "first matching override wins",
			suite: `#files tests/o_test.go
    points: 2
    visibility: visible
    tests:
      - name: TestConcurrentExact
        points: 9
      - pattern: ^TestConcurrent
        points: 4
        visibility: hidden
      - pattern: Free$
        points: 0
`,
			hidden: map[string]string{"tests/o_test.go": `package x
import "testing"
func TestPlain(t *testing.T) {}
func TestConcurrentExact(t *testing.T) {}
func TestConcurrentOther(t *testing.T) {}
func TestFree(t *testing.T) {}
func TestConcurrentFree(t *testing.T) {}
`},
			want: []string{"TestPlain:2:visible", "TestConcurrentExact:9:visible", "TestConcurrentOther:4:hidden", "TestFree:0:visible", "TestConcurrentFree:4:hidden"},
		},
		{
			name:  "a name is exact, not a prefix",
			suite: "#files tests/p_test.go\n    tests:\n      - name: TestA\n        points: 3\n",
			hidden: map[string]string{
				"tests/p_test.go": "package x\nimport \"testing\"\nfunc TestA(t *testing.T) {}\nfunc TestAB(t *testing.T) {}\n",
			},
			want: []string{"TestA:3:hidden", "TestAB:1:hidden"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadFS(mapFS("gox", goChallenge(tc.suite, tc.hidden)), "gox")
			if err != nil {
				t.Fatalf("LoadFS:%s", problemList(Problems(err)))
			}
			var got []string
			for _, tt := range c.Suites[0].Tests {
				got = append(got, tt.Name+":"+strconv.Itoa(tt.Points)+":"+string(tt.Visibility))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tests (-want +got):\n%s", diff)
			}
			// Files are keyed by base name and hold the sources as given.
			for name, src := range tc.hidden {
				base := name[strings.LastIndex(name, "/")+1:]
				if string(c.Suites[0].Files[base]) != src {
					t.Errorf("Files[%q] does not hold %s", base, name)
				}
			}
		})
	}
}

func TestGoTypoGuardListsTheFunctions(t *testing.T) {
	files := goChallenge("#files tests/l_test.go\n    tests:\n      - name: TestSplt\n        points: 2\n", map[string]string{
		"tests/l_test.go": "package x\nimport \"testing\"\nfunc TestParse(t *testing.T) {}\nfunc TestSplit(t *testing.T) {}\n",
	})
	_, err := LoadFS(mapFS("gox", files), "gox")
	want := `gox/challenge.yaml:11: suites[0].tests[0].name: "TestSplt" matches no test function; name a top-level test function of the suite's files (found: TestParse, TestSplit)`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestGoSuiteDefaults(t *testing.T) {
	files := goChallenge("#files tests/l_test.go\n", map[string]string{
		"tests/l_test.go": "package x\nimport \"testing\"\nfunc TestOne(t *testing.T) {}\n",
	})
	c, err := LoadFS(mapFS("gox", files), "gox")
	if err != nil {
		t.Fatal(err)
	}
	want := grader.Suite{Name: "unit", Kind: grader.SuiteGo, Package: ".", Race: false,
		Files: map[string][]byte{"l_test.go": []byte(files["tests/l_test.go"])},
		Tests: []grader.TestSpec{{Name: "TestOne", Points: 1, Visibility: grader.Hidden}}}
	if diff := cmp.Diff(want, c.Suites[0]); diff != "" {
		t.Errorf("suite (-want +got):\n%s", diff)
	}
	if c.Service != nil || c.Fixtures != nil || c.Env != nil {
		t.Errorf("a go-only challenge got service %v, fixtures %v, env %v", c.Service, c.Fixtures, c.Env)
	}
}
