package images

import (
	"embed"
	"fmt"
)

// files holds the Dockerfiles (dockerfiles/<name>.Dockerfile) and the warm
// module's sources (warm/<name>.txt, .txt so the repository's own module
// does not compile them), and the scripts that write the runtime images'
// offered lists (scripts/<name>).
//
//go:embed dockerfiles/*.Dockerfile warm/*.txt scripts/*
var files embed.FS

// dockerfile returns dockerfiles/<name>.Dockerfile.
func dockerfile(name string) string { return mustRead("dockerfiles/" + name + ".Dockerfile") }

// script returns scripts/<name>.
func script(name string) string { return mustRead("scripts/" + name) }

// warmSource returns warm/<name>.txt.
func warmSource(name string) string { return mustRead("warm/" + name + ".txt") }

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("embedded %s: %v", name, err)) // a typo in a constant name
	}
	return string(b)
}
