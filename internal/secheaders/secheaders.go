// Package secheaders sets the security headers every answer of the
// grading service carries, API and pages alike, errors and redirects
// included: one place, so no route can be served without them.
package secheaders

import "net/http"

// ContentSecurityPolicy is sent with every answer: nothing runs or loads
// unless it comes from the service itself, no inline script or style, no
// framing, and the DOM's HTML sinks (innerHTML and friends) refuse
// strings, so API data can only reach a page as text.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// CacheControl is every answer's default Cache-Control: answers of the
// API depend on who asks, so no cache, shared or private, may keep them.
// Handlers of public content (pages, assets) replace it with their own.
const CacheControl = "no-store"

// Set puts the security headers on h, replacing any already there.
func Set(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", CacheControl)
}

// Handler returns a handler that sets the security headers before next
// serves the request, so that every answer next writes carries them.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Set(w.Header())
		next.ServeHTTP(w, r)
	})
}
