package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gradebox/grader/grader"
)

// The JUnit document follows the Apache Ant schema (report/testdata/
// JUnit.xsd), the strictest one CI test reporters read. That schema shapes
// it in ways worth knowing:
//
//   - <testsuites> may carry no attributes, so the cohort's id is a
//     property of every <testsuite> instead of a name on the root;
//   - each aggregated <testsuite> needs package, id, hostname, timestamp
//     (no time zone: UTC is written), tests, failures, errors and time,
//     and holds <properties>, its test cases, <system-out> and
//     <system-err>, in that order, even when they are empty;
//   - each <testcase> needs name, classname and time; <failure> and
//     <error> need a type.
//
// The report records no durations, so every time is 0.

// junitTimestamp is the schema's ISO 8601 pattern: no fraction, no zone.
const junitTimestamp = "2006-01-02T15:04:05"

// noSubmissionCase is the test case standing for a row with no graded
// submission, which would otherwise vanish from the report.
const noSubmissionCase = "submission"

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr"`
	ID         int             `xml:"id,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties junitProperties `xml:"properties"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out"`
	SystemErr  string          `xml:"system-err"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes r as JUnit XML: one <testsuites> root, one <testsuite>
// per learner (named by learner id, in order of first appearance) holding
// one <testcase classname="<challenge>" name="<test>"> per test of each of
// the learner's rows. A failed test has a <failure>, a skipped or not-run
// one <skipped/>, a test of any other status an <error>. A row with no
// graded submission is one failing test case named "submission". Scores,
// attempts and statuses are the suite's <properties>.
//
// Characters XML 1.0 cannot hold (most control characters, invalid
// UTF-8) are dropped from every string.
func WriteJUnit(w io.Writer, r Report) error {
	doc := junitSuites{Suites: []junitSuite{}}
	index := map[string]int{}
	var learners []string
	var rows [][]Row
	for _, row := range r.Rows {
		i, ok := index[row.Learner]
		if !ok {
			i = len(learners)
			index[row.Learner] = i
			learners = append(learners, row.Learner)
			rows = append(rows, nil)
		}
		rows[i] = append(rows[i], row)
	}
	for i, learner := range learners {
		doc.Suites = append(doc.Suites, junitSuiteOf(r, i, learner, rows[i]))
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	return nil
}

// junitSuiteOf is one learner's test suite.
func junitSuiteOf(r Report, id int, learner string, rows []Row) junitSuite {
	s := junitSuite{
		Name:     tokenOr(learner, "(no learner id)"),
		Package:  xmlText(r.Cohort),
		ID:       id,
		Hostname: "localhost",
		Time:     "0",
	}
	latest := time.Time{}
	score, maxScore := 0, 0
	props := []junitProperty{{"cohort", xmlText(r.Cohort)}}
	var out strings.Builder
	for _, row := range rows {
		if row.GradedAt.After(latest) {
			latest = row.GradedAt
		}
		score += row.BestScore
		maxScore += row.MaxScore
		ch := tokenOr(row.Challenge, "(no challenge id)")
		props = append(props,
			junitProperty{ch + ".score", strconv.Itoa(row.BestScore)},
			junitProperty{ch + ".max_score", strconv.Itoa(row.MaxScore)},
			junitProperty{ch + ".attempts", strconv.Itoa(row.Attempts)},
			junitProperty{ch + ".last_status", xmlText(row.LastStatus)},
			junitProperty{ch + ".best_submission", xmlText(row.BestSubmission)},
		)
		if row.ChallengeVersion != "" {
			props = append(props, junitProperty{ch + ".version", xmlText(row.ChallengeVersion)})
		}
		if row.Language != "" {
			props = append(props, junitProperty{ch + ".language", xmlText(row.Language)})
		}
		if !row.GradedAt.IsZero() {
			props = append(props, junitProperty{ch + ".graded_at", row.GradedAt.UTC().Format(time.RFC3339)})
		}
		fmt.Fprintf(&out, "%s: %d/%d, %d %s", ch, row.BestScore, row.MaxScore, row.Attempts, plural(row.Attempts, "attempt", "attempts"))
		if row.LastStatus != "" {
			fmt.Fprintf(&out, ", last status %s", xmlText(row.LastStatus))
		}
		out.WriteString("\n")
		for _, c := range junitCasesOf(ch, row) {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
			s.Cases = append(s.Cases, c)
		}
	}
	props = append(props,
		junitProperty{"score", strconv.Itoa(score)},
		junitProperty{"max_score", strconv.Itoa(maxScore)},
	)
	s.Properties.Property = props
	s.SystemOut = out.String()
	if latest.IsZero() {
		latest = r.GeneratedAt
	}
	s.Timestamp = latest.UTC().Format(junitTimestamp)
	return s
}

// junitCasesOf is one row's test cases, classname already made safe.
func junitCasesOf(classname string, row Row) []junitCase {
	if len(row.Tests) == 0 {
		c := junitCase{Name: noSubmissionCase, Classname: classname, Time: "0"}
		switch {
		case row.BestSubmission == "":
			c.Failure = &junitProblem{Message: "no graded submission", Type: "no_submission"}
		case row.BestScore < row.MaxScore || row.MaxScore == 0:
			// Graded, but no test results to show (say, a result from
			// before tests were recorded): the score is the verdict.
			msg := fmt.Sprintf("best submission scored %d/%d", row.BestScore, row.MaxScore)
			c.Failure = &junitProblem{Message: msg, Type: xmlText(row.LastStatus)}
		}
		return []junitCase{c}
	}
	cases := make([]junitCase, 0, len(row.Tests))
	for _, t := range row.Tests {
		c := junitCase{Name: tokenOr(t.Name, "(unnamed test)"), Classname: classname, Time: "0"}
		msg := xmlText(t.Message)
		detail := fmt.Sprintf("suite %s, %d/%d points", xmlText(t.Suite), t.Points, t.MaxPoints)
		if msg != "" {
			detail += "\n" + msg
		}
		switch t.Status {
		case grader.TestPassed:
		case grader.TestFailed:
			c.Failure = &junitProblem{Message: orDefault(firstLine(msg), "failed"), Type: string(t.Status), Text: detail}
		case grader.TestSkipped, grader.TestNotRun:
			c.Skipped = &junitSkipped{Message: orDefault(firstLine(msg), strings.ReplaceAll(string(t.Status), "_", " "))}
		default:
			st := xmlText(string(t.Status))
			c.Error = &junitProblem{Message: orDefault(firstLine(msg), "status "+st), Type: orDefault(st, "unknown"), Text: detail}
		}
		cases = append(cases, c)
	}
	return cases
}

// xmlText returns s without the characters XML 1.0 cannot hold (invalid
// UTF-8, control characters other than tab, newline and carriage return,
// surrogates, U+FFFE and U+FFFF) nor the ones it discourages (DEL and the
// C1 controls, U+007F to U+009F), which terminals and CI pages would
// interpret. encoding/xml would write U+FFFD for some and keep others;
// dropping them keeps ids readable.
func xmlText(s string) string {
	clean := true
	for i, r := range s {
		if !xmlChar(r) || (r == utf8.RuneError && !validRuneAt(s, i)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if xmlChar(r) && (r != utf8.RuneError || validRuneAt(s, i)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// validRuneAt reports whether the U+FFFD decoded at s[i] was really in s,
// not the decoder's mark for an invalid byte.
func validRuneAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 3
}

// xmlChar reports whether r is a Char of XML 1.0 (production [2]) other
// than DEL and the C1 controls.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r < 0x7F) ||
		(r > 0x9F && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

// tokenOr returns s made XML-safe, or fallback when nothing but white
// space is left: the schema's names are xs:token values of at least one
// character once white space collapses.
func tokenOr(s, fallback string) string {
	s = xmlText(s)
	if strings.Trim(s, " \t\r\n") == "" {
		return fallback
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// firstLine is s up to its first line break: attribute values stay short,
// the whole message goes into the element's text.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
