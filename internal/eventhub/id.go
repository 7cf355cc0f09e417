package eventhub

import (
	"strconv"
	"strings"
)

// After reports whether stream id a comes after stream id b. The empty
// id comes before every other, and an id that is not a stream id ("",
// as a synthetic event has) comes after every id, so it is never
// dropped as a duplicate.
func After(a, b string) bool {
	am, as, aok := parseID(a)
	if !aok {
		return true
	}
	if b == "" {
		return true
	}
	bm, bs, bok := parseID(b)
	if !bok {
		return true
	}
	if am != bm {
		return am > bm
	}
	return as > bs
}

// parseID splits a stream id "ms-seq" (or "ms", seq 0).
func parseID(id string) (ms, seq uint64, ok bool) {
	m, s, hasSeq := strings.Cut(id, "-")
	ms, err := strconv.ParseUint(m, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if hasSeq {
		if seq, err = strconv.ParseUint(s, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return ms, seq, true
}
