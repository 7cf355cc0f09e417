// Package images builds, locally and offline, every container image the
// grader runs: a Debian base (debootstrap, or an official image where a
// registry is reachable), the Go toolchain image with warm caches, the
// Redis fixture and the grader's own tools. Each image carries a digest of
// its inputs, so a build skips what is up to date.
package images

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"debug/elf"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
)

// Image tags.
const (
	Base  = "grader/base:local"
	Go    = "grader/go:local"
	Redis = "grader/redis:local"
	Tools = "grader/tools:local"
)

// Labels on every image.
const (
	LabelDigest  = "grader.digest"
	LabelManaged = "grader.managed"
)

// Required lists every image the runner needs.
var Required = []string{Base, Go, Redis, Tools}

//go:embed dockerfiles/*.Dockerfile
var dockerfiles embed.FS

func dockerfile(name string) string {
	b, err := dockerfiles.ReadFile("dockerfiles/" + name + ".Dockerfile")
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

// Options configures Build. Zero fields take defaults.
type Options struct {
	// Client talks to the Docker Engine. Required.
	Client *client.Client
	// Logger receives a line per image.
	Logger *slog.Logger
	// Progress receives the builds' own output (optional).
	Progress io.Writer
	// BaseFrom builds the base from this image (e.g. debian:bookworm-slim)
	// instead of debootstrap; it needs a registry.
	BaseFrom string
	// Mirror is the Debian mirror debootstrap uses
	// (default http://deb.debian.org/debian).
	Mirror string
	// ToolsBinary is the static grader binary put in the tools image;
	// empty skips the tools image.
	ToolsBinary string
	// GoRoot is the Go toolchain copied into the go image (default: the
	// host's `go env GOROOT`).
	GoRoot string
	// Force rebuilds every image.
	Force bool
}

// Step is what Build did for one image.
type Step struct {
	Image    string
	Built    bool
	Duration time.Duration
}

// Report lists what Build did.
type Report []Step

func (r Report) String() string {
	var b strings.Builder
	for _, s := range r {
		state := "up to date"
		if s.Built {
			state = "built"
		}
		fmt.Fprintf(&b, "%-22s %-11s %6.1fs\n", s.Image, state, s.Duration.Seconds())
	}
	return b.String()
}

// Missing returns the required images the engine lacks.
func Missing(ctx context.Context, cli *client.Client) ([]string, error) {
	var out []string
	for _, ref := range Required {
		if _, err := cli.ImageInspect(ctx, ref); err != nil {
			if cerrdefs.IsNotFound(err) {
				out = append(out, ref)
				continue
			}
			return nil, fmt.Errorf("inspect %s: %w", ref, err)
		}
	}
	return out, nil
}

// Build builds every image in dependency order, skipping those whose
// inputs have not changed.
func Build(ctx context.Context, opts Options) (Report, error) {
	if opts.Client == nil {
		return nil, errors.New("images: no Docker client")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.Mirror == "" {
		opts.Mirror = "http://deb.debian.org/debian"
	}
	b := &builder{opts: opts, cli: opts.Client}
	var rep Report
	steps := []struct {
		ref string
		fn  func(context.Context) (string, func(context.Context, string) error, error)
	}{
		{Base, b.base},
		{Go, b.goImage},
		{Redis, b.redis},
		{Tools, b.tools},
	}
	for _, s := range steps {
		start := time.Now()
		digest, make, err := s.fn(ctx)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", s.ref, err)
		}
		if make == nil {
			continue
		}
		if !opts.Force && b.upToDate(ctx, s.ref, digest) {
			rep = append(rep, Step{Image: s.ref, Duration: time.Since(start)})
			continue
		}
		opts.Logger.Info("building image", "image", s.ref)
		fmt.Fprintf(opts.Progress, "building %s…\n", s.ref)
		if err := make(ctx, digest); err != nil {
			return rep, fmt.Errorf("build %s: %w", s.ref, err)
		}
		rep = append(rep, Step{Image: s.ref, Built: true, Duration: time.Since(start)})
	}
	return rep, nil
}

type builder struct {
	opts Options
	cli  *client.Client
}

// upToDate reports whether ref exists with the given digest.
func (b *builder) upToDate(ctx context.Context, ref, digest string) bool {
	insp, err := b.cli.ImageInspect(ctx, ref)
	if err != nil || insp.Config == nil {
		return false
	}
	return insp.Config.Labels[LabelDigest] == digest
}

// imageID returns ref's ID, which child images fold into their digest.
func (b *builder) imageID(ctx context.Context, ref string) (string, error) {
	insp, err := b.cli.ImageInspect(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("inspect %s: %w", ref, err)
	}
	return insp.ID, nil
}

func digestOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// contextEntry is one file of a build context.
type contextEntry struct {
	name string
	mode int64
	data []byte
	// from copies a host folder (recursively) under name.
	from   string
	filter func(rel string) bool
}

// buildImage streams a build context made of entries, with the given
// Dockerfile, to the classic builder, and reports its output.
func (b *builder) buildImage(ctx context.Context, ref, dockerfileText, digest string, entries []contextEntry, buildArgs map[string]*string) error {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeContext(pw, dockerfileText, entries))
	}()
	defer pr.Close()
	res, err := b.cli.ImageBuild(ctx, pr, client.ImageBuildOptions{
		Tags:        []string{ref},
		Dockerfile:  "Dockerfile",
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		NetworkMode: "none",
		Version:     build.BuilderV1,
		BuildArgs:   buildArgs,
		Labels:      map[string]string{LabelDigest: digest, LabelManaged: "true"},
	})
	if err != nil {
		return fmt.Errorf("image build: %w", err)
	}
	defer res.Body.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(res.Body, b.opts.Progress, 0, false, nil); err != nil {
		return fmt.Errorf("image build: %w", err)
	}
	return nil
}

func writeContext(w io.Writer, dockerfileText string, entries []contextEntry) error {
	tw := tar.NewWriter(w)
	if err := addFile(tw, "Dockerfile", 0o644, []byte(dockerfileText)); err != nil {
		return err
	}
	for _, e := range entries {
		var err error
		if e.from != "" {
			err = addTree(tw, e.name, e.from, e.filter)
		} else {
			err = addFile(tw, e.name, e.mode, e.data)
		}
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, name string, mode int64, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
		return fmt.Errorf("tar %s: %w", name, err)
	}
	_, err := tw.Write(data)
	return err
}

// isStatic reports whether path is an ELF executable that needs no
// dynamic loader.
func isStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not an ELF executable: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; build it with CGO_ENABLED=0 (make build does)", path)
		}
	}
	return nil
}

// fileDigest hashes a file's content.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
