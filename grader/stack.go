package grader

import (
	"regexp"
	"strings"
)

// A Go stack trace is a goroutine header followed by frames of two lines:
// the function, then a tab and its file:line. Frames in hidden test files
// name the hidden file, its lines and its helpers, so the learner view
// leaves them out.

// hiddenFrame is the line standing for frames left out of a trace.
const hiddenFrame = "\t(frames in the hidden tests left out)"

// frameFile matches the location line of a frame.
var frameFile = regexp.MustCompile(`^\t\S+\.go:\d+`)

// testLogPrefix matches the "file_test.go:12: " that t.Error, t.Log and
// t.Skip put before a test's message.
var testLogPrefix = regexp.MustCompile(`(?m)^(\s*)[\w.\-]+_test\.go:\d+: `)

// hideTestFrames returns s without the frames located in test files (a
// run of them becomes one hiddenFrame line) and without the test file's
// name and line before each logged message.
func hideTestFrames(s string) string {
	if !strings.Contains(s, "_test.go:") {
		return s
	}
	s = testLogPrefix.ReplaceAllString(s, "$1")
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if i+1 < len(lines) && !strings.HasPrefix(l, "\t") && isTestFrame(lines[i+1]) {
			i++
			l = lines[i]
		}
		if isTestFrame(l) {
			if len(out) == 0 || out[len(out)-1] != hiddenFrame {
				out = append(out, hiddenFrame)
			}
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func isTestFrame(l string) bool {
	return frameFile.MatchString(l) && testFilePos.MatchString(l)
}

// panicMessage returns, from output holding a panic or fatal error, its
// first line(s) up to the goroutine trace and the frames of the learner's
// own code (not the Go runtime's, the testing package's or a test
// file's), or "" when output holds no panic.
func panicMessage(output string) string {
	lines := strings.Split(output, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			start = i
			break
		}
	}
	if start < 0 {
		return ""
	}
	msg := []string{}
	i := start
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "goroutine "); i++ {
		if l := strings.TrimRight(lines[i], " "); l != "" {
			msg = append(msg, l)
		}
	}
	frames := 0
	for ; i+1 < len(lines) && frames < 8; i++ {
		fn, loc := lines[i], lines[i+1]
		if strings.HasPrefix(fn, "\t") || !frameFile.MatchString(loc) {
			continue
		}
		i++
		if !learnerFrame(loc) {
			continue
		}
		msg = append(msg, fn, loc)
		frames++
	}
	return trimText(strings.Join(msg, "\n"), 2048)
}

// learnerFrame reports whether a frame's location line is in the
// learner's code: not a test file, not the Go toolchain's sources.
func learnerFrame(loc string) bool {
	loc = strings.TrimSpace(loc)
	return !testFilePos.MatchString(loc) && !strings.HasPrefix(loc, "/usr/local/go/") && !strings.HasPrefix(loc, "_testmain.go")
}
