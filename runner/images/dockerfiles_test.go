package images

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// instructions returns a Dockerfile's instructions, continuation lines
// joined and comments dropped, as [keyword, arguments] pairs.
func instructions(text string) [][2]string {
	var out [][2]string
	var cur strings.Builder
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.TrimSpace(line) == "" && cur.Len() == 0 {
			continue
		}
		if rest, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		kw, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, [2]string{kw, strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// last returns the arguments of the last instruction kw, or "".
func last(ins [][2]string, kw string) string {
	args := ""
	for _, in := range ins {
		if in[0] == kw {
			args = in[1]
		}
	}
	return args
}

func TestGoDockerfileEnv(t *testing.T) {
	got := map[string]string{}
	for _, in := range instructions(dockerfile("go")) {
		if in[0] != "ENV" {
			continue
		}
		for _, kv := range strings.Fields(in[1]) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("ENV %q is not key=value", kv)
			}
			got[k] = v
		}
	}
	want := map[string]string{
		"PATH": "/usr/local/go/bin:/usr/bin:/bin", "GOROOT": "/usr/local/go", "HOME": "/tmp", "TMPDIR": "/tmp",
		"GOCACHE": "/opt/gocache", "GOMODCACHE": "/opt/gomodcache", "GOPATH": "/tmp/gopath", "GOFLAGS": "-mod=mod",
		"GOPROXY": "off", "GOSUMDB": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("go image ENV (-want +got):\n%s", diff)
	}
}

func TestDockerfiles(t *testing.T) {
	tests := []struct {
		name       string
		from       string
		user       string
		entrypoint []string
		cmd        []string
	}{
		{name: "go", from: Base, user: "65534:65534"},
		{name: "redis", from: Base, user: "65534:65534", entrypoint: []string{"redis-server"},
			cmd: []string{"--protected-mode", "no", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", "6379"}},
		{name: "tools", from: "scratch", user: "65534:65534", entrypoint: []string{"/grader"}},
		{name: "base-from", from: "${BASE_FROM}", cmd: []string{"/bin/bash"}},
		{name: "python", from: Base, user: "65534:65534"},
		{name: "node", from: Base, user: "65534:65534"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := instructions(dockerfile(tt.name))
			if got := last(ins, "FROM"); got != tt.from {
				t.Errorf("FROM %q, want %q", got, tt.from)
			}
			if got := last(ins, "USER"); got != tt.user {
				t.Errorf("USER %q, want %q", got, tt.user)
			}
			for kw, want := range map[string][]string{"ENTRYPOINT": tt.entrypoint, "CMD": tt.cmd} {
				var got []string
				if args := last(ins, kw); args != "" {
					if err := json.Unmarshal([]byte(args), &got); err != nil {
						t.Fatalf("%s %s is not exec form: %v", kw, args, err)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", kw, diff)
				}
			}
			// The classic builder has no COPY --chmod; a typo'd keyword
			// fails only at build time.
			for _, in := range ins {
				known := []string{"FROM", "ARG", "COPY", "ENV", "RUN", "USER", "WORKDIR", "ENTRYPOINT", "CMD"}
				if !slices.Contains(known, in[0]) || strings.Contains(in[1], "--chmod") {
					t.Errorf("instruction %s %s", in[0], in[1])
				}
			}
		})
	}
}

func TestWarmModules(t *testing.T) {
	ws := warmModules(Modules)
	var names []string
	for _, w := range ws {
		names = append(names, w.name)
	}
	if diff := cmp.Diff([]string{"all", "gin", "go-redis", "pgx"}, names); diff != "" {
		t.Errorf("warm modules (-want +got):\n%s", diff)
	}
	if got := warmModules(Modules[:1]); len(got) != 1 || got[0].name != "all" {
		t.Errorf("one offline module gave warm modules %v, want only all", got)
	}

	// Every std package the brief names is warm, and every warm module
	// imports exactly its offline modules.
	wantStd := []string{"net/http", "net/http/httptest", "encoding/json", "testing", "sync", "context", "time",
		"strconv", "errors", "fmt", "sort", "strings", "database/sql", "log/slog", "math"}
	for _, w := range ws {
		imports := map[string]bool{}
		for name, src := range w.sources() {
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("%s/%s: %v", w.name, name, err)
			}
			if f.Name.Name != "main" {
				t.Errorf("%s/%s is package %s, want main", w.name, name, f.Name.Name)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				imports[p] = true
			}
		}
		for _, p := range wantStd {
			if !imports[p] {
				t.Errorf("warm module %s does not import %s", w.name, p)
			}
		}
		var mods []string
		for p := range imports {
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
				mods = append(mods, p)
			}
		}
		var want []string
		for _, m := range w.uses {
			want = append(want, m.Path)
		}
		slices.Sort(mods)
		slices.Sort(want)
		if diff := cmp.Diff(want, mods); diff != "" {
			t.Errorf("warm module %s imports modules (-want +got):\n%s", w.name, diff)
		}
	}
}

func TestModuleFolder(t *testing.T) {
	tests := map[string]string{
		"github.com/gin-gonic/gin":     "gin",
		"github.com/redis/go-redis/v9": "go-redis",
		"gopkg.in/yaml.v3":             "yaml.v3",
		"example.com/v2x":              "v2x",
	}
	for path, want := range tests {
		if got := (Module{Path: path}).folder(); got != want {
			t.Errorf("folder(%s) = %q, want %q", path, got, want)
		}
	}
}
