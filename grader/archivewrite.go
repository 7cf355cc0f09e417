package grader

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"sort"
	"time"
)

// WriteArchive writes files as a gzip-compressed tar that ReadArchive
// reads back as the same files: regular files only (folders are implied
// by the names), sorted by name, mode 0755 for executables and 0644 for
// the rest, with a fixed time, so the same files always give the same
// bytes. It is how a submission checked on the learner's side travels to
// the service.
func WriteArchive(w io.Writer, files []File) error {
	sorted := make([]File, 0, len(files))
	for _, f := range files {
		if f.Mode.IsRegular() {
			sorted = append(sorted, f)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, f := range sorted {
		mode := int64(0o644)
		if f.Mode.Perm()&0o111 != 0 {
			mode = 0o755
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: mode, Size: int64(len(f.Data)), ModTime: archiveTime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("write archive: %s: %w", f.Name, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return fmt.Errorf("write archive: %s: %w", f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	return nil
}

// archiveTime stamps every entry WriteArchive writes.
var archiveTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
