package images

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// Module is a module learner code may use offline. Its root package (the
// module path) is importable.
type Module struct {
	Path    string
	Version string
}

// String returns path@version.
func (m Module) String() string { return m.Path + "@" + m.Version }

// Modules lists the modules the go image's module cache holds, with all
// their dependencies; nothing else can be used offline. A challenge
// module using them must require exactly these versions.
var Modules = []Module{
	{Path: "github.com/gin-gonic/gin", Version: "v1.12.0"},
	{Path: "github.com/redis/go-redis/v9", Version: "v9.23.0"},
	// pgx is the Postgres driver (DATABASE_URL of a postgres fixture);
	// its pgxpool and stdlib packages come with the module.
	{Path: "github.com/jackc/pgx/v5", Version: "v5.13.0"},
}

var majorSuffix = regexp.MustCompile(`^v[0-9]+$`)

// folder names m's warm module: the last element of its path that is not
// a major version suffix ("go-redis" for github.com/redis/go-redis/v9).
func (m Module) folder() string {
	dir, base := path.Split(m.Path)
	if majorSuffix.MatchString(base) {
		base = path.Base(path.Clean(dir))
	}
	return base
}

// warmModule is one module of /opt/warm: a main package importing the
// standard packages backend code uses and the offline modules in uses.
type warmModule struct {
	name string
	uses []Module
}

// warmModules returns the module using every offline module ("all"), and
// one per offline module alone: alone, a module selects its own
// dependency versions (gin alone picks an older golang.org/x/sys than gin
// with go-redis), and other versions compile to other cache entries.
func warmModules(mods []Module) []warmModule {
	out := []warmModule{{name: "all", uses: mods}}
	if len(mods) > 1 {
		for _, m := range mods {
			out = append(out, warmModule{name: m.folder(), uses: []Module{m}})
		}
	}
	return out
}

// sources returns the warm module's Go files by name; go.mod and go.sum
// come from the download.
func (w warmModule) sources() map[string]string {
	var deps strings.Builder
	deps.WriteString("package main\n\n// The offline modules this warm module compiles.\nimport (\n")
	for _, m := range w.uses {
		fmt.Fprintf(&deps, "\t_ %q\n", m.Path)
	}
	deps.WriteString(")\n")
	return map[string]string{
		"deps.go":      deps.String(),
		"std.go":       warmSource("std.go"),
		"warm_test.go": warmSource("warm_test.go"),
	}
}

// allSources returns every warm module's files, by path under /opt/warm.
func allSources(ws []warmModule) map[string]string {
	out := map[string]string{}
	for _, w := range ws {
		for name, text := range w.sources() {
			out[w.name+"/"+name] = text
		}
	}
	return out
}

// downloadModules writes each warm module under srcDir/<name> and
// resolves it with the host's module proxy into the module cache at
// modcache: go get of its modules, go mod tidy (go.mod and go.sum), and
// go mod download all (every module in its build list, test dependencies
// of dependencies too, so that no offline build needs a missing zip).
func (b *builder) downloadModules(ctx context.Context, tc toolchain, srcDir, modcache string, ws []warmModule) error {
	env := append(os.Environ(),
		"GOROOT="+tc.root,
		"GOMODCACHE="+modcache,
		// Writable, so the temporary cache can be removed afterwards.
		"GOFLAGS=-modcacherw",
		"GOWORK=off",
		"GO111MODULE=on",
		"GOTOOLCHAIN=local",
	)
	goCmd := filepath.Join(tc.root, "bin", "go")
	for _, w := range ws {
		dir := filepath.Join(srcDir, w.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("warm module %s: %w", w.name, err)
		}
		files := w.sources()
		files["go.mod"] = "module warm\n\ngo " + tc.language + "\n"
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return fmt.Errorf("warm module %s: %w", w.name, err)
			}
		}
		get := []string{"get"}
		for _, m := range w.uses {
			get = append(get, m.String())
		}
		for _, args := range [][]string{get, {"mod", "tidy"}, {"mod", "download", "all"}} {
			cmd := exec.CommandContext(ctx, goCmd, args...)
			cmd.Dir = dir
			cmd.Env = env
			if err := b.run(ctx, "warm module "+w.name+": go "+strings.Join(args, " "), cmd); err != nil {
				return err
			}
		}
	}
	return nil
}
