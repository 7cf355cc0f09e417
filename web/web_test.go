package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

const statement = `# Echo service

Build a service that **echoes**.

| route | answer |
| --- | --- |
| ` + "`GET /echo`" + ` | 200 |

<script>alert("raw html")</script>

[click me](javascript:alert(1)) and [docs](https://example.com/docs).

## Details

More.
`

func testHandler(t *testing.T, dev ...DevToken) *Handler {
	t.Helper()
	ch := &grader.Challenge{
		ID: "echo", Title: "Echo <service>", Summary: "Answer what you are sent.", Difficulty: "easy",
		Tags: []string{"http"}, Version: "v1", Statement: statement,
		Suites: []grader.Suite{{Name: "api", Kind: grader.SuiteHTTP, Tests: []grader.TestSpec{
			{Name: "echoes a word", Points: 2, Visibility: grader.Visible},
			{Name: "secret-edge-case-42", Points: 3, Visibility: grader.Hidden},
		}}},
	}
	return New(Config{Catalog: challenges.NewIndex([]*grader.Challenge{ch}), DevTokens: dev})
}

func get(t *testing.T, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestPages(t *testing.T) {
	h := testHandler(t)
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", http.StatusOK, []string{"<h1>Sign in</h1>", `id="token"`, `<label for="token">`}},
		{"/challenges", http.StatusOK, []string{`href="/challenges/echo"`, "Echo &lt;service&gt;", "Answer what you are sent."}},
		{"/challenges/echo", http.StatusOK, []string{"<h1>Echo &lt;service&gt;</h1>", "<h2>Echo service</h2>", "<strong>echoes</strong>",
			"<table>", "<h3>Details</h3>", "echoes a word", "1 hidden test worth 3 points", "Memory</dt><dd>512 MiB", "Build time</dt><dd>2 min"}},
		{"/challenges/nope", http.StatusNotFound, []string{"There is no challenge &#34;nope&#34;."}},
		{"/submissions", http.StatusOK, []string{"<h1>Attempts</h1>"}},
		{"/submissions/sub_123", http.StatusOK, []string{`id="progress"`, `id="result"`}},
		{"/instructor", http.StatusOK, []string{"<h1>Cohorts</h1>", `value="echo" checked`}},
		{"/instructor/cohorts/spring-26", http.StatusOK, []string{`data-cohort="spring-26"`, `id="regrade-form"`, `id="tokens"`, `id="tokens-error"`}},
		{"/instructor/cohorts/spring-26/tests", http.StatusOK, []string{"<h1>Failure rates</h1>"}},
		{"/no/such/page", http.StatusNotFound, []string{"There is no page at /no/such/page."}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			w := get(t, h, http.MethodGet, tc.path)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control %q, want no-cache", cc)
			}
			body := w.Body.String()
			for _, s := range tc.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			// A page names no hidden test, whoever asks.
			if strings.Contains(body, "secret-edge-case-42") {
				t.Error("page names a hidden test")
			}
		})
	}
}

func TestStatementIsSafe(t *testing.T) {
	body := get(t, testHandler(t), http.MethodGet, "/challenges/echo").Body.String()
	for _, bad := range []string{`alert("raw html")`, "javascript:", "<script>alert"} {
		if strings.Contains(body, bad) {
			t.Errorf("rendered statement holds %q", bad)
		}
	}
	if !strings.Contains(body, `<a href="https://example.com/docs">docs</a>`) {
		t.Error("a plain link was lost")
	}
}

