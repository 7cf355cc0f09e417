package runner

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// tarEntry is one file or folder of the tar copied into a box.
type tarEntry struct {
	file grader.File
	dir  bool
}

// cleanName returns a File's name relative to FilesDir, or an error when
// it would leave FilesDir.
func cleanName(name string) (string, error) {
	clean := path.Clean(strings.TrimLeft(name, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("file %q leaves the files folder", name)
	}
	return clean, nil
}

// checkFiles reports the first file whose name leaves FilesDir.
func checkFiles(files []grader.File) error {
	for _, f := range files {
		if _, err := cleanName(f.Name); err != nil {
			return err
		}
	}
	return nil
}

// tarEntries returns files keyed by clean name, with every missing parent
// folder added (root-owned, 0755), in the order a tar needs: "." first,
// then parents before their children. A later file of the same name wins.
func tarEntries(files []grader.File) ([]string, map[string]tarEntry, error) {
	entries := make(map[string]tarEntry, len(files))
	for _, f := range files {
		name, err := cleanName(f.Name)
		if err != nil {
			return nil, nil, err
		}
		f.Name = name
		entries[name] = tarEntry{file: f, dir: f.Mode.IsDir()}
	}
	for name := range entries {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if _, ok := entries[d]; !ok {
				entries[d] = tarEntry{file: grader.File{Name: d, Mode: fs.ModeDir | 0o755}, dir: true}
			}
		}
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	// Sorting puts "a" before "a/b"; "." sorts after "-" and must lead.
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == ".":
			return -1
		case b == ".":
			return 1
		}
		return strings.Compare(a, b)
	})
	return names, entries, nil
}

// writeFilesTar writes files as a tar for CopyToContainer: folders from
// fs.ModeDir entries, parent folders added as needed, everything owned by
// root unless a File says Writable (then by the sandbox user). The daemon
// keeps these owners; times are the epoch so equal files pack equally.
func writeFilesTar(w io.Writer, files []grader.File) error {
	names, entries, err := tarEntries(files)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	epoch := time.Unix(0, 0)
	for _, n := range names {
		e := entries[n]
		owner := 0
		if e.file.Writable {
			owner = sandboxUID
		}
		h := &tar.Header{Name: n, Uid: owner, Gid: owner, ModTime: epoch, Format: tar.FormatPAX}
		if e.dir {
			h.Typeflag = tar.TypeDir
			h.Name = n + "/"
			if n == "." {
				// The daemon skips an entry named "." and so would leave
				// FilesDir as it was; "/" names the same folder and gets
				// its owner and mode applied.
				h.Name = "/"
			}
			// The owner must be able to enter its folder.
			h.Mode = int64(e.file.Mode.Perm() | 0o700)
		} else {
			h.Typeflag = tar.TypeReg
			h.Mode = int64(e.file.Mode.Perm())
			if h.Mode == 0 {
				h.Mode = 0o644
			}
			h.Size = int64(len(e.file.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("tar %s: %w", n, err)
		}
		if !e.dir {
			if _, err := tw.Write(e.file.Data); err != nil {
				return fmt.Errorf("tar %s: %w", n, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("close tar: %w", err)
	}
	return nil
}
