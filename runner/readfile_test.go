package runner

import (
	"archive/tar"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func tarOf(t *testing.T, headers ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range headers {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(bytes.Repeat([]byte("a"), int(h.Size)))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func TestReadSingleFile(t *testing.T) {
	tests := []struct {
		name    string
		archive []byte
		max     int64
		want    string
		wantErr error  // matched with errors.Is, when set
		errText string // contained in the error, when set
	}{
		{name: "file", archive: tarOf(t, &tar.Header{Name: "f", Typeflag: tar.TypeReg, Size: 3}), max: 3, want: "aaa"},
		{name: "empty file", archive: tarOf(t, &tar.Header{Name: "f", Typeflag: tar.TypeReg}), max: 0, want: ""},
		{name: "too big", archive: tarOf(t, &tar.Header{Name: "f", Typeflag: tar.TypeReg, Size: 4}), max: 3, wantErr: ErrTooLarge},
		{name: "folder", archive: tarOf(t, &tar.Header{Name: "d/", Typeflag: tar.TypeDir}), max: 10, wantErr: ErrNotRegular},
		{name: "link", archive: tarOf(t, &tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}), max: 10, wantErr: ErrNotRegular},
		{name: "empty archive", archive: tarOf(t), max: 10, errText: "empty archive"},
		{name: "garbage", archive: []byte(strings.Repeat("x", 1024)), max: 10, errText: "read archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readSingleFile(bytes.NewReader(tt.archive), tt.max)
			switch {
			case tt.wantErr == nil && tt.errText == "":
				if err != nil || string(got) != tt.want {
					t.Errorf("readSingleFile = %q, %v; want %q", got, err, tt.want)
				}
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("readSingleFile error = %v, want %v", err, tt.wantErr)
			case tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)):
				t.Errorf("readSingleFile error = %v, want one containing %q", err, tt.errText)
			}
		})
	}
}
