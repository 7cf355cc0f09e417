package grader

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Submission is a learner's solution, checked and ready to grade: a list
// of files in one language, with what that language needs at its root
// (go.mod for Go).
type Submission struct {
	// ID names the submission in labels, logs and results.
	ID string
	// Language is the language of the files; "" means LanguageGo.
	Language Language
	// Files are the learner's files, folders implied by their names.
	Files []File
}

// SubmissionLimits bound what a learner may upload. Zero fields take the
// defaults of DefaultSubmissionLimits.
type SubmissionLimits struct {
	// ArchiveBytes caps an uploaded archive as sent. Default 10 MiB.
	ArchiveBytes int64
	// Files caps the number of files. Default 500.
	Files int
	// FileBytes caps one file once unpacked. Default 2 MiB.
	FileBytes int64
	// TotalBytes caps all files once unpacked. Default 20 MiB.
	TotalBytes int64
	// Depth caps folder nesting. Default 16.
	Depth int
}

// DefaultSubmissionLimits are the limits a submission gets by default.
func DefaultSubmissionLimits() SubmissionLimits {
	return SubmissionLimits{ArchiveBytes: 10 << 20, Files: 500, FileBytes: 2 << 20, TotalBytes: 20 << 20, Depth: 16}
}

// WithDefaults returns l with every zero field set from
// DefaultSubmissionLimits.
func (l SubmissionLimits) WithDefaults() SubmissionLimits {
	d := DefaultSubmissionLimits()
	if l.ArchiveBytes <= 0 {
		l.ArchiveBytes = d.ArchiveBytes
	}
	if l.Files <= 0 {
		l.Files = d.Files
	}
	if l.FileBytes <= 0 {
		l.FileBytes = d.FileBytes
	}
	if l.TotalBytes <= 0 {
		l.TotalBytes = d.TotalBytes
	}
	if l.Depth <= 0 {
		l.Depth = d.Depth
	}
	return l
}

// RejectedError says why a submission was refused before anything ran. It
// is the learner's to fix, not a service fault.
type RejectedError struct {
	// Reason says what is wrong and how to fix it.
	Reason string
}

func (e *RejectedError) Error() string { return "submission rejected: " + e.Reason }

// Rejectf returns a *RejectedError with a formatted reason.
func Rejectf(format string, args ...any) error {
	return &RejectedError{Reason: fmt.Sprintf(format, args...)}
}

// IsRejected reports whether err (or one it wraps) is a *RejectedError.
func IsRejected(err error) bool {
	var re *RejectedError
	return errors.As(err, &re)
}

// reservedPrefix is where the grader keeps its own files in a box; learner
// files may not use it.
const reservedPrefix = ".grader"

// CleanName checks one path from a learner's upload and returns it in
// clean slash form ("./a//b" becomes "a/b"). It rejects absolute paths, "..", empty or odd names and
// names reserved by the grader.
func CleanName(name string) (string, error) {
	if strings.ContainsAny(name, "\x00\\") {
		return "", Rejectf("file name %q contains a NUL or backslash; use plain slash-separated names", name)
	}
	if len(name) > 1024 {
		return "", Rejectf("a file name is %d bytes long; keep paths under 1024 bytes", len(name))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", Rejectf("file name %q contains a control character; rename it", name)
		}
	}
	if strings.HasPrefix(name, "/") {
		return "", Rejectf("file name %q is an absolute path; archive the folder with relative paths", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", Rejectf("file name %q climbs out of the submission with ..; archive the folder with relative paths", name)
		}
		if len(part) > 255 {
			return "", Rejectf("a file or folder name in %q is longer than 255 bytes; rename it", name)
		}
	}
	// name is relative and has no "..", so its clean form is too.
	clean := path.Clean(name)
	if clean == "." || clean == "" {
		return "", Rejectf("empty file name in the submission")
	}
	if clean == reservedPrefix || strings.HasPrefix(clean, reservedPrefix+"/") || strings.HasPrefix(clean, reservedPrefix+"-") {
		return "", Rejectf("file name %q is reserved by the grader; rename it", name)
	}
	return clean, nil
}

// NewSubmission checks files against lim and returns a Go Submission with
// go.mod at its root. When every file sits in one top folder (a zipped
// folder), that folder is stripped. Files named by .git/ are dropped.
func NewSubmission(id string, files []File, lim SubmissionLimits) (Submission, error) {
	return NewSubmissionIn(id, LanguageGo, files, lim)
}

// NewSubmissionIn is NewSubmission for a submission in lang, whose root
// must hold what lang needs there: go.mod for Go, a .py file (or
// requirements.txt, pyproject.toml) for Python, a .js file (or
// package.json) for JavaScript.
func NewSubmissionIn(id string, lang Language, files []File, lim SubmissionLimits) (Submission, error) {
	if lang == "" {
		lang = LanguageGo
	}
	if !lang.Known() {
		return Submission{}, Rejectf("unknown language %q", lang)
	}
	lim = lim.WithDefaults()
	files = stripCommonFolder(files, lang)
	rooted := false
	seen := make(map[string]bool, len(files))
	var out []File
	var total int64
	count := 0
	for _, f := range files {
		name, err := CleanName(f.Name)
		if err != nil {
			return Submission{}, err
		}
		if name == ".git" || strings.HasPrefix(name, ".git/") {
			continue
		}
		if strings.Count(name, "/")+1 > lim.Depth {
			return Submission{}, Rejectf("%s is nested deeper than %d folders", name, lim.Depth)
		}
		if seen[name] {
			return Submission{}, Rejectf("%s appears twice in the archive", name)
		}
		seen[name] = true
		if f.Mode.IsDir() {
			continue
		}
		rooted = rooted || (!strings.Contains(name, "/") && lang.MarksRoot(name))
		count++
		if count > lim.Files {
			return Submission{}, Rejectf("more than %d files; submit only your source code", lim.Files)
		}
		if int64(len(f.Data)) > lim.FileBytes {
			return Submission{}, Rejectf("%s is %d bytes, more than the %d allowed for one file", name, len(f.Data), lim.FileBytes)
		}
		total += int64(len(f.Data))
		if total > lim.TotalBytes {
			return Submission{}, Rejectf("files add up to more than %d bytes unpacked; submit only your source code", lim.TotalBytes)
		}
		out = append(out, File{Name: name, Mode: f.Mode.Perm() & 0o755, Data: f.Data})
	}
	if !rooted {
		return Submission{}, Rejectf("%s", lang.rootRule())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return Submission{ID: id, Language: lang, Files: out}, nil
}

// stripCommonFolder drops a single top-level folder shared by every file
// when what lang needs at the root is not already there.
func stripCommonFolder(files []File, lang Language) []File {
	top := ""
	for _, f := range files {
		name := strings.TrimPrefix(f.Name, "./")
		if !f.Mode.IsDir() && !strings.Contains(name, "/") && lang.MarksRoot(name) {
			return files
		}
		i := strings.Index(name, "/")
		if i < 0 {
			if f.Mode.IsDir() && (top == "" || top == name) {
				top = name
				continue
			}
			return files
		}
		if top == "" {
			top = name[:i]
		} else if top != name[:i] {
			return files
		}
	}
	if top == "" || top == ".." {
		return files
	}
	out := make([]File, 0, len(files))
	for _, f := range files {
		name := strings.TrimPrefix(strings.TrimPrefix(f.Name, "./"), top)
		name = strings.TrimPrefix(name, "/")
		if name == "" {
			continue
		}
		f.Name = name
		out = append(out, f)
	}
	return out
}
