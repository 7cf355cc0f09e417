package ledger

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Cents is an amount of money in cents. Money is never a float.
type Cents int64

// ErrBadAmount is returned for an amount that cannot be parsed.
var ErrBadAmount = errors.New("bad amount")

// ParseAmount reads a decimal amount such as "12.34", "0.5" or "7" into
// cents. More than two decimals is an error.
func ParseAmount(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	digits, neg := strings.CutPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(digits, ".")
	if !isDigits(whole) || (hasFrac && (!isDigits(frac) || len(frac) > 2)) {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (math.MaxInt64-99)/100 {
		return 0, fmt.Errorf("%w: %q is out of range", ErrBadAmount, s)
	}
	c := Cents(w * 100)
	if hasFrac {
		f, _ := strconv.Atoi(frac + strings.Repeat("0", 2-len(frac)))
		c += Cents(f)
	}
	if neg {
		c = -c
	}
	return c, nil
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats c as "12.34".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Split divides total into n parts that differ by at most one cent and
// add up to total exactly; the first parts get the extra cents. A negative
// total is split as its opposite, negated.
func Split(total Cents, n int) []Cents {
	if n <= 0 {
		return nil
	}
	if total < 0 {
		parts := Split(-total, n)
		for i := range parts {
			parts[i] = -parts[i]
		}
		return parts
	}
	parts := make([]Cents, n)
	each := total / Cents(n)
	rest := total % Cents(n)
	for i := range parts {
		parts[i] = each
		if Cents(i) < rest {
			parts[i]++
		}
	}
	return parts
}
