package images

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInputsDigestChangesWithEveryInput(t *testing.T) {
	base := func() inputs {
		return inputs{
			Image: Go, Dockerfile: "FROM grader/base:local\n", Parent: "sha256:aaa", From: "debian:bookworm-slim",
			Command: []string{"debootstrap", "bookworm"}, Changes: []string{"CMD [\"/bin/bash\"]"},
			Go: "/usr/local/go\ngo1.26.8\nabc", Modules: []string{"github.com/gin-gonic/gin@v1.12.0"},
			Sources: map[string]string{"all/std.go": "package main\n"}, Tools: "123",
			Packages: []string{"python3", "python3-flask"},
		}
	}
	want := base().digest()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(want) {
		t.Fatalf("digest %q is not a hex SHA-256", want)
	}
	if got := base().digest(); got != want {
		t.Errorf("same inputs, digests %s and %s", want, got)
	}
	tests := []struct {
		name   string
		change func(*inputs)
	}{
		{"image", func(in *inputs) { in.Image = Redis }},
		{"dockerfile", func(in *inputs) { in.Dockerfile += "USER 65534\n" }},
		{"parent image", func(in *inputs) { in.Parent = "sha256:bbb" }},
		{"base image", func(in *inputs) { in.From = "debian:trixie-slim" }},
		{"debootstrap command", func(in *inputs) { in.Command = append(in.Command, "--include=vim") }},
		{"import changes", func(in *inputs) { in.Changes = nil }},
		{"go toolchain", func(in *inputs) { in.Go = "/usr/local/go\ngo1.26.9\nabc" }},
		{"module version", func(in *inputs) { in.Modules = []string{"github.com/gin-gonic/gin@v1.12.1"} }},
		{"added module", func(in *inputs) { in.Modules = append(in.Modules, "github.com/redis/go-redis/v9@v9.23.0") }},
		{"source text", func(in *inputs) { in.Sources["all/std.go"] = "package main // x\n" }},
		{"source name", func(in *inputs) { in.Sources = map[string]string{"gin/std.go": "package main\n"} }},
		{"tools binary", func(in *inputs) { in.Tools = "124" }},
		{"added package", func(in *inputs) { in.Packages = append(in.Packages, "python3-numpy") }},
		{"removed package", func(in *inputs) { in.Packages = in.Packages[:1] }},
		// Field boundaries count: moving text from one field to the next
		// is another digest.
		{"text moved between fields", func(in *inputs) { in.Image, in.Dockerfile = Go+"FROM", " grader/base:local\n" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.change(&in)
			if got := in.digest(); got == want {
				t.Errorf("changing the %s kept digest %s", tt.name, got)
			}
		})
	}
}

func TestInputsDigestIgnoresMapOrder(t *testing.T) {
	a := inputs{Image: Go, Sources: map[string]string{}}
	b := inputs{Image: Go, Sources: map[string]string{}}
	names := []string{"all/std.go", "gin/deps.go", "go-redis/warm_test.go", "all/deps.go"}
	for i, n := range names {
		a.Sources[n] = n
		b.Sources[names[len(names)-1-i]] = names[len(names)-1-i]
	}
	if a.digest() != b.digest() {
		t.Error("the same sources inserted in another order gave another digest")
	}
}

func TestBasePlanDigest(t *testing.T) {
	ctx := context.Background()
	digest := func(opts Options) string {
		t.Helper()
		r, err := newBuilder(opts).basePlan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r.digest
	}
	deboot := digest(Options{})
	if deboot != digest(Options{Force: true, ToolsBinary: "x"}) {
		t.Error("options that do not change the base changed its digest")
	}
	slim := digest(Options{BaseFrom: "debian:bookworm-slim"})
	if slim == deboot {
		t.Error("debootstrap and --base-from share a digest")
	}
	if slim == digest(Options{BaseFrom: "debian:bookworm"}) {
		t.Error("two base images share a digest")
	}
}

// fakeGoRoot makes a GOROOT holding only what findToolchain reads.
func fakeGoRoot(t *testing.T, version, goBinary string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "VERSION"), version)
	writeFile(t, filepath.Join(root, "bin", "go"), goBinary)
	return root
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindToolchain(t *testing.T) {
	tests := []struct {
		version      string
		wantVersion  string
		wantLanguage string
		wantErr      string
	}{
		{"go1.26.8\ntime 2026-10-01T00:00:00Z\n", "go1.26.8", "1.26", ""},
		{"go1.27rc1\n", "go1.27rc1", "1.27", ""},
		{"go1.26", "go1.26", "1.26", ""},
		{"devel go1.27-abcdef\n", "", "", "not a release version"},
	}
	for _, tt := range tests {
		t.Run(strings.Fields(tt.version)[0], func(t *testing.T) {
			root := fakeGoRoot(t, tt.version, "go binary")
			tc, err := findToolchain(context.Background(), root)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{tc.root, tc.version, tc.language}
			if diff := cmp.Diff([]string{root, tt.wantVersion, tt.wantLanguage}, got); diff != "" {
				t.Errorf("toolchain (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToolchainIdentity(t *testing.T) {
	ctx := context.Background()
	identity := func(root string) string {
		t.Helper()
		tc, err := findToolchain(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		return tc.identity
	}
	a := fakeGoRoot(t, "go1.26.8\n", "go binary")
	b := fakeGoRoot(t, "go1.26.8\n", "go binary")
	if identity(a) == identity(b) {
		t.Error("two GOROOTs share an identity")
	}
	before := identity(a)
	writeFile(t, filepath.Join(a, "bin", "go"), "patched go binary")
	if identity(a) == before {
		t.Error("a changed go command kept the toolchain's identity")
	}
	if _, err := findToolchain(ctx, t.TempDir()); err == nil {
		t.Error("a folder without VERSION passed as a toolchain")
	}
}

func TestToolsPlanDigest(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "grader")
	digest := func() string {
		t.Helper()
		r, err := newBuilder(Options{ToolsBinary: bin}).toolsPlan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return r.digest
	}
	writeFile(t, bin, string(elfFile(elf64Exec, ptLoad)))
	first := digest()
	if digest() != first {
		t.Error("the same binary gave another digest")
	}
	writeFile(t, bin, string(elfFile(elf64Exec, ptLoad, ptLoad)))
	if digest() == first {
		t.Error("another binary kept the digest")
	}
}
