package images

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestOf(t *testing.T) {
	a := digestOf("go", "1.26", "x")
	if a != digestOf("go", "1.26", "x") {
		t.Error("digest is not stable")
	}
	if a == digestOf("go", "1.26", "y") || a == digestOf("go", "1.26x", "") {
		t.Error("different inputs gave the same digest")
	}
}

func TestKeepGoRoot(t *testing.T) {
	for rel, want := range map[string]bool{
		"bin/go": true, "src/net/http/server.go": true, "lib/time/zoneinfo.zip": true, "VERSION": true, "go.env": true,
		"pkg": true, "pkg/tool/linux_amd64/compile": true, "pkg/include/textflag.h": true,
		"test/fixedbugs/x.go": false, "api/go1.txt": false, "doc/go_spec.html": false, "misc/wasm/x": false, "pkg/obj/x": false,
	} {
		if got := keepGoRoot(rel); got != want {
			t.Errorf("keepGoRoot(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestIsStatic(t *testing.T) {
	if err := isStatic("/bin/sh"); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Errorf("isStatic(/bin/sh) = %v, want a dynamically linked error", err)
	}
	text := filepath.Join(t.TempDir(), "x")
	os.WriteFile(text, []byte("#!/bin/sh\n"), 0o755)
	if err := isStatic(text); err == nil {
		t.Error("a script passed as a static executable")
	}
}

func TestWriteContext(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "bin"), 0o755)
	os.MkdirAll(filepath.Join(src, "test"), 0o755)
	os.WriteFile(filepath.Join(src, "bin", "go"), []byte("ELF"), 0o755)
	os.WriteFile(filepath.Join(src, "test", "skip.go"), []byte("x"), 0o644)
	var buf bytes.Buffer
	err := writeContext(&buf, "FROM scratch\n", []contextEntry{{name: "go", from: src, filter: keepGoRoot}, {name: "a.txt", mode: 0o644, data: []byte("a")}})
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&buf)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 {
			t.Errorf("%s owned by %d", h.Name, h.Uid)
		}
		names = append(names, h.Name)
	}
	if got := strings.Join(names, " "); got != "Dockerfile go/ go/bin/ go/bin/go a.txt" {
		t.Errorf("context holds %s", got)
	}
}

func TestDockerfilesAreEmbedded(t *testing.T) {
	for _, name := range []string{"go", "redis", "tools", "base-from"} {
		if !strings.Contains(dockerfile(name), "FROM") {
			t.Errorf("%s.Dockerfile has no FROM", name)
		}
	}
}
