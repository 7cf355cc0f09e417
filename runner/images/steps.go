package images

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
)

// recipeVersion changes when the way the go image is made changes in a
// way its inputs do not show.
const recipeVersion = "2"

// basePackages are installed into the base: gcc and libc for the race
// detector (it needs cgo), redis-server for the Redis fixture.
var basePackages = []string{"gcc", "libc6-dev", "redis-server", "ca-certificates"}

// base makes the Debian root filesystem image.
func (b *builder) base(ctx context.Context) (string, func(context.Context, string) error, error) {
	if b.opts.BaseFrom != "" {
		text := dockerfile("base-from")
		digest := digestOf("base-from", b.opts.BaseFrom, text)
		return digest, func(ctx context.Context, digest string) error {
			from := b.opts.BaseFrom
			return b.buildImage(ctx, Base, text, digest, nil, map[string]*string{"FROM_IMAGE": &from})
		}, nil
	}
	digest := digestOf("debootstrap", "bookworm", "minbase", strings.Join(basePackages, ","))
	return digest, b.debootstrap, nil
}

func (b *builder) debootstrap(ctx context.Context, digest string) error {
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return fmt.Errorf("debootstrap is not installed: run `apt-get install -y debootstrap` (or `make setup`), or pass --base-from IMAGE on a machine with a registry")
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("debootstrap needs root: run as root, or pass --base-from IMAGE on a machine with a registry")
	}
	dir, err := os.MkdirTemp("", "grader-base-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "rootfs")
	cmd := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "--include="+strings.Join(basePackages, ","), "bookworm", root, b.opts.Mirror)
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, b.opts.Progress)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("debootstrap: %w: %s", err, tail(out.String(), 2000))
	}
	for _, junk := range []string{"var/cache/apt/archives", "var/lib/apt/lists"} {
		entries, _ := os.ReadDir(filepath.Join(root, junk))
		for _, e := range entries {
			if e.Name() != "partial" && e.Name() != "lock" {
				os.RemoveAll(filepath.Join(root, junk, e.Name()))
			}
		}
	}
	tarCmd := exec.CommandContext(ctx, "tar", "--numeric-owner", "-C", root, "-cf", "-", ".")
	stdout, err := tarCmd.StdoutPipe()
	if err != nil {
		return err
	}
	var tarErr bytes.Buffer
	tarCmd.Stderr = &tarErr
	if err := tarCmd.Start(); err != nil {
		return fmt.Errorf("tar rootfs: %w", err)
	}
	res, err := b.cli.ImageImport(ctx, client.ImageImportSource{Source: stdout, SourceName: "-"}, Base, client.ImageImportOptions{
		Message: "debootstrap bookworm minbase",
		Changes: []string{
			"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"LABEL " + LabelDigest + "=" + digest,
			"LABEL " + LabelManaged + "=true",
			`CMD ["/bin/sh"]`,
		},
	})
	if err != nil {
		_ = tarCmd.Process.Kill()
		_ = tarCmd.Wait()
		return fmt.Errorf("import rootfs: %w", err)
	}
	defer res.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(res, b.opts.Progress, 0, false, nil); err != nil {
		_ = tarCmd.Wait()
		return fmt.Errorf("import rootfs: %w", err)
	}
	if err := tarCmd.Wait(); err != nil {
		return fmt.Errorf("tar rootfs: %w: %s", err, tarErr.String())
	}
	return nil
}

// goImage makes the Go toolchain image.
func (b *builder) goImage(ctx context.Context) (string, func(context.Context, string) error, error) {
	goroot := b.opts.GoRoot
	if goroot == "" {
		out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
		if err != nil {
			return "", nil, fmt.Errorf("find the Go toolchain (go env GOROOT): %w", err)
		}
		goroot = strings.TrimSpace(string(out))
	}
	version, err := os.ReadFile(filepath.Join(goroot, "VERSION"))
	if err != nil {
		return "", nil, fmt.Errorf("read %s/VERSION: %w", goroot, err)
	}
	baseID, err := b.imageID(ctx, Base)
	if err != nil {
		return "", nil, err
	}
	text := dockerfile("go")
	digest := digestOf("go", recipeVersion, baseID, string(version), goroot, strings.Join(Modules, ","), text, warmGoMod, warmMain, warmTest)
	return digest, func(ctx context.Context, digest string) error {
		modcache, gosum, err := downloadModules(ctx, b.opts.Progress)
		if err != nil {
			return err
		}
		defer os.RemoveAll(filepath.Dir(modcache))
		entries := []contextEntry{
			{name: "go", from: goroot, filter: keepGoRoot},
			{name: "gomodcache", from: modcache, filter: func(rel string) bool { return !strings.HasPrefix(rel, "cache/vcs") }},
			{name: "warm/go.mod", mode: 0o644, data: []byte(warmGoModWithRequires(gosum.mod))},
			{name: "warm/go.sum", mode: 0o644, data: gosum.sum},
			{name: "warm/main.go", mode: 0o644, data: []byte(warmMain)},
			{name: "warm/main_test.go", mode: 0o644, data: []byte(warmTest)},
		}
		for name, files := range gosum.alone {
			for f, data := range files {
				entries = append(entries, contextEntry{name: "warm/" + name + "/" + f, mode: 0o644, data: data})
			}
		}
		return b.buildImage(ctx, Go, text, digest, entries, nil)
	}, nil
}

// keepGoRoot keeps what the go command needs from GOROOT: the commands,
// the sources (Go builds the standard library from source), the tools and
// the time zone database; not the tests, API files or docs.
func keepGoRoot(rel string) bool {
	top, _, _ := strings.Cut(rel, "/")
	switch top {
	case "bin", "src", "lib", "go.env", "VERSION":
		return true
	case "pkg":
		return rel == "pkg" || strings.HasPrefix(rel, "pkg/tool") || strings.HasPrefix(rel, "pkg/include")
	}
	return false
}

