package challenges

import "testing"

func TestParseSize(t *testing.T) {
	good := map[string]int64{"0B": 0, "100B": 100, "64KiB": 64 << 10, "512MiB": 512 << 20, "1GiB": 1 << 30, "8GiB": 8 << 30, "0064MiB": 64 << 20}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "512", "512MB", "512mib", "1.5GiB", "-1MiB", "+1MiB", "1 MiB", " 1MiB", "MiB", "B", "1TiB", "99999999999GiB"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1: "1B", 1023: "1023B", 1024: "1KiB", 1536: "1536B", 32 << 20: "32MiB", 8 << 30: "8GiB", 3 << 29: "1536MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
		if back, err := ParseSize(FormatSize(n)); err != nil || back != n {
			t.Errorf("ParseSize(FormatSize(%d)) = %d, %v", n, back, err)
		}
	}
}
