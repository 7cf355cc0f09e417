// Package challenges loads the challenge catalog: folders holding a
// challenge.yaml, a statement (README.md), starter and reference code,
// hidden tests and known-wrong mutants. One loader parses and validates all
// of it into grader.Challenge values and reports every problem it finds at
// once, each as an *Error naming the file, its line, the test it is in,
// the field and the fix. What a draft lacks (a starter, two mutants) is a
// warning on the loaded challenge instead (grader.Challenge.Warnings).
//
// The format is documented for instructors in docs/challenge-format.md.
package challenges

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gradebox/grader/grader"
)

// DefaultImage builds and runs learner code unless a challenge names
// another.
const DefaultImage = grader.ImageGo

// Load reads and validates the challenge in folder dir on disk. Files are
// read through an os.Root, so no link inside the folder can make the
// loader read outside it. Errors name files as dir/<name> (dir as given).
// On success the Challenge's Dir is dir made absolute.
//
// A broken challenge yields every problem found, joined with errors.Join;
// each is an *Error (see Problems). Other errors (an unreadable folder)
// are returned as they are. A draft (no starter yet, fewer than two
// mutants) loads, with what it lacks in its Warnings.
func Load(dir string) (*grader.Challenge, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve challenge folder %s: %w", dir, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open challenge folder %s: %w", dir, err)
	}
	defer root.Close()
	c, err := load(root.FS(), ".", dir, filepath.Base(abs))
	if err != nil {
		return nil, err
	}
	c.Dir = abs
	return c, nil
}

// LoadFS reads and validates the challenge in folder dir of fsys (a
// slash-separated fs path, "." for the root). Errors name files as
// dir/<name>. The id must equal dir's last element unless dir is ".".
// The Challenge's Dir is left empty: it is not on disk.
func LoadFS(fsys fs.FS, dir string) (*grader.Challenge, error) {
	dir = path.Clean(dir)
	if !fs.ValidPath(dir) {
		return nil, fmt.Errorf("load challenge: %q is not a valid fs path", dir)
	}
	folder := ""
	if dir != "." {
		folder = path.Base(dir)
	}
	return load(fsys, dir, dir, folder)
}

// load reads the challenge at dir in fsys. shown is how the folder is named
// in errors; folder is the name the id must equal ("" when unknown).
func load(fsys fs.FS, dir, shown, folder string) (*grader.Challenge, error) {
	l := &loader{fsys: fsys, dir: dir, shown: shown, folder: folder}
	c := l.challenge()
	l.p.sortByLine()
	if err := l.p.err(); err != nil {
		return nil, err
	}
	c.Warnings = l.warnings
	return c, nil
}

// loader validates one challenge, collecting its problems.
type loader struct {
	fsys   fs.FS
	dir    string // the challenge's folder in fsys
	shown  string // the folder as errors name it
	folder string // the folder's own name, "" when unknown
	p      problems
	// docs are the YAML files read so far, by name, to place problems.
	docs map[string]*yamlDoc
	// warnings are the problems a draft may have (see warn).
	warnings []string
}

// fsPath is name (relative to the challenge) as a path in fsys.
func (l *loader) fsPath(name string) string { return path.Join(l.dir, name) }

// file is name (relative to the challenge) as errors show it.
func (l *loader) file(name string) string {
	return filepath.ToSlash(filepath.Join(l.shown, filepath.FromSlash(name)))
}

func (l *loader) read(name string) ([]byte, error) { return fs.ReadFile(l.fsys, l.fsPath(name)) }

// add records a problem in file name (relative to the challenge). In a
// YAML file the problem gets its line and the name of the test (or suite)
// it is in; a problem inside a value that could not be decoded is a
// knock-on of that one and is dropped.
func (l *loader) add(name, field, fix, format string, args ...any) {
	if d := l.docs[name]; d != nil && d.knockOn(field) {
		return
	}
	l.place(name, &Error{File: l.file(name), Field: field, Problem: fmt.Sprintf(format, args...), Fix: fix})
}

// place records e, a problem in file name, giving it the line and the
// name of the part it is in when name is a YAML file read so far.
func (l *loader) place(name string, e *Error) {
	if d := l.docs[name]; d != nil {
		if e.Line == 0 {
			e.Line = d.line(e.Field)
		}
		e.In, e.Field = d.label(e.Field)
	}
	l.p.list = append(l.p.list, e)
}

