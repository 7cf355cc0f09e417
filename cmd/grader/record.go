package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/termsafe"
)

func newChallengeRecordCmd(cfg *Config) *cobra.Command {
	var (
		language string
		suite    string
		run      string
		quiet    bool
	)
	cmd := &cobra.Command{
		Use:   "record <id|path> [--language go|python|javascript] [--suite NAME] [--run REGEX]",
		Short: "Print the reference solution's responses to every http step, ready to paste into expect",
		Long: `Run the challenge's reference solution (solution/, or the one of
--language) through its http suites with the same engine and sandbox as
grade, and print for every step of every test what the service answered:
its status, headers and JSON body as a YAML expect block to paste into the
test file, with the request as sent in a comment above it.

Every step runs, even after one fails, so a test can be written as
requests alone and then filled in. A step's own expect is still checked:
when it fails with the reference, a comment says why. Values that an
earlier step of the test captured are written as ${name}; values the step
captures itself vary from run to run, so they are written as a type check,
and times as a pattern. Objects are spelled out member by member. Date and
Content-Length are left out.

--suite and --run pick suites and tests as for grade. Exit status: 0 when
the reference passes every recorded test, 1 when it fails one (the
responses are printed all the same), 2 bad usage, 3 a fault of the grader.`,
		Args: exactArgs(1, "one challenge id or folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			ch, err := challenges.Find(cfg.Catalog, args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			lang, err := gradeLanguage(ch, language)
			if err != nil {
				return err
			}
			part, err := recordPart(ch, lang, suite, run)
			if err != nil {
				return err
			}
			sub, err := referenceOf(ch, lang)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			env, err := newEngine(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer env.Close()

			rec := &stepRecorder{}
			var pp *progressPrinter
			if !quiet {
				pp = newProgressPrinter(cmd.ErrOrStderr(), grader.ViewInstructor)
				rec.progress = pp
			}
			res, err := env.engine.Grade(ctx, part, sub, rec)
			if pp != nil {
				pp.Stop()
			}
			if err != nil {
				return faultErr(fmt.Errorf("recording failed through no fault of the reference: %w", err))
			}
			printRecord(cmd.OutOrStdout(), res, rec.recorded())
			if !res.Passed() {
				fmt.Fprintf(cmd.ErrOrStderr(), "grader: the reference fails %s; its responses are printed all the same\n", failedTests(res))
				return &exitError{code: exitLess, err: errQuiet}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&language, "language", string(grader.LanguageGo), "the language of the reference to run, one the challenge offers: go, python or javascript")
	f.StringVar(&suite, "suite", "", "record only the http suite of this name")
	f.StringVar(&run, "run", "", "record only the tests whose names match this regular expression")
	f.BoolVarP(&quiet, "quiet", "q", false, "do not show progress while recording")
	return cmd
}

// recordPart is the part of ch that record runs: its http suites, narrowed
// by --suite and --run. A mistake is a usage error naming the http suites.
func recordPart(ch *grader.Challenge, lang grader.Language, suite, run string) (*grader.Challenge, error) {
	web := *ch
	web.Suites = nil
	for _, s := range ch.Suites {
		if s.Kind == grader.SuiteHTTP {
			web.Suites = append(web.Suites, s)
		}
	}
	if len(web.Suites) == 0 {
		return nil, usageErr("challenge %s has no http suite; record shows the responses of http steps", ch.ID)
	}
	sel, err := gradeSelection(&web, lang, suite, run)
	if err != nil {
		return nil, err
	}
	part, err := web.Select(lang, sel)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return part, nil
}

// referenceOf reads the reference solution of ch in lang.
func referenceOf(ch *grader.Challenge, lang grader.Language) (grader.Submission, error) {
	samples, err := challenges.SamplesOf(ch)
	if err != nil {
		return grader.Submission{}, usageErr("%v", err)
	}
	for _, s := range samples {
		if s.Language == lang && s.Kind == challenges.SampleSolution {
			sub, err := grader.ReadDirIn("", lang, s.Dir, grader.SubmissionLimits{})
			if err != nil {
				return grader.Submission{}, usageErr("reference %s: %v", s.Dir, err)
			}
			return sub, nil
		}
	}
	return grader.Submission{}, usageErr("challenge %s has no %s reference solution", ch.ID, lang)
}

func failedTests(res grader.Result) string {
	var names []string
	for _, t := range res.Tests {
		if t.Status != grader.TestPassed {
			names = append(names, fmt.Sprintf("%q", t.Name))
		}
	}
	if len(names) == 0 {
		return string(res.Status) + ": " + res.Message
	}
	return "test " + strings.Join(names, ", ")
}

// stepRecorder collects the steps the tester records, passing every
// other event on to progress (when set).
type stepRecorder struct {
	progress grader.Progress
	mu       sync.Mutex
	steps    []grader.StepRecord
}

var _ grader.StepRecorder = (*stepRecorder)(nil)

// Event passes e on.
func (r *stepRecorder) Event(e grader.Event) {
	if r.progress != nil {
		r.progress.Event(e)
	}
}

// StepRecorded keeps s.
func (r *stepRecorder) StepRecorded(s grader.StepRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps = append(r.steps, s)
}

func (r *stepRecorder) recorded() []grader.StepRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.steps)
}

// unstableHeaders change from one run to the next; record leaves them out.
var unstableHeaders = []string{"Content-Length", "Date"}

// printRecord writes, test by test in the result's order, each recorded
// step as a comment naming it and an expect block. Everything from the
// service is made safe for a terminal; the YAML quotes what it must.
func printRecord(w io.Writer, res grader.Result, steps []grader.StepRecord) {
	byTest := map[string][]grader.StepRecord{}
	for _, s := range steps {
		key := s.Suite + "\x00" + s.Test
		byTest[key] = append(byTest[key], s)
	}
	for i, t := range res.Tests {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# ── suite %s, test %s\n", clean(t.Suite), clean(strings.ReplaceAll(t.Name, "\n", " ")))
		recorded := byTest[t.Suite+"\x00"+t.Name]
		if len(recorded) == 0 {
			fmt.Fprintf(w, "# no step ran: %s\n", oneLine(t.Message))
			continue
		}
		captured := map[string]json.RawMessage{}
		for _, s := range recorded {
			printStep(w, s, captured)
			maps.Copy(captured, s.Captured)
		}
	}
}

// printStep writes one step; captured holds what earlier steps of the
// test captured.
func printStep(w io.Writer, s grader.StepRecord, captured map[string]json.RawMessage) {
	label := fmt.Sprintf("step %d", s.Step)
	if s.Name != "" {
		label += fmt.Sprintf(" %q", s.Name)
	}
	switch {
	case s.Restarted && s.Request != "":
		label += " (restart, then " + s.Request + ")"
	case s.Restarted:
		label += " (restart)"
	case s.Request != "":
		label += " (" + s.Request + ")"
	}
	fmt.Fprintf(w, "\n# %s\n", clean(label))
	if s.Restarted && s.Request == "" {
		if s.Failure != "" {
			fmt.Fprintf(w, "# the restart failed: %s\n", oneLine(s.Failure))
		} else {
			fmt.Fprintln(w, "# the service restarted and answered its ready probe")
		}
		return
	}
	if strings.HasPrefix(s.Request, "SQL ") && len(s.JSON) > 0 {
		// A query step: its rows, as JSON (which YAML reads as is).
		fmt.Fprintln(w, "expect:")
		fmt.Fprintf(w, "  rows: %s\n", safeLine(string(s.JSON)))
		if s.Failure != "" {
			fmt.Fprintf(w, "# this step's expect fails with the reference: %s\n", oneLine(s.Failure))
		}
		return
	}
	if s.Status == 0 {
		fmt.Fprintf(w, "# no response: %s\n", oneLine(s.Failure))
		return
	}
	fmt.Fprintln(w, "expect:")
	if s.Requests > 1 {
		var parts []string
		for _, code := range slices.Sorted(maps.Keys(s.Statuses)) {
			parts = append(parts, fmt.Sprintf("%d: %d", code, s.Statuses[code]))
		}
		fmt.Fprintf(w, "  statuses: {%s}\n", strings.Join(parts, ", "))
		fmt.Fprintf(w, "  # below: the first of the %d responses; keep what all of them share\n", s.Requests)
	} else {
		fmt.Fprintf(w, "  status: %d\n", s.Status)
	}
	printHeaders(w, s.Headers, captured)
	switch {
	case len(s.JSON) > 0:
		printBodyJSON(w, s, captured)
	case s.Body != "":
		first, _, _ := strings.Cut(strings.TrimSpace(s.Body), "\n")
		fmt.Fprintf(w, "  body_contains: %s\n", yamlString(trimWords(first, 60)))
	}
	if s.Queries > 0 {
		fmt.Fprintf(w, "# the service ran %d database queries to answer; bound them with max_queries: %d\n", s.Queries, s.Queries)
	}
	if len(s.Captured) > 0 {
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(s.Captured)) {
			parts = append(parts, name+" = "+string(s.Captured[name]))
		}
		fmt.Fprintf(w, "# captured: %s\n", safeLine(strings.Join(parts, ", ")))
	}
	if s.Failure != "" {
		fmt.Fprintf(w, "# this step's expect fails with the reference: %s\n", oneLine(s.Failure))
	}
}

