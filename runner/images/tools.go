package images

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
)

// toolsPlan makes the image holding the static grader binary.
func (b *builder) toolsPlan(ctx context.Context) (recipe, error) {
	bin := b.opts.ToolsBinary
	if err := checkStatic(bin); err != nil {
		return recipe{}, err
	}
	sum, err := fileSHA256(bin)
	if err != nil {
		return recipe{}, fmt.Errorf("tools binary: %w", err)
	}
	text := dockerfile("tools")
	in := inputs{Image: Tools, Dockerfile: text, Tools: sum}
	return recipe{digest: in.digest(), make: func(ctx context.Context, digest string) error {
		bc := buildContext{Dockerfile: text, Files: []contextFile{{Name: "grader", Mode: 0o755, Path: bin}}}
		return b.buildImage(ctx, Tools, bc, digest, buildOptions{})
	}}, nil
}

// checkStatic returns nil when path is an ELF executable that needs no
// dynamic loader, so it runs in an image FROM scratch.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return fmt.Errorf("tools binary %s is not an ELF executable: %w", path, err)
		}
		return fmt.Errorf("tools binary: %w", err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("tools binary %s is an ELF %s, not an executable", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("tools binary %s is dynamically linked, and the tools image has no C library: build it with CGO_ENABLED=0 (make build does)", path)
		}
	}
	return nil
}