// Pages load script only from files: no inline script, no event handler
// attributes, no style attributes (the policy would block them anyway).
func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	h := testHandler(t, DevToken{Token: "dev-learner-alice-0001", Subject: "alice", Role: "learner"})
	scriptTag := regexp.MustCompile(`<script[^>]*>`)
	for _, p := range []string{"/", "/challenges", "/challenges/echo", "/submissions", "/submissions/x", "/instructor", "/instructor/cohorts/c", "/instructor/cohorts/c/tests", "/nope"} {
		body := get(t, h, http.MethodGet, p).Body.String()
		tags := scriptTag.FindAllString(body, -1)
		if len(tags) == 0 {
			t.Errorf("%s loads no script", p)
		}
		for _, tag := range tags {
			if !strings.Contains(tag, ` src="/assets/`) {
				t.Errorf("%s: inline script %s", p, tag)
			}
		}
		if strings.Count(body, "<script") != strings.Count(body, `></script>`) {
			t.Errorf("%s: a script element has content", p)
		}
		if m := regexp.MustCompile(`\s(on[a-z]+|style)=`).FindString(body); m != "" {
			t.Errorf("%s: has attribute %q", p, m)
		}
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	w := get(t, testHandler(t), http.MethodPost, "/challenges")
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestHead(t *testing.T) {
	h := testHandler(t)
	for _, p := range []string{"/challenges/echo", "/nope", "/assets/app.js"} {
		full := get(t, h, http.MethodGet, p)
		head := get(t, h, http.MethodHead, p)
		if head.Code != full.Code || head.Body.Len() != 0 || head.Header().Get("Content-Length") != full.Header().Get("Content-Length") {
			t.Errorf("HEAD %s: %d with %d bytes, Content-Length %q; GET: %d, %q", p, head.Code, head.Body.Len(),
				head.Header().Get("Content-Length"), full.Code, full.Header().Get("Content-Length"))
		}
	}
}

func TestAssets(t *testing.T) {
	h := testHandler(t)
	for name, ct := range map[string]string{
		"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml",
	} {
		t.Run(name, func(t *testing.T) {
			a := h.assets[name]
			w := get(t, h, http.MethodGet, "/assets/"+name)
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != ct {
				t.Fatalf("%d %q, want 200 %q", w.Code, w.Header().Get("Content-Type"), ct)
			}
			if w.Body.String() != string(a.body) {
				t.Error("body differs from the embedded file")
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("without its digest: Cache-Control %q, want no-cache", cc)
			}
			etag := w.Header().Get("ETag")
			if etag != `"`+a.digest+`"` {
				t.Errorf("ETag %q", etag)
			}
			if w := get(t, h, http.MethodGet, "/assets/"+name, "If-None-Match", etag); w.Code != http.StatusNotModified {
				t.Errorf("If-None-Match: %d, want 304", w.Code)
			}
			w = get(t, h, http.MethodGet, h.assetURL(name))
			if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("with its digest: Cache-Control %q", cc)
			}
			if w := get(t, h, http.MethodGet, "/assets/"+name+"?v=stale"); w.Header().Get("Cache-Control") != "no-cache" {
				t.Errorf("with a stale digest: Cache-Control %q", w.Header().Get("Cache-Control"))
			}
		})
	}
	if w := get(t, h, http.MethodGet, "/assets/nope.js"); w.Code != http.StatusNotFound {
		t.Errorf("unknown asset: %d", w.Code)
	}
	if w := get(t, h, http.MethodGet, "/favicon.ico"); w.Code != http.StatusMovedPermanently || !strings.HasPrefix(w.Header().Get("Location"), "/assets/icon.svg?v=") {
		t.Errorf("favicon: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

// Every asset a page links to is served, with the digest it is linked by.
func TestPageAssetLinksResolve(t *testing.T) {
	h := testHandler(t)
	link := regexp.MustCompile(`"(/assets/[^"?]+\?v=[0-9a-f]+)"`)
	seen := map[string]bool{}
	for _, p := range pageNames {
		path := map[string]string{"signin": "/", "catalog": "/challenges", "challenge": "/challenges/echo", "submission": "/submissions/x",
			"history": "/submissions", "instructor": "/instructor", "cohort": "/instructor/cohorts/c", "tests": "/instructor/cohorts/c/tests", "notfound": "/nope"}[p]
		for _, m := range link.FindAllStringSubmatch(get(t, h, http.MethodGet, path).Body.String(), -1) {
			seen[m[1]] = true
		}
	}
	for _, p := range pageNames {
		if _, ok := h.assets[p+".js"]; ok && !seen[h.assetURL(p+".js")] {
			t.Errorf("page %s does not load %s.js", p, p)
		}
	}
	for u := range seen {
		if w := get(t, h, http.MethodGet, u); w.Code != http.StatusOK || w.Header().Get("Cache-Control") != assetCacheVersioned {
			t.Errorf("%s: %d, Cache-Control %q", u, w.Code, w.Header().Get("Cache-Control"))
		}
	}
}

func TestDevTokens(t *testing.T) {
	body := get(t, testHandler(t), http.MethodGet, "/").Body.String()
	if strings.Contains(body, "Trying it out?") || strings.Contains(body, "data-dev-token") {
		t.Error("the sign-in page offers tokens without DevTokens")
	}
	h := testHandler(t, DevToken{Token: "dev-learner-alice-0001", Subject: "alice", Role: "learner"})
	body = get(t, h, http.MethodGet, "/").Body.String()
	for _, s := range []string{"Trying it out?", `data-dev-token="dev-learner-alice-0001"`, "Sign in as alice", "deploy/tokens.dev.json"} {
		if !strings.Contains(body, s) {
			t.Errorf("sign-in page lacks %q", s)
		}
	}
	if other := get(t, h, http.MethodGet, "/challenges").Body.String(); strings.Contains(other, "dev-learner-alice-0001") {
		t.Error("a page other than sign-in shows a token")
	}
	if page := get(t, h, http.MethodGet, "/challenges/echo").Body.String(); !strings.Contains(page, "<code>challenges/echo/solution</code> is the reference solution") {
		t.Error("a development service's challenge page does not point to the reference solution")
	}
	if page := get(t, testHandler(t), http.MethodGet, "/challenges/echo").Body.String(); strings.Contains(page, "dev-hint") {
		t.Error("a real service's challenge page points to the reference solution")
	}
}

// The scripts put API data into pages as text only: none of them uses
// an HTML sink (the policy's Trusted Types would refuse it anyway).
func TestScriptsUseNoHTMLSinks(t *testing.T) {
	sinks := regexp.MustCompile(`\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(|new Function\(|srcdoc`)
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if m := sinks.Find(b); m != nil {
			t.Errorf("%s uses %s", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStatementRenderedAgainWhenItChanges: a catalog reload may edit a
// statement without changing the challenge's version (the version covers
// only what decides a score); the page shows the new text.
func TestStatementRenderedAgainWhenItChanges(t *testing.T) {
	h := testHandler(t)
	c, _ := h.cfg.Catalog.Challenge("echo")
	first := h.statement(c)
	c2 := *c
	c2.Statement = "# New"
	if got := h.statement(&c2); got == first || !strings.Contains(string(got), "<h2>New</h2>") {
		t.Errorf("an edited statement of the same version renders as %q", got)
	}
	if got := h.statement(c); got != first {
		t.Errorf("the first statement again renders as %q, want %q", got, first)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{formatDuration(120e9), "2 min"}, {formatDuration(15e9), "15 s"}, {formatDuration(1500e6), "1.5 s"}, {formatDuration(250e6), "250 ms"},
		{formatBytes(512 << 20), "512 MiB"}, {formatBytes(1 << 30), "1 GiB"}, {formatBytes(64 << 10), "64 KiB"}, {formatBytes(100), "100 bytes"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNotFoundIsHTML(t *testing.T) {
	w := get(t, testHandler(t), http.MethodGet, "/challenges/")
	b, _ := io.ReadAll(w.Body)
	if w.Code != http.StatusNotFound || !strings.Contains(string(b), "<h1>Not found</h1>") {
		t.Errorf("GET /challenges/: %d %s", w.Code, b)
	}
}

func TestStatementDropsARepeatedTitle(t *testing.T) {
	md := newMarkdown()
	got, err := md.render("# Notes `API`\n\nBuild it.\n\n# Notes API again\n", "Notes API")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "<h2>Notes <code>API</code></h2>") || !strings.Contains(string(got), "<h2>Notes API again</h2>") || !strings.Contains(string(got), "<p>Build it.</p>") {
		t.Errorf("rendered %q", got)
	}
	got, _ = md.render("# Something else\n", "Notes API")
	if !strings.Contains(string(got), "<h2>Something else</h2>") {
		t.Errorf("a first heading that is not the title was dropped: %q", got)
	}
}

// TestCohortPageRevokesTokens: the cohort page offers a revoke button per
// learner; testdata/cohort_revoke.js runs static/cohort.js on a fake page,
// clicks them and checks each sends DELETE /v1/cohorts/{id}/tokens/{learner}
// (the id escaped as one path segment) and says what happened.
func TestCohortPageRevokesTokens(t *testing.T) {
	b, err := files.ReadFile("static/cohort.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "'/tokens/' + encodeURIComponent(learner), { method: 'DELETE' }") {
		t.Error("cohort.js sends no DELETE to the tokens route")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the revoke buttons are not clicked")
	}
	if out, err := exec.Command(node, "testdata/cohort_revoke.js").CombinedOutput(); err != nil {
		t.Errorf("clicking the revoke buttons: %v\n%s", err, out)
	}
}

// TestChallengePageCountsOneLanguage: a challenge offered in two
// languages, each with a unit suite, shows one language's tests; the
// hidden ones were counted once per language.
func TestChallengePageCountsOneLanguage(t *testing.T) {
	ch := &grader.Challenge{
		ID: "ledger", Title: "Ledger", Version: "v1",
		Languages: []grader.Offering{{Language: grader.LanguageGo}, {Language: grader.LanguagePython}},
		Suites: []grader.Suite{
			{Name: "go", Kind: grader.SuiteGo, Tests: []grader.TestSpec{{Name: "TestSplit", Points: 2, Visibility: grader.Visible}, {Name: "TestB", Points: 3, Visibility: grader.Hidden}}},
			{Name: "py", Kind: grader.SuitePytest, Tests: []grader.TestSpec{{Name: "test_split", Points: 2, Visibility: grader.Visible}, {Name: "test_b", Points: 3, Visibility: grader.Hidden}}},
		},
	}
	h := New(Config{Catalog: challenges.NewIndex([]*grader.Challenge{ch})})
	body := get(t, h, http.MethodGet, "/challenges/ledger").Body.String()
	if !strings.Contains(body, "1 hidden test worth 3 points") || !strings.Contains(body, "TestSplit") || strings.Contains(body, "test_split") {
		t.Errorf("the page does not list one language's tests:\n%s", body)
	}
}

// TestChallengePageLanguages: a challenge offered in several languages
// has a language select (detect first, then each language by name, with
// its label) and a starter button per language; a one-language challenge
// has neither the select nor more than one starter button.
func TestChallengePageLanguages(t *testing.T) {
	multi := &grader.Challenge{
		ID: "ledger", Title: "Ledger", Version: "v1",
		Languages: []grader.Offering{{Language: grader.LanguageGo}, {Language: grader.LanguagePython, Samples: "languages/python"},
			{Language: grader.LanguageJavaScript, Samples: "languages/javascript"}},
		Suites: []grader.Suite{{Name: "api", Kind: grader.SuiteHTTP, Tests: []grader.TestSpec{{Name: "adds", Points: 2, Visibility: grader.Visible}}}},
	}
	pyOnly := &grader.Challenge{ID: "snake", Title: "Snake", Version: "v1", Languages: []grader.Offering{{Language: grader.LanguagePython, Samples: "languages/python"}}}
	h := New(Config{Catalog: challenges.NewIndex([]*grader.Challenge{multi, pyOnly, {ID: "echo", Title: "Echo", Version: "v1"}}),
		DevTokens: []DevToken{{Token: "dev-learner-alice-0001", Subject: "alice", Role: "learner"}}})

	body := get(t, h, http.MethodGet, "/challenges/ledger").Body.String()
	for _, s := range []string{
		`data-languages="go python javascript"`,
		`<li id="languages">In Go, Python, JavaScript</li>`,
		`<label for="submit-language">Language</label>`,
		`<select id="submit-language" aria-describedby="language-help">`,
		`id="language-help"`,
		`<option value="">Detect from my files</option>`,
		`<option value="go">Go</option>`,
		`<option value="python">Python</option>`,
		`<option value="javascript">JavaScript</option>`,
		`<ul id="starters" class="starters" aria-labelledby="starters-title">`,
		`<button type="button" class="secondary" data-starter="go" aria-label="Download the Go starter code">Go</button>`,
		`<button type="button" class="secondary" data-starter="python" aria-label="Download the Python starter code">Python</button>`,
		`<button type="button" class="secondary" data-starter="javascript" aria-label="Download the JavaScript starter code">JavaScript</button>`,
		"Python: requirements.txt, pyproject.toml or a .py file",
		"<code>challenges/ledger/languages/python/solution</code> (Python)",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("several languages: page lacks %q", s)
		}
	}
	// The detect option comes first, so a learner who chooses nothing
	// leaves the language to be detected.
	if i, j := strings.Index(body, "Detect from my files"), strings.Index(body, `<option value="go">`); i < 0 || i > j {
		t.Error("the detect option is not the first")
	}
	checkLabels(t, body)

	for _, tc := range []struct {
		path, starter string
		want          []string
	}{
		{"/challenges/echo", "go", []string{"the folder that holds <code>go.mod</code>", `<li id="languages">In Go</li>`, "Download the starter code</button>"}},
		{"/challenges/snake", "python", []string{"the folder that holds requirements.txt, pyproject.toml or a .py file", "<code>challenges/snake/languages/python/solution</code> is the reference solution"}},
	} {
		body := get(t, h, http.MethodGet, tc.path).Body.String()
		if strings.Contains(body, `id="submit-language"`) {
			t.Errorf("%s: one language, yet a language select", tc.path)
		}
		if n := strings.Count(body, "data-starter="); n != 1 || !strings.Contains(body, `data-starter="`+tc.starter+`"`) {
			t.Errorf("%s: %d starter buttons, want one for %s", tc.path, n, tc.starter)
		}
		for _, s := range tc.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %q", tc.path, s)
			}
		}
		checkLabels(t, body)
	}
	if catalog := get(t, h, http.MethodGet, "/challenges").Body.String(); !strings.Contains(catalog, "<dt>Languages</dt><dd>Go, Python, JavaScript</dd>") {
		t.Error("the catalog does not list a challenge's languages")
	}
}

// checkLabels fails when a form control of a page has no label naming it.
func checkLabels(t *testing.T, body string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<(?:select|input|textarea)[^>]*\sid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `<label for="`+m[1]+`">`) {
			t.Errorf("control #%s has no label", m[1])
		}
	}
	if m := regexp.MustCompile(`\s(on[a-z]+|style)=`).FindString(body); m != "" {
		t.Errorf("has attribute %q", m)
	}
}
