package runner

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/moby/client"
)

// ErrNotRegular is returned by ReadFile for a folder, link or device.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned by ReadFile for a file larger than asked for.
var ErrTooLarge = errors.New("file too large")

// readFile copies one regular file out of container id, running or not.
// A missing file is an error satisfying cerrdefs.IsNotFound.
func readFile(ctx context.Context, api dockerAPI, id, path string, maxBytes int64) ([]byte, error) {
	res, err := api.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, fmt.Errorf("copy %s out of container %s: %w", path, id, err)
	}
	defer res.Content.Close()
	data, err := readSingleFile(res.Content, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s from container %s: %w", path, id, err)
	}
	return data, nil
}

// readSingleFile returns the content of the first entry of tar stream r,
// which must be a regular file of at most maxBytes.
func readSingleFile(r io.Reader, maxBytes int64) ([]byte, error) {
	tr := tar.NewReader(r)
	h, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty archive")
	}
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	if h.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("%s: %w", h.Name, ErrNotRegular)
	}
	if h.Size > maxBytes {
		return nil, fmt.Errorf("%s is %d bytes, more than %d: %w", h.Name, h.Size, maxBytes, ErrTooLarge)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	return data, nil
}
