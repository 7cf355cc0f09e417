package images

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestRuntimeInputs checks what a runtime image's digest covers: its own
// Dockerfile, the base, the interpreter and every package, the offered
// list's script.
func TestRuntimeInputs(t *testing.T) {
	for _, r := range []runtime{pythonRuntime, nodeRuntime} {
		t.Run(r.tag, func(t *testing.T) {
			in := r.inputs("sha256:base")
			if in.Image != r.tag || in.Parent != "sha256:base" || in.Dockerfile != dockerfile(r.dockerfile) {
				t.Errorf("inputs %+v", in)
			}
			if in.Packages[0] != r.interpreter || !slices.Equal(in.Packages[1:], r.packages) {
				t.Errorf("packages %v, want %s then %v", in.Packages, r.interpreter, r.packages)
			}
			if in.Sources[r.script] == "" || in.Sources[r.script] != script(r.script) {
				t.Errorf("sources %v lack the script %s", in.Sources, r.script)
			}
			if r.inputs("sha256:other").digest() == in.digest() {
				t.Error("another base kept the digest")
			}
			fewer := r
			fewer.packages = r.packages[1:]
			if fewer.inputs("sha256:base").digest() == in.digest() {
				t.Error("a shorter package list kept the digest")
			}
			// The Dockerfile installs the packages it is given and writes
			// the offered list where OfferedPath says.
			for _, want := range []string{"FROM " + Base, "ARG RUNTIME", "ARG PACKAGES", "$RUNTIME $PACKAGES", "--no-install-recommends",
				"> " + OfferedPath, "USER 65534:65534", "HOME=/tmp"} {
				if !strings.Contains(in.Dockerfile, want) {
					t.Errorf("%s.Dockerfile lacks %q", r.dockerfile, want)
				}
			}
		})
	}
}

// TestInputsWithoutPackages guards the images that existed
// before the runtimes: adding the Packages field must not move their
// digests (it is left out of their JSON).
func TestInputsWithoutPackages(t *testing.T) {
	b, err := json.Marshal(inputs{Image: Redis, Dockerfile: "FROM x\n"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "packages") {
		t.Errorf("inputs without packages encode them: %s", b)
	}
}