func printHeaders(w io.Writer, headers map[string]string, captured map[string]json.RawMessage) {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		if slices.Contains(unstableHeaders, k) {
			continue
		}
		lines = append(lines, fmt.Sprintf("    %s: %s", k, yamlString(withCaptures(headers[k], captured))))
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "  headers:\n%s\n", strings.Join(lines, "\n"))
	}
}

// printBodyJSON writes the body's members as expect.json entries, objects
// flattened to the paths of their members (error.code), so that each entry
// can be kept or dropped on its own; the whole body goes under "@this" when
// it is not an object.
func printBodyJSON(w io.Writer, s grader.StepRecord, captured map[string]json.RawMessage) {
	own := map[string]string{} // raw value → the name this step captures it as
	for name, raw := range s.Captured {
		own[string(raw)] = name
	}
	members, order := objectMembers(s.JSON)
	if members == nil {
		fmt.Fprintf(w, "  json:\n    \"@this\": %s\n", yamlValue(s.JSON, captured, own))
		return
	}
	if len(order) == 0 {
		fmt.Fprintln(w, "  # the body is {}")
		return
	}
	fmt.Fprintln(w, "  json:")
	var flatten func(prefix string, members map[string]json.RawMessage, order []string)
	flatten = func(prefix string, members map[string]json.RawMessage, order []string) {
		for _, k := range order {
			path, v := prefix+gjsonEscape(k), members[k]
			if inner, innerOrder := objectMembers(v); len(innerOrder) > 0 {
				if _, isOwn := own[string(v)]; !isOwn {
					flatten(path+".", inner, innerOrder)
					continue
				}
			}
			fmt.Fprintf(w, "    %s: %s\n", yamlKey(path), yamlValue(v, captured, own))
		}
	}
	flatten("", members, order)
}

