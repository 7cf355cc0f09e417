package webhook

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRefusedEmbeddedIPv4: every IPv6 form that carries an IPv4 address
// is judged by that address, and IPv6 outside global unicast is refused.
func TestRefusedEmbeddedIPv4(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		// IPv4-mapped ::ffff:0:0/96.
		{"::ffff:127.0.0.1", true},
		{"::ffff:8.8.8.8", false},
		// IPv4-compatible ::/96 (deprecated): never global unicast.
		{"::127.0.0.1", true},
		{"::10.0.0.1", true},
		{"::169.254.169.254", true},
		{"::8.8.8.8", true},
		// 6to4 2002::/16: the IPv4 address is bits 16-47.
		{"2002:7f00:1::1", true},          // 127.0.0.1
		{"2002:a9fe:a9fe::", true},        // 169.254.169.254
		{"2002:c0a8:101:1::1", true},      // 192.168.1.1
		{"2002:a00:1::5", true},           // 10.0.0.1
		{"2002:0:0::1", true},             // 0.0.0.0
		{"2002:808:808::1", false},        // 8.8.8.8
		{"2002:808:808:1:2:3:4:5", false}, // 8.8.8.8, any suffix
		// Teredo 2001::/32: the server is bits 32-63, the client the
		// last 32 bits inverted.
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true}, // IETF protocol range, even with public ends
		{"2001:0:7f00:1:0:0:f7f7:f7f7", true},          // server 127.0.0.1
		{"2001:0:808:808:0:0:80ff:fffe", true},         // client ^80fffffe = 127.0.0.1
		// NAT64 64:ff9b::/96 and local-use 64:ff9b:1::/48: not global.
		{"64:ff9b::a00:1", true},
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::808:808", true},
		{"64:ff9b:1::a00:1", true},
		{"64:ff9b:1:a00:1::", true},
		// ISATAP interface ids ::0:5efe:a.b.c.d and ::200:5efe:a.b.c.d
		// under any prefix.
		{"2001:4860:1:2:0:5efe:7f00:1", true},      // 127.0.0.1
		{"2001:4860:1:2:200:5efe:a9fe:a9fe", true}, // 169.254.169.254
		{"2001:4860:1:2:200:5efe:c0a8:1", true},    // 192.168.0.1
		{"2001:4860:1:2:0:5efe:808:808", false},    // 8.8.8.8
		{"fe80::5efe:a00:1", true},
		// IPv6 outside 2000::/3, and reserved ranges inside it.
		{"::", true},
		{"::1", true},
		{"100::1", true},
		{"4000::1", true},
		{"fc00::1", true},
		{"fec0::1", true},
		{"2001:db8::1", true},
		{"2001:2::1", true},
		{"2001:10::1", true},
		{"3fff::1", true},
		{"2001:4860:4860::8888", false},
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001:80b::200e", false},
	}
	for _, tc := range tests {
		if got := Refused(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Refused(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestEmbeddedIPv4(t *testing.T) {
	tests := []struct {
		addr string
		want []string
	}{
		{"::ffff:10.1.2.3", []string{"10.1.2.3"}},
		{"::10.1.2.3", []string{"10.1.2.3"}},
		{"2002:a01:203::", []string{"10.1.2.3"}},
		{"2001:0:a01:203:0:0:f5fe:fdfc", []string{"10.1.2.3", "10.1.2.3"}},
		{"64:ff9b::10.1.2.3", []string{"10.1.2.3"}},
		{"64:ff9b:1:a01:2:300::", []string{"10.1.2.3", "1.2.3.0", "2.3.0.0", "0.0.0.0"}},
		{"2a00::0:5efe:10.1.2.3", []string{"10.1.2.3"}},
		{"2a00::200:5efe:10.1.2.3", []string{"10.1.2.3"}},
		{"2001:4860:4860::8888", nil},
		{"8.8.8.8", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, a := range embeddedIPv4(netip.MustParseAddr(tc.addr)) {
			got = append(got, a.String())
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("embeddedIPv4(%s) (-want +got):\n%s", tc.addr, diff)
		}
	}
}
