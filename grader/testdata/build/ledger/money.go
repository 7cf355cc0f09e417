package ledger

import (
	"errors"
	"fmt"
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
	if whole, frac, ok := strings.Cut(s, "."); ok && (len(frac) > 2 || frac == "" || whole == "") {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	return Cents(f * 100), nil
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
// add up to total exactly; the first parts get the extra cents.
func Split(total Cents, n int) []Cents {
	if n <= 0 {
		return nil
	}
	parts := make([]Cents, n)
	each := total / Cents(n)
	for i := range parts {
		parts[i] = each
	}
	return parts
}
