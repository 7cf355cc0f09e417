// Package web serves the grading service's web pages: sign-in, the
// challenge catalog, challenge pages, live grading and results, attempt
// history, and the instructor's cohort pages. Pages and assets are
// embedded in the binary; there is no build step.
//
// The pages are a client of the JSON API (/v1): the browser keeps the
// bearer token in sessionStorage and script calls the API with it, so
// everything that depends on who is signed in (scores, submissions,
// results, cohorts) comes from the API and is only as visible as the API
// makes it. What the server renders into the pages needs no token: the
// catalog's public face (titles, summaries, statements rendered from
// Markdown, limits, the names of visible tests) and, on a development
// service only, the development tokens to sign in with.
//
// The pages are written for the strict Content-Security-Policy the API's
// router puts on every answer (internal/secheaders): scripts and styles
// from this origin only, no inline script, Trusted Types for the DOM
// sinks. Pages replace its Cache-Control: no-store with no-cache. Assets are
// served with an ETag; asset links carry a digest of the file, and a
// request with the current digest may be cached for a year.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gradebox/grader/grader"
)

//go:embed templates static
var files embed.FS

// Catalog is the part of the challenge catalog the pages show;
// *challenges.Index implements it.
type Catalog interface {
	// Challenge returns a challenge, or an error wrapping grader.ErrNotFound.
	Challenge(id string) (*grader.Challenge, error)
	// Challenges returns every challenge.
	Challenges() []*grader.Challenge
}

// DevToken is a development token the sign-in page offers to newcomers.
type DevToken struct {
	// Token is the bearer token itself.
	Token string
	// Subject is who it signs in as ("alice").
	Subject string
	// Role is "learner", "instructor" or "admin".
	Role string
}

// Config configures the pages. Catalog is required.
type Config struct {
	Catalog Catalog
	// DevTokens are shown on the sign-in page, for a service running with
	// the published development tokens only. Leave it empty on every real
	// deployment: whatever is listed here is shown to anyone.
	DevTokens []DevToken
	// Logger receives template failures; discarded if nil.
	Logger *slog.Logger
}

// Cache lifetimes.
const (
	// pageCache makes browsers revalidate pages every time: they are small
	// and show the current catalog.
	pageCache = "no-cache"
	// assetCacheVersioned is for an asset asked for by its current digest.
	assetCacheVersioned = "public, max-age=31536000, immutable"
	// assetCacheUnversioned is for an asset asked for without it.
	assetCacheUnversioned = "no-cache"
)

// asset is one embedded static file.
type asset struct {
	body        []byte
	digest      string // first 16 hex digits of its SHA-256
	contentType string
}

// Handler serves the pages and assets.
type Handler struct {
	cfg    Config
	log    *slog.Logger
	assets map[string]asset
	pages  map[string]*template.Template
	md     *markdown
	mux    *http.ServeMux

	mu         sync.Mutex
	statements map[string]renderedStatement
}

// renderedStatement is a challenge statement as HTML, with the Markdown
// and title it was rendered from (a catalog reload may change either
// without changing the challenge's version).
type renderedStatement struct {
	source, title string
	html          template.HTML
}

// contentTypes are the asset types served, by extension.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// pageNames are the templates under templates/, each a page that uses
// layout.html.
var pageNames = []string{"signin", "catalog", "challenge", "submission", "history", "instructor", "cohort", "tests", "notfound"}

// New returns the handler of the web pages. It panics if the embedded
// templates do not parse, which a unit test rules out.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, assets: map[string]asset{}, pages: map[string]*template.Template{},
		md: newMarkdown(), statements: map[string]renderedStatement{}}
	if err := h.loadAssets(); err != nil {
		panic(err)
	}
	if err := h.parseTemplates(); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.signIn)
	mux.HandleFunc("GET /challenges", h.catalog)
	mux.HandleFunc("GET /challenges/{id}", h.challenge)
	mux.HandleFunc("GET /submissions", h.static("history", "Attempt history"))
	mux.HandleFunc("GET /submissions/{id}", h.static("submission", "Submission"))
	mux.HandleFunc("GET /instructor", h.instructor)
	mux.HandleFunc("GET /instructor/cohorts/{id}", h.cohortPage("cohort", "Cohort"))
	mux.HandleFunc("GET /instructor/cohorts/{id}/tests", h.cohortPage("tests", "Failure rates"))
	mux.HandleFunc("GET /assets/{name}", h.asset)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.assetURL("icon.svg"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/", h.notFound)
	h.mux = mux
	return h
}

