package grader

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type entry struct {
	name, body, link string
	typ              byte
}

func makeTar(t *testing.T, gz bool, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func makeZip(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestReadArchiveAccepts(t *testing.T) {
	gomod := entry{name: "go.mod", body: "module x\n"}
	main := entry{name: "main.go", body: "package main\n"}
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"tar", makeTar(t, false, gomod, main), []string{"go.mod", "main.go"}},
		{"tar.gz", makeTar(t, true, gomod, main), []string{"go.mod", "main.go"}},
		{"zip", makeZip(t, gomod, main), []string{"go.mod", "main.go"}},
		{"zipped folder is stripped", makeZip(t, entry{name: "notes/go.mod", body: "module x\n"}, entry{name: "notes/cmd/main.go", body: "package main\n"}), []string{"cmd/main.go", "go.mod"}},
		{"git folder dropped", makeTar(t, false, gomod, entry{name: ".git/config", body: "x"}), []string{"go.mod"}},
		{"link inside the tree becomes a copy", makeTar(t, false, gomod, main, entry{name: "alias.go", typ: tar.TypeSymlink, link: "main.go"}), []string{"alias.go", "go.mod", "main.go"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := ReadArchive("s1", bytes.NewReader(tc.data), SubmissionLimits{})
			if err != nil {
				t.Fatalf("ReadArchive: %v", err)
			}
			var got []string
			for _, f := range sub.Files {
				got = append(got, f.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("files = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadArchiveRejects(t *testing.T) {
	gomod := entry{name: "go.mod", body: "module x\n"}
	bomb := func() []byte {
		// 64 MiB of zeros compresses to a few tens of KiB.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		tw.WriteHeader(&tar.Header{Name: "go.mod", Mode: 0o644, Size: 9, Typeflag: tar.TypeReg})
		tw.Write([]byte("module x\n"))
		tw.WriteHeader(&tar.Header{Name: "big.txt", Mode: 0o644, Size: 64 << 20, Typeflag: tar.TypeReg})
		zero := make([]byte, 1<<20)
		for i := 0; i < 64; i++ {
			tw.Write(zero)
		}
		tw.Close()
		zw.Close()
		return buf.Bytes()
	}
	many := []entry{gomod}
	for i := 0; i < 600; i++ {
		many = append(many, entry{name: "f" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + "/" + strconv.Itoa(i) + ".go", body: "package x\n"})
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"dot dot", makeTar(t, false, gomod, entry{name: "../evil.go", body: "x"}), "climbs out"},
		{"nested dot dot", makeTar(t, false, gomod, entry{name: "a/../../evil.go", body: "x"}), "climbs out"},
		{"absolute", makeTar(t, false, gomod, entry{name: "/etc/passwd", body: "x"}), "absolute path"},
		{"symlink out", makeTar(t, false, gomod, entry{name: "l", typ: tar.TypeSymlink, link: "../../etc/passwd"}), "points outside"},
		{"symlink absolute", makeTar(t, false, gomod, entry{name: "l", typ: tar.TypeSymlink, link: "/var/run/docker.sock"}), "absolute path"},
		{"hard link out", makeTar(t, false, gomod, entry{name: "l", typ: tar.TypeLink, link: "../x"}), "outside"},
		{"device", makeTar(t, false, gomod, entry{name: "dev", typ: tar.TypeChar}), "not a regular file"},
		{"too many files", makeTar(t, false, many...), "more than 500 files"},
		{"decompression bomb", bomb(), "more than the"},
		{"not an archive", []byte("hello world, definitely not an archive"), "not a zip"},
		{"no go.mod", makeTar(t, false, entry{name: "main.go", body: "package main"}), "no go.mod"},
		{"control character", makeTar(t, false, gomod, entry{name: "evil\nname.go", body: "x"}), "control character"},
		{"long name", makeTar(t, false, gomod, entry{name: strings.Repeat("a", 300) + ".go", body: "x"}), "longer than 255"},
		{"reserved name", makeTar(t, false, gomod, entry{name: ".grader-out/suite.test", body: "x"}), "reserved"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadArchive("s1", bytes.NewReader(tc.data), SubmissionLimits{})
			if err == nil {
				t.Fatalf("ReadArchive accepted it")
			}
			if !IsRejected(err) {
				t.Fatalf("error %v is not a rejection", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestReadArchiveTooLarge(t *testing.T) {
	data := makeTar(t, false, entry{name: "go.mod", body: strings.Repeat("x", 2048)})
	_, err := ReadArchive("s1", bytes.NewReader(data), SubmissionLimits{ArchiveBytes: 1024})
	if !IsRejected(err) || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Fatalf("err = %v, want a rejection for size", err)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module x\n")
	write("main.go", "package main\n")
	write("internal/a/a.go", "package a\n")
	write(".git/HEAD", "ref")
	sub, err := ReadDir("s", dir, SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Files) != 3 {
		t.Fatalf("files = %+v, want 3", sub.Files)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "evil")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDir("s", dir, SubmissionLimits{}); !IsRejected(err) || !strings.Contains(err.Error(), "absolute path") {
		t.Fatalf("symlink to /etc/passwd: err = %v", err)
	}
	os.Remove(filepath.Join(dir, "evil"))
	os.Symlink("../../outside", filepath.Join(dir, "internal", "evil"))
	if _, err := ReadDir("s", dir, SubmissionLimits{}); !IsRejected(err) {
		t.Fatalf("symlink out of the tree: err = %v", err)
	}
}
