package images

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// maxOfferedBytes bounds the offered list read from an image.
const maxOfferedBytes = 1 << 20

// ReadOffered returns the Offered list of a runtime image (Python or
// Node): it creates a container of the image, never started and without
// network, copies OfferedPath out and removes the container.
func ReadOffered(ctx context.Context, cli *client.Client, tag string) (Offered, error) {
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: tag, Cmd: []string{"true"}, Labels: map[string]string{LabelManaged: "true"}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		return Offered{}, fmt.Errorf("read the offered list of %s: create container: %w", tag, err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true})
	}()
	res, err := cli.CopyFromContainer(ctx, created.ID, client.CopyFromContainerOptions{SourcePath: OfferedPath})
	if cerrdefs.IsNotFound(err) {
		return Offered{}, fmt.Errorf("%s has no %s: rebuild it with `grader images build`", tag, OfferedPath)
	}
	if err != nil {
		return Offered{}, fmt.Errorf("read the offered list of %s: %w", tag, err)
	}
	defer res.Content.Close()
	data, err := firstFile(res.Content, maxOfferedBytes)
	if err != nil {
		return Offered{}, fmt.Errorf("read the offered list of %s: %w", tag, err)
	}
	o, err := ParseOffered(data)
	if err != nil {
		return Offered{}, fmt.Errorf("%s: %w", tag, err)
	}
	return o, nil
}

// firstFile returns the content of the first entry of tar stream r, a
// regular file of at most maxBytes.
func firstFile(r io.Reader, maxBytes int64) ([]byte, error) {
	tr := tar.NewReader(r)
	h, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty archive")
	}
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	if h.Typeflag != tar.TypeReg || h.Size > maxBytes {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes", h.Name, maxBytes)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	return data, nil
}
