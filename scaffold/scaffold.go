// Package scaffold writes a new challenge that works as it is: a
// statement, a starter, a reference solution, two mutants, visible and
// hidden tests and the golden results of every sample, in every language
// asked for, so that `grader challenge verify` passes before the
// instructor changes anything. docs/challenge-format.md walks through
// changing it.
//
// The files come from templates embedded in the binary, one set per
// suite kind: an http suite (a tiny JSON API of items) or a unit suite
// (one function, clamp, with hidden tests in each language's own test
// runner).
package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// templates holds, per suite kind, challenge.yaml.tmpl, README.md.tmpl and
// tests/ shared by every language, and per language <lang>/: the samples
// (starter/, solution/, mutants/<name>/), the language's own tests/ and
// the golden results in testdata/. A file ending .tmpl is a text/template
// written without the suffix; Go files and go.mod carry it so that the
// repository's module neither builds them nor stops at a nested module.
//
//go:embed all:templates
var templates embed.FS

// Suite kinds New can write.
const (
	// SuiteHTTP is a black-box http suite against a small JSON API.
	SuiteHTTP = "http"
	// SuiteGo is a unit suite: go for Go, and pytest or node-test for
	// the other languages.
	SuiteGo = "go"
)

// Suites lists the suite kinds, in the order they are shown.
var Suites = []string{SuiteHTTP, SuiteGo}

// ErrExists is returned (wrapped) by Write when the challenge's folder
// already exists.
var ErrExists = errors.New("folder exists")

// ErrInvalid is returned (wrapped) by Check and Write for options they
// cannot honour: an unknown suite or language, an id the loader refuses, a
// folder to write into that does not exist.
var ErrInvalid = errors.New("invalid options")

// invalid is an error about the options, which reads as its message and
// matches ErrInvalid.
type invalid struct{ msg string }

func (e *invalid) Error() string        { return e.msg }
func (e *invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalid{msg: fmt.Sprintf(format, args...)}
}

// Options say what to write.
type Options struct {
	// ID is the challenge's id and folder name; it must be an id the
	// loader accepts.
	ID string
	// Suite is SuiteHTTP or SuiteGo.
	Suite string
	// Languages are the languages the challenge is offered in, in this
	// order; empty means Go alone.
	Languages []grader.Language
}

// templateData is what the templates see.
type templateData struct {
	ID    string
	Title string
	// Module is the Go module path of the Go samples.
	Module string
	// Languages are the offered languages, as strings.
	Languages []string
	// LanguagesSection is whether challenge.yaml lists the languages:
	// not for Go alone, the default.
	LanguagesSection bool
}

