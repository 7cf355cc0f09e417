package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// OfferedPath is where grader/python:local and grader/node:local hold
// their Offered list, as JSON. The image build writes it from what it
// really installed, so it cannot drift from the image.
const OfferedPath = "/opt/grader/offered.json"

// Languages of the runtime images, as Offered.Language spells them.
const (
	LanguagePython = "python"
	LanguageNode   = "node"
)

// Offered is what learner code may import in a runtime image: the
// third-party modules Debian installed and the runtime's standard
// library. A name in neither is not in the image, and the network is
// closed while grading, so a submission that needs it cannot build.
type Offered struct {
	// Language is LanguagePython or LanguageNode.
	Language string `json:"language"`
	// Runtime is the interpreter's version: "3.11.2", "v18.20.4".
	Runtime string `json:"runtime"`
	// Packages are the Debian packages the image was asked for (the
	// interpreter's own excluded), each with the modules it installs.
	Packages []OfferedPackage `json:"packages"`
	// Modules are every importable top-level name outside the standard
	// library, sorted: the packages' modules and their dependencies'
	// (werkzeug, pydantic, starlette...). Python: top-level modules and
	// packages of Debian's dist-packages; node: package names require
	// resolves from node's global paths (/usr/share/nodejs...).
	Modules []string `json:"modules"`
	// Stdlib is the standard library, sorted. Python: sys.stdlib_module_names;
	// node: module.builtinModules (each also loads as "node:<name>"), and
	// the built-ins that load only with the prefix, prefixed ("node:test").
	Stdlib []string `json:"stdlib"`
}

// OfferedPackage is one Debian package the image was asked for.
type OfferedPackage struct {
	// Debian is the package's name, e.g. "python3-flask".
	Debian string `json:"debian"`
	// Version is its Debian version, e.g. "2.2.2-3".
	Version string `json:"version"`
	// Modules are the top-level names it installs, e.g. ["flask"].
	Modules []string `json:"modules"`
}

// ParseOffered decodes and checks an Offered list: a known language, a
// runtime, and sorted, unique, non-empty module lists in which every
// package's modules appear.
func ParseOffered(data []byte) (Offered, error) {
	var o Offered
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return Offered{}, fmt.Errorf("decode offered list: %w", err)
	}
	if err := o.validate(); err != nil {
		return Offered{}, fmt.Errorf("offered list: %w", err)
	}
	return o, nil
}

func (o Offered) validate() error {
	if o.Language != LanguagePython && o.Language != LanguageNode {
		return fmt.Errorf("language %q, want %q or %q", o.Language, LanguagePython, LanguageNode)
	}
	if o.Runtime == "" {
		return errors.New("no runtime version")
	}
	if err := checkNames("modules", o.Modules); err != nil {
		return err
	}
	if err := checkNames("stdlib", o.Stdlib); err != nil {
		return err
	}
	if len(o.Packages) == 0 {
		return errors.New("no packages")
	}
	for _, p := range o.Packages {
		if p.Debian == "" || p.Version == "" || len(p.Modules) == 0 {
			return fmt.Errorf("package %q: needs a name, a version and at least one module", p.Debian)
		}
		for _, m := range p.Modules {
			if !has(o.Modules, m) {
				return fmt.Errorf("package %s: module %q is not in modules", p.Debian, m)
			}
		}
	}
	return nil
}

// checkNames says whether names are non-empty, sorted and unique.
func checkNames(field string, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("%s: empty", field)
	}
	for i, n := range names {
		if n == "" || strings.TrimSpace(n) != n {
			return fmt.Errorf("%s: bad name %q", field, n)
		}
		if i > 0 && names[i-1] >= n {
			return fmt.Errorf("%s: %q after %q: not sorted and unique", field, n, names[i-1])
		}
	}
	return nil
}

// TopLevel returns the name under which an import is offered: Python's
// first dotted part ("flask" for "flask.json"); for node, the package of a
// require path ("express" for "express/lib/router", "@scope/pkg" for
// "@scope/pkg/x"), and a "node:" built-in whole. Relative and absolute
// paths are the learner's own files, not packages: TopLevel returns ""
// for them.
func (o Offered) TopLevel(name string) string {
	if o.Language == LanguagePython {
		if strings.HasPrefix(name, ".") {
			return ""
		}
		top, _, _ := strings.Cut(name, ".")
		return top
	}
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "/") {
		return ""
	}
	if strings.HasPrefix(name, "node:") {
		return name
	}
	parts := strings.SplitN(name, "/", 3)
	if strings.HasPrefix(name, "@") && len(parts) >= 2 {
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

// Provides reports whether an import or require of name resolves in the
// image: to its standard library or to an installed module. Relative
// imports are the learner's own and are not judged here (false). Node's
// built-ins match whole ("fs/promises"), with or without "node:"; a few
// exist only with it ("node:test"), and are listed so.
func (o Offered) Provides(name string) bool {
	if o.Language == LanguageNode {
		if has(o.Stdlib, name) || has(o.Stdlib, strings.TrimPrefix(name, "node:")) {
			return true
		}
		top := o.TopLevel(name)
		return top != "" && !strings.HasPrefix(top, "node:") && has(o.Modules, top)
	}
	top := o.TopLevel(name)
	return top != "" && (has(o.Stdlib, top) || has(o.Modules, top))
}

// has reports whether sorted holds name.
func has(sorted []string, name string) bool {
	_, found := slices.BinarySearch(sorted, name)
	return found
}

// summaryDeps is how many modules that came with the packages Summary
// names one by one; past it, it counts them.
const summaryDeps = 40

// Summary lists, for a learner, what the image offers beyond the
// standard library: each requested package with its version and
// modules, then the modules that came with them (their number only when
// there are many, as in the node image).
func (o Offered) Summary() string {
	var b strings.Builder
	named := map[string]bool{}
	for i, p := range o.Packages {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s %s)", strings.Join(p.Modules, ", "), p.Debian, p.Version)
		for _, m := range p.Modules {
			named[m] = true
		}
	}
	var deps []string
	for _, m := range o.Modules {
		if !named[m] && !strings.HasPrefix(m, "_") {
			deps = append(deps, m)
		}
	}
	switch {
	case len(deps) > summaryDeps:
		fmt.Fprintf(&b, "; with them, %d more (listed in %s)", len(deps), OfferedPath)
	case len(deps) > 0:
		fmt.Fprintf(&b, "; with them: %s", strings.Join(deps, ", "))
	}
	return b.String()
}
