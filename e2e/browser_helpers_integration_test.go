//go:build integration

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where the browser tests leave their screenshots, at
// the repository root (ignored by git).
const screenshotDir = "../artifacts/screenshots"

// Viewports the screenshots are taken at.
var (
	desktop = viewport{"desktop", 1280, 900}
	phone   = viewport{"phone", 390, 844}
)

type viewport struct {
	name          string
	width, height int64
}

// browser is a headless Chromium tab driven over the DevTools protocol.
type browser struct {
	t   *testing.T
	ctx context.Context
	// base is the service's URL.
	base string

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// chromiumPath finds Debian's chromium (make setup installs it).
func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (make setup installs it)")
	}
	t.Skip("chromium is not installed: apt-get install chromium (make setup does)")
	return ""
}

// newBrowser starts a headless Chromium for the test, at desktop size,
// and records what its pages write to the console.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(int(desktop.width), int(desktop.height)),
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		b.checkConsole()
		cancelTab()
		cancelAlloc()
		<-done
	})
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(b.failedShot())
	return b
}

// checkConsole fails the test for any script error or policy violation
// the pages reported: an uncaught exception, a blocked script, style or
// HTML sink.
func (b *browser) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		text := m.String()
		if m.IsException() || strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Trusted Type") {
			b.t.Errorf("the page reported %s at %s:%d: %s", m.Type, m.URL, m.Line+1, text)
		}
	}
}

// do runs actions with a timeout, failing the test with what it was
// doing.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// fail stops the test, with the page's text and a screenshot to see why.
func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if png, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
		_ = os.WriteFile(b.failedShot(), png, 0o644)
	}
	b.t.Fatalf("%s: %v\nat %s, the page reads:\n%s", what, err, loc, text)
}

// failedShot is where a failing test leaves a screenshot of the page.
func (b *browser) failedShot() string {
	return filepath.Join(screenshotDir, "failed-"+strings.ReplaceAll(b.t.Name(), "/", "-")+".png")
}

// open navigates to a path of the service and waits for sel.
func (b *browser) open(path, sel string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text returns the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)))
	if err != nil {
		b.fail("read "+sel, err)
	}
	return s
}

// waitFor polls a JavaScript expression until it is true. Errors while
// the tab navigates (the expression's context goes away) are retried.
func (b *browser) waitFor(what, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("still false after %s: %s", timeout, expr)
	}
	b.fail("wait for "+what, lastErr)
}

// location returns the tab's URL path.
func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("read the location", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// resize sets the viewport the page is laid out for.
func (b *browser) resize(v viewport) {
	b.t.Helper()
	if v == desktop {
		b.do("desktop viewport", chromedp.EmulateViewport(v.width, v.height))
		return
	}
	b.do(v.name+" viewport", chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateScale(2), chromedp.EmulateMobile))
}

// shot saves a full-page PNG of the current page as <viewport>-<name>.png.
func (b *browser) shot(v viewport, name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	p := filepath.Join(screenshotDir, v.name+"-"+name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

// checkAccessible checks what a page must have for keyboard and screen
// reader users: a language, one h1, a label for every form field, a name
// for every button and link, and alt text for every image.
func (b *browser) checkAccessible(where string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		const shown = e => !e.closest('[hidden]') && e.type !== 'hidden';
		if (!document.documentElement.lang) out.push('no lang on html');
		const h1 = document.querySelectorAll('h1').length;
		if (h1 !== 1) out.push(h1 + ' h1 elements');
		for (const e of document.querySelectorAll('input, select, textarea')) {
			if (shown(e) && !e.labels.length && !e.getAttribute('aria-label')) out.push('unlabelled ' + e.tagName.toLowerCase() + '#' + e.id);
		}
		for (const e of document.querySelectorAll('button, a[href]')) {
			if (shown(e) && !e.innerText.trim() && !e.getAttribute('aria-label') && !e.querySelector('img[alt]:not([alt=""])')) out.push('nameless ' + e.tagName.toLowerCase() + ' ' + e.outerHTML.slice(0, 80));
		}
		for (const e of document.querySelectorAll('img')) {
			if (!e.hasAttribute('alt')) out.push('img without alt ' + e.src);
		}
		return out;
	})()`))
	if err != nil {
		b.fail("check "+where, err)
	}
	for _, p := range problems {
		b.t.Errorf("%s: %s", where, p)
	}
}

// signOut forgets the tab's session.
func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Evaluate[chromedp.Void](`sessionStorage.clear()`))
}