// moduleFiles is the warm module's resolved go.mod and go.sum, and the
// one-module-each modules (folder name to files) warmed beside it.
type moduleFiles struct {
	mod   string
	sum   []byte
	alone map[string]map[string][]byte
}

// downloadModules fills a fresh module cache with Modules through the
// host's module proxy, and returns it with the resolved go.mod and go.sum.
func downloadModules(ctx context.Context, progress io.Writer) (string, moduleFiles, error) {
	dir, err := os.MkdirTemp("", "grader-modcache-")
	if err != nil {
		return "", moduleFiles{}, err
	}
	mod := filepath.Join(dir, "warm")
	cache := filepath.Join(dir, "modcache")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return "", moduleFiles{}, err
	}
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte(warmGoMod), 0o644)
	os.WriteFile(filepath.Join(mod, "main.go"), []byte(warmMain), 0o644)
	os.WriteFile(filepath.Join(mod, "main_test.go"), []byte(warmTest), 0o644)
	env := append(os.Environ(), "GOMODCACHE="+cache, "GOFLAGS=-modcacherw", "GOWORK=off", "GOTOOLCHAIN=local")
	run := func(args ...string) error { return runIn(ctx, mod, env, progress, args...) }
	// Each module alone first: a learner's module that uses only one of
	// them selects that module's own dependency versions, which must be in
	// the cache too, not only the versions selected when all are used.
	for i, m := range Modules {
		alone := filepath.Join(dir, fmt.Sprintf("alone%d", i))
		os.MkdirAll(alone, 0o755)
		path, _, _ := strings.Cut(m, "@")
		os.WriteFile(filepath.Join(alone, "go.mod"), []byte("module alone\n\ngo 1.26\n"), 0o644)
		os.WriteFile(filepath.Join(alone, "main.go"), []byte("package main\n\nimport _ \""+path+"\"\n\nfunc main() {}\n"), 0o644)
		for _, args := range [][]string{{"get", m}, {"mod", "tidy"}, {"mod", "download", "all"}} {
			if err := runIn(ctx, alone, env, progress, args...); err != nil {
				os.RemoveAll(dir)
				return "", moduleFiles{}, err
			}
		}
	}
	for _, m := range Modules {
		if err := run("get", m); err != nil {
			os.RemoveAll(dir)
			return "", moduleFiles{}, err
		}
	}
	if err := run("mod", "tidy"); err != nil {
		os.RemoveAll(dir)
		return "", moduleFiles{}, err
	}
	if err := run("mod", "download", "all"); err != nil {
		os.RemoveAll(dir)
		return "", moduleFiles{}, err
	}
	gomod, _ := os.ReadFile(filepath.Join(mod, "go.mod"))
	gosum, _ := os.ReadFile(filepath.Join(mod, "go.sum"))
	files := moduleFiles{mod: string(gomod), sum: gosum, alone: map[string]map[string][]byte{}}
	for i := range Modules {
		name := fmt.Sprintf("alone%d", i)
		files.alone[name] = map[string][]byte{}
		for _, f := range []string{"go.mod", "go.sum", "main.go"} {
			data, _ := os.ReadFile(filepath.Join(dir, name, f))
			files.alone[name][f] = data
		}
	}
	return cache, files, nil
}

// runIn runs the go command in dir.
func runIn(ctx context.Context, dir string, env []string, progress io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, progress)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	return nil
}

func warmGoModWithRequires(resolved string) string {
	if resolved != "" {
		return resolved
	}
	return warmGoMod
}

// redis makes the Redis fixture image.
func (b *builder) redis(ctx context.Context) (string, func(context.Context, string) error, error) {
	baseID, err := b.imageID(ctx, Base)
	if err != nil {
		return "", nil, err
	}
	text := dockerfile("redis")
	digest := digestOf("redis", baseID, text)
	return digest, func(ctx context.Context, digest string) error {
		return b.buildImage(ctx, Redis, text, digest, nil, nil)
	}, nil
}

// tools makes the image holding the grader binary.
func (b *builder) tools(ctx context.Context) (string, func(context.Context, string) error, error) {
	if b.opts.ToolsBinary == "" {
		return "", nil, nil
	}
	if err := isStatic(b.opts.ToolsBinary); err != nil {
		return "", nil, err
	}
	sum, err := fileDigest(b.opts.ToolsBinary)
	if err != nil {
		return "", nil, fmt.Errorf("read %s: %w", b.opts.ToolsBinary, err)
	}
	text := dockerfile("tools")
	digest := digestOf("tools", sum, text)
	return digest, func(ctx context.Context, digest string) error {
		data, err := os.ReadFile(b.opts.ToolsBinary)
		if err != nil {
			return err
		}
		return b.buildImage(ctx, Tools, text, digest, []contextEntry{{name: "grader", mode: 0o755, data: data}}, nil)
	}, nil
}

// addTree adds the host folder src under name, keeping files for which
// keep(relative path) is true (nil keeps all). Links are kept as links.
func addTree(tw *tar.Writer, name, src string, keep func(string) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && keep != nil && !keep(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		h.Name = name + "/" + rel
		if rel == "." {
			h.Name = name
		}
		if d.IsDir() {
			h.Name += "/"
		}
		h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
		h.ModTime = time.Unix(0, 0)
		h.AccessTime, h.ChangeTime = time.Time{}, time.Time{}
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("tar %s: %w", h.Name, err)
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return fmt.Errorf("tar %s: %w", h.Name, err)
			}
		}
		return nil
	})
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
