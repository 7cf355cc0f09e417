package grader

import (
	"fmt"
	"path"
	"strings"
)

// shadowProblem returns why a Python or JavaScript submission's files
// cannot be run with the grader's runners and packages, or "": files
// that would stand in for the image's packages or hook into the
// interpreter's start (a node_modules folder; site-packages, a
// sitecustomize.py, usercustomize.py, conftest.py or .pth file), and
// names the grader keeps for its own files.
func shadowProblem(lang Language, files []File) string {
	for _, f := range files {
		parts := strings.Split(f.Name, "/")
		base := path.Base(f.Name)
		if strings.HasPrefix(parts[0], ".grader-") {
			return fmt.Sprintf("%s: names starting with .grader- are kept for the grader's own files; rename it", f.Name)
		}
		switch lang {
		case LanguageJavaScript:
			for _, p := range parts {
				if p == "node_modules" {
					return fmt.Sprintf("%s: a submission may not bring a node_modules folder; remove it, only the packages of the grading image are used", f.Name)
				}
			}
		case LanguagePython:
			for _, p := range parts {
				if p == "site-packages" || p == "dist-packages" {
					return fmt.Sprintf("%s: a submission may not bring a %s folder; remove it, only the packages of the grading image are used", f.Name, p)
				}
			}
			switch {
			case base == "sitecustomize.py" || base == "usercustomize.py" || base == "conftest.py":
				return fmt.Sprintf("%s: a submission may not bring a %s; remove it, the grader runs Python and pytest with its own settings", f.Name, base)
			case strings.HasSuffix(base, ".pth"):
				return fmt.Sprintf("%s: a submission may not bring .pth files; remove it, only the packages of the grading image are used", f.Name)
			}
		}
	}
	return ""
}
