package webhook

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// receiver records what an httptest server got and answers with status.
type receiver struct {
	srv    *httptest.Server
	hits   atomic.Int32
	status atomic.Int32
	got    chan *http.Request
	bodies chan []byte
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{got: make(chan *http.Request, 10), bodies: make(chan []byte, 10)}
	r.status.Store(int32(status))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		b, _ := io.ReadAll(req.Body)
		r.got <- req
		r.bodies <- b
		w.WriteHeader(int(r.status.Load()))
		io.WriteString(w, "thanks")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestDeliverSigned(t *testing.T) {
	r := newReceiver(t, http.StatusNoContent)
	d := NewDeliverer(Config{Secret: secret, AllowPrivate: true})
	body := []byte(`{"submission_id":"s1","result":{"score":3}}`)
	if err := d.Deliver(context.Background(), r.srv.URL+"/hook", body); err != nil {
		t.Fatal(err)
	}
	req, got := <-r.got, <-r.bodies
	if req.Method != http.MethodPost || req.URL.Path != "/hook" || string(got) != string(body) {
		t.Errorf("got %s %s %q", req.Method, req.URL.Path, got)
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "User-Agent": UserAgent} {
		if v := req.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if err := Verify(secret, req.Header.Get(HeaderTimestamp), req.Header.Get(HeaderSignature), got, time.Now(), time.Minute); err != nil {
		t.Errorf("the receiver cannot verify the delivery: %v", err)
	}
	if err := Verify([]byte("other"), req.Header.Get(HeaderTimestamp), req.Header.Get(HeaderSignature), got, time.Now(), time.Minute); err == nil {
		t.Error("the delivery verifies under another secret")
	}
}

func TestDeliverAnswers(t *testing.T) {
	tests := []struct {
		status        int
		wantErr       bool
		wantPermanent bool
	}{
		{200, false, false},
		{202, false, false},
		{400, true, true},
		{401, true, true},
		{404, true, true},
		{410, true, true},
		{408, true, false},
		{429, true, false},
		{500, true, false},
		{503, true, false},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			r := newReceiver(t, tc.status)
			err := NewDeliverer(Config{Secret: secret, AllowPrivate: true}).Deliver(context.Background(), r.srv.URL, []byte(`{}`))
			if (err != nil) != tc.wantErr || errors.Is(err, ErrPermanent) != tc.wantPermanent {
				t.Errorf("answer %d: err = %v; want error %v, permanent %v", tc.status, err, tc.wantErr, tc.wantPermanent)
			}
			if err != nil && !strings.Contains(err.Error(), strconv.Itoa(tc.status)) {
				t.Errorf("the error does not name the status: %v", err)
			}
		})
	}
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	target := newReceiver(t, http.StatusOK)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, target.srv.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	err := NewDeliverer(Config{Secret: secret, AllowPrivate: true}).Deliver(context.Background(), redirect.URL, []byte(`{}`))
	if err == nil || errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "redirects are not followed") {
		t.Errorf("a redirect: err = %v, want a retryable error saying redirects are not followed", err)
	}
	if n := target.hits.Load(); n != 0 {
		t.Errorf("the redirect was followed (%d hits)", n)
	}
}

// TestDeliverReadsLittle: an endless answer does not hold the delivery.
func TestDeliverReadsLittle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("x", 1024))
		for req.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	start := time.Now()
	if err := NewDeliverer(Config{Secret: secret, AllowPrivate: true, Timeout: 20 * time.Second}).Deliver(context.Background(), srv.URL, []byte(`{}`)); err != nil {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("an endless answer held the delivery %s", d)
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	err := NewDeliverer(Config{Secret: secret, AllowPrivate: true, Timeout: 200 * time.Millisecond}).Deliver(context.Background(), srv.URL, []byte(`{}`))
	if err == nil || errors.Is(err, ErrPermanent) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a slow receiver: err = %v, want a retryable deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the timeout took %s", d)
	}
}

