package images

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// toolchain is the Go installation the go image copies.
type toolchain struct {
	// root is GOROOT.
	root string
	// version is VERSION's first line, e.g. "go1.26.8".
	version string
	// language is the go line warm modules declare, e.g. "1.26".
	language string
	// identity tells toolchains apart: root, VERSION and the go command's
	// SHA-256.
	identity string
}

var releaseVersion = regexp.MustCompile(`^go(1\.[0-9]+)(\.[0-9]+|rc[0-9]+)?$`)

// findToolchain describes the toolchain at goroot, or at the host's
// `go env GOROOT` when goroot is empty.
func findToolchain(ctx context.Context, goroot string) (toolchain, error) {
	if goroot == "" {
		out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
		if err != nil {
			return toolchain{}, fmt.Errorf("find the Go toolchain (go env GOROOT): %w", err)
		}
		goroot = strings.TrimSpace(string(out))
	}
	version, err := os.ReadFile(filepath.Join(goroot, "VERSION"))
	if err != nil {
		return toolchain{}, fmt.Errorf("read the Go toolchain's version: %w", err)
	}
	first, _, _ := bytes.Cut(version, []byte("\n"))
	m := releaseVersion.FindSubmatch(bytes.TrimSpace(first))
	if m == nil {
		return toolchain{}, fmt.Errorf("Go toolchain %s: %q is not a release version (goX.Y.Z)", goroot, first)
	}
	sum, err := fileSHA256(filepath.Join(goroot, "bin", "go"))
	if err != nil {
		return toolchain{}, fmt.Errorf("Go toolchain %s: %w", goroot, err)
	}
	return toolchain{
		root:     goroot,
		version:  string(m[0]),
		language: string(m[1]),
		identity: goroot + "\n" + string(version) + "\n" + sum,
	}, nil
}

// goPlan makes the Go toolchain image on the base.
func (b *builder) goPlan(ctx context.Context) (recipe, error) {
	tc, err := findToolchain(ctx, b.opts.GoRoot)
	if err != nil {
		return recipe{}, err
	}
	parent, err := b.imageID(ctx, Base)
	if err != nil {
		return recipe{}, err
	}
	text := dockerfile("go")
	warm := warmModules(Modules)
	var mods []string
	for _, m := range Modules {
		mods = append(mods, m.String())
	}
	in := inputs{Image: Go, Dockerfile: text, Parent: parent, Go: tc.identity, Modules: mods, Sources: allSources(warm)}
	return recipe{digest: in.digest(), make: func(ctx context.Context, digest string) error {
		tmp, err := os.MkdirTemp("", "grader-go-")
		if err != nil {
			return fmt.Errorf("make a folder for the module cache: %w", err)
		}
		defer os.RemoveAll(tmp)
		src, modcache := filepath.Join(tmp, "warm"), filepath.Join(tmp, "modcache")
		fmt.Fprintf(b.progress, "%s: downloading %s through the module proxy\n", Go, strings.Join(mods, ", "))
		if err := b.downloadModules(ctx, tc, src, modcache, warm); err != nil {
			return err
		}
		fmt.Fprintf(b.progress, "%s: sending %s and the module cache, then warming the build cache (minutes)\n", Go, tc.version)
		bc := buildContext{Dockerfile: text, Trees: []contextTree{
			{Name: "go", Dir: tc.root, Keep: keepGoRoot},
			{Name: "gomodcache", Dir: modcache, Keep: keepModCache},
			{Name: "warm", Dir: src},
		}}
		return b.buildImage(ctx, Go, bc, digest, buildOptions{})
	}}, nil
}
