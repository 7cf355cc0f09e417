package images

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// recipe is how to make one image: the digest of its inputs, and the
// function that builds it, tagged and labelled with that digest.
type recipe struct {
	digest string
	make   func(ctx context.Context, digest string) error
}

// builder carries one Build's settings and the images it replaced.
type builder struct {
	cli      *client.Client
	log      *slog.Logger
	progress io.Writer
	opts     Options
	// replaced holds, oldest first, the IDs of images whose tags a rebuild
	// moved away.
	replaced []string
}

func newBuilder(opts Options) *builder {
	b := &builder{cli: opts.Client, log: opts.Logger, progress: opts.Progress, opts: opts}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.progress == nil {
		b.progress = io.Discard
	}
	return b
}

// present is what the engine holds under a tag.
type present struct {
	id      string
	digest  string
	managed bool
}

// inspect returns the image tagged tag; ok is false when there is none.
func (b *builder) inspect(ctx context.Context, tag string) (img present, ok bool, err error) {
	res, err := b.cli.ImageInspect(ctx, tag)
	if cerrdefs.IsNotFound(err) {
		return present{}, false, nil
	}
	if err != nil {
		return present{}, false, fmt.Errorf("inspect image %s: %w", tag, err)
	}
	img.id = res.ID
	if res.Config != nil {
		img.digest = res.Config.Labels[LabelDigest]
		img.managed = res.Config.Labels[LabelManaged] == "true"
	}
	return img, true, nil
}

// imageID returns the ID of the image tagged tag, which must exist.
func (b *builder) imageID(ctx context.Context, tag string) (string, error) {
	img, ok, err := b.inspect(ctx, tag)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("image %s is missing", tag)
	}
	return img.id, nil
}

// ensure builds tag unless it already carries the digest its plan
// computes.
func (b *builder) ensure(ctx context.Context, tag string, plan func(context.Context) (recipe, error)) (Entry, error) {
	start := time.Now()
	r, err := plan(ctx)
	if err != nil {
		return Entry{}, err
	}
	old, found, err := b.inspect(ctx, tag)
	if err != nil {
		return Entry{}, err
	}
	if found && old.digest == r.digest && !b.opts.Force {
		e := Entry{Tag: tag, ID: old.id, Duration: time.Since(start)}
		b.log.Info("image up to date", "image", tag, "duration", e.Duration)
		fmt.Fprintf(b.progress, "%s: up to date\n", tag)
		return e, nil
	}
	fmt.Fprintf(b.progress, "%s: building\n", tag)
	if err := r.make(ctx, r.digest); err != nil {
		return Entry{}, err
	}
	now, ok, err := b.inspect(ctx, tag)
	if err != nil {
		return Entry{}, err
	}
	if !ok || now.digest != r.digest {
		return Entry{}, fmt.Errorf("the engine reported success, but %s does not carry digest %s", tag, r.digest)
	}
	if found && old.managed && old.id != now.id {
		b.replaced = append(b.replaced, old.id)
	}
	e := Entry{Tag: tag, ID: now.id, Built: true, Duration: time.Since(start)}
	b.log.Info("image built", "image", tag, "image_id", now.id, "duration", e.Duration)
	fmt.Fprintf(b.progress, "%s: built in %.0fs\n", tag, e.Duration.Seconds())
	return e, nil
}

// removeReplaced removes, newest first so children go before their
// parents, the images rebuilds replaced. An image still used by a
// container or a child image stays; that is logged, not returned.
func (b *builder) removeReplaced(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, id := range slices.Backward(b.replaced) {
		_, err := b.cli.ImageRemove(ctx, id, client.ImageRemoveOptions{PruneChildren: true})
		switch {
		case err == nil:
			b.log.Debug("replaced image removed", "image_id", id)
		case cerrdefs.IsNotFound(err):
		default:
			b.log.Info("replaced image kept", "image_id", id, "err", err)
		}
	}
}
