package grader

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadArchiveDotEntries: `tar -C dir .` names the root "./" and
// every file "./x"; such archives are read as if made without the dot.
func TestReadArchiveDotEntries(t *testing.T) {
	dir := func(name string) entry { return entry{name: name, typ: tar.TypeDir} }
	file := func(name string) entry { return entry{name: name, body: "package main\n"} }
	gomod := func(name string) entry { return entry{name: name, body: "module x\n"} }
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"tar -C dir .", makeTar(t, true, dir("./"), gomod("./go.mod"), dir("./cmd/"), file("./cmd/main.go")), []string{"cmd/main.go", "go.mod"}},
		{"root as .", makeTar(t, false, dir("."), gomod("./go.mod"), file("./main.go")), []string{"go.mod", "main.go"}},
		{"root as ./.", makeTar(t, false, dir("./."), gomod("go.mod")), []string{"go.mod"}},
		{"doubled slash", makeTar(t, false, gomod(".//go.mod"), file("././/main.go")), []string{"go.mod", "main.go"}},
		{"dot inside", makeTar(t, false, gomod("././go.mod"), file("a/./b.go")), []string{"a/b.go", "go.mod"}},
		{"zip with ./", makeZip(t, entry{name: "./"}, gomod("./go.mod"), file("./main.go")), []string{"go.mod", "main.go"}},
		{"folder under ./ is stripped", makeTar(t, false, dir("./"), dir("./notes/"), gomod("./notes/go.mod"), file("./notes/main.go")), []string{"go.mod", "main.go"}},
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
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadArchiveDotStillRefused: only a folder may be the root; a file
// with an empty name, or a dot path that climbs, is still refused.
func TestReadArchiveDotStillRefused(t *testing.T) {
	gomod := entry{name: "go.mod", body: "module x\n"}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"file named .", makeTar(t, false, gomod, entry{name: ".", body: "x"}), "empty file name"},
		{"folder a/..", makeTar(t, false, gomod, entry{name: "a/..", typ: tar.TypeDir}), "climbs out"},
		{"folder ./..", makeTar(t, false, gomod, entry{name: "./..", typ: tar.TypeDir}), "climbs out"},
		{"absolute folder", makeTar(t, false, gomod, entry{name: "/", typ: tar.TypeDir}), "absolute path"},
		{"link to the root", makeTar(t, false, gomod, entry{name: "l", typ: tar.TypeSymlink, link: "."}), "empty file name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadArchive("s1", bytes.NewReader(tc.data), SubmissionLimits{})
			if !IsRejected(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a rejection saying %q", err, tc.want)
			}
		})
	}
}

// TestReadArchiveMadeByTar reads an archive made by the tar command the
// README gives, `tar -czf x.tgz -C <solution> .`, of the notes-api
// reference.
func TestReadArchiveMadeByTar(t *testing.T) {
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("no tar command on this machine")
	}
	src := filepath.Join("..", "challenges", "notes-api", "solution")
	archive := filepath.Join(t.TempDir(), "notes.tar.gz")
	if out, err := exec.Command(tarBin, "-czf", archive, "-C", src, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	want, err := ReadDir("s1", src, SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadPath("s1", archive, SubmissionLimits{})
	if err != nil {
		t.Fatalf("ReadPath(%s): %v", archive, err)
	}
	if diff := cmp.Diff(names(want.Files), names(got.Files)); diff != "" {
		t.Errorf("files (-folder +archive):\n%s", diff)
	}
	for i := range got.Files {
		if !bytes.Equal(got.Files[i].Data, want.Files[i].Data) {
			t.Errorf("%s differs from the folder's", got.Files[i].Name)
		}
	}
	if _, err := os.Stat(archive); err != nil {
		t.Fatal(err)
	}
}

func names(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}
