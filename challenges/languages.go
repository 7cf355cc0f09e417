package challenges

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/gradebox/grader/grader"
)

// languagesDir holds one folder per offered language, each with its own
// starter/, solution/ and mutants/.
const languagesDir = "languages"

// knownLanguages lists the languages for messages: "go, python, javascript".
func knownLanguages() string {
	names := make([]string, len(grader.Languages))
	for i, l := range grader.Languages {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// languages checks the languages section and returns the offerings in
// grader.Languages order. A challenge without the section is offered in
// Go alone, with its samples at the challenge's root (nil is returned).
func (l *loader) languages(cf challengeFile, hasHTTP bool) []grader.Offering {
	if cf.Languages == nil {
		return nil
	}
	if len(cf.Languages) == 0 {
		l.bad("languages", "list at least one of "+knownLanguages()+", or leave the section out for Go alone", "is empty")
		return nil
	}
	for name := range cf.Languages {
		if !grader.Language(name).Known() {
			l.bad("languages."+name, "use one of "+knownLanguages(), "%q is not a language the grader offers", name)
		}
	}
	var out []grader.Offering
	for _, lang := range grader.Languages {
		lf, ok := cf.Languages[string(lang)]
		if !ok {
			continue
		}
		if lf == nil {
			lf = &languageFile{}
		}
		out = append(out, l.offering(lang, *lf, cf, hasHTTP))
	}
	return out
}

// offering checks one language's entry.
func (l *loader) offering(lang grader.Language, lf languageFile, cf challengeFile, hasHTTP bool) grader.Offering {
	field := "languages." + string(lang)
	o := grader.Offering{Language: lang, Image: lf.Image, Samples: path.Join(languagesDir, string(lang))}
	switch {
	case o.Image == "" && lang == grader.LanguageGo && cf.Image != "":
		o.Image = cf.Image
	case o.Image == "":
		o.Image = lang.DefaultImage()
	case strings.ContainsAny(o.Image, " \t\n"):
		l.bad(field+".image", "write an image reference such as "+lang.DefaultImage()+", or leave it out", "%q is not an image reference", o.Image)
	}
	if lang == grader.LanguageGo {
		if !l.isDir(o.Samples) {
			// Go's samples may stay at the challenge's root, as before
			// languages existed.
			o.Samples = ""
		}
		if lf.Start != nil {
			l.bad(field+".start", "remove it: a Go service is the program built from service.main", "is set for Go")
		}
		return o
	}
	switch {
	case lf.Start == nil:
	case !hasHTTP:
		l.bad(field+".start", "remove it, or add an http suite", "is set, but only http suites start a service")
	case len(lf.Start) == 0:
		l.bad(field+".start", fmt.Sprintf("name the program and its arguments, e.g. %q, or leave it out", lang.DefaultStart()), "is empty")
	case slices.Equal(lf.Start, grader.NPMStart) && lang != grader.LanguageJavaScript:
		l.bad(field+".start", "name the program and its arguments", "npm start runs a JavaScript package, not %s", lang)
	default:
		for i, a := range lf.Start {
			if strings.TrimSpace(a) == "" || strings.ContainsRune(a, 0) {
				l.bad(fmt.Sprintf("%s.start[%d]", field, i), "write each argument as a non-empty string", "%q is not an argument", a)
			}
		}
		o.Start = lf.Start
	}
	return o
}

// sampleFolders checks that every offered language has a starter, a
// solution and at least two mutants, each holding at its root what a
// submission in the language needs there. A draft may lack its starter
// and some mutants: that is a warning (see warn), not a problem.
func (l *loader) sampleFolders(offers []grader.Offering) {
	if offers == nil {
		offers = []grader.Offering{{Language: grader.LanguageGo}}
	}
	for _, o := range offers {
		l.samplesOf(o)
	}
}

// samplesOf checks the sample folders of one language.
func (l *loader) samplesOf(o grader.Offering) {
	need := rootNeed(o.Language)
	solution := path.Join(o.Samples, "solution")
	if !l.hasRootMarker(o.Language, solution) {
		l.add(solution, "", "make it a complete submission with "+need+" at its root", "is missing or does not hold %s", need)
	}
	starter := path.Join(o.Samples, "starter")
	switch {
	case !l.exists(starter):
		l.warn(starter, "", "add the code learners start from, a complete submission with "+need+" at its root", "is missing: learners get no starter code (a draft)")
	case !l.hasRootMarker(o.Language, starter):
		l.add(starter, "", "make it a complete submission with "+need+" at its root", "does not hold %s", need)
	}
	mutants := path.Join(o.Samples, "mutants")
	fix := "add at least two known-wrong solutions, each a complete submission in " + path.Join(mutants, "<name>") + "/"
	entries, err := fs.ReadDir(l.fsys, l.fsPath(mutants))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		l.add(mutants, "", fix, "cannot be read: %v", unwrapPath(err))
		return
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		if d := path.Join(mutants, e.Name()); !l.hasRootMarker(o.Language, d) {
			l.add(d, "", "make each mutant a complete submission with "+need+" at its root", "does not hold %s", need)
		}
	}
	switch {
	case err != nil:
		l.warn(mutants, "", fix, "is missing: nothing shows the hidden tests fail a wrong solution (a draft)")
	case n < 2:
		l.warn(mutants, "", fix, "holds %d mutant(s); a finished challenge has at least 2 (a draft)", n)
	}
}

// exists reports whether name exists (a link counts).
func (l *loader) exists(name string) bool {
	_, err := fs.Lstat(l.fsys, l.fsPath(name))
	return err == nil
}

// rootNeed says, for messages, what a submission in lang holds at its
// root.
func rootNeed(lang grader.Language) string {
	switch lang {
	case grader.LanguagePython:
		return "a .py file"
	case grader.LanguageJavaScript:
		return "package.json or a .js file"
	}
	return "go.mod"
}

// hasRootMarker reports whether folder dir holds a regular file that marks
// a submission's root in lang.
func (l *loader) hasRootMarker(lang grader.Language, dir string) bool {
	entries, err := fs.ReadDir(l.fsys, l.fsPath(dir))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Type().IsRegular() && lang.MarksRoot(e.Name()) {
			return true
		}
	}
	return false
}

