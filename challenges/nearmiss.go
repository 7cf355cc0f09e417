package challenges

import "strings"

// nearMiss reports whether word looks like a misspelling of want: one
// edit away (two for words of five letters or more, a swap of two
// neighbours counting as one), or the start of it ("pat" for pattern,
// "eq" for equals).
func nearMiss(word, want string) bool {
	if word == want || len(word) < 2 {
		return false
	}
	if strings.HasPrefix(want, word) {
		return true
	}
	limit := 1
	if len(want) >= 5 {
		limit = 2
	}
	return editDistance(word, want) <= limit
}

// closest returns the candidate word is a near miss of, the nearest one
// when several are, or "" when none is.
func closest(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if !nearMiss(word, c) {
			continue
		}
		if d := editDistance(word, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps
// of neighbouring letters that turn a into b (optimal string alignment).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
