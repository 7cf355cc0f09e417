package images

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// buildContext is a build context for the classic builder: a Dockerfile
// at the root, generated or host files, and host folders, written as one
// tar stream. Everything in it is owned by root and writable by its
// owner only; COPY --chown in the Dockerfile gives things away.
type buildContext struct {
	Dockerfile string
	Files      []contextFile
	Trees      []contextTree
}

// contextFile is one file of a build context: Data, or the host file at
// Path, streamed.
type contextFile struct {
	Name string
	Mode int64
	Data []byte
	Path string
}

// contextTree is a host folder copied, recursively, under Name. Keep, when
// set, decides by slash-separated path relative to Dir which entries go
// in; a folder left out is left out with everything under it.
type contextTree struct {
	Name string
	Dir  string
	Keep func(rel string) bool
}

// epoch is the modification time of generated entries, so equal contexts
// are equal tars.
var epoch = time.Unix(0, 0)

// write writes bc to w as a tar stream and closes the tar (not w).
func (bc buildContext) write(w io.Writer) error {
	tw := &contextWriter{tw: tar.NewWriter(w), dirs: map[string]bool{}}
	if err := tw.file(contextFile{Name: "Dockerfile", Mode: 0o644, Data: []byte(bc.Dockerfile)}); err != nil {
		return err
	}
	for _, f := range bc.Files {
		if err := tw.file(f); err != nil {
			return err
		}
	}
	for _, t := range bc.Trees {
		if err := tw.tree(t); err != nil {
			return err
		}
	}
	if err := tw.tw.Close(); err != nil {
		return fmt.Errorf("close context tar: %w", err)
	}
	return nil
}

// contextWriter writes tar entries, adding each parent folder once.
type contextWriter struct {
	tw   *tar.Writer
	dirs map[string]bool
}

func (cw *contextWriter) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." || cw.dirs[dir] {
		return nil
	}
	if err := cw.parents(dir); err != nil {
		return err
	}
	cw.dirs[dir] = true
	return cw.header(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: epoch})
}

func (cw *contextWriter) header(h *tar.Header) error {
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	h.Mode &^= 0o022
	h.Format = tar.FormatPAX
	if err := cw.tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write context entry %s: %w", h.Name, err)
	}
	return nil
}

func (cw *contextWriter) file(f contextFile) error {
	if err := cw.parents(f.Name); err != nil {
		return err
	}
	if f.Path == "" {
		if err := cw.header(&tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: f.Mode, Size: int64(len(f.Data)), ModTime: epoch}); err != nil {
			return err
		}
		if _, err := cw.tw.Write(f.Data); err != nil {
			return fmt.Errorf("write context entry %s: %w", f.Name, err)
		}
		return nil
	}
	src, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("context file %s: %w", f.Name, err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return fmt.Errorf("context file %s: %w", f.Name, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("context file %s: %s is not a regular file", f.Name, f.Path)
	}
	if err := cw.header(&tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: f.Mode, Size: info.Size(), ModTime: epoch}); err != nil {
		return err
	}
	if _, err := io.Copy(cw.tw, src); err != nil {
		return fmt.Errorf("write context entry %s: %w", f.Name, err)
	}
	return nil
}

// tree adds t.Dir under t.Name: folders, regular files and symbolic links
// (kept as links); other kinds of files are left out.
func (cw *contextWriter) tree(t contextTree) error {
	if err := cw.parents(t.Name + "/x"); err != nil {
		return err
	}
	return filepath.WalkDir(t.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("context folder %s: %w", t.Name, err)
		}
		rel, err := filepath.Rel(t.Dir, p)
		if err != nil {
			return fmt.Errorf("context folder %s: %w", t.Name, err)
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if t.Keep != nil && !t.Keep(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("context folder %s: %w", t.Name, err)
		}
		name := t.Name + "/" + rel
		switch {
		case d.IsDir():
			cw.dirs[name] = true
			return cw.header(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: int64(info.Mode().Perm()), ModTime: info.ModTime()})
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("context folder %s: %w", t.Name, err)
			}
			return cw.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: info.ModTime()})
		case info.Mode().IsRegular():
			return cw.regular(name, p, info)
		}
		return nil
	})
}

func (cw *contextWriter) regular(name, p string, info fs.FileInfo) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("context entry %s: %w", name, err)
	}
	defer f.Close()
	if err := cw.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: int64(info.Mode().Perm()), Size: info.Size(), ModTime: info.ModTime()}); err != nil {
		return err
	}
	// A file that grew since Stat would break the tar: copy exactly Size.
	if _, err := io.CopyN(cw.tw, f, info.Size()); err != nil {
		return fmt.Errorf("write context entry %s: %w", name, err)
	}
	return nil
}

// keepGoRoot keeps what the go command needs from a GOROOT: the commands,
// the sources (Go builds the standard library from source), the tools,
// the headers, the time zone database, go.env and VERSION; not the
// toolchain's own tests, API files, docs or misc.
func keepGoRoot(rel string) bool {
	top, rest, _ := strings.Cut(rel, "/")
	switch top {
	case "bin", "src", "lib", "go.env", "VERSION":
		return true
	case "pkg":
		sub, _, _ := strings.Cut(rest, "/")
		return rest == "" || sub == "tool" || sub == "include"
	}
	return false
}

// keepModCache leaves out of a module cache what an offline build with
// GOPROXY=off and GOSUMDB=off never reads: version-control checkouts and
// the checksum database's tiles.
func keepModCache(rel string) bool {
	return rel != "cache/vcs" && rel != "cache/download/sumdb"
}
