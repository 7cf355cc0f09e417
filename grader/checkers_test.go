package grader

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runChecker runs an embedded checker with the host's interpreter on
// files, and returns its report and exit code. Without the interpreter
// the test is skipped: the images' own runs are the integration tests'.
func runChecker(t *testing.T, interpreter string, args []string, script []byte, files map[string]string) ([]string, int) {
	t.Helper()
	bin, err := exec.LookPath(interpreter)
	if err != nil {
		t.Skipf("no %s on this machine", interpreter)
	}
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	for name, data := range files {
		p := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checker := filepath.Join(dir, "checker")
	if err := os.WriteFile(checker, script, 0o444); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(append(args, checker), work)...)
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(work, "RAN")); err == nil {
		t.Error("the checker ran learner code: work/RAN exists")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines, code
}

func TestPythonChecker(t *testing.T) {
	ran := "open(__file__.rsplit('/', 1)[0] + '/RAN', 'w').write('x')\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"clean", map[string]string{
			"app.py":          "import os, json\nfrom pkg import mod\nimport helper\n" + ran,
			"helper.py":       ran,
			"pkg/__init__.py": "from .mod import x\nfrom . import sub\n",
			"pkg/mod.py":      "x = 1\n",
			"pkg/sub/deep.py": "from ..mod import x\nfrom .. import mod\n",
		}, nil},
		{"relative imports that cannot resolve", map[string]string{
			"app.py":     "from . import helper\n",
			"helper.py":  "",
			"pkg/mod.py": "from .missing import x\nfrom .. import helper\n",
		}, []string{
			"app.py:1: imports ., which climbs above the submission's packages (a module run from the root has no package)",
			"pkg/mod.py:1: imports .missing, which is not a file or folder of the submission",
			"pkg/mod.py:2: imports .., which climbs above the submission's packages (a module run from the root has no package)",
		}},
		{"syntax error", map[string]string{"app.py": ran + "def f(:\n"}, []string{"app.py:2: syntax error: invalid syntax: def f(:"}},
		{"missing module", map[string]string{"app.py": ran + "import no_such_module_xyz.sub\n"}, []string{"app.py:2: imports no_such_module_xyz, which the image does not offer"}},
		{"optional import", map[string]string{"app.py": "try:\n    import no_such_module_xyz\nexcept ImportError:\n    pass\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, code := runChecker(t, "python3", []string{"-I", "-B"}, checkPython, tc.files)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if want := map[bool]int{true: checkProblems, false: 0}[len(tc.want) > 0]; code != want {
				t.Errorf("exit code %d, want %d", code, want)
			}
		})
	}
}

func TestJavaScriptChecker(t *testing.T) {
	ran := "require('fs').writeFileSync(__dirname + '/RAN', 'x');\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"clean", map[string]string{
			"server.js":     ran + "const h = require('./lib/helper');\nconst fs = require('node:fs');\nconst p = require(\"path\");\n// require('no-such-package-xyz')\n/* import x from 'no-such-package-xyz' */\n",
			"lib/helper.js": ran + "module.exports = {};\n",
			"esm.mjs":       "import { readFile } from 'fs/promises';\nexport { x } from './lib/helper.js';\n",
		}, nil},
		{"syntax error", map[string]string{"server.js": ran + "function f( {\n"}, []string{"server.js:3: syntax error: SyntaxError: Unexpected end of input"}},
		{"missing package", map[string]string{"server.js": ran + "\nconst x = require('no-such-package-xyz/sub');\n"}, []string{"server.js:3: requires no-such-package-xyz, which the image does not offer"}},
		{"missing file", map[string]string{"server.js": ran + "require('./nope');\n"}, []string{"server.js:2: requires ./nope, which is not a file of the submission"}},
		{"outside the submission", map[string]string{"server.js": ran + "require('../checker');\n"}, []string{"server.js:2: requires ../checker, which is not a file of the submission"}},
		{"node_modules", map[string]string{"server.js": "", "node_modules/x/index.js": ran}, []string{"node_modules:1: node_modules/ is not allowed: packages come from the image; remove the folder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, code := runChecker(t, "node", nil, checkJavaScript, tc.files)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if want := map[bool]int{true: checkProblems, false: 0}[len(tc.want) > 0]; code != want {
				t.Errorf("exit code %d, want %d", code, want)
			}
		})
	}
}
