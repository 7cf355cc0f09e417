package runner

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/moby/client"
)

// readFile copies one regular file out of a container (running or not).
func readFile(ctx context.Context, cli *client.Client, id, path string, maxBytes int64) ([]byte, error) {
	res, err := cli.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, fmt.Errorf("copy %s out of %s: %w", path, id, err)
	}
	defer res.Content.Close()
	tr := tar.NewReader(res.Content)
	h, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("copy %s out of %s: empty archive", path, id)
	}
	if err != nil {
		return nil, fmt.Errorf("copy %s out of %s: %w", path, id, err)
	}
	if h.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("%s in %s is not a regular file", path, id)
	}
	if h.Size > maxBytes {
		return nil, fmt.Errorf("%s in %s is %d bytes, more than %d", path, id, h.Size, maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(tr, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", path, id, err)
	}
	return data, nil
}
