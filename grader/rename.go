package grader

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
)

// renameTests returns src with every identifier named in names renamed to
// name+"_"+nonce, leaving all other bytes (and so line numbers in compiler
// messages) unchanged. The grader runs hidden tests under names learner
// code cannot know, so that test results a learner's program prints
// cannot pass for the real ones.
func renameTests(filename string, src []byte, names map[string]bool, nonce string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse hidden test file %s: %w", filename, err)
	}
	var offsets []int
	var lens []int
	ast.Inspect(f, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if ok && names[id.Name] {
			offsets = append(offsets, fset.Position(id.Pos()).Offset)
			lens = append(lens, len(id.Name))
		}
		return true
	})
	idx := make([]int, len(offsets))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return offsets[idx[a]] < offsets[idx[b]] })
	out := make([]byte, 0, len(src)+len(offsets)*(len(nonce)+1))
	prev := 0
	for _, i := range idx {
		end := offsets[i] + lens[i]
		out = append(out, src[prev:end]...)
		out = append(out, '_')
		out = append(out, nonce...)
		prev = end
	}
	out = append(out, src[prev:]...)
	return out, nil
}
