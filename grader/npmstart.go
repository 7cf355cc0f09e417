package grader

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// NPMStart is the start command that runs the submission's own
// `npm start`. The image has no npm (nothing is installed while grading),
// so the grader reads package.json itself and runs its start script, which
// must be a plain `node <file> [arguments]`: no shell runs it.
var NPMStart = []string{"npm", "start"}

// npmStartCmd returns the command package.json's start script stands for
// or, when it cannot be run without npm and a shell, why (a message for
// the learner). Like npm, it runs `node server.js` when there is no start
// script and server.js exists.
func npmStartCmd(files []File) ([]string, string) {
	var manifest []byte
	hasServer := false
	for _, f := range files {
		switch f.Name {
		case "package.json":
			manifest = f.Data
		case "server.js":
			hasServer = true
		}
	}
	if manifest == nil {
		return nil, "package.json: missing; this challenge starts your service with npm start, which reads the start script of package.json at the root of your submission"
	}
	var pkg struct {
		Scripts map[string]any `json:"scripts"`
	}
	if err := json.Unmarshal(manifest, &pkg); err != nil {
		return nil, fmt.Sprintf("package.json: is not valid JSON: %v", err)
	}
	script, _ := pkg.Scripts["start"].(string)
	if strings.TrimSpace(script) == "" {
		if hasServer {
			return []string{"node", "server.js"}, ""
		}
		return nil, `package.json: no start script and no server.js; add "scripts": {"start": "node server.js"} naming your entry file`
	}
	args := strings.Fields(script)
	if args[0] != "node" || strings.ContainsAny(script, "|&;<>()$`\\\"'*?[]{}~") || slices.Contains(args, "--require") || slices.Contains(args, "-r") {
		return nil, fmt.Sprintf("package.json: the start script %q cannot run here: write it as node <file> [arguments] (nothing is installed and no shell runs it)", script)
	}
	return args, ""
}
