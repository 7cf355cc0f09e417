//go:build integration

package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignInStaysOnSite signs in from sign-in links whose next=
// would, as the browser reads it, lead to another site: each ends on the
// catalog of this site. A next= on this site is followed.
func TestBrowserSignInStaysOnSite(t *testing.T) {
	svc := startDevService(t, "e2e-browser-signin")
	b := newBrowser(t, svc.url)
	origin := strings.TrimSuffix(svc.url, "/")
	for _, tc := range []struct{ next, want string }{
		{"/%09/evil.example/phish", "/challenges"},
		{"/%0d%0a/evil.example/phish", "/challenges"},
		{"/.//evil.example/phish", "/challenges"},
		{"/%5C/evil.example/phish", "/challenges"},
		{"//evil.example/phish", "/challenges"},
		{"javascript:alert(1)", "/challenges"},
		{url.QueryEscape("/submissions"), "/submissions"},
	} {
		b.open("/?next="+tc.next, "#signin-form")
		b.do("sign in as alice", chromedp.Click(chromedp.CSS(`[data-dev-token="dev-learner-alice-0001"]`)))
		b.waitFor(fmt.Sprintf("next=%s to land on %s", tc.next, tc.want),
			fmt.Sprintf(`location.origin === %q && location.pathname === %q`, origin, tc.want), 15*time.Second)
		b.signOut()
	}
}
