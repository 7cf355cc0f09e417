package grader

import (
	"path"
	"strings"
)

// Language is a programming language a challenge may be solved in,
// spelled as in challenge.yaml and the JSON result document.
//
// For the engine a language is four things: the image that holds its
// toolchain and the packages learners may use, a build step that runs no
// learner code (compile, or byte-compile and resolve imports), how a
// service starts, and a unit-suite runner (go, pytest, node-test; see
// SuiteKind.Language); http suites grade every language alike.
type Language string

// Languages.
const (
	LanguageGo         Language = "go"
	LanguagePython     Language = "python"
	LanguageJavaScript Language = "javascript"
)

// Languages lists every language the engine knows, in the order they are
// shown.
var Languages = []Language{LanguageGo, LanguagePython, LanguageJavaScript}

// Images of the languages, as package runner/images builds them. They are
// written here only.
const (
	ImageGo     = "grader/go:local"
	ImagePython = "grader/python:local"
	ImageNode   = "grader/node:local"
)

// Known reports whether l is one of Languages.
func (l Language) Known() bool {
	for _, k := range Languages {
		if k == l {
			return true
		}
	}
	return false
}

// Interpreted reports whether the language runs its sources as they are:
// its build step checks them (syntax and imports) and its service box
// holds them instead of a compiled program.
func (l Language) Interpreted() bool {
	return l == LanguagePython || l == LanguageJavaScript
}

// DefaultImage is the image that builds and runs code in l.
func (l Language) DefaultImage() string {
	switch l {
	case LanguagePython:
		return ImagePython
	case LanguageJavaScript:
		return ImageNode
	}
	return ImageGo
}

// DefaultStart is how a service in l starts unless the challenge says
// otherwise: nil for Go, whose service is the program its build made.
func (l Language) DefaultStart() []string {
	switch l {
	case LanguagePython:
		return []string{"python3", "app.py"}
	case LanguageJavaScript:
		return []string{"node", "server.js"}
	}
	return nil
}

// SourceFile reports whether a submission's file named name is source
// code of l that its build step checks.
func (l Language) SourceFile(name string) bool {
	switch l {
	case LanguagePython:
		return strings.HasSuffix(name, ".py")
	case LanguageJavaScript:
		ext := path.Ext(name)
		return ext == ".js" || ext == ".mjs" || ext == ".cjs"
	}
	return strings.HasSuffix(name, ".go")
}

// MarksRoot reports whether a file at a submission's root (a base name)
// shows that the folder holding it is a submission in l: go.mod for Go;
// a requirements.txt, pyproject.toml or any .py file for Python; a
// package.json or any .js file for JavaScript.
func (l Language) MarksRoot(name string) bool {
	switch l {
	case LanguagePython:
		return name == "requirements.txt" || name == "pyproject.toml" || l.SourceFile(name)
	case LanguageJavaScript:
		return name == "package.json" || l.SourceFile(name)
	}
	return name == "go.mod"
}

// rootRule says, for a rejection, what a submission in l must hold at its
// root.
func (l Language) rootRule() string {
	switch l {
	case LanguagePython:
		return "no Python file (.py) at the root of the submission; submit the folder that holds your app"
	case LanguageJavaScript:
		return "no package.json or JavaScript file (.js) at the root of the submission; submit the folder that holds your server"
	}
	return "no go.mod at the root of the submission; submit the folder that contains go.mod"
}

// Offering is one language a challenge is offered in.
type Offering struct {
	// Language is the language.
	Language Language `json:"language"`
	// Image builds and runs code in the language; Language.DefaultImage
	// unless the challenge names another.
	Image string `json:"image"`
	// Start is how an http suite starts an interpreted language's service,
	// as the argv of a process run in the submission's folder; "$PORT" (or
	// "${PORT}") in an argument is replaced by the port. Empty for Go;
	// empty for another language means Language.DefaultStart.
	Start []string `json:"start,omitempty"`
	// Samples is the folder, relative to the challenge's, holding the
	// language's starter/, solution/ and mutants/ ("languages/python");
	// "" for Go's folders at the challenge's root.
	Samples string `json:"-"`
}

// Offering returns how the challenge is offered in l, and false when it is
// not. A challenge that lists no languages is offered in Go alone, with
// its Image.
func (c *Challenge) Offering(l Language) (Offering, bool) {
	if l == "" {
		l = LanguageGo
	}
	if len(c.Languages) == 0 {
		if l != LanguageGo {
			return Offering{}, false
		}
		img := c.Image
		if img == "" {
			img = ImageGo
		}
		return Offering{Language: LanguageGo, Image: img}, true
	}
	for _, o := range c.Languages {
		if o.Language == l {
			return o, true
		}
	}
	return Offering{}, false
}

// OfferedLanguages lists the languages the challenge is offered in.
func (c *Challenge) OfferedLanguages() []Language {
	if len(c.Languages) == 0 {
		return []Language{LanguageGo}
	}
	out := make([]Language, 0, len(c.Languages))
	for _, o := range c.Languages {
		out = append(out, o.Language)
	}
	return out
}

// startArgs is o.Start with "$PORT" and "${PORT}" replaced by port.
func (o Offering) startArgs(port string) []string {
	out := make([]string, len(o.Start))
	for i, a := range o.Start {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(a, "${PORT}", port), "$PORT", port)
	}
	return out
}
