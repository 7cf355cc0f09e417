package runner

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// tarListing returns "name type uid:gid mode size data" for each entry.
func tarListing(t *testing.T, data []byte) []string {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, fmt.Sprintf("%s %c %d:%d %o %d %q", h.Name, h.Typeflag, h.Uid, h.Gid, h.Mode, h.Size, body))
	}
}

func TestWriteFilesTar(t *testing.T) {
	tests := []struct {
		name  string
		files []grader.File
		want  []string
	}{
		{
			name: "parents are made, root-owned",
			files: []grader.File{
				{Name: "a/b/c.go", Mode: 0o644, Data: []byte("package c")},
				{Name: "bin", Mode: 0o555, Data: []byte("ELF")},
			},
			want: []string{
				`a/ 5 0:0 755 0 ""`,
				`a/b/ 5 0:0 755 0 ""`,
				`a/b/c.go 0 0:0 644 9 "package c"`,
				`bin 0 0:0 555 3 "ELF"`,
			},
		},
		{
			name: "writable entries belong to the sandbox user, the files dir first",
			files: []grader.File{
				{Name: "out/log.txt", Mode: 0o600, Writable: true},
				{Name: "out", Mode: fs.ModeDir | 0o750, Writable: true},
				{Name: "-dash", Mode: 0o644},
				{Name: ".", Mode: fs.ModeDir | 0o755, Writable: true},
			},
			want: []string{
				`/ 5 65534:65534 755 0 ""`,
				`-dash 0 0:0 644 0 ""`,
				`out/ 5 65534:65534 750 0 ""`,
				`out/log.txt 0 65534:65534 600 0 ""`,
			},
		},
		{
			name: "names are cleaned, modes defaulted, folders enterable by their owner",
			files: []grader.File{
				{Name: "/abs/./x", Data: []byte("x")},
				{Name: "d", Mode: fs.ModeDir | 0o055},
			},
			want: []string{
				`abs/ 5 0:0 755 0 ""`,
				`abs/x 0 0:0 644 1 "x"`,
				`d/ 5 0:0 755 0 ""`,
			},
		},
		{
			name:  "a later file of the same name wins",
			files: []grader.File{{Name: "f", Data: []byte("one")}, {Name: "./f", Data: []byte("two")}},
			want:  []string{`f 0 0:0 644 3 "two"`},
		},
		{name: "nothing", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeFilesTar(&buf, tt.files); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tarListing(t, buf.Bytes())); diff != "" {
				t.Errorf("tar (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFilesLeavingTheFolderAreRefused(t *testing.T) {
	for _, name := range []string{"..", "../x", "a/../../x", "/../x"} {
		if err := writeFilesTar(io.Discard, []grader.File{{Name: name}}); err == nil {
			t.Errorf("writeFilesTar packed %q", name)
		}
		if err := checkFiles([]grader.File{{Name: "ok"}, {Name: name}}); err == nil {
			t.Errorf("checkFiles accepted %q", name)
		}
	}
	if err := checkFiles([]grader.File{{Name: "a/../b"}, {Name: "..x"}}); err != nil {
		t.Errorf("checkFiles refused names inside the folder: %v", err)
	}
}
