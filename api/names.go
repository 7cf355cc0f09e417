package api

import (
	"unicode"
	"unicode/utf8"
)

// checkName refuses a name a person typed (a cohort's name, a learner or
// challenge id) that holds a character which could disguise it where it
// is shown: control characters (C0, DEL, C1), line and paragraph
// separators, and the bidirectional controls that reorder text (U+202E
// shows "exe.png" as "gnp.exe"). Letters and marks of every script pass.
// field names the name in the error.
func checkName(field, name string) error {
	if !utf8.ValidString(name) {
		return Errorf(CodeInvalidRequest, "%s is not valid UTF-8; send text", field)
	}
	for i, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || isBidiControl(r) {
			return Errorf(CodeInvalidRequest, "%s %.80q holds the character %U at byte %d: control, line-separator and bidirectional-override characters are not allowed in names", field, name, r, i)
		}
	}
	return nil
}

// isBidiControl reports whether r is one of Unicode's explicit
// bidirectional formatting characters (UAX #9): marks, embeddings,
// overrides and isolates.
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}