func TestDeliverRefusesPrivateAddresses(t *testing.T) {
	r := newReceiver(t, http.StatusOK)
	_, port, _ := net.SplitHostPort(r.srv.Listener.Addr().String())
	d := NewDeliverer(Config{Secret: secret, Timeout: 2 * time.Second})
	for _, u := range []string{
		r.srv.URL,                        // 127.0.0.1
		"http://localhost:" + port + "/", // a name resolving to loopback
		"http://[::1]:" + port + "/",
		"http://10.1.2.3/hook",
		"http://192.168.1.1/hook",
		"http://172.16.0.1/hook",
		"http://169.254.169.254/latest/meta-data/",
		"http://0.0.0.0:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://[fd00::1]/hook",
		"http://224.0.0.1/hook",
		"http://100.64.0.1/hook",
	} {
		err := d.Deliver(context.Background(), u, []byte(`{}`))
		var refused *RefusedAddressError
		if !errors.Is(err, ErrPermanent) {
			t.Errorf("%s: err = %v, want a permanent refusal", u, err)
		} else if !errors.As(err, &refused) {
			t.Errorf("%s: err = %v, want a RefusedAddressError", u, err)
		}
	}
	if n := r.hits.Load(); n != 0 {
		t.Errorf("the loopback receiver was reached %d times", n)
	}
	// Invalid URLs are permanent too.
	if err := d.Deliver(context.Background(), "ftp://example.com/", nil); !errors.Is(err, ErrPermanent) {
		t.Errorf("an ftp URL: %v", err)
	}
}

// TestCustomClientIsGuarded: a caller's *http.Transport gets the guard
// and loses its proxy (which would be the address dialled instead).
func TestCustomClientIsGuarded(t *testing.T) {
	r := newReceiver(t, http.StatusOK)
	d := NewDeliverer(Config{Secret: secret, Client: &http.Client{Transport: &http.Transport{}}})
	if err := d.Deliver(context.Background(), r.srv.URL, []byte(`{}`)); !errors.Is(err, ErrPermanent) {
		t.Errorf("a custom transport reached loopback: %v", err)
	}

	var proxyHits atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		proxyHits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	d = NewDeliverer(Config{Secret: secret, AllowPrivate: true, Client: &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}})
	if err := d.Deliver(context.Background(), r.srv.URL, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if proxyHits.Load() != 0 || r.hits.Load() != 1 {
		t.Errorf("proxy hits %d, receiver hits %d: want the proxy bypassed", proxyHits.Load(), r.hits.Load())
	}
}

func TestRefused(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "127.255.0.9": true, "10.0.0.1": true, "172.31.255.255": true, "192.168.0.1": true,
		"169.254.169.254": true, "0.0.0.0": true, "0.1.2.3": true, "224.0.0.251": true, "255.255.255.255": true,
		"100.100.100.200": true, "198.18.0.1": true, "::1": true, "::": true, "fe80::1": true, "fd00:ec2::254": true,
		"ff02::1": true, "::ffff:10.0.0.1": true, "::ffff:169.254.169.254": true, "64:ff9b::a00:1": true,
		"8.8.8.8": false, "1.1.1.1": false, "172.32.0.1": false, "2001:4860:4860::8888": false, "100.128.0.1": false,
	} {
		if got := Refused(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Refused(%s) = %v, want %v", addr, got, want)
		}
	}
	if !Refused(netip.Addr{}) {
		t.Error("the zero address is not refused")
	}
}

// TestDeliverErrorsHideTheURL: a token in a callback URL stays out of
// errors (and so out of logs).
func TestDeliverErrorsHideTheURL(t *testing.T) {
	r := newReceiver(t, http.StatusInternalServerError)
	err := NewDeliverer(Config{Secret: secret, AllowPrivate: true}).Deliver(context.Background(), r.srv.URL+"/hook/tok-123?key=tok-456", []byte(`{}`))
	if err == nil || strings.Contains(err.Error(), "tok-") {
		t.Errorf("err = %v, want an error without the URL's path and query", err)
	}
}
