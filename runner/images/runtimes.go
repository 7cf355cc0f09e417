package images

import (
	"context"
	"fmt"
	"strings"
)

// runtime is a language runtime image: an interpreter and libraries from
// Debian's archive, installed with apt-get on the base image.
type runtime struct {
	tag string
	// dockerfile names dockerfiles/<name>.Dockerfile.
	dockerfile string
	// interpreter is the interpreter's Debian package.
	interpreter string
	// packages are the Debian packages whose modules learners may import;
	// their dependencies come along.
	packages []string
	// script is the program, in scripts/, that writes the offered list.
	script string
}

// pythonRuntime and nodeRuntime are the runtime images. Their versions are bookworm's
// (python3 3.11, nodejs 18); apt-get installs no recommended packages,
// so pip and npm stay out.
var (
	pythonRuntime = runtime{
		tag:         Python,
		dockerfile:  "python",
		interpreter: "python3",
		packages: []string{
			"python3-fastapi", "python3-flask", "python3-httpx", "python3-psycopg", "python3-pytest",
			"python3-redis", "python3-requests", "python3-uvicorn",
		},
		script: "offered.py",
	}
	nodeRuntime = runtime{
		tag:         Node,
		dockerfile:  "node",
		interpreter: "nodejs",
		packages:    []string{"node-express", "node-pg", "node-redis"},
		script:      "offered.js",
	}
)

// inputs are what decide a runtime image: its Dockerfile, the base
// image, the package list and the offered list's script. The versions
// apt-get picks are the mirror's on the day of the build, as for the
// base's debootstrap; `grader images build --force` takes newer ones.
func (r runtime) inputs(parent string) inputs {
	return inputs{
		Image:      r.tag,
		Dockerfile: dockerfile(r.dockerfile),
		Parent:     parent,
		Packages:   append([]string{r.interpreter}, r.packages...),
		Sources:    map[string]string{r.script: script(r.script)},
	}
}

// plan makes the runtime image on the base. Its RUN step is the one, with
// base-from's, that has network: apt-get reaches Debian's mirror, as
// debootstrap does; no registry is asked.
func (r runtime) plan(b *builder) func(context.Context) (recipe, error) {
	return func(ctx context.Context) (recipe, error) {
		parent, err := b.imageID(ctx, Base)
		if err != nil {
			return recipe{}, err
		}
		in := r.inputs(parent)
		return recipe{digest: in.digest(), make: func(ctx context.Context, digest string) error {
			fmt.Fprintf(b.progress, "%s: apt-get install %s %s\n", r.tag, r.interpreter, strings.Join(r.packages, " "))
			interpreter, packages := r.interpreter, strings.Join(r.packages, " ")
			bc := buildContext{Dockerfile: in.Dockerfile, Files: []contextFile{{Name: r.script, Mode: 0o644, Data: []byte(in.Sources[r.script])}}}
			return b.buildImage(ctx, r.tag, bc, digest, buildOptions{
				network:   true,
				buildArgs: map[string]*string{"RUNTIME": &interpreter, "PACKAGES": &packages},
			})
		}}, nil
	}
}
