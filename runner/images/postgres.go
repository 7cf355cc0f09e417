package images

import (
	"context"
	"fmt"
	"strings"
)

// postgresPackages are the Debian packages of the Postgres fixture image:
// bookworm's PostgreSQL 15 server, without its recommended extras.
var postgresPackages = []string{"postgresql-15"}

// postgresScript is the fixture's start script in scripts/.
const postgresScript = "grader-postgres.sh"

// postgresPlan makes the Postgres fixture image on the base: apt-get
// installs the server (the one RUN step with network), a second step
// initialises the cluster. See dockerfiles/postgres.Dockerfile.
func (b *builder) postgresPlan(ctx context.Context) (recipe, error) {
	parent, err := b.imageID(ctx, Base)
	if err != nil {
		return recipe{}, err
	}
	in := inputs{
		Image:      Postgres,
		Dockerfile: dockerfile("postgres"),
		Parent:     parent,
		Packages:   postgresPackages,
		Sources:    map[string]string{postgresScript: script(postgresScript)},
	}
	return recipe{digest: in.digest(), make: func(ctx context.Context, digest string) error {
		fmt.Fprintf(b.progress, "%s: apt-get install %v, initdb\n", Postgres, postgresPackages)
		packages := strings.Join(postgresPackages, " ")
		bc := buildContext{Dockerfile: in.Dockerfile, Files: []contextFile{{Name: postgresScript, Mode: 0o755, Data: []byte(in.Sources[postgresScript])}}}
		return b.buildImage(ctx, Postgres, bc, digest, buildOptions{
			network:   true,
			buildArgs: map[string]*string{"PACKAGES": &packages},
		})
	}}, nil
}
