package store

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gradebox/grader/grader"
)

// maxUnpackedBytes bounds what unpackFiles decodes, well above the
// submission limits, so a corrupt or hostile value cannot exhaust memory.
const maxUnpackedBytes = 256 << 20

// packFiles encodes files compactly for Redis.
func packFiles(files []grader.File) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(files); err != nil {
		return nil, fmt.Errorf("pack files: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("pack files: %w", err)
	}
	return buf.Bytes(), nil
}

func unpackFiles(b []byte) ([]grader.File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("unpack files: %w", err)
	}
	var files []grader.File
	if err := json.NewDecoder(io.LimitReader(zr, maxUnpackedBytes)).Decode(&files); err != nil {
		return nil, fmt.Errorf("unpack files: %w", err)
	}
	return files, nil
}
