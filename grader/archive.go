package grader

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ReadArchive reads a learner's archive (zip, tar or gzip-compressed tar,
// recognised by content) into a checked Submission. Names may start with
// "./" and the root folder may be an entry ("." or "./"), as in archives
// made with `tar -czf x.tgz -C dir .`. Anything that could
// escape the submission or exhaust the grader is rejected with a
// *RejectedError: more than lim.ArchiveBytes sent, absolute names, "..",
// links that leave the tree, devices, too many files, and archives that
// unpack to more than the limits (decompression bombs are cut off while
// reading, whatever their headers claim).
func ReadArchive(id string, r io.Reader, lim SubmissionLimits) (Submission, error) {
	return ReadArchiveIn(id, LanguageGo, r, lim)
}

// ReadArchiveIn is ReadArchive for a submission in lang (see
// NewSubmissionIn).
func ReadArchiveIn(id string, lang Language, r io.Reader, lim SubmissionLimits) (Submission, error) {
	files, err := ReadArchiveFiles(r, lim)
	if err != nil {
		return Submission{}, err
	}
	return NewSubmissionIn(id, lang, files, lim)
}

// ReadArchiveFor is ReadArchive for a submission in the language chosen
// among offered (see ChooseLanguage): lang when set, else the one its
// files show.
func ReadArchiveFor(id string, lang Language, offered []Language, r io.Reader, lim SubmissionLimits) (Submission, error) {
	files, err := ReadArchiveFiles(r, lim)
	if err != nil {
		return Submission{}, err
	}
	return NewSubmissionFor(id, lang, offered, files, lim)
}

// ReadArchiveFiles unpacks an archive with ReadArchive's rules, before
// any rule of a language: NewSubmissionFor checks them once the language
// is known.
func ReadArchiveFiles(r io.Reader, lim SubmissionLimits) ([]File, error) {
	lim = lim.WithDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.ArchiveBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	if int64(len(data)) > lim.ArchiveBytes {
		return nil, Rejectf("the archive is larger than %d bytes; submit only your source code", lim.ArchiveBytes)
	}
	var files []File
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		files, err = readZip(data, lim)
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		gz, gzErr := gzip.NewReader(bytes.NewReader(data))
		if gzErr != nil {
			return nil, Rejectf("the archive looks gzip-compressed but cannot be read: %v", gzErr)
		}
		files, err = readTar(gz, lim)
	case len(data) > 262 && string(data[257:262]) == "ustar":
		files, err = readTar(bytes.NewReader(data), lim)
	default:
		return nil, Rejectf("the upload is not a zip, tar or tar.gz archive")
	}
	if err != nil {
		return nil, err
	}
	return files, nil
}

// budget tracks unpacked bytes and file counts while reading an archive,
// so a bomb is stopped before it is in memory.
type budget struct {
	lim   SubmissionLimits
	files int
	total int64
}

func (b *budget) read(name string, r io.Reader) ([]byte, error) {
	b.files++
	if b.files > b.lim.Files {
		return nil, Rejectf("more than %d files; submit only your source code", b.lim.Files)
	}
	data, err := io.ReadAll(io.LimitReader(r, b.lim.FileBytes+1))
	if err != nil {
		return nil, Rejectf("%s cannot be read from the archive: %v", name, err)
	}
	if int64(len(data)) > b.lim.FileBytes {
		return nil, Rejectf("%s unpacks to more than the %d bytes allowed for one file", name, b.lim.FileBytes)
	}
	b.total += int64(len(data))
	if b.total > b.lim.TotalBytes {
		return nil, Rejectf("the archive unpacks to more than %d bytes; submit only your source code", b.lim.TotalBytes)
	}
	return data, nil
}

