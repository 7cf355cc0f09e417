package challenges

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeReportsEveryMistake: unknown fields and values of the wrong
// kind anywhere in challenge.yaml are all reported in one run, with their
// lines, and the rest of the file is still checked.
func TestDecodeReportsEveryMistake(t *testing.T) {
	err := loadDemo(t,
		edit{"challenge.yaml", "summary: A demo.", "summary: A demo.\ncolour: red\nlimits: {pids: many, memroy: 1GiB}"},
		edit{"challenge.yaml", "race: true", "race: sometimes"},
		edit{"challenge.yaml", "difficulty: easy", "difficulty: extreme"},
	)
	var got []string
	for _, p := range Problems(err) {
		got = append(got, p.Error())
	}
	want := []string{
		`demo/challenge.yaml:4: colour: unknown field "colour"; remove it or correct its spelling; every field is listed in docs/challenge-format.md`,
		`demo/challenge.yaml:5: limits.pids: "many" is not a whole number; write a whole number here`,
		`demo/challenge.yaml:5: limits.memroy: unknown field "memroy"; did you mean memory? remove it or correct its spelling`,
		`demo/challenge.yaml:6: difficulty: "extreme" is not a difficulty; use easy, medium or hard`,
		`demo/challenge.yaml:25: suites[1].race: "sometimes" is not true or false; write true or false here`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestDecodeDropsKnockOns: a value that cannot be decoded is reported
// once, not again by the checks that find it missing.
func TestDecodeDropsKnockOns(t *testing.T) {
	err := loadDemo(t, edit{"tests/api.yaml", "  - name: upstream stats\n    steps:\n      - request: {target: upstream, path: /_fixture/stats}\n        expect: {json: {reads: 0}}\n", "  - just words\n"})
	ps := Problems(err)
	if len(ps) != 1 || ps[0].Field != "tests[1]" || ps[0].Line != 22 || ps[0].Problem != "a string is given where a mapping is expected" {
		t.Errorf("want one problem at tests[1], line 22:%s", problemList(ps))
	}
}

// TestDecodeFollowsAnchors: anchors, aliases and merge keys work as in
// any YAML file, even an anchor inside a field the loader does not know.
func TestDecodeFollowsAnchors(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "", `tests:
  - name: anchored
    steps:
      - &get
        request: {path: /notes}
        expect: {status: 200}
      - *get
      - <<: *get
        wait: 1ms
`})
	c, err := LoadFS(mapFS("demo", files), "demo")
	if err != nil {
		t.Fatalf("LoadFS:%s", problemList(Problems(err)))
	}
	steps := c.Suites[0].Tests[0].Steps
	if len(steps) != 3 || steps[1].Request == nil || steps[1].Request.Path != "/notes" || steps[2].Expect.Status != 200 || steps[2].Wait == 0 {
		t.Errorf("steps = %+v", steps)
	}
}

// TestDecodeFileNotAMapping: a file that is not a mapping is one problem,
// not one per field it then lacks.
func TestDecodeFileNotAMapping(t *testing.T) {
	for _, e := range []edit{{"tests/api.yaml", "", "- a\n- b\n"}, {"challenge.yaml", "", "just words\n"}} {
		ps := Problems(loadDemo(t, e))
		if len(ps) != 1 || ps[0].File != "demo/"+e.file || ps[0].Line != 1 || ps[0].Problem != "a "+map[string]string{"challenge.yaml": "string", "tests/api.yaml": "list"}[e.file]+" is given where a mapping is expected" {
			t.Errorf("%s: want one problem on line 1:%s", e.file, problemList(ps))
		}
	}
}
