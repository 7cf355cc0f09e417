// Package webhook delivers signed JSON to URLs that submitters give: the
// grading service POSTs a submission's result to its callback URL once it
// is graded, as a Body. It uses the standard library and the domain
// (package grader) only.
//
// Every delivery carries two headers,
//
//	X-Grader-Timestamp: <unix seconds>
//	X-Grader-Signature: sha256=<hex HMAC-SHA256 of "<unix seconds>.<body>">
//
// and receivers check them with Verify, which also refuses stale
// timestamps so that a captured request cannot be replayed later.
//
// Callback URLs come from learners, so a Deliverer refuses to connect to
// loopback, private, link-local, unspecified and multicast addresses (the
// service's own network and cloud metadata endpoints), IPv6 outside global
// unicast and IPv6 forms embedding such an IPv4 address (see Refused),
// checked on the address actually dialled, never follows redirects and reads little of
// the answer.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	HeaderTimestamp = "X-Grader-Timestamp"
	HeaderSignature = "X-Grader-Signature"
)

// signaturePrefix starts the signature header's value.
const signaturePrefix = "sha256="

// DefaultTolerance is how far a timestamp may be from now when Verify is
// given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Sign returns the hex HMAC-SHA256, under secret, of "<unix ts>.<body>":
// the value of the signature header after "sha256=".
func Sign(secret []byte, ts time.Time, body []byte) string {
	return hex.EncodeToString(mac(secret, ts.Unix(), body))
}

func mac(secret []byte, unix int64, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(unix, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// ErrInvalidSignature is wrapped by every error of Verify.
var ErrInvalidSignature = errors.New("invalid webhook signature")

// Verify checks a delivery's headers against its body: tsHeader is the
// X-Grader-Timestamp value, sigHeader the X-Grader-Signature value. It
// fails, wrapping ErrInvalidSignature, when a header is missing or
// malformed, the timestamp is more than tolerance (DefaultTolerance when
// zero or less) away from now, or the signature does not match (compared
// in constant time).
func Verify(secret []byte, tsHeader, sigHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if tsHeader == "" || sigHeader == "" {
		return fmt.Errorf("%s or %s header missing: %w", HeaderTimestamp, HeaderSignature, ErrInvalidSignature)
	}
	unix, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %.20q is not unix seconds: %w", HeaderTimestamp, tsHeader, ErrInvalidSignature)
	}
	// Compare in seconds: a far-off timestamp would overflow a Duration.
	if skew := now.Unix() - unix; skew > int64(tolerance/time.Second) || -skew > int64(tolerance/time.Second) {
		return fmt.Errorf("%s is %ds away from now, more than %s: %w", HeaderTimestamp, skew, tolerance, ErrInvalidSignature)
	}
	hexSig, ok := strings.CutPrefix(sigHeader, signaturePrefix)
	if !ok {
		return fmt.Errorf("%s does not start with %q: %w", HeaderSignature, signaturePrefix, ErrInvalidSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%s is not a hex SHA-256: %w", HeaderSignature, ErrInvalidSignature)
	}
	if !hmac.Equal(got, mac(secret, unix, body)) {
		return fmt.Errorf("signature does not match the body: %w", ErrInvalidSignature)
	}
	return nil
}

// MaxURLBytes caps a callback URL.
const MaxURLBytes = 2048

// ValidateURL checks a callback URL before it is stored: an absolute
// http or https URL with a host, no user info, at most MaxURLBytes. Its
// messages say what to fix. (Where the host points is checked when
// delivering, on the address dialled.)
func ValidateURL(raw string) error {
	if raw == "" {
		return errors.New("callback URL is empty")
	}
	if len(raw) > MaxURLBytes {
		return fmt.Errorf("callback URL is %d bytes long; keep it to %d", len(raw), MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("callback URL does not parse (%v); send an absolute URL such as https://ci.example.com/hooks/grader", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("callback URL scheme %q is not allowed; use https:// (or http://)", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return errors.New("callback URL has no host; send an absolute URL such as https://ci.example.com/hooks/grader")
	}
	if u.User != nil {
		return errors.New("callback URL carries a user name or password; remove them and check the signature header instead")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("callback URL port %q is not a port number (1-65535)", p)
		}
	}
	return nil
}

// unwrapURLError drops url.Error's repetition of the whole URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