// objectMembers returns the members of a JSON object in their order, or
// nil when raw is not an object.
func objectMembers(raw json.RawMessage) (map[string]json.RawMessage, []string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil
	}
	members := map[string]json.RawMessage{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil
		}
		if _, dup := members[key]; !dup {
			order = append(order, key)
		}
		members[key] = v
	}
	return members, order
}

// yamlValue writes one expected JSON value: ${name} when an earlier step
// captured exactly it, a type check (with the value in a comment) when
// this step captures it, an object under equals (so that no key reads as
// an operator), anything else as it is (JSON is YAML).
func yamlValue(raw json.RawMessage, captured map[string]json.RawMessage, own map[string]string) string {
	for _, name := range slices.Sorted(maps.Keys(captured)) {
		if bytes.Equal(captured[name], raw) {
			return yamlString("${" + name + "}")
		}
	}
	if name, ok := own[string(raw)]; ok {
		return fmt.Sprintf("{type: %s}   # captured as %s; this time %s", jsonType(raw), name, safeLine(string(raw)))
	}
	if timestamp.Match(raw) {
		return fmt.Sprintf(`{matches: '%s'}   # a time; this time %s`, timePattern, safeLine(string(raw)))
	}
	switch raw[0] {
	case '{':
		return "{equals: " + safeLine(string(raw)) + "}"
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return yamlString(s)
	}
	return safeLine(string(raw))
}

// timePattern matches an RFC 3339 time, which differs from run to run.
const timePattern = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`

// timestamp is a JSON string holding an RFC 3339 time.
var timestamp = regexp.MustCompile(`^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"$`)

func jsonType(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// withCaptures writes captured strings (of four characters or more) found
// in a header value as ${name}.
func withCaptures(v string, captured map[string]json.RawMessage) string {
	for _, name := range slices.Sorted(maps.Keys(captured)) {
		var s string
		if json.Unmarshal(captured[name], &s) == nil && len(s) >= 4 {
			v = strings.ReplaceAll(v, s, "${"+name+"}")
		}
	}
	return v
}

// plainYAML is text YAML reads back as the same string without quotes.
var plainYAML = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9_./+-]*(;? ?[A-Za-z0-9_./=+-]+)*$`)

// yamlWords are plain words YAML would read as something other than a string.
var yamlWords = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "null": true, "y": true, "n": true}

// yamlString writes s as a YAML string: plain when that reads back the
// same, else double-quoted (JSON's quoting, which YAML reads).
func yamlString(s string) string {
	if plainYAML.MatchString(s) && !yamlWords[strings.ToLower(s)] {
		return s
	}
	return safeLine(quoted(s))
}

// plainKey is a mapping key YAML reads back as the same string unquoted.
var plainKey = regexp.MustCompile(`^[A-Za-z_\\][A-Za-z0-9_./\\-]*$`)

func yamlKey(k string) string {
	if plainKey.MatchString(k) && !yamlWords[strings.ToLower(k)] {
		return k
	}
	return safeLine(quoted(k))
}

// quoted is s as a double-quoted string, JSON's quoting (which YAML
// reads) without escaping <, > and &.
func quoted(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// gjsonEscape escapes the characters a GJSON path gives meaning to, so
// that a member name is a path to itself.
func gjsonEscape(k string) string {
	var b strings.Builder
	for _, r := range k {
		if strings.ContainsRune(`.*?|#@!\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// safeLine is s safe for a terminal, on one line, whole.
func safeLine(s string) string { return termsafe.Line(s, 0) }

// oneLine is s, safe for a terminal, on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(termsafe.Text(s)), " ")
}

// trimWords cuts s to at most n bytes at a space when there is one.
func trimWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
	}
	return s[:cut]
}
