package images

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// Tags of the images the grader runs.
const (
	Base = "grader/base:local"
	// Go, Python and Node are the languages' images the engine names
	// (grader.ImageGo and its siblings): one spelling of each tag.
	Go    = grader.ImageGo
	Redis = "grader/redis:local"
	// Postgres is the Postgres fixture (grader.DefaultPostgresImage).
	Postgres = grader.DefaultPostgresImage
	// Python is Debian's python3 with the libraries learners may import.
	Python = grader.ImagePython
	// Node is Debian's Node.js with the packages learners may require.
	Node  = grader.ImageNode
	Tools = "grader/tools:local"
)

// Labels every image built here carries.
const (
	// LabelDigest holds the SHA-256 (hex) of the image's inputs.
	LabelDigest = "grader.digest"
	// LabelManaged marks objects the grader made ("true").
	LabelManaged = "grader.managed"
)

// Required lists, in build order, every image the runner needs.
var Required = []string{Base, Go, Redis, Postgres, Python, Node, Tools}

// Options configures Build. Zero fields take the defaults documented on
// each.
type Options struct {
	// Client talks to the Docker Engine. Required.
	Client *client.Client
	// Logger gets one line per image; nil discards.
	Logger *slog.Logger
	// Progress gets human progress lines and the builds' own output (the
	// debootstrap log, RUN steps); nil discards.
	Progress io.Writer
	// BaseFrom, when set, builds the base from this image (for example
	// "debian:bookworm-slim") with apt-get instead of debootstrap. It
	// needs a registry to pull from, and network for the RUN step.
	BaseFrom string
	// ToolsBinary is the static grader binary the tools image holds;
	// empty skips the tools image.
	ToolsBinary string
	// Force rebuilds every image, ignoring digests and the builder's
	// layer cache.
	Force bool
	// GoRoot is the Go toolchain copied into the go image; empty means the
	// host's `go env GOROOT`.
	GoRoot string
}

// Entry is what Build did for one image.
type Entry struct {
	// Tag is the image's tag, one of Required.
	Tag string
	// ID is the image's ID after Build.
	ID string
	// Built is true when the image was (re)built, false when it was up
	// to date.
	Built bool
	// Duration is the time spent on the image, the digest check included.
	Duration time.Duration
}

// Report lists, in build order, what Build did for each image.
type Report []Entry

// String renders the report as one aligned line per image.
func (r Report) String() string {
	var b strings.Builder
	for _, e := range r {
		state := "up to date"
		if e.Built {
			state = "built"
		}
		fmt.Fprintf(&b, "%-20s %-10s %7.1fs\n", e.Tag, state, e.Duration.Seconds())
	}
	return b.String()
}

// Build makes every required image in dependency order (base, go, redis,
// postgres, python, node, tools), skipping each whose tag already carries the digest of its
// inputs. The tools image is skipped when Options.ToolsBinary is empty.
// An image replaced by a rebuild is removed when no container or child
// image uses it. A failed build step comes back as a *BuildError holding
// the last lines of its output; the report lists the images done before.
func Build(ctx context.Context, opts Options) (Report, error) {
	if opts.Client == nil {
		return nil, errors.New("build images: no Docker client")
	}
	b := newBuilder(opts)
	defer b.removeReplaced(ctx)
	plans := []struct {
		tag  string
		plan func(context.Context) (recipe, error)
	}{
		{Base, b.basePlan},
		{Go, b.goPlan},
		{Redis, b.redisPlan},
		{Postgres, b.postgresPlan},
		{Python, pythonRuntime.plan(b)},
		{Node, nodeRuntime.plan(b)},
		{Tools, b.toolsPlan},
	}
	var rep Report
	for _, p := range plans {
		if p.tag == Tools && opts.ToolsBinary == "" {
			b.log.Info("image skipped: no tools binary given", "image", Tools)
			continue
		}
		e, err := b.ensure(ctx, p.tag, p.plan)
		if err != nil {
			return rep, fmt.Errorf("build image %s: %w", p.tag, err)
		}
		rep = append(rep, e)
	}
	return rep, nil
}

// Missing returns, in build order, the required images the engine lacks.
func Missing(ctx context.Context, cli *client.Client) ([]string, error) {
	var out []string
	for _, tag := range Required {
		_, err := cli.ImageInspect(ctx, tag)
		switch {
		case cerrdefs.IsNotFound(err):
			out = append(out, tag)
		case err != nil:
			return nil, fmt.Errorf("inspect image %s: %w", tag, err)
		}
	}
	return out, nil
}

// IDs returns the Docker Engine's id of each image reference: what a
// result cache keys on, so that a rebuilt image, whatever its tag, never
// matches a result graded with the one before.
func IDs(ctx context.Context, cli *client.Client, refs []string) (map[string]string, error) {
	out := make(map[string]string, len(refs))
	for _, ref := range refs {
		insp, err := cli.ImageInspect(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("inspect image %s: %w", ref, err)
		}
		out[ref] = insp.ID
	}
	return out, nil
}