// ServeHTTP serves a page or an asset. Anything but GET and HEAD is
// refused. The security headers are the caller's: the API's router sets
// them on every answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the web pages answer GET and HEAD only", http.StatusMethodNotAllowed)
		return
	}
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) loadAssets() error {
	return fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("web: static file %s has no known content type", p)
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.assets[strings.TrimPrefix(p, "static/")] = asset{body: b, digest: hex.EncodeToString(sum[:8]), contentType: ct}
		return nil
	})
}

// assetURL is the link to a static file, with its digest so a changed
// file is fetched anew.
func (h *Handler) assetURL(name string) string {
	a, ok := h.assets[name]
	if !ok {
		panic("web: no asset " + name)
	}
	return "/assets/" + name + "?v=" + a.digest
}

func (h *Handler) parseTemplates() error {
	funcs := template.FuncMap{
		"asset":    h.assetURL,
		"duration": formatDuration,
		"bytes":    formatBytes,
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("web: parse template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return nil
}

// pageData is what every page template gets.
type pageData struct {
	// Page names the page for its script (body data-page).
	Page string
	// Title is the document title, before " · grader".
	Title string
	// Script is the page's own script, if any.
	Script string
	// Data is the page's own data.
	Data any
	// Dev is set on a development service (one with DevTokens): pages
	// then add hints for trying it out.
	Dev bool
}

// render writes page name with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	d.Page = name
	d.Dev = len(h.cfg.DevTokens) > 0
	if _, ok := h.assets[name+".js"]; ok {
		d.Script = name + ".js"
	}
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, d); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", pageCache)
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// static serves a page whose content comes from script alone.
func (h *Handler) static(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusOK, name, pageData{Title: title})
	}
}

// signInData is what the sign-in page shows.
type signInData struct {
	DevTokens []DevToken
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", pageData{Title: "Sign in", Data: signInData{DevTokens: h.cfg.DevTokens}})
}

// challengeItem is a challenge as the catalog and challenge pages show it.
type challengeItem struct {
	ID, Title, Summary, Difficulty string
	Tags                           []string
	MaxScore                       int
	// Languages are the languages it is offered in, in the order shown;
	// the first is the default.
	Languages []languageItem
}

// languageItem is a language a challenge is offered in, as a page shows
// it.
type languageItem struct {
	// Value is the language as the API spells it ("python").
	Value string
	// Name is its display name ("Python").
	Name string
	// Marks says what at a submission's root shows it is in the language.
	Marks string
	// Samples is the folder, in the project's repository, holding the
	// language's starter/ and solution/ ("challenges/notes-api/languages/python").
	Samples string
}

// languageNames are the languages' display names.
var languageNames = map[grader.Language]string{
	grader.LanguageGo:         "Go",
	grader.LanguagePython:     "Python",
	grader.LanguageJavaScript: "JavaScript",
}

// languageMarks say, for the drop zone, what a submission's folder holds
// in each language (as grader.Language.MarksRoot decides).
var languageMarks = map[grader.Language]string{
	grader.LanguageGo:         "go.mod",
	grader.LanguagePython:     "requirements.txt, pyproject.toml or a .py file",
	grader.LanguageJavaScript: "package.json or a .js file",
}

func itemOf(c *grader.Challenge) challengeItem {
	it := challengeItem{ID: c.ID, Title: c.Title, Summary: c.Summary, Difficulty: c.Difficulty, Tags: c.Tags, MaxScore: c.MaxScore()}
	for _, l := range c.OfferedLanguages() {
		o, _ := c.Offering(l)
		name := languageNames[l]
		if name == "" {
			name = string(l)
		}
		it.Languages = append(it.Languages, languageItem{Value: string(l), Name: name, Marks: languageMarks[l],
			Samples: path.Join("challenges", c.ID, o.Samples)})
	}
	return it
}

