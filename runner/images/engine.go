package images

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
)

// buildOptions are the few things that differ between builds.
type buildOptions struct {
	// network lets RUN steps use the default network; only the builds
	// that install Debian packages with apt-get (base-from, python, node)
	// have it, every other build runs them with none.
	network bool
	// buildArgs are the Dockerfile's ARG values.
	buildArgs map[string]*string
}

// errContextAbandoned stops the context writer when the engine stops
// reading.
var errContextAbandoned = errors.New("build context abandoned")

// buildImage sends bc to the classic builder, tags the result tag, labels
// it with digest, and streams the output to b.progress. The context is
// written while the engine reads it, so a large context (the Go toolchain)
// never sits in memory or on disk.
func (b *builder) buildImage(ctx context.Context, tag string, bc buildContext, digest string, bo buildOptions) error {
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		err := bc.write(pw)
		pw.CloseWithError(err)
		written <- err
	}()
	// Whatever happens, the writer goroutine ends before buildImage
	// returns: closing the reading end fails its next write.
	writeErr := func() error {
		pr.CloseWithError(errContextAbandoned)
		err := <-written
		if errors.Is(err, errContextAbandoned) {
			return nil
		}
		return err
	}

	network := "none"
	if bo.network {
		network = ""
	}
	res, err := b.cli.ImageBuild(ctx, pr, client.ImageBuildOptions{
		Tags:        []string{tag},
		Dockerfile:  "Dockerfile",
		Version:     build.BuilderV1,
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		NoCache:     b.opts.Force,
		NetworkMode: network,
		BuildArgs:   bo.buildArgs,
		Labels:      map[string]string{LabelDigest: digest, LabelManaged: "true"},
	})
	if err != nil {
		if werr := writeErr(); werr != nil {
			return fmt.Errorf("write build context: %w", werr)
		}
		return fmt.Errorf("start build: %w", err)
	}
	defer res.Body.Close()
	streamErr := b.stream(res.Body, "build")
	if werr := writeErr(); werr != nil {
		return fmt.Errorf("write build context: %w", werr)
	}
	return streamErr
}

// importImage imports the root filesystem tar read from rootfs as tag,
// with Dockerfile-like changes (ENV, LABEL, CMD...).
func (b *builder) importImage(ctx context.Context, tag string, rootfs io.Reader, message string, changes []string) error {
	res, err := b.cli.ImageImport(ctx, client.ImageImportSource{Source: rootfs, SourceName: "-"}, tag, client.ImageImportOptions{
		Message: message,
		Changes: changes,
	})
	if err != nil {
		return fmt.Errorf("start import: %w", err)
	}
	defer res.Close()
	return b.stream(res, "import")
}

// stream drains an engine's JSON message stream, copying it to
// b.progress. An error message in the stream (a failed RUN, say) comes
// back as a *BuildError holding the last lines before it.
func (b *builder) stream(r io.Reader, step string) error {
	tail := newTailBuffer(tailLines)
	out := io.MultiWriter(tail, b.progress)
	if err := jsonmessage.DisplayJSONMessagesStream(r, out, 0, false, nil); err != nil {
		return &BuildError{Step: step, Output: tail.String(), Err: err}
	}
	return nil
}
