// Package termsafe makes text that others wrote (a learner's test names,
// messages and build output, a service's answers) safe to print to a
// terminal: nothing in it can move the cursor, recolour, retitle or clear
// the screen, write to the clipboard, hide a line or reorder what is read.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// replacement stands in for a control character, so that the reader
// sees something was there.
const replacement = '\uFFFD'

// Text returns s safe to print to a terminal, keeping newlines and tabs:
//   - escape sequences are removed whole: ESC with CSI ("ESC [ … final"),
//     OSC, DCS, SOS, PM and APC strings (up to their terminator, BEL or
//     ST, or the end of the line), and ESC with any other sequence, as
//     are their 8-bit forms (U+009B CSI, U+009D OSC and so on);
//   - a carriage return ends the line (CRLF is one newline), so it cannot
//     overwrite what was printed before it;
//   - every other C0 and C1 control and DEL, the bidirectional
//     embeddings, overrides, isolates and marks (U+202A to U+202E, U+2066
//     to U+2069, U+200E, U+200F, U+061C), and invalid UTF-8 become U+FFFD.
//
// Text that needs none of this is returned as it is.
func Text(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next := i + size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(replacement)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			if next >= len(s) || s[next] != '\n' {
				b.WriteByte('\n')
			}
		case r == 0x1b:
			next = skipEscape(s, next)
		case r == 0x9b:
			next = skipCSI(s, next)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f:
			next = skipString(s, next)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || bidi(r):
			b.WriteRune(replacement)
		default:
			b.WriteString(s[i:next])
		}
		i = next
	}
	return b.String()
}

// safe reports whether s needs no change.
func safe(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || bidi(r) {
			return false
		}
	}
	return true
}

// bidi reports whether r is a bidirectional formatting character, which
// can make a terminal show text in another order than it is.
func bidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape returns where the sequence after an ESC at s[i-1] ends.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// nF: intermediate bytes, then one final byte; Fp, Fe, Fs: one byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI returns where a control sequence whose parameters start at
// s[i] ends: parameter and intermediate bytes, then a final byte. A
// sequence broken by any other byte ends before it.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString returns where a control string (OSC, DCS, SOS, PM, APC)
// whose body starts at s[i] ends: after BEL or ST (ESC \ or U+009C), or
// at the end of its line, which stays.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		case s[i] == '\n' || s[i] == '\r':
			return i
		}
		i++
	}
	return i
}

// Line returns s safe to print within one terminal line: Text, then
// newlines and tabs as spaces, surrounding space trimmed, cut to at most
// maxBytes bytes (with "…" when cut; no limit when maxBytes <= 0).
func Line(s string, maxBytes int) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, Text(s)))
	if maxBytes > 0 && len(s) > maxBytes {
		s = strings.ToValidUTF8(s[:maxBytes], "") + "…"
	}
	return s
}