// Check reports what is wrong with o, short of the id, which the loader
// judges when Write loads the challenge; each error says how to fix it
// and matches ErrInvalid.
func (o Options) Check() error {
	if !slices.Contains(Suites, o.Suite) {
		return invalidf("unknown suite %q; choose one of: %s", o.Suite, strings.Join(Suites, ", "))
	}
	seen := map[grader.Language]bool{}
	for _, l := range o.Languages {
		if !l.Known() {
			return invalidf("unknown language %q; choose among: %s", l, languageList())
		}
		if seen[l] {
			return invalidf("language %s is named twice; name each language once", l)
		}
		seen[l] = true
	}
	if o.ID == "" || o.ID == "." || o.ID == ".." || strings.ContainsAny(o.ID, `/\`) {
		return invalidID(o.ID, "use 2 to 41 lower-case letters, digits and dashes, starting with a letter")
	}
	return nil
}

// languages is o.Languages, or Go alone.
func (o Options) languages() []grader.Language {
	if len(o.Languages) == 0 {
		return []grader.Language{grader.LanguageGo}
	}
	return o.Languages
}

func languageList() string {
	names := make([]string, len(grader.Languages))
	for i, l := range grader.Languages {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

func invalidID(id, fix string) error {
	return invalidf("%q is not a valid challenge id: %s (e.g. url-shortener)", id, fix)
}

// Write writes the challenge o describes into the folder dir/<id>, which
// must not exist, and returns that folder. The challenge is written
// beside it first and loaded with package challenges: an id the loader
// refuses is an error saying why that matches ErrInvalid, and nothing is
// left behind. dir must exist. An existing folder is an error wrapping
// ErrExists.
func Write(dir string, o Options) (string, error) {
	if err := o.Check(); err != nil {
		return "", err
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return "", invalidf("no folder %s to write the challenge into; run from the repository's root or pass --dir with the catalog's folder", dir)
	}
	target := filepath.Join(dir, o.ID)
	if _, err := os.Lstat(target); err == nil {
		return "", fmt.Errorf("%w: %s already exists; choose another id or remove the folder", ErrExists, target)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("check %s: %w", target, err)
	}
	tmp, err := os.MkdirTemp(dir, ".new-"+o.ID+"-")
	if err != nil {
		return "", fmt.Errorf("make a folder in %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	staged := filepath.Join(tmp, o.ID)
	if err := writeFiles(staged, o); err != nil {
		return "", err
	}
	c, err := challenges.Load(staged)
	if err != nil {
		for _, p := range challenges.Problems(err) {
			if p.Field == "id" {
				return "", invalidID(o.ID, p.Fix)
			}
		}
		return "", fmt.Errorf("the new challenge does not load (a fault of the templates, please report it): %w", err)
	}
	if err := writeGoldens(staged, o, c); err != nil {
		return "", err
	}
	if err := os.Rename(staged, target); err != nil {
		return "", fmt.Errorf("move the new challenge to %s: %w", target, err)
	}
	return target, nil
}

// writeFiles renders every template of o into folder out.
func writeFiles(out string, o Options) error {
	data := templateData{ID: o.ID, Title: title(o.ID), Module: o.ID}
	for _, l := range o.languages() {
		data.Languages = append(data.Languages, string(l))
	}
	data.LanguagesSection = len(data.Languages) > 1 || data.Languages[0] != string(grader.LanguageGo)
	root := "templates/" + o.Suite
	return fs.WalkDir(templates, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, ok := destination(strings.TrimPrefix(name, root+"/"), o.languages())
		if !ok {
			return nil
		}
		src, err := templates.ReadFile(name)
		if err != nil {
			return err
		}
		if strings.HasSuffix(rel, ".tmpl") {
			rel = strings.TrimSuffix(rel, ".tmpl")
			if src, err = render(name, src, data); err != nil {
				return err
			}
		}
		return writeFile(filepath.Join(out, filepath.FromSlash(rel)), src)
	})
}

// destination maps a template's path under its suite's folder to the
// challenge's file, or reports false to leave it out: shared files stay
// where they are; a language's tests/ go to tests/, its samples to the
// root (Go) or languages/<lang>/, and its golden results are written by
// writeGoldens.
func destination(rel string, langs []grader.Language) (string, bool) {
	first, rest, found := strings.Cut(rel, "/")
	lang := grader.Language(first)
	if !found || !lang.Known() {
		return rel, true
	}
	if !slices.Contains(langs, lang) {
		return "", false
	}
	switch {
	case strings.HasPrefix(rest, "tests/"):
		return rest, true
	case strings.HasPrefix(rest, "testdata/"):
		return "", false
	case lang == grader.LanguageGo:
		return rest, true
	}
	return path.Join("languages", first, rest), true
}

// render executes template src.
func render(name string, src []byte, data templateData) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// writeGoldens writes the golden result of every sample into
// out/testdata, with the challenge's id and version: the templates keep
// them empty, since the version depends on the id.
func writeGoldens(out string, o Options, c *grader.Challenge) error {
	for _, l := range o.languages() {
		dir := "templates/" + o.Suite + "/" + string(l) + "/testdata"
		entries, err := fs.ReadDir(templates, dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("read %s: %w", dir, err)
		}
		for _, e := range entries {
			src, err := templates.ReadFile(dir + "/" + e.Name())
			if err != nil {
				return err
			}
			var res grader.Result
			if err := json.Unmarshal(src, &res); err != nil {
				return fmt.Errorf("read golden result %s: %w", e.Name(), err)
			}
			res.Challenge, res.ChallengeVersion = c.ID, c.Version
			b, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				return fmt.Errorf("encode golden result %s: %w", e.Name(), err)
			}
			if err := writeFile(filepath.Join(out, "testdata", e.Name()), append(b, '\n')); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("make folder for %s: %w", name, err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// title makes a first title from an id: url-shortener becomes "Url
// shortener".
func title(id string) string {
	t := strings.ReplaceAll(id, "-", " ")
	if t == "" {
		return t
	}
	return strings.ToUpper(t[:1]) + t[1:]
}
