package runner

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// sandboxUID owns files marked Writable.
const sandboxUID = 65534

// filesTar packs files as a tar in memory; see writeFilesTar.
func filesTar(files []grader.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeFilesTar(&buf, files); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFilesTar writes files as a tar to copy into a box: parent folders
// are added as needed, owned by root unless a File says Writable.
func writeFilesTar(w io.Writer, files []grader.File) error {
	tw := tar.NewWriter(w)
	epoch := time.Unix(0, 0)
	dirs := map[string]bool{}
	type entry struct {
		f   grader.File
		dir bool
	}
	entries := map[string]entry{}
	for _, f := range files {
		name := path.Clean(strings.TrimPrefix(f.Name, "/"))
		if name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("file %q leaves the destination", f.Name)
		}
		f.Name = name
		entries[name] = entry{f: f, dir: f.Mode.IsDir()}
		for d := path.Dir(name); d != "." && d != "/"; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for d := range dirs {
		if _, ok := entries[d]; !ok {
			entries[d] = entry{f: grader.File{Name: d, Mode: fs.ModeDir | 0o755}, dir: true}
		}
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	// "." first, then parents before children.
	sort.Slice(names, func(i, j int) bool {
		if names[i] == "." || names[j] == "." {
			return names[i] == "."
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		e := entries[n]
		uid := 0
		if e.f.Writable {
			uid = sandboxUID
		}
		h := &tar.Header{Name: n, Uid: uid, Gid: uid, ModTime: epoch, Format: tar.FormatPAX}
		if e.dir {
			h.Typeflag = tar.TypeDir
			h.Name = n + "/"
			if n == "." {
				h.Name = "./"
			}
			h.Mode = int64(e.f.Mode.Perm() | 0o700)
		} else {
			h.Typeflag = tar.TypeReg
			h.Mode = int64(e.f.Mode.Perm())
			if h.Mode == 0 {
				h.Mode = 0o644
			}
			h.Size = int64(len(e.f.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("tar %s: %w", n, err)
		}
		if !e.dir {
			if _, err := tw.Write(e.f.Data); err != nil {
				return fmt.Errorf("tar %s: %w", n, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("close tar: %w", err)
	}
	return nil
}
