package images

import (
	"embed"
	"fmt"
)

// files holds the Dockerfiles (dockerfiles/<name>.Dockerfile) and the warm
// module's sources (warm/<name>.txt, .txt so the repository's own module
// does not compile them).
//
//go:embed dockerfiles/*.Dockerfile warm/*.txt
var files embed.FS

// dockerfile returns dockerfiles/<name>.Dockerfile.
func dockerfile(name string) string { return mustRead("dockerfiles/" + name + ".Dockerfile") }

// warmSource returns warm/<name>.txt.
func warmSource(name string) string { return mustRead("warm/" + name + ".txt") }

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("embedded %s: %v", name, err)) // a typo in a constant name
	}
	return string(b)
}