func readTar(r io.Reader, lim SubmissionLimits) ([]File, error) {
	tr := tar.NewReader(r)
	b := &budget{lim: lim}
	var files []File
	links := map[string]string{}
	entries := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Rejectf("the tar archive is damaged: %v", err)
		}
		entries++
		if entries > 4*lim.Files {
			return nil, Rejectf("the archive holds more than %d entries", 4*lim.Files)
		}
		if h.Typeflag == tar.TypeDir && isRoot(h.Name) {
			continue
		}
		name, err := CleanName(h.Name)
		if err != nil {
			return nil, err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			files = append(files, File{Name: name, Mode: fs.ModeDir | 0o755})
		case tar.TypeReg:
			data, err := b.read(name, tr)
			if err != nil {
				return nil, err
			}
			files = append(files, File{Name: name, Mode: fs.FileMode(h.Mode).Perm(), Data: data})
		case tar.TypeSymlink:
			target, err := linkTarget(name, h.Linkname)
			if err != nil {
				return nil, err
			}
			links[name] = target
		case tar.TypeLink:
			target, err := CleanName(h.Linkname)
			if err != nil {
				return nil, Rejectf("hard link %s points outside the submission (%s)", name, h.Linkname)
			}
			links[name] = target
		case tar.TypeXGlobalHeader:
		default:
			return nil, Rejectf("%s is not a regular file, folder or link (tar type %q); submit source files only", name, h.Typeflag)
		}
	}
	return resolveLinks(files, links, b)
}

func readZip(data []byte, lim SubmissionLimits) ([]File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, Rejectf("the zip archive is damaged: %v", err)
	}
	if len(zr.File) > 4*lim.Files {
		return nil, Rejectf("the archive holds more than %d entries", 4*lim.Files)
	}
	b := &budget{lim: lim}
	var files []File
	links := map[string]string{}
	for _, zf := range zr.File {
		if zf.Mode().IsDir() && isRoot(zf.Name) {
			continue
		}
		name, err := CleanName(zf.Name)
		if err != nil {
			return nil, err
		}
		mode := zf.Mode()
		switch {
		case mode.IsDir():
			files = append(files, File{Name: name, Mode: fs.ModeDir | 0o755})
		case mode&fs.ModeSymlink != 0:
			rc, err := zf.Open()
			if err != nil {
				return nil, Rejectf("%s cannot be read from the archive: %v", name, err)
			}
			target, err := io.ReadAll(io.LimitReader(rc, 4096))
			rc.Close()
			if err != nil {
				return nil, Rejectf("%s cannot be read from the archive: %v", name, err)
			}
			t, err := linkTarget(name, string(target))
			if err != nil {
				return nil, err
			}
			links[name] = t
		case mode.IsRegular():
			rc, err := zf.Open()
			if err != nil {
				return nil, Rejectf("%s cannot be read from the archive: %v", name, err)
			}
			data, err := b.read(name, rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
			files = append(files, File{Name: name, Mode: mode.Perm(), Data: data})
		default:
			return nil, Rejectf("%s is not a regular file, folder or link; submit source files only", name)
		}
	}
	return resolveLinks(files, links, b)
}

// isRoot reports whether an archive's folder entry names the archive's
// root, as "." or "./" (what `tar -C dir .` writes first): it is skipped,
// since every file is in it anyway.
func isRoot(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part != "." && part != "" {
			return false
		}
	}
	return true
}

// linkTarget resolves a symbolic link's target relative to the link and
// rejects one that leaves the submission.
func linkTarget(name, target string) (string, error) {
	if strings.HasPrefix(target, "/") {
		return "", Rejectf("link %s points to the absolute path %s; links must stay inside the submission", name, target)
	}
	joined := path.Join(path.Dir(name), target)
	if joined == ".." || strings.HasPrefix(joined, "../") {
		return "", Rejectf("link %s points outside the submission (%s)", name, target)
	}
	return CleanName(joined)
}

