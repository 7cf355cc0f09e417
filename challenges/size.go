package challenges

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeUnits are the units a size may be written with, largest first.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// ParseSize reads a size written as a whole number and a binary unit:
// 1024B, 64KiB, 512MiB, 1GiB. Decimal units (MB), missing units, signs,
// spaces and fractions are refused, so "512MB" never silently means
// something else.
func ParseSize(s string) (int64, error) {
	for _, u := range sizeUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		if num == "" || strings.TrimLeft(num, "0123456789") != "" {
			return 0, fmt.Errorf("size %q: want a whole number before %s", s, u.suffix)
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n > (1<<62)/u.mult {
			return 0, fmt.Errorf("size %q is too large", s)
		}
		return n * u.mult, nil
	}
	return 0, fmt.Errorf("size %q: end it with B, KiB, MiB or GiB", s)
}

// FormatSize writes n bytes with the largest binary unit that divides it
// exactly, the way ParseSize reads it back.
func FormatSize(n int64) string {
	for _, u := range sizeUnits {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