// isDir reports whether name is a folder (not a link).
func (l *loader) isDir(name string) bool {
	info, err := fs.Lstat(l.fsys, l.fsPath(name))
	return err == nil && info.IsDir()
}

// suiteLanguages checks that every unit suite grades an offered language
// and that every offered language is graded by some suite, out of the
// same maximum score: one challenge, one score, whatever the language.
func (l *loader) suiteLanguages(c *grader.Challenge) {
	offered := c.OfferedLanguages()
	for i, s := range c.Suites {
		if own := s.Kind.Language(); own != "" && !slices.Contains(offered, own) {
			l.bad(fmt.Sprintf("suites[%d].kind", i), "offer the challenge in "+string(own)+" under languages, or remove the suite", "a %s suite grades %s, which the challenge does not offer", s.Kind, own)
		}
	}
	if c.HasSuite(grader.SuitePytest) || c.HasSuite(grader.SuiteNodeTest) {
		for k := range c.Env {
			if strings.HasPrefix(k, "PYTHON") || k == "NODE_OPTIONS" || k == "NODE_PATH" {
				l.bad("env."+k, "remove it: the grader alone sets how pytest and node:test start", "is set, but the challenge has a pytest or node-test suite")
			}
		}
	}
	if len(l.p.list) > 0 || len(c.Suites) == 0 {
		return
	}
	want := c.MaxScoreFor(offered[0])
	for _, lang := range offered {
		switch got := c.MaxScoreFor(lang); {
		case len(c.SuitesFor(lang)) == 0:
			l.bad("suites", "add an http suite, or a unit suite for "+string(lang)+" (go, pytest or node-test)", "no suite grades %s", lang)
		case got != want:
			l.bad("suites", "give every language's tests the same points in all", "%s is graded out of %d points, %s out of %d", offered[0], want, lang, got)
		}
	}
}
