package termsafe

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	const x = "\uFFFD"
	tests := []struct{ name, in, want string }{
		{"plain", "TestCreate: want 201, got 500", "TestCreate: want 201, got 500"},
		{"newline and tab kept", "a\n\tb\n", "a\n\tb\n"},
		{"unicode kept", "café ✓ 🎓 日本", "café ✓ 🎓 日本"},
		{"colour", "\x1b[31mFAIL\x1b[0m", "FAIL"},
		{"clear screen and home", "\x1b[2J\x1b[Hhi", "hi"},
		{"private mode", "\x1b[?1049halt screen", "alt screen"},
		{"title by OSC, BEL", "\x1b]0;pwned\x07ok", "ok"},
		{"clipboard by OSC 52, ST", "\x1b]52;c;ZWNobyBoaQ==\x1b\\ok", "ok"},
		{"hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"unterminated OSC ends at the line", "\x1b]0;title\nnext", "\nnext"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\after", "after"},
		{"APC", "\x1b_Gf=24;AAAA\x1b\\after", "after"},
		{"charset", "\x1b(0lqk\x1b(B", "lqk"},
		{"keypad and reset", "\x1b=\x1bcend", "end"},
		{"lone ESC at the end", "end\x1b", "end"},
		{"8-bit CSI", "\u009b31mred", "red"},
		{"8-bit OSC", "\u009d0;t\u009cok", "ok"},
		{"CR overwrite", "PASS\rFAIL", "PASS\nFAIL"},
		{"CRLF", "a\r\nb\r\n", "a\nb\n"},
		{"backspace", "ok\b\bno", "ok" + x + x + "no"},
		{"bell and NUL", "a\x07b\x00c", "a" + x + "b" + x + "c"},
		{"DEL and C1", "a\x7fb\u0085c", "a" + x + "b" + x + "c"},
		{"bidi override", "user\u202egnp.exe", "user" + x + "gnp.exe"},
		{"bidi isolates and marks", "\u2066a\u2069\u200f\u061c", x + "a" + x + x + x},
		{"invalid UTF-8", "bad\xffbyte\xc3", "bad" + x + "byte" + x},
		{"raw 8-bit CSI byte", "\x9b31m", x + "31m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in)
			if got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Text(got); again != got {
				t.Errorf("Text is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got := Line("  a\nb\tc\x1b[2K\r ", 0); got != "a b c" {
		t.Errorf("Line = %q", got)
	}
	if got := Line(strings.Repeat("é", 10), 5); got != "éé…" {
		t.Errorf("Line cut = %q", got)
	}
}

// FuzzText: whatever goes in, no ESC, C1, other control but newline and
// tab, or bidi control comes out.
func FuzzText(f *testing.F) {
	for _, s := range []string{"\x1b[31m", "\x1b]0;x\x07", "\u009b1m", "a\rb", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range Text(s) {
			if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || bidi(r) {
				t.Fatalf("Text(%q) holds %U", s, r)
			}
		}
	})
}
