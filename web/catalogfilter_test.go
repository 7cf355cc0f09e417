package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// filterHandler serves a catalog of three challenges: notes (easy; http,
// rest), cache (medium; http, redis) and ledger (hard; concurrency).
func filterHandler(t *testing.T) *Handler {
	t.Helper()
	mk := func(id, difficulty string, tags ...string) *grader.Challenge {
		return &grader.Challenge{ID: id, Title: id + " title", Summary: "s", Difficulty: difficulty, Tags: tags, Version: "v1",
			Suites: []grader.Suite{{Name: "api", Kind: grader.SuiteHTTP, Tests: []grader.TestSpec{{Name: "t", Points: 1, Visibility: grader.Visible}}}}}
	}
	return New(Config{Catalog: challenges.NewIndex([]*grader.Challenge{
		mk("notes", "easy", "http", "rest"), mk("cache", "medium", "http", "redis"), mk("ledger", "hard", "concurrency"),
	})})
}

var cardID = regexp.MustCompile(`<li class="card" data-challenge="([^"]+)">`)

// shown lists the challenges a catalog page shows, in order.
func shown(body string) []string {
	var ids []string
	for _, m := range cardID.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func TestCatalogFilters(t *testing.T) {
	h := filterHandler(t)
	tests := []struct {
		query string
		want  []string
		count string
	}{
		{"", []string{"notes", "cache", "ledger"}, "3 challenges."},
		{"?difficulty=easy", []string{"notes"}, "Showing 1 of 3 challenges."},
		{"?difficulty=easy&difficulty=hard", []string{"notes", "ledger"}, "Showing 2 of 3 challenges."},
		{"?tag=http", []string{"notes", "cache"}, "Showing 2 of 3 challenges."},
		{"?tag=http&tag=redis", []string{"cache"}, "Showing 1 of 3 challenges."},
		{"?difficulty=easy&tag=redis", nil, "Showing 0 of 3 challenges."},
		{"?difficulty=&tag=", []string{"notes", "cache", "ledger"}, "3 challenges."},
		{"?difficulty=impossible", nil, "Showing 0 of 3 challenges."},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			w := get(t, h, http.MethodGet, "/challenges"+tc.query)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", w.Code)
			}
			body := w.Body.String()
			if got := shown(body); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("shows %v, want %v", got, tc.want)
			}
			if want := `<p id="catalog-count" role="status">` + tc.count + `</p>`; !strings.Contains(body, want) {
				t.Errorf("page lacks %s", want)
			}
			if len(tc.want) == 0 && !strings.Contains(body, "No challenge matches these filters.") {
				t.Error("an empty result does not say that nothing matches")
			}
		})
	}
}

func TestCatalogFilterForm(t *testing.T) {
	body := get(t, filterHandler(t), http.MethodGet, "/challenges?difficulty=medium&tag=redis").Body.String()
	for _, want := range []string{
		`<form method="get" action="/challenges" class="filters" id="filters" role="search" aria-label="Filter challenges">`,
		`<legend>Difficulty</legend>`,
		// Every difficulty and tag is a labelled checkbox, the chosen ones
		// checked, with how many challenges have it.
		`<label><input type="checkbox" name="difficulty" value="easy"> easy <span class="count">(1)</span></label>`,
		`<label><input type="checkbox" name="difficulty" value="medium" checked> medium <span class="count">(1)</span></label>`,
		`<label><input type="checkbox" name="tag" value="http"> http <span class="count">(2)</span></label>`,
		`<label><input type="checkbox" name="tag" value="redis" checked> redis <span class="count">(1)</span></label>`,
		`<a href="/challenges">Clear filters</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Tags are offered sorted.
	if i, j := strings.Index(body, `value="concurrency"`), strings.Index(body, `value="rest"`); i < 0 || j < 0 || i > j {
		t.Error("tags are not offered in sorted order")
	}
	if strings.Contains(get(t, filterHandler(t), http.MethodGet, "/challenges").Body.String(), "Clear filters") {
		t.Error("the unfiltered page offers to clear filters")
	}
}

func TestCatalogFilterIsEscaped(t *testing.T) {
	body := get(t, filterHandler(t), http.MethodGet, `/challenges?tag=%3Cscript%3Ealert(1)%3C/script%3E&difficulty=%22%3E%3Cb%3E`).Body.String()
	if strings.Contains(body, "<script>alert") || strings.Contains(body, `"><b>`) {
		t.Error("a filter value from the query string reached the page unescaped")
	}
	if got := shown(body); len(got) != 0 {
		t.Errorf("unknown filter values matched %v", got)
	}
}
