package grader

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteArchiveRoundTrips(t *testing.T) {
	files := []File{
		{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")},
		{Name: "main.go", Mode: 0o600, Data: []byte("package main\n")},
		{Name: "store", Mode: fs.ModeDir | 0o755},
		{Name: "store/store.go", Mode: 0o644, Data: []byte("package store\n")},
		{Name: "run.sh", Mode: 0o700, Data: []byte("#!/bin/sh\n")},
		{Name: "empty.txt", Mode: 0o644},
	}
	var a, b bytes.Buffer
	if err := WriteArchive(&a, files); err != nil {
		t.Fatal(err)
	}
	if err := WriteArchive(&b, []File{files[4], files[3], files[0], files[1], files[5]}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same files in another order gave other bytes")
	}
	sub, err := ReadArchive("x", &a, SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range sub.Files {
		if f.Mode.IsRegular() {
			got[f.Name+" "+f.Mode.Perm().String()] = string(f.Data)
		}
	}
	want := map[string]string{
		"empty.txt -rw-r--r--":      "",
		"go.mod -rw-r--r--":         "module x\n",
		"main.go -rw-r--r--":        "package main\n",
		"run.sh -rwxr-xr-x":         "#!/bin/sh\n",
		"store/store.go -rw-r--r--": "package store\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}
