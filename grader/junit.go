package grader

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
)

// junitEntry is one test a JUnit XML report tells of: a testcase, or a
// testsuite that node:test writes for a test with subtests.
type junitEntry struct {
	// Path are the names of the enclosing testsuite elements, outermost
	// first.
	Path []string
	Name string
	// Suite marks a testsuite element; it comes after its children.
	Suite   bool
	Status  TestStatus
	Message string
	Output  string
	Seconds float64
}

// junitCase is a testcase element as pytest and node:test write it.
type junitCase struct {
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out"`
	SystemErr string        `xml:"system-err"`
}

// junitProblem is a failure, error or skipped element.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// capturedFraming matches the header pytest puts above captured output.
var capturedFraming = regexp.MustCompile(`(?m)^-+ Captured \w+ -+\n`)

// junitSuite is what is kept of an open testsuite element.
type junitSuite struct {
	name     string
	seconds  float64
	problems bool
}

// parseJUnit reads the tests of a JUnit XML report, in document order.
// complete is false when the report is cut short or malformed (a test
// program that ended early); the entries read until then are returned.
// Each testsuite element is reported after its testcases: failed when
// its failures or errors attribute is above 0. Reading stops at the end
// of the root testsuites element.
func parseJUnit(data []byte) (entries []junitEntry, complete bool) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, false
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	var open []junitSuite
	for {
		tok, err := d.Token()
		if err != nil {
			return entries, err.Error() == "EOF" && len(open) == 0
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "testsuite":
				open = append(open, openSuite(t))
			case "testcase":
				var c junitCase
				if d.DecodeElement(&c, &t) != nil {
					return entries, false
				}
				entries = append(entries, caseEntry(suitePath(open), c))
			}
		case xml.EndElement:
			if t.Name.Local == "testsuites" && len(open) == 0 {
				// The report ends with its root: whatever follows was
				// not written by the runner.
				return entries, true
			}
			if t.Name.Local != "testsuite" || len(open) == 0 {
				continue
			}
			s := open[len(open)-1]
			open = open[:len(open)-1]
			e := junitEntry{Path: suitePath(open), Name: s.name, Suite: true, Status: TestPassed, Seconds: s.seconds}
			if s.problems {
				e.Status = TestFailed
			}
			entries = append(entries, e)
		}
	}
}

func openSuite(t xml.StartElement) junitSuite {
	s := junitSuite{}
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "name":
			s.name = a.Value
		case "time":
			s.seconds, _ = strconv.ParseFloat(a.Value, 64)
		case "failures", "errors":
			if n, err := strconv.Atoi(a.Value); err == nil && n > 0 {
				s.problems = true
			}
		}
	}
	return s
}

func suitePath(open []junitSuite) []string {
	p := make([]string, len(open))
	for i, s := range open {
		p[i] = s.name
	}
	return p
}

func caseEntry(path []string, c junitCase) junitEntry {
	e := junitEntry{Path: path, Name: c.Name, Status: TestPassed, Output: capturedFraming.ReplaceAllString(c.SystemOut+c.SystemErr, "")}
	e.Seconds, _ = strconv.ParseFloat(c.Time, 64)
	switch {
	case c.Failure != nil:
		e.Status, e.Message, e.Output = TestFailed, c.Failure.Message, strings.TrimSpace(c.Failure.Text)+"\n"+e.Output
	case c.Error != nil:
		e.Status, e.Message, e.Output = TestFailed, c.Error.Message, strings.TrimSpace(c.Error.Text)+"\n"+e.Output
	case c.Skipped != nil:
		e.Status, e.Message = TestSkipped, c.Skipped.Message
	}
	return e
}
