package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPermanent is wrapped by delivery failures not worth retrying: a URL
// that is invalid or points at a refused address, or a receiver that
// answered 4xx other than 408 and 429.
var ErrPermanent = errors.New("permanent webhook failure")

// UserAgent is sent with every delivery.
const UserAgent = "gradebox-grader-webhook/1"

// maxAnswerBytes is how much of a receiver's answer is read (and thrown
// away), so that a connection can be reused without reading a huge body.
const maxAnswerBytes = 4 << 10

// Config configures a Deliverer.
type Config struct {
	// Secret signs every delivery (see Sign). Required for receivers to
	// trust anything.
	Secret []byte
	// Timeout bounds one delivery, from dialling to the answer's headers;
	// default 10s.
	Timeout time.Duration
	// AllowPrivate lets deliveries reach loopback, private, link-local and
	// other non-public addresses. Only for tests and closed networks.
	AllowPrivate bool
	// Client sends the requests; a fresh one by default. Its redirects are
	// never followed. When its Transport is nil or an *http.Transport, a
	// clone of it is used with its proxy turned off and, unless
	// AllowPrivate, the address guard in its dialer; any other
	// RoundTripper is used as it is and must guard addresses itself.
	Client *http.Client
}

// Deliverer POSTs signed JSON to callback URLs. It is safe for concurrent
// use.
type Deliverer struct {
	secret  []byte
	timeout time.Duration
	client  *http.Client
	now     func() time.Time
}

// NewDeliverer returns a Deliverer for cfg.
func NewDeliverer(cfg Config) *Deliverer {
	d := &Deliverer{secret: cfg.Secret, timeout: cfg.Timeout, now: time.Now}
	if d.timeout <= 0 {
		d.timeout = 10 * time.Second
	}
	var c http.Client
	if cfg.Client != nil {
		c = *cfg.Client
	}
	var tr *http.Transport
	switch t := c.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	}
	if tr != nil {
		// A proxy would be the address dialled, and could reach anything.
		tr.Proxy = nil
		dialer := &net.Dialer{Timeout: d.timeout, KeepAlive: 30 * time.Second}
		if !cfg.AllowPrivate {
			dialer.Control = guard
		}
		tr.DialContext = dialer.DialContext
		tr.DialTLSContext = nil
		c.Transport = tr
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	d.client = &c
	return d
}

// Deliver POSTs body (JSON) to url, signed, and returns nil once the
// receiver answered 2xx. Errors name the URL's host only (a callback URL
// may carry a token in its path or query). Failures not worth retrying
// wrap ErrPermanent; any other error (a network failure, a timeout, 408,
// 429, 3xx, 5xx) may succeed later. Redirects are not followed.
func (d *Deliverer) Deliver(ctx context.Context, url string, body []byte) error {
	if err := ValidateURL(url); err != nil {
		return fmt.Errorf("deliver webhook: %v: %w", err, ErrPermanent)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("deliver webhook: %v: %w", err, ErrPermanent)
	}
	ts := d.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(ts.Unix()))
	req.Header.Set(HeaderSignature, signaturePrefix+Sign(d.secret, ts, body))
	resp, err := d.client.Do(req)
	if err != nil {
		// A refused address wraps ErrPermanent through url.Error and
		// net.OpError.
		return fmt.Errorf("deliver webhook to %s: %w", req.URL.Host, unwrapURLError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		return fmt.Errorf("deliver webhook to %s: receiver answered %s", req.URL.Host, resp.Status)
	case code >= 400 && code < 500:
		return fmt.Errorf("deliver webhook to %s: receiver answered %s: %w", req.URL.Host, resp.Status, ErrPermanent)
	case code >= 300 && code < 400:
		return fmt.Errorf("deliver webhook to %s: receiver answered %s; redirects are not followed: give the final URL", req.URL.Host, resp.Status)
	default:
		return fmt.Errorf("deliver webhook to %s: receiver answered %s", req.URL.Host, resp.Status)
	}
}

// RefusedAddressError says a delivery would have connected to a
// non-public address. It wraps ErrPermanent.
type RefusedAddressError struct {
	Addr netip.Addr
}

func (e *RefusedAddressError) Error() string {
	return fmt.Sprintf("address %s is not public: webhooks go to public addresses only", e.Addr)
}

// Unwrap makes the error match ErrPermanent.
func (e *RefusedAddressError) Unwrap() error { return ErrPermanent }

// guard is the dialer's Control: it runs after name resolution, on the
// very address about to be connected to, so a name that resolves (or
// re-resolves, DNS rebinding) to a private address is refused too.
func guard(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook dial %s: %v: %w", address, err, ErrPermanent)
	}
	if Refused(ap.Addr()) {
		return &RefusedAddressError{Addr: ap.Addr()}
	}
	return nil
}
