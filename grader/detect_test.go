package grader

import (
	"strings"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	all := []Language{LanguageGo, LanguagePython, LanguageJavaScript}
	files := func(names ...string) []File {
		var out []File
		for _, n := range names {
			out = append(out, File{Name: n, Mode: 0o644})
		}
		return out
	}
	tests := []struct {
		name    string
		files   []File
		offered []Language
		want    Language
		wantErr string
	}{
		{"go module", files("go.mod", "main.go"), all, LanguageGo, ""},
		{"python script", files("app.py"), all, LanguagePython, ""},
		{"python manifest wins over a stray script", files("requirements.txt", "app.py", "build.js"), all, LanguagePython, ""},
		{"javascript package", files("package.json", "src/index.js"), all, LanguageJavaScript, ""},
		{"go module with a helper script", files("go.mod", "main.go", "gen.py"), all, LanguageGo, ""},
		{"zipped folder", files("proj/server.js", "proj/lib/x.js"), all, LanguageJavaScript, ""},
		{"zipped folder with its entry", []File{{Name: "proj", Mode: modeDir | 0o755}, {Name: "proj/app.py"}}, all, LanguagePython, ""},
		{"ambiguous sources", files("app.py", "server.js"), all, "", "could be python, javascript"},
		{"ambiguous manifests", files("go.mod", "package.json"), all, "", "could be go, javascript"},
		{"nothing known", files("README.md", "src/app.py"), all, "", "cannot tell"},
		{"not offered", files("app.py"), []Language{LanguageGo}, "", "is python, but this challenge is offered in go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DetectLanguage(tc.files, tc.offered)
			if tc.wantErr != "" {
				if !IsRejected(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a rejection containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestChooseLanguage(t *testing.T) {
	py := []File{{Name: "app.py", Mode: 0o644}}
	offered := []Language{LanguageGo, LanguagePython}
	for _, tc := range []struct {
		name    string
		files   []File
		lang    Language
		want    Language
		wantErr string
	}{
		{"detected", py, "", LanguagePython, ""},
		{"named", py, LanguagePython, LanguagePython, ""},
		{"named, not offered", py, LanguageJavaScript, "", "not offered in javascript; offered: go, python"},
		{"unknown", py, "ruby", "", `unknown language "ruby"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChooseLanguage(tc.files, tc.lang, offered)
			if tc.wantErr != "" {
				if !IsRejected(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a rejection saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	// A named language applies its own root rule to the files.
	if _, err := NewSubmissionFor("s", LanguageGo, offered, py, SubmissionLimits{}); !IsRejected(err) || !strings.Contains(err.Error(), "go.mod") {
		t.Errorf("Python files named Go: %v, want the go.mod rule", err)
	}
	sub, err := NewSubmissionFor("s", "", offered, []File{{Name: "src/app.py", Mode: 0o644, Data: []byte("x")}}, SubmissionLimits{})
	if err != nil || sub.Language != LanguagePython || sub.Files[0].Name != "app.py" {
		t.Errorf("a zipped Python folder: %+v, %v", sub, err)
	}
}
