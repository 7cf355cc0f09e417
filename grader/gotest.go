package grader

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// goTestEvent is one line of `go test -json` (test2json) output.
type goTestEvent struct {
	Action  string  `json:"Action"`
	Test    string  `json:"Test"`
	Elapsed float64 `json:"Elapsed"`
	Output  string  `json:"Output"`
}

// goTestState is what the parser knows of one test or subtest.
type goTestState struct {
	name      string
	status    TestStatus
	elapsed   time.Duration
	output    strings.Builder
	truncated bool
	subtests  []string
}

// testOutputBytes caps what is kept of one test's output.
const testOutputBytes = 8 << 10

// maxLineBytes caps one line of test2json output; longer lines are
// dropped (the JSON of a well-formed line is never that long unless
// learner code printed it).
const maxLineBytes = 256 << 10

// goTestParser turns test2json output into per-test states. Only tests
// whose top-level name carries the job's nonce are believed; anything
// else was printed by learner code and is ignored.
type goTestParser struct {
	suffix   string
	tests    map[string]*goTestState
	started  func(name string)
	finished func(name string)
	// timedOut is set when the test binary reported its own -test.timeout.
	timedOut bool
	// order lists tests and subtests as they started.
	order []string
	// pkg is what the program printed outside any test, such as a panic
	// while the package initialised.
	pkg          strings.Builder
	pkgTruncated bool
	// exitMarker starts the line the box's shell prints with the test
	// program's exit status; exitStatus is that status, -1 until seen.
	exitMarker string
	exitStatus int
	line       []byte
	skipping   bool
}

func newGoTestParser(nonce string, started, finished func(name string)) *goTestParser {
	return &goTestParser{suffix: "_" + nonce, tests: map[string]*goTestState{}, started: started, finished: finished,
		exitMarker: exitMarker(nonce), exitStatus: -1}
}

// exitMarker is the start of the line that reports the test program's
// exit status; the nonce keeps learner code from printing one that counts.
func exitMarker(nonce string) string { return "grader-exit-" + nonce + " " }

// exitLine reads the exit status from an output line, if it is the
// marker line.
func (p *goTestParser) exitLine(out string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(out), strings.TrimSpace(p.exitMarker))
	if !ok {
		return false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(rest)); err == nil && n >= 0 {
		p.exitStatus = n
	}
	return true
}

// Write feeds raw output; it never fails, so a stream copy never stops.
func (p *goTestParser) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.appendLine(b)
			break
		}
		p.appendLine(b[:i])
		if !p.skipping {
			p.handle(p.line)
		}
		p.line = p.line[:0]
		p.skipping = false
		b = b[i+1:]
	}
	return n, nil
}

func (p *goTestParser) appendLine(b []byte) {
	if p.skipping {
		return
	}
	if len(p.line)+len(b) > maxLineBytes {
		p.skipping = true
		p.line = p.line[:0]
		return
	}
	p.line = append(p.line, b...)
}

// realName maps a reported test name to the challenge's, or "" when the
// name does not carry the nonce.
func (p *goTestParser) realName(reported string) string {
	top, rest, hasRest := strings.Cut(reported, "/")
	if !strings.HasSuffix(top, p.suffix) {
		return ""
	}
	name := strings.TrimSuffix(top, p.suffix)
	if hasRest {
		name += "/" + rest
	}
	return name
}

func (p *goTestParser) handle(line []byte) {
	var ev goTestEvent
	if json.Unmarshal(line, &ev) != nil {
		return
	}
	if ev.Action == "output" && p.exitLine(ev.Output) {
		return
	}
	if ev.Test == "" {
		if ev.Action == "output" {
			if strings.HasPrefix(ev.Output, "panic: test timed out after") {
				p.timedOut = true
			}
			if !isFraming(ev.Output) {
				p.pkgTruncated = appendCapped(&p.pkg, strings.ReplaceAll(ev.Output, p.suffix, "")) || p.pkgTruncated
			}
		}
		return
	}
	name := p.realName(ev.Test)
	if name == "" {
		return
	}
	st := p.tests[name]
	if st == nil {
		st = &goTestState{name: name}
		p.tests[name] = st
		p.order = append(p.order, name)
		if parent, _, ok := cutLast(name, "/"); ok {
			if ps := p.tests[parent]; ps != nil {
				ps.subtests = append(ps.subtests, name)
			}
		}
	}
	top := !strings.Contains(name, "/")
	switch ev.Action {
	case "run":
		if top && p.started != nil {
			p.started(name)
		}
	case "output":
		if isFraming(ev.Output) {
			return
		}
		if strings.HasPrefix(ev.Output, "panic: test timed out after") {
			p.timedOut = true
		}
		p.appendOutput(st, strings.ReplaceAll(ev.Output, p.suffix, ""))
	case "pass", "fail", "skip":
		if st.status != "" {
			return
		}
		st.status = map[string]TestStatus{"pass": TestPassed, "fail": TestFailed, "skip": TestSkipped}[ev.Action]
		st.elapsed = time.Duration(ev.Elapsed * float64(time.Second))
		if top && p.finished != nil {
			p.finished(name)
		}
	}
}

func (p *goTestParser) appendOutput(st *goTestState, s string) {
	st.truncated = appendCapped(&st.output, s) || st.truncated
}

// appendCapped appends s to b up to testOutputBytes in all and reports
// whether it had to cut.
func appendCapped(b *strings.Builder, s string) bool {
	if b.Len()+len(s) <= testOutputBytes {
		b.WriteString(s)
		return false
	}
	b.WriteString(s[:max(0, testOutputBytes-b.Len())])
	return true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// isFraming reports whether an output line is go test's own framing
// ("=== RUN", "--- FAIL: ...") rather than something the test printed.
func isFraming(s string) bool {
	t := strings.TrimLeft(s, " ")
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- FAIL", "--- SKIP", "PASS\n", "FAIL\n"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// logLine matches what t.Error, t.Fatal and t.Log print: "file.go:12: message".
var logLine = regexp.MustCompile(`^\s+[\w.\-]+\.go:\d+: `)

// failureMessage picks, from a failed test's output, the lines a learner
// needs: the test's own error messages, or the panic with the frames of
// the learner's code, else "".
func failureMessage(output string) string {
	lines := strings.Split(output, "\n")
	var msg []string
	inLog := false
	for _, l := range lines {
		switch {
		case logLine.MatchString(l):
			msg = append(msg, strings.TrimSpace(l))
			inLog = true
		case inLog && strings.HasPrefix(l, "        "):
			msg = append(msg, "  "+strings.TrimSpace(l))
		default:
			inLog = false
		}
	}
	if len(msg) > 0 {
		return trimText(strings.Join(msg, "\n"), 2048)
	}
	return panicMessage(output)
}

// trimText cuts s to at most n bytes, marking the cut. It cuts between
// words when a space or line break comes within wordSlack bytes before
// the limit, so a message never ends in half a word; a longer token (a
// URL, a hash) is cut on a character boundary.
func trimText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	if !isSpace(s[cut]) {
		for i := cut - 1; i > 0 && i >= cut-wordSlack; i-- {
			if isSpace(s[i]) {
				cut = i
				break
			}
		}
	}
	return strings.TrimRight(s[:cut], " \t\n") + "…"
}

// wordSlack is how far back trimText looks for the end of a word.
const wordSlack = 40

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' }

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
