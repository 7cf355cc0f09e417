package images

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
)

// Kinds of ELF files and program headers for elfFile.
const (
	elf64Exec = elf.ET_EXEC
	elf64Dyn  = elf.ET_DYN
	elf64Rel  = elf.ET_REL
	ptLoad    = elf.PT_LOAD
	ptInterp  = elf.PT_INTERP
)

// elfFile returns a minimal 64-bit little-endian ELF file of the given
// type with the given program headers: enough for debug/elf.
func elfFile(typ elf.Type, progs ...elf.ProgType) []byte {
	var buf bytes.Buffer
	hdr := elf.Header64{
		Ident:     [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)},
		Type:      uint16(typ),
		Machine:   uint16(elf.EM_X86_64),
		Version:   uint32(elf.EV_CURRENT),
		Phoff:     64,
		Ehsize:    64,
		Phentsize: 56,
		Phnum:     uint16(len(progs)),
		Shentsize: 64,
	}
	_ = binary.Write(&buf, binary.LittleEndian, hdr)
	for _, p := range progs {
		_ = binary.Write(&buf, binary.LittleEndian, elf.Prog64{Type: uint32(p), Flags: uint32(elf.PF_R)})
	}
	return buf.Bytes()
}

func TestCheckStatic(t *testing.T) {
	tests := []struct {
		name    string
		content []byte // nil: no such file
		wantErr string
	}{
		{"static executable", elfFile(elf64Exec, ptLoad), ""},
		{"static PIE", elfFile(elf64Dyn, ptLoad), ""},
		{"dynamic executable", elfFile(elf64Exec, ptInterp, ptLoad), "dynamically linked"},
		{"dynamic PIE", elfFile(elf64Dyn, ptInterp, ptLoad), "CGO_ENABLED=0"},
		{"object file", elfFile(elf64Rel), "not an executable"},
		{"script", []byte("#!/bin/sh\necho hi\n"), "not an ELF executable"},
		{"missing", nil, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grader")
			if tt.content != nil {
				writeFile(t, path, string(tt.content))
			}
			err := checkStatic(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkStatic = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("checkStatic = %v, want an error saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestToolsPlanRefusesDynamicBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "grader")
	writeFile(t, bin, string(elfFile(elf64Exec, ptInterp, ptLoad)))
	_, err := newBuilder(Options{ToolsBinary: bin}).toolsPlan(t.Context())
	if err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Fatalf("toolsPlan = %v, want a dynamically linked error", err)
	}
}