// resolveLinks replaces links with copies of the regular files they name;
// a link to a folder, a missing file or another link is rejected.
func resolveLinks(files []File, links map[string]string, b *budget) ([]File, error) {
	if len(links) == 0 {
		return files, nil
	}
	byName := make(map[string]File, len(files))
	for _, f := range files {
		byName[f.Name] = f
	}
	for name, target := range links {
		f, ok := byName[target]
		if !ok || f.Mode.IsDir() {
			return nil, Rejectf("link %s points to %s, which is not a file in the submission; replace the link with the file", name, target)
		}
		data, err := b.read(name, bytes.NewReader(f.Data))
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: name, Mode: f.Mode, Data: data})
	}
	return files, nil
}

// ReadDir reads a learner's folder into a checked Submission, with the
// same rules as ReadArchive: links may only name files inside the folder,
// and the folder's size and file count are bounded.
func ReadDir(id, dir string, lim SubmissionLimits) (Submission, error) {
	return ReadDirIn(id, LanguageGo, dir, lim)
}

// ReadDirIn is ReadDir for a submission in lang (see NewSubmissionIn).
func ReadDirIn(id string, lang Language, dir string, lim SubmissionLimits) (Submission, error) {
	files, err := readDirFiles(dir, lim)
	if err != nil {
		return Submission{}, err
	}
	return NewSubmissionIn(id, lang, files, lim)
}

// readDirFiles reads a folder with ReadDir's rules, before any rule of a
// language.
func readDirFiles(dir string, lim SubmissionLimits) ([]File, error) {
	lim = lim.WithDefaults()
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, Rejectf("cannot read %s: %v", dir, err)
	}
	if !st.IsDir() {
		return nil, Rejectf("%s is not a folder", dir)
	}
	b := &budget{lim: lim}
	var files []File
	links := map[string]string{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return Rejectf("cannot read %s: %v", p, err)
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() && (d.Name() == ".git" || name == ".git") {
			return filepath.SkipDir
		}
		if _, err := CleanName(name); err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if strings.Count(name, "/")+1 > lim.Depth {
				return Rejectf("%s is nested deeper than %d folders", name, lim.Depth)
			}
			files = append(files, File{Name: name, Mode: fs.ModeDir | 0o755})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return Rejectf("cannot read link %s: %v", name, err)
			}
			t, err := linkTarget(name, filepath.ToSlash(target))
			if err != nil {
				return err
			}
			links[name] = t
		case d.Type().IsRegular():
			fh, err := os.Open(p)
			if err != nil {
				return Rejectf("cannot read %s: %v", name, err)
			}
			defer fh.Close()
			data, err := b.read(name, fh)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return Rejectf("cannot read %s: %v", name, err)
			}
			files = append(files, File{Name: name, Mode: info.Mode().Perm(), Data: data})
		default:
			return Rejectf("%s is not a regular file, folder or link; submit source files only", name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resolveLinks(files, links, b)
}

// ReadPath reads a Go submission from a folder or an archive file.
func ReadPath(id, p string, lim SubmissionLimits) (Submission, error) {
	return ReadPathIn(id, LanguageGo, p, lim)
}

// ReadPathIn reads a submission in lang from a folder or an archive file.
func ReadPathIn(id string, lang Language, p string, lim SubmissionLimits) (Submission, error) {
	files, err := readPathFiles(p, lim)
	if err != nil {
		return Submission{}, err
	}
	return NewSubmissionIn(id, lang, files, lim)
}

// ReadPathFor reads a submission from a folder or an archive file in the
// language chosen among offered (see ChooseLanguage).
func ReadPathFor(id string, lang Language, offered []Language, p string, lim SubmissionLimits) (Submission, error) {
	files, err := readPathFiles(p, lim)
	if err != nil {
		return Submission{}, err
	}
	return NewSubmissionFor(id, lang, offered, files, lim)
}

// readPathFiles reads a folder or an archive file, before any rule of a
// language.
func readPathFiles(p string, lim SubmissionLimits) ([]File, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, Rejectf("cannot read %s: %v", p, err)
	}
	if st.IsDir() {
		return readDirFiles(p, lim)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, Rejectf("cannot read %s: %v", p, err)
	}
	defer f.Close()
	return ReadArchiveFiles(f, lim)
}