// warn records a warning about file name: something a finished
// challenge has and a draft may lack (a starter, two mutants). Warnings
// do not stop the challenge from loading; they are its Warnings.
func (l *loader) warn(name, field, fix, format string, args ...any) {
	e := &Error{File: l.file(name), Field: field, Problem: fmt.Sprintf(format, args...), Fix: fix}
	l.warnings = append(l.warnings, e.Error())
}

// readYAML decodes the YAML file name into v (see decodeYAML); name
// names the file's parts with the labels nameParts returns for the
// decoded value. ok is false when the file cannot be read or is not YAML.
func (l *loader) readYAML(name string, v any, fix string, nameParts func() map[string]string) bool {
	data, err := l.read(name)
	if err != nil {
		return false
	}
	doc, found, ok := l.decodeYAML(name, data, v, fix)
	if ok && nameParts != nil {
		doc.labels = nameParts()
	}
	if l.docs == nil {
		l.docs = map[string]*yamlDoc{}
	}
	l.docs[name] = doc
	for _, e := range found {
		l.place(name, e)
	}
	return ok
}

// yamlName is the definition file of a challenge.
const yamlName = "challenge.yaml"

// challenge reads, checks and converts everything; problems go to l.p.
func (l *loader) challenge() *grader.Challenge {
	if _, err := l.read(yamlName); err != nil {
		l.add(yamlName, "", "create it (see docs/challenge-format.md)", "cannot be read: %v", unwrapPath(err))
		return nil
	}
	var cf challengeFile
	if !l.readYAML(yamlName, &cf, "fix the YAML (see docs/challenge-format.md)", nil) {
		// The rest of the folder can still be checked, so that one run
		// shows more.
		l.statement()
		l.checkFolders(nil)
		return nil
	}
	c := l.convert(cf)
	c.Statement = l.statement()
	l.checkFolders(c.Languages)
	c.Version = l.version()
	return c
}

// statement reads README.md, which must hold some text.
func (l *loader) statement() string {
	const name = "README.md"
	data, err := l.read(name)
	switch {
	case err != nil:
		l.add(name, "", "write the statement learners read, in Markdown", "cannot be read: %v", unwrapPath(err))
	case strings.TrimSpace(string(data)) == "":
		l.add(name, "", "write the statement learners read, in Markdown", "is empty")
	}
	return string(data)
}

// checkFolders checks the samples of every offered language (Go's alone
// when offers is nil) and that tests/ has its own go.mod when it holds Go
// files (so the repository's module never compiles hidden tests).
func (l *loader) checkFolders(offers []grader.Offering) {
	l.sampleFolders(offers)
	hasGo := false
	_ = fs.WalkDir(l.fsys, l.fsPath("tests"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			hasGo = true
			return fs.SkipAll
		}
		return nil
	})
	if hasGo && !l.isFile("tests/go.mod") {
		l.add("tests/go.mod", "", "add it with the two lines `module hidden` and `go 1.26`, so the repository's own module never compiles the hidden tests", "is missing while tests/ holds Go files")
	}
}

// isFile reports whether name is a regular file (not a link).
func (l *loader) isFile(name string) bool {
	info, err := fs.Lstat(l.fsys, l.fsPath(name))
	return err == nil && info.Mode().IsRegular()
}

// version digests challenge.yaml and every file under tests/: their paths
// (relative to the challenge, sorted) and contents. The statement, starter,
// solution and mutants do not decide a score and are left out.
func (l *loader) version() string {
	names := []string{yamlName}
	err := fs.WalkDir(l.fsys, l.fsPath("tests"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, l.dir+"/")
		switch {
		case d.IsDir():
		case d.Type()&fs.ModeSymlink != 0:
			l.add(rel, "", "replace the link with the file itself", "is a symbolic link; files under tests/ must be regular files")
		case d.Type().IsRegular():
			names = append(names, rel)
		default:
			l.add(rel, "", "remove it", "is not a regular file")
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		l.add("tests", "", "make the folder readable", "cannot be read: %v", unwrapPath(err))
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		data, err := l.read(name)
		if err != nil {
			l.add(name, "", "make the file readable", "cannot be read: %v", unwrapPath(err))
			continue
		}
		// The length keeps the boundary between content and the next path
		// unambiguous; paths hold no NUL.
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// unwrapPath drops the *fs.PathError wrapper, whose path repeats what the
// Error's File already says.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
