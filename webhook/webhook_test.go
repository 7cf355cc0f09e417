package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var secret = []byte("s3cret")

func TestSignMatchesHMAC(t *testing.T) {
	ts := time.Unix(1767225600, 0)
	body := []byte(`{"submission_id":"s1"}`)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(`1767225600.{"submission_id":"s1"}`))
	if got, want := Sign(secret, ts, body), hex.EncodeToString(m.Sum(nil)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if Sign([]byte("other"), ts, body) == Sign(secret, ts, body) {
		t.Error("the signature does not depend on the secret")
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1767225600, 0)
	body := []byte(`{"score":3}`)
	good := "sha256=" + Sign(secret, now, body)
	ts := fmt.Sprint(now.Unix())
	tests := []struct {
		name      string
		secret    []byte
		ts, sig   string
		body      string
		now       time.Time
		tolerance time.Duration
		wantErr   string
	}{
		{"valid", secret, ts, good, string(body), now, 0, ""},
		{"within tolerance", secret, ts, good, string(body), now.Add(4 * time.Minute), 0, ""},
		{"stale", secret, ts, good, string(body), now.Add(6 * time.Minute), 0, "away from now"},
		{"from the future", secret, ts, good, string(body), now.Add(-6 * time.Minute), 0, "away from now"},
		{"tolerance given", secret, ts, good, string(body), now.Add(6 * time.Minute), 10 * time.Minute, ""},
		{"tampered body", secret, ts, good, `{"score":30}`, now, 0, "does not match"},
		{"wrong secret", []byte("guess"), ts, good, string(body), now, 0, "does not match"},
		{"timestamp swapped", secret, fmt.Sprint(now.Unix() + 1), good, string(body), now, 0, "does not match"},
		{"no prefix", secret, ts, strings.TrimPrefix(good, "sha256="), string(body), now, 0, "does not start"},
		{"not hex", secret, ts, "sha256=zz" + good[9:], string(body), now, 0, "not a hex"},
		{"short", secret, ts, good[:20], string(body), now, 0, "not a hex"},
		{"missing timestamp", secret, "", good, string(body), now, 0, "missing"},
		{"missing signature", secret, ts, "", string(body), now, 0, "missing"},
		{"garbage timestamp", secret, "12abc", good, string(body), now, 0, "not unix seconds"},
		{"huge timestamp", secret, "9223372036854775807", good, string(body), now, 0, "away from now"},
		{"negative timestamp", secret, "-9223372036854775808", good, string(body), now, 0, "away from now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.ts, tc.sig, []byte(tc.body), tc.now, tc.tolerance)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSignature) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Verify = %v, want ErrInvalidSignature saying %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidateURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string // "" = valid
	}{
		{"https://ci.example.com/hooks/grader", ""},
		{"http://ci.example.com:8080/hook?token=abc", ""},
		{"HTTPS://CI.EXAMPLE.COM/hook", ""},
		{"https://[2001:4860::8888]/hook", ""},
		{"", "empty"},
		{"ftp://ci.example.com/hook", "scheme"},
		{"javascript:alert(1)", "scheme"},
		{"file:///etc/passwd", "scheme"},
		{"gopher://ci.example.com:70/", "scheme"},
		{"//ci.example.com/hook", "scheme"},
		{"/hooks/grader", "scheme"},
		{"https:ci.example.com", "no host"},
		{"https:///path", "no host"},
		{"https://:443/path", "no host"},
		{"https://user:pass@ci.example.com/hook", "user name or password"},
		{"https://user@ci.example.com/hook", "user name or password"},
		{"https://ci.example.com:99999/hook", "port"},
		{"https://ci.example.com:0/hook", "port"},
		{"https://ci.example.com/\x00", "does not parse"},
		{"https://ci.example.com/a b\r\nHost: evil", "does not parse"},
		{"https://ci.example.com/" + strings.Repeat("a", MaxURLBytes), "bytes long"},
	}
	for _, tc := range tests {
		err := ValidateURL(tc.url)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ValidateURL(%.60q) = %v, want nil", tc.url, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ValidateURL(%.60q) = %v, want an error saying %q", tc.url, err, tc.wantErr)
		}
	}
}
