package challenges

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// unitSuitesYAML adds to the poly challenge a unit suite for each
// language, each worth 3 points.
const unitSuitesYAML = `  - name: py
    kind: pytest
    files: [tests/test_x.py]
    points: 1
    tests:
      - name: test_b
        points: 2
        visibility: visible
  - name: js
    kind: node-test
    files: [tests/x.test.js]
    tests:
      - pattern: ^b
        points: 2
  - name: go
    kind: go
    files: [tests/x_test.go]
    tests:
      - name: TestB
        points: 2
`

func unitFiles() []edit {
	return []edit{
		{"challenge.yaml", "    file: tests/api.yaml\n", "    file: tests/api.yaml\n" + unitSuitesYAML},
		{"tests/test_x.py", "", "import pytest\n\ndef test_a():\n    pass\n\nasync def test_b():\n    pass\n\ndef helper():\n    pass\n"},
		{"tests/x.test.js", "", "const test = require('node:test');\n\ntest('a', () => {});\nit(\"b c\", () => {});\n  test('nested', () => {});\n"},
		{"tests/go.mod", "", "module hidden\n\ngo 1.26\n"},
		{"tests/x_test.go", "", "package x\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n\nfunc TestB(t *testing.T) {}\n"},
	}
}

func TestLoadUnitSuites(t *testing.T) {
	c, err := loadPoly(t, unitFiles()...)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]grader.TestSpec{}
	for _, s := range c.Suites {
		got[s.Name] = s.Tests
	}
	want := map[string][]grader.TestSpec{
		"py": {{Name: "test_a", Points: 1, Visibility: grader.Hidden}, {Name: "test_b", Points: 2, Visibility: grader.Visible}},
		"js": {{Name: "a", Points: 1, Visibility: grader.Hidden}, {Name: "b c", Points: 2, Visibility: grader.Hidden}},
		"go": {{Name: "TestA", Points: 1, Visibility: grader.Hidden}, {Name: "TestB", Points: 2, Visibility: grader.Hidden}},
	}
	delete(got, "api")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tests (-want +got):\n%s", diff)
	}
	for _, l := range grader.Languages {
		if n := c.MaxScoreFor(l); n != 4 {
			t.Errorf("MaxScoreFor(%s) = %d, want 4", l, n)
		}
		if n := len(c.SuitesFor(l)); n != 2 {
			t.Errorf("%s is graded by %d suites, want the http suite and its own", l, n)
		}
	}
}

func TestUnitSuiteProblems(t *testing.T) {
	tests := []struct {
		name        string
		edits       []edit
		file, field string
		want        string
	}{
		{"override names no test", []edit{{"tests/test_x.py", "async def test_b", "async def test_c"}}, "challenge.yaml", "suites[1].tests[0].name", `"test_b" matches no test function`},
		{"points differ", []edit{{"challenge.yaml", "      - pattern: ^b\n        points: 2\n", "      - pattern: ^b\n        points: 3\n"}}, "challenge.yaml", "suites", "go is graded out of 4 points, javascript out of 5"},
		{"pytest file name", []edit{{"challenge.yaml", "[tests/test_x.py]", "[tests/x.py]"}, {"tests/x.py", "", "def test_a():\n    pass\n"}}, "challenge.yaml", "suites[1].files[0]", "is not a pytest test file"},
		{"node-test with package", []edit{{"challenge.yaml", "    kind: node-test\n", "    kind: node-test\n    package: lib\n"}}, "challenge.yaml", "suites[2]", "has fields of a go suite"},
		{"no tests", []edit{{"tests/x.test.js", "test('a', () => {});\nit(\"b c\", () => {});\n", ""}}, "challenge.yaml", "suites[2].files", "hold no tests"},
		{"language not offered", []edit{{"challenge.yaml", "  javascript: {}\n", ""}}, "challenge.yaml", "suites[2].kind", "a node-test suite grades javascript, which the challenge does not offer"},
		{"runner env", []edit{{"challenge.yaml", "difficulty: easy\n", "difficulty: easy\nenv:\n  NODE_OPTIONS: --require ./hook.js\n"}}, "challenge.yaml", "env.NODE_OPTIONS", "has a pytest or node-test suite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadPoly(t, append(unitFiles(), tc.edits...)...)
			assertProblem(t, err, "poly/"+tc.file, tc.field, tc.want)
		})
	}
}
