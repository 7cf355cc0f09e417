package images

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entry is a tar entry as the tests compare it.
type entry struct {
	Name     string
	Type     byte
	Mode     int64
	Owner    string
	Content  string
	Linkname string
}

func readTar(t *testing.T, r io.Reader) []entry {
	t.Helper()
	var out []entry
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{
			Name: h.Name, Type: h.Typeflag, Mode: h.Mode, Owner: fmt.Sprintf("%d:%d%s%s", h.Uid, h.Gid, h.Uname, h.Gname),
			Content: string(body), Linkname: h.Linkname,
		})
	}
}

func TestBuildContextWrite(t *testing.T) {
	goroot := t.TempDir()
	for name, mode := range map[string]os.FileMode{
		"VERSION":                      0o644,
		"bin/go":                       0o775, // group-writable on the host: not in the image
		"src/fmt/print.go":             0o666,
		"test/fixedbugs/issue1.go":     0o644,
		"pkg/tool/linux_amd64/compile": 0o755,
		"pkg/linux_amd64/fmt.a":        0o644,
	} {
		p := filepath.Join(goroot, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, name)
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../VERSION", filepath.Join(goroot, "bin", "version-link")); err != nil {
		t.Fatal(err)
	}
	host := filepath.Join(t.TempDir(), "grader")
	writeFile(t, host, "static binary")

	bc := buildContext{
		Dockerfile: "FROM scratch\n",
		Files: []contextFile{
			{Name: "warm/all/go.mod", Mode: 0o644, Data: []byte("module warm\n")},
			{Name: "warm/all/std.go", Mode: 0o644, Data: []byte("package main\n")},
			{Name: "grader", Mode: 0o755, Path: host},
		},
		Trees: []contextTree{{Name: "go", Dir: goroot, Keep: keepGoRoot}},
	}
	var buf bytes.Buffer
	if err := bc.write(&buf); err != nil {
		t.Fatal(err)
	}
	const dir, reg, link = tar.TypeDir, tar.TypeReg, tar.TypeSymlink
	want := []entry{
		{Name: "Dockerfile", Type: reg, Mode: 0o644, Owner: "0:0", Content: "FROM scratch\n"},
		{Name: "warm/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "warm/all/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "warm/all/go.mod", Type: reg, Mode: 0o644, Owner: "0:0", Content: "module warm\n"},
		{Name: "warm/all/std.go", Type: reg, Mode: 0o644, Owner: "0:0", Content: "package main\n"},
		{Name: "grader", Type: reg, Mode: 0o755, Owner: "0:0", Content: "static binary"},
		{Name: "go/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/VERSION", Type: reg, Mode: 0o644, Owner: "0:0", Content: "VERSION"},
		{Name: "go/bin/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/bin/go", Type: reg, Mode: 0o755, Owner: "0:0", Content: "bin/go"},
		{Name: "go/bin/version-link", Type: link, Mode: 0o755, Owner: "0:0", Linkname: "../VERSION"},
		{Name: "go/pkg/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/pkg/tool/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/pkg/tool/linux_amd64/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/pkg/tool/linux_amd64/compile", Type: reg, Mode: 0o755, Owner: "0:0", Content: "pkg/tool/linux_amd64/compile"},
		{Name: "go/src/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/src/fmt/", Type: dir, Mode: 0o755, Owner: "0:0"},
		{Name: "go/src/fmt/print.go", Type: reg, Mode: 0o644, Owner: "0:0", Content: "src/fmt/print.go"},
	}
	if diff := cmp.Diff(want, readTar(t, &buf)); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}
}

func TestBuildContextErrorsNameTheEntry(t *testing.T) {
	tests := []struct {
		name    string
		bc      buildContext
		wantErr string
	}{
		{"missing folder", buildContext{Trees: []contextTree{{Name: "go", Dir: filepath.Join(t.TempDir(), "nope")}}}, "context folder go"},
		{"missing file", buildContext{Files: []contextFile{{Name: "grader", Path: filepath.Join(t.TempDir(), "nope")}}}, "context file grader"},
		{"folder as file", buildContext{Files: []contextFile{{Name: "grader", Path: t.TempDir()}}}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.bc.write(io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("write = %v, want an error saying %q", err, tt.wantErr)
			}
		})
	}
}

// TestBuildContextThroughPipe writes a context the way buildImage does,
// through an io.Pipe to a reader that stops early: the writer must end
// with the reader's error instead of blocking.
func TestBuildContextThroughPipe(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	writeFile(t, big, strings.Repeat("x", 1<<20))
	bc := buildContext{Dockerfile: "FROM scratch\n", Files: []contextFile{{Name: "big", Mode: 0o644, Path: big}}}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := bc.write(pw)
		pw.CloseWithError(err)
		done <- err
	}()
	if _, err := io.CopyN(io.Discard, pr, 4096); err != nil {
		t.Fatal(err)
	}
	pr.CloseWithError(errContextAbandoned)
	if err := <-done; !errors.Is(err, errContextAbandoned) {
		t.Fatalf("writer ended with %v, want %v", err, errContextAbandoned)
	}
}

func TestKeepGoRoot(t *testing.T) {
	tests := map[string]bool{
		"bin": true, "bin/go": true, "bin/gofmt": true,
		"src": true, "src/net/http/server.go": true, "src/cmd/test2json/main.go": true,
		"lib": true, "lib/time/zoneinfo.zip": true,
		"VERSION": true, "go.env": true,
		"pkg": true, "pkg/tool": true, "pkg/tool/linux_amd64/compile": true, "pkg/include/textflag.h": true,
		"pkg/linux_amd64/fmt.a": false, "pkg/obj": false, "pkg/toolchain": false,
		"test": false, "test/fixedbugs/x.go": false, "api/go1.txt": false, "doc/go_spec.html": false,
		"misc/wasm/wasm_exec.js": false, "LICENSE": false, "CONTRIBUTING.md": false,
	}
	for rel, want := range tests {
		if got := keepGoRoot(rel); got != want {
			t.Errorf("keepGoRoot(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestKeepModCache(t *testing.T) {
	tests := map[string]bool{
		"github.com/gin-gonic/gin@v1.12.0/gin.go":                    true,
		"cache/download/github.com/gin-gonic/gin/@v/v1.12.0.zip":     true,
		"cache/download/github.com/gin-gonic/gin/@v/v1.12.0.mod":     true,
		"cache/download/github.com/gin-gonic/gin/@v/v1.12.0.ziphash": true,
		"cache/download/sumdb":                                       false,
		"cache/vcs":                                                  false,
	}
	for rel, want := range tests {
		if got := keepModCache(rel); got != want {
			t.Errorf("keepModCache(%q) = %v, want %v", rel, got, want)
		}
	}
}