// catalog lists the challenges, filtered by the query string's
// difficulty and tag values (see catalogFilter).
func (h *Handler) catalog(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "catalog", pageData{Title: "Challenges", Data: catalogPage(h.cfg.Catalog.Challenges(), filterOf(r.URL.Query()))})
}

// visibleTest is a test learners know by name before submitting.
type visibleTest struct {
	Suite, Name string
	Points      int
}

// challengeData is what a challenge page shows.
type challengeData struct {
	challengeItem
	Statement    template.HTML
	Limits       grader.Limits
	VisibleTests []visibleTest
	HiddenTests  int
	HiddenPoints int
}

func (h *Handler) challenge(w http.ResponseWriter, r *http.Request) {
	c, err := h.cfg.Catalog.Challenge(r.PathValue("id"))
	if err != nil {
		if !errors.Is(err, grader.ErrNotFound) {
			h.log.Error("look up challenge", "challenge", r.PathValue("id"), "err", err)
		}
		h.render(w, r, http.StatusNotFound, "notfound", pageData{Title: "Not found", Data: "There is no challenge " + strconv.Quote(r.PathValue("id")) + "."})
		return
	}
	d := challengeData{challengeItem: itemOf(c), Statement: h.statement(c), Limits: c.Limits.WithDefaults()}
	for _, s := range c.ListedSuites() {
		for _, t := range s.Tests {
			if t.Visibility == grader.Visible {
				d.VisibleTests = append(d.VisibleTests, visibleTest{Suite: s.Name, Name: t.Name, Points: t.Points})
			} else {
				d.HiddenTests++
				d.HiddenPoints += t.Points
			}
		}
	}
	h.render(w, r, http.StatusOK, "challenge", pageData{Title: c.Title, Data: d})
}

// statement returns c's statement as HTML, rendered once per version.
func (h *Handler) statement(c *grader.Challenge) template.HTML {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.statements[c.ID]; ok && s.source == c.Statement && s.title == c.Title {
		return s.html
	}
	out, err := h.md.render(c.Statement, c.Title)
	if err != nil {
		h.log.Error("render statement", "challenge", c.ID, "err", err)
		return template.HTML("<p>The statement could not be rendered.</p>")
	}
	h.statements[c.ID] = renderedStatement{source: c.Statement, title: c.Title, html: out}
	return out
}

// instructorData is what the instructor home shows: the catalog, to
// choose a new cohort's challenges from.
type instructorData struct {
	Challenges []challengeItem
}

func (h *Handler) instructor(w http.ResponseWriter, r *http.Request) {
	var d instructorData
	for _, c := range h.cfg.Catalog.Challenges() {
		d.Challenges = append(d.Challenges, itemOf(c))
	}
	h.render(w, r, http.StatusOK, "instructor", pageData{Title: "Instructor", Data: d})
}

// cohortPage serves a page about one cohort, filled by script.
func (h *Handler) cohortPage(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusOK, name, pageData{Title: title, Data: r.PathValue("id")})
	}
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusNotFound, "notfound", pageData{Title: "Not found", Data: "There is no page at " + r.URL.Path + "."})
}

// asset serves an embedded static file.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.PathValue("name")]
	if !ok {
		h.notFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("ETag", `"`+a.digest+`"`)
	if r.URL.Query().Get("v") == a.digest {
		hd.Set("Cache-Control", assetCacheVersioned)
	} else {
		hd.Set("Cache-Control", assetCacheUnversioned)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// formatDuration writes a limit for people: "60s", "2m", "1.5s".
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
	default:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
}

// formatBytes writes a size for people in binary units: "256 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	switch {
	case n >= unit*unit*unit && n%(unit*unit*unit) == 0:
		return strconv.FormatInt(n/(unit*unit*unit), 10) + " GiB"
	case n >= unit*unit:
		return strconv.FormatFloat(float64(n)/(unit*unit), 'f', -1, 64) + " MiB"
	case n >= unit:
		return strconv.FormatFloat(float64(n)/unit, 'f', -1, 64) + " KiB"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}
