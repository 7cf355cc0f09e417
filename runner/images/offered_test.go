package images

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readOffered(t *testing.T, name string) Offered {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOffered(data)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestParseOffered(t *testing.T) {
	o := readOffered(t, "offered-python.json")
	want := Offered{
		Language: LanguagePython,
		Runtime:  "3.11.2",
		Packages: []OfferedPackage{
			{Debian: "python3-flask", Version: "2.2.2-3", Modules: []string{"flask"}},
			{Debian: "python3-pytest", Version: "7.2.1-2", Modules: []string{"_pytest", "py", "pytest"}},
		},
		Modules: []string{"_pytest", "flask", "jinja2", "py", "pytest", "werkzeug"},
		Stdlib:  []string{"__future__", "asyncio", "json", "os", "sys"},
	}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("ParseOffered (-want +got):\n%s", diff)
	}
}

func TestParseOfferedRefuses(t *testing.T) {
	valid := `{"language":"node","runtime":"v18.20.4","packages":[{"debian":"node-express","version":"4.18.2","modules":["express"]}],` +
		`"modules":["body-parser","express"],"stdlib":["fs","http"]}`
	if _, err := ParseOffered([]byte(valid)); err != nil {
		t.Fatalf("the valid list: %v", err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown language", `"node"`, `"ruby"`, `language "ruby"`},
		{"no runtime", `"v18.20.4"`, `""`, "no runtime"},
		{"unsorted modules", `["body-parser","express"]`, `["express","body-parser"]`, "not sorted"},
		{"duplicate builtin", `["fs","http"]`, `["fs","fs"]`, "not sorted and unique"},
		{"empty modules", `"modules":["body-parser","express"]`, `"modules":[]`, "modules: empty"},
		{"blank name", `["fs","http"]`, `[""," http"]`, "bad name"},
		{"package module not listed", `"modules":["express"]}`, `"modules":["koa"]}`, `module "koa" is not in modules`},
		{"package without version", `"version":"4.18.2"`, `"version":""`, "needs a name, a version"},
		{"unknown field", `"stdlib"`, `"builtins"`, "unknown field"},
		{"not JSON", valid, "offered", "decode offered list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(valid, tt.old, tt.new, 1)
			if in == valid {
				t.Fatalf("%q is not in the valid list", tt.old)
			}
			_, err := ParseOffered([]byte(in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestOfferedProvides(t *testing.T) {
	py := readOffered(t, "offered-python.json")
	node := readOffered(t, "offered-node.json")
	tests := []struct {
		o        Offered
		name     string
		top      string
		provides bool
	}{
		{py, "flask", "flask", true},
		{py, "flask.json", "flask", true},
		{py, "werkzeug.exceptions", "werkzeug", true},
		{py, "json", "json", true},
		{py, "os.path", "os", true},
		{py, "numpy", "numpy", false},
		{py, "flaskx", "flaskx", false},
		{py, ".models", "", false},
		{py, "..app", "", false},
		{node, "express", "express", true},
		{node, "express/lib/router", "express", true},
		{node, "@types/node", "@types/node", false},
		{node, "@redis/client", "@redis/client", true},
		{node, "@redis/client/dist/lib/client", "@redis/client", true},
		{node, "fs", "fs", true},
		{node, "node:fs", "node:fs", true},
		{node, "node:fs/promises", "node:fs/promises", true},
		{node, "node:nothing", "node:nothing", false},
		{node, "node:express", "node:express", false},
		{node, "fs/promises", "fs", true},
		{node, "fs/nothing", "fs", false},
		{node, "node:test", "node:test", true},
		{node, "test", "test", false},
		{node, "lodash", "lodash", false},
		{node, "./db", "", false},
		{node, "../lib/x.js", "", false},
		{node, "/etc/passwd", "", false},
	}
	for _, tt := range tests {
		if got := tt.o.TopLevel(tt.name); got != tt.top {
			t.Errorf("%s TopLevel(%q) = %q, want %q", tt.o.Language, tt.name, got, tt.top)
		}
		if got := tt.o.Provides(tt.name); got != tt.provides {
			t.Errorf("%s Provides(%q) = %v, want %v", tt.o.Language, tt.name, got, tt.provides)
		}
	}
}

func TestOfferedSummary(t *testing.T) {
	got := readOffered(t, "offered-python.json").Summary()
	want := "flask (python3-flask 2.2.2-3), _pytest, py, pytest (python3-pytest 7.2.1-2); with them: jinja2, werkzeug"
	if got != want {
		t.Errorf("Summary:\n got %s\nwant %s", got, want)
	}
}

func TestOfferedSummaryCountsManyDependencies(t *testing.T) {
	o := readOffered(t, "offered-node.json")
	for i := range summaryDeps + 1 {
		o.Modules = append(o.Modules, fmt.Sprintf("dep%02d", i))
	}
	slices.Sort(o.Modules)
	got := o.Summary()
	want := "express (node-express 4.18.2+~cs8.4.16-1), @redis/client, redis (node-redis 4.5.1+~cs4.3.4-1); with them, 42 more (listed in /opt/grader/offered.json)"
	if got != want {
		t.Errorf("Summary:\n got %s\nwant %s", got, want)
	}
}
