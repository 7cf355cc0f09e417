package web

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/gradebox/grader/grader"
)

// difficulties are the difficulties a challenge may have, easiest first
// (the loader accepts no other).
var difficulties = []string{"easy", "medium", "hard"}

// catalogData is what the catalog page shows: the filter form and the
// challenges that pass it.
type catalogData struct {
	// Items are the challenges shown, in catalog order.
	Items []challengeItem
	// Total counts the catalog's challenges, shown or not.
	Total int
	// Difficulties and Tags are the filter's choices: every difficulty
	// and every tag of the catalog, each marked when chosen.
	Difficulties []filterChoice
	Tags         []filterChoice
	// Filtered says whether any choice is made.
	Filtered bool
	// Shown says how many challenges are shown: "Showing 2 of 12
	// challenges." when filtered, "12 challenges." when not.
	Shown string
}

// filterChoice is one checkbox of the catalog's filter.
type filterChoice struct {
	Value   string
	Checked bool
	// Count is how many challenges of the catalog have it.
	Count int
}

// catalogFilter is what the query string of the catalog page asks for:
// ?difficulty=easy&difficulty=medium&tag=http&tag=redis shows the easy
// and medium challenges tagged both http and redis. Values the catalog
// does not know simply match nothing.
type catalogFilter struct {
	difficulties, tags []string
}

// filterOf reads the filter from a query string; empty values are
// dropped (an empty select or a cleared field).
func filterOf(q url.Values) catalogFilter {
	keep := func(vs []string) []string {
		var out []string
		for _, v := range vs {
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	return catalogFilter{difficulties: keep(q["difficulty"]), tags: keep(q["tag"])}
}

// matches reports whether c has one of the chosen difficulties (any when
// none is chosen) and every chosen tag.
func (f catalogFilter) matches(c *grader.Challenge) bool {
	if len(f.difficulties) > 0 && !slices.Contains(f.difficulties, c.Difficulty) {
		return false
	}
	for _, t := range f.tags {
		if !slices.Contains(c.Tags, t) {
			return false
		}
	}
	return true
}

// catalogPage builds the catalog page's data from the catalog and the
// filter: the difficulties in their order, the tags sorted, and the
// challenges that match.
func catalogPage(all []*grader.Challenge, f catalogFilter) catalogData {
	d := catalogData{Total: len(all), Filtered: len(f.difficulties)+len(f.tags) > 0}
	count := map[string]int{}
	tagCount := map[string]int{}
	var tags []string
	for _, c := range all {
		count[c.Difficulty]++
		for _, t := range c.Tags {
			if tagCount[t] == 0 {
				tags = append(tags, t)
			}
			tagCount[t]++
		}
		if f.matches(c) {
			d.Items = append(d.Items, itemOf(c))
		}
	}
	for _, v := range difficulties {
		d.Difficulties = append(d.Difficulties, filterChoice{Value: v, Checked: slices.Contains(f.difficulties, v), Count: count[v]})
	}
	d.Shown = fmt.Sprintf("%d %s.", d.Total, plural(d.Total, "challenge"))
	if d.Filtered {
		d.Shown = fmt.Sprintf("Showing %d of %d %s.", len(d.Items), d.Total, plural(d.Total, "challenge"))
	}
	slices.Sort(tags)
	for _, t := range tags {
		d.Tags = append(d.Tags, filterChoice{Value: t, Checked: slices.Contains(f.tags, t), Count: tagCount[t]})
	}
	return d
}

// plural is word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
