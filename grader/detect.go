package grader

import (
	"path"
	"strings"
)

// manifests are the files that name a submission's language for sure;
// source files only hint at it.
var manifests = map[string]Language{
	"go.mod":           LanguageGo,
	"requirements.txt": LanguagePython,
	"pyproject.toml":   LanguagePython,
	"package.json":     LanguageJavaScript,
}

// DetectLanguage tells the language of a submission's files (as uploaded:
// a single top folder is looked through) among those a challenge offers.
// A manifest at the root decides (go.mod, requirements.txt or
// pyproject.toml, package.json); without one, the source files at the
// root do (.go, .py, .js). When that names no language, several, or one
// not offered, the submission is rejected with a message naming the
// offered languages, so the learner can say which one they meant.
func DetectLanguage(files []File, offered []Language) (Language, error) {
	names := rootNames(files)
	found := map[Language]bool{}
	for _, n := range names {
		if l, ok := manifests[n]; ok {
			found[l] = true
		}
	}
	if len(found) == 0 {
		for _, n := range names {
			for _, l := range Languages {
				if l.SourceFile(n) {
					found[l] = true
				}
			}
		}
	}
	list := joinLanguages(offered)
	var langs []Language
	for _, l := range Languages {
		if found[l] {
			langs = append(langs, l)
		}
	}
	switch {
	case len(langs) == 0:
		return "", Rejectf("cannot tell the submission's language: no go.mod, .py, .js or package.json at its root; this challenge is offered in %s", list)
	case len(langs) > 1:
		return "", Rejectf("the submission could be %s; say which language it is (offered: %s)", joinLanguages(langs), list)
	}
	for _, l := range offered {
		if l == langs[0] {
			return l, nil
		}
	}
	return "", Rejectf("the submission is %s, but this challenge is offered in %s", langs[0], list)
}

// rootNames are the base names of the files at the submission's root,
// looking through a single top folder that holds everything.
func rootNames(files []File) []string {
	var direct []string
	inner := map[string][]string{}
	for _, f := range files {
		name := path.Clean(strings.TrimPrefix(f.Name, "./"))
		top, rest, nested := strings.Cut(name, "/")
		if !nested && !f.Mode.IsDir() {
			direct = append(direct, name)
			continue
		}
		// Every top folder counts, even one holding only folders.
		inner[top] = append(inner[top], "")
		if nested && !strings.Contains(rest, "/") {
			inner[top] = append(inner[top], rest)
		}
	}
	if len(direct) == 0 && len(inner) == 1 {
		for _, names := range inner {
			return names
		}
	}
	return direct
}

// ChooseLanguage settles a submission's language among those a challenge
// offers: lang when the submitter named one (it must be offered), else the
// one DetectLanguage finds in the files. Either way a refusal names the
// offered languages.
func ChooseLanguage(files []File, lang Language, offered []Language) (Language, error) {
	if lang == "" {
		return DetectLanguage(files, offered)
	}
	if !lang.Known() {
		return "", Rejectf("unknown language %.40q: use one of %s (offered here: %s)", lang, joinLanguages(Languages), joinLanguages(offered))
	}
	for _, l := range offered {
		if l == lang {
			return lang, nil
		}
	}
	return "", Rejectf("this challenge is not offered in %s; offered: %s", lang, joinLanguages(offered))
}

// NewSubmissionFor is NewSubmissionIn in the language ChooseLanguage
// settles.
func NewSubmissionFor(id string, lang Language, offered []Language, files []File, lim SubmissionLimits) (Submission, error) {
	chosen, err := ChooseLanguage(files, lang, offered)
	if err != nil {
		return Submission{}, err
	}
	return NewSubmissionIn(id, chosen, files, lim)
}
