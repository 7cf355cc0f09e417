package webhook

import "net/netip"

// refusedIPv4 are non-public IPv4 ranges the netip predicates miss.
var refusedIPv4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
}

// globalUnicast6 is IPv6 global unicast; everything outside it (the
// IPv4-compatible ::/96, NAT64's 64:ff9b::/96 and 64:ff9b:1::/48,
// discard, unique local, site- and link-local, multicast, unassigned)
// is refused.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// refusedIPv6 are ranges inside globalUnicast6 that are not public.
var refusedIPv6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, Teredo among them
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("3fff::/20"),     // documentation
}

// Refused reports whether a Deliverer without AllowPrivate refuses to
// connect to a: loopback, private (RFC 1918, fc00::/7), link-local
// (including 169.254.169.254, cloud metadata), unspecified, multicast and
// other reserved ranges, and IPv6 outside global unicast. IPv4-mapped
// addresses are judged as IPv4; an IPv6 address that embeds an IPv4
// address (6to4, Teredo, ISATAP, NAT64, IPv4-compatible) is refused when
// the IPv4 address would be, since a relay may deliver to it.
func Refused(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return true
	case a.Is4():
		return refused4(a)
	case !globalUnicast6.Contains(a) || inAny(refusedIPv6, a):
		return true
	}
	for _, v4 := range embeddedIPv4(a) {
		if refused4(v4) {
			return true
		}
	}
	return false
}

// refused4 is Refused's IPv4 rule.
func refused4(a netip.Addr) bool {
	return !a.IsGlobalUnicast() || a.IsPrivate() || inAny(refusedIPv4, a)
}

func inAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Prefixes of the IPv6 forms that carry an IPv4 address.
var (
	ipv4Compatible = netip.MustParsePrefix("::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
)

// embeddedIPv4 returns the IPv4 addresses an IPv6 address a carries, by
// the layout of each form: IPv4-mapped and IPv4-compatible (last 32
// bits), 6to4 (bits 16-47, RFC 3056), Teredo (the server at bits 32-63
// and the client in the last 32 bits inverted, RFC 4380), NAT64 (RFC
// 6052: the last 32 bits of 64:ff9b::/96; for the local-use
// 64:ff9b:1::/48, whose prefix length the network picks, every position
// a /48 to /96 prefix puts it at) and ISATAP interface ids
// (…:0:5efe:a.b.c.d or …:200:5efe:a.b.c.d under any prefix, RFC 5214).
// It returns nil for an IPv4 address or an IPv6 address of no such form.
func embeddedIPv4(a netip.Addr) []netip.Addr {
	if !a.Is6() {
		return nil
	}
	b := a.As16()
	at := func(i, j, k, l int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[j], b[k], b[l]}) }
	last := at(12, 13, 14, 15)
	var out []netip.Addr
	switch {
	case a.Is4In6(), ipv4Compatible.Contains(a), nat64.Contains(a):
		out = append(out, last)
	case sixToFour.Contains(a):
		out = append(out, at(2, 3, 4, 5))
	case teredo.Contains(a):
		out = append(out, at(4, 5, 6, 7), netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}))
	case nat64Local.Contains(a):
		// Bits 64-71 (byte 8) are always skipped (RFC 6052 section 2.2).
		out = append(out, at(6, 7, 9, 10), at(7, 9, 10, 11), at(9, 10, 11, 12), last)
	}
	// ISATAP: 00-00-5E-FE or 02-00-5E-FE, the universal/local and
	// group bits of the first byte aside.
	if b[8]&^0x03 == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe {
		out = append(out, last)
	}
	return out
}
