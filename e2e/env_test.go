package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/demo"
	"slrportal/internal/portal"
)

// tab is one test's view of the world: the real portal (demo data, SQLite
// in t.TempDir) behind httptest, and a browser tab in its own browser
// context, so that cookies and downloads do not leak between tests.
type tab struct {
	t   *testing.T
	ctx context.Context // the tab, with the test's deadline
	// tabCtx is the tab without the deadline: to describe a failure
	// after the deadline passed.
	tabCtx context.Context
	base   string // the portal's URL
	js     bool
	// campus is the id of the demo's default VA, learnt at sign-in.
	campus string

	shotDir string
	shotN   int
}

type tabOptions struct {
	noJS    bool
	timeout time.Duration
}

func newTab(t *testing.T, o tabOptions) *tab {
	t.Helper()
	needBrowser(t)
	if o.timeout == 0 {
		o.timeout = 60 * time.Second
	}

	p, err := portal.Open(context.Background(), portal.Options{DataDir: t.TempDir(), Seed: portal.SeedDemo,
		BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h, err := p.Handler()
	if err != nil {
		p.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); p.Close() })

	tabCtx, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab) // runs before the server closes (cleanups run last first)
	// Open the tab without the deadline, which then limits only the actions.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, o.timeout)
	t.Cleanup(cancel)

	b := &tab{t: t, ctx: ctx, tabCtx: tabCtx, base: srv.URL, js: !o.noJS, shotDir: os.Getenv("E2E_SCREENSHOTS")}
	if o.noJS {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	return b
}

// do runs steps and fails the test on the first error.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// follow runs steps that navigate (a link, a form submit, a reload) and
// waits until the new page has loaded; the page must answer 200.
func (b *tab) follow(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.followStatus(what, http.StatusOK, steps...)
}

func (b *tab) followStatus(what string, status int64, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, steps...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if resp == nil {
		b.t.Fatalf("%s: no page was loaded", what)
	}
	if resp.Status != status {
		b.t.Fatalf("%s: %s answered %d, want %d", what, resp.URL, resp.Status, status)
	}
}

// open loads a path of the portal.
func (b *tab) open(path string) {
	b.t.Helper()
	b.follow("open "+path, chromedp.Navigate(b.base+path))
}

func run[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page (through DevTools,
// so it works while the page's own scripts are disabled).
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	return run(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// text is the visible text of the first element that matches a CSS selector.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return run(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// path is the page's URL path and query.
func (b *tab) path() string {
	b.t.Helper()
	loc := run(b, "location", chromedp.Location())
	return strings.TrimPrefix(loc, b.base)
}

// waitText waits until the element that matches sel contains want; for
// content that htmx swaps in.
func (b *tab) waitText(sel, want string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.PollFunction[bool](
		`(sel, want) => { const el = document.querySelector(sel); return !!el && el.textContent.includes(want) && `+htmxIdle+`; }`,
		chromedp.WithPollingArgs(sel, want), chromedp.WithPollingTimeout(waitTimeout)))
	if err != nil {
		b.t.Fatalf("waiting for %q in %s: %v; the page shows: %s", want, sel, err, b.describe(sel))
	}
}

// htmxIdle is true when htmx has no request in flight and has finished
// swapping and settling: only then are the forms it swapped in wired up
// (htmx processes new content after its settle delay), so a click before
// that would submit natively.
const htmxIdle = `!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')`

// settled waits until htmx is idle.
func (b *tab) settled(what string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](htmxIdle, chromedp.WithPollingTimeout(waitTimeout))); err != nil {
		b.t.Fatalf("%s: waiting for htmx to settle: %v; the page shows: %s", what, err, b.describe("dialog[open]"))
	}
}

// waitTimeout bounds one wait for swapped-in content, so that a failure
// says what the page shows instead of running into the test's deadline.
const waitTimeout = 20 * time.Second

// describe says what an element (or, when it is missing, the dialog or
// main) shows; it works after the test's deadline.
func (b *tab) describe(sel string) string {
	ctx, cancel := context.WithTimeout(b.tabCtx, 5*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		for (const s of [%q, 'dialog[open]', 'main']) {
			const el = document.querySelector(s);
			if (el) return s + ': ' + el.textContent;
		}
		return '(nothing)';
	})()`, sel)))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return squash(got)
}

// contains fails unless the element's text has every one of want.
func (b *tab) contains(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s does not say %q; it shows: %s", sel, w, squash(got))
		}
	}
}

func (b *tab) h1() string {
	b.t.Helper()
	return strings.TrimSpace(b.text("h1"))
}

func (b *tab) wantH1(want string) {
	b.t.Helper()
	if got := b.h1(); got != want {
		b.t.Fatalf("h1 is %q, want %q (at %s)", got, want, b.path())
	}
}

var spaces = regexp.MustCompile(`\s+`)

func squash(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// shot saves a full-page PNG when E2E_SCREENSHOTS names a folder.
func (b *tab) shot(label string) {
	b.t.Helper()
	if b.shotDir == "" {
		return
	}
	if err := os.MkdirAll(b.shotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	png := run(b, "screenshot "+label, chromedp.FullScreenshot(100))
	b.shotN++
	name := fmt.Sprintf("%s-%02d-%s.png", strings.ReplaceAll(b.t.Name(), "/", "_"), b.shotN, label)
	if err := os.WriteFile(filepath.Join(b.shotDir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// a11yJS lists what the page gets wrong of the basics: a label for every
// form control, exactly one h1, header cells in every table.
const a11yJS = `(() => {
	const problems = [];
	const h1 = document.querySelectorAll('h1').length;
	if (h1 !== 1) problems.push(h1 + ' h1 elements');
	for (const el of document.querySelectorAll('input, select, textarea')) {
		if (el.type === 'hidden') continue;
		const byFor = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
		const byAria = (el.getAttribute('aria-label') || '').trim() !== '' || (el.getAttribute('aria-labelledby') || '').trim() !== '';
		if (!byFor && !byAria && !el.closest('label')) problems.push('no label: ' + el.outerHTML.slice(0, 120));
	}
	for (const t of document.querySelectorAll('table')) {
		if (!t.querySelector('th')) problems.push('table without th: ' + t.outerHTML.slice(0, 80));
	}
	return problems;
})()`

// a11y checks the basics on the current page.
func (b *tab) a11y(page string) {
	b.t.Helper()
	for _, p := range eval[[]string](b, a11yJS) {
		b.t.Errorf("accessibility, %s (%s): %s", page, b.path(), p)
	}
}

// login signs a demo user in through the login form; they land on the
// General tab of their default VA, Campus.
func (b *tab) login(username string) {
	b.t.Helper()
	b.open("/login")
	b.wantH1("Sign in to SLR Portal")
	b.a11y("login")
	b.do("fill login form",
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password))
	b.follow("sign in", chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	m := regexp.MustCompile(`^/inventory/(\d+)/general$`).FindStringSubmatch(b.path())
	if m == nil {
		b.t.Fatalf("after sign-in as %s: at %s (%s), want the General tab", username, b.path(), b.h1())
	}
	b.wantH1("Inventory: Campus")
	b.campus = m[1]
}

// vaPath is a path in the Campus VA.
func (b *tab) vaPath(rest string) string { return "/inventory/" + b.campus + rest }

// subtab follows an Inventory sub-tab link.
func (b *tab) subtab(label string) {
	b.t.Helper()
	b.follow("sub-tab "+label, chromedp.Click(chromedp.Search(
		fmt.Sprintf(`//nav[@aria-label="Inventory"]//a[normalize-space()=%q]`, label))))
	if got := squash(b.text(`nav.subtabs a[aria-current="page"]`)); got != label {
		b.t.Fatalf("after clicking %q the current sub-tab is %q", label, got)
	}
}

// search types into the page's search box and presses Enter, as a user does.
func (b *tab) search(q string) {
	b.t.Helper()
	b.do("clear search", chromedp.Clear(chromedp.ID("q")))
	b.follow("search "+q, chromedp.SendKeys(chromedp.ID("q"), q+"\n"))
}

// rowXPath is the Product Instances row of a serial number.
func rowXPath(sn string) string {
	return fmt.Sprintf(`//table[@id="instances"]/tbody/tr[td[2][normalize-space()=%q]]`, sn)
}

// status is the Status cell of a product instance on the list.
func (b *tab) status(sn string) string {
	b.t.Helper()
	return squash(run(b, "status of "+sn, chromedp.Text(chromedp.Search(rowXPath(sn)+"/td[4]"))))
}

// openActions opens the Actions menu of a row and follows one of its entries
// (with JavaScript, htmx loads it into the dialog instead of navigating).
func (b *tab) openActions(sn, entry string) {
	b.t.Helper()
	row := rowXPath(sn)
	b.do("open Actions menu of "+sn,
		chromedp.Click(chromedp.Search(row+`//details[contains(@class,"actions-menu")]/summary`)),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`%s//details[@open]//a[normalize-space()=%q]`, row, entry))))
	link := chromedp.Click(chromedp.Search(fmt.Sprintf(`%s//details[@open]//a[normalize-space()=%q]`, row, entry)))
	if b.js {
		b.do("choose "+entry, link)
		return
	}
	b.follow("choose "+entry, link)
}

// downloads makes the tab's browser context save downloads into dir and
// report them.
func (b *tab) downloads(dir string) {
	b.t.Helper()
	_, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllow,
		BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	})
	if err != nil {
		b.t.Fatalf("set download folder: %v", err)
	}
}

// download clicks a download link and waits until the browser has saved
// the file; it returns the file's contents.
func (b *tab) download(sel string, dir, name string) []byte {
	b.t.Helper()
	began := chromedp.BrowserEvents(b.ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(b.ctx, browser.DownloadProgress)
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	var guid string
	for ev, err := range began {
		if err != nil {
			b.t.Fatalf("waiting for the download to begin: %v", err)
		}
		if ev.SuggestedFilename != name {
			b.t.Errorf("the browser suggests the file name %q, want %q", ev.SuggestedFilename, name)
		}
		guid = ev.GUID
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("waiting for the download: %v", err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.t.Fatalf("the download of %s was canceled", name)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		b.t.Fatalf("downloaded file: %v (the folder holds %v)", err, names)
	}
	return data
}

// device is one slrdevice state file: the replacement product.
type device struct {
	t     *testing.T
	state string
	PID   string
	SN    string
}

func newDevice(t *testing.T, pid, sn string) *device {
	t.Helper()
	d := &device{t: t, state: filepath.Join(t.TempDir(), "device-"+sn+".json"), PID: pid, SN: sn}
	d.run("init", "--pid", pid, "--sn", sn)
	return d
}

func (d *device) run(args ...string) string {
	d.t.Helper()
	args = append(args, "--state", d.state)
	out, err := exec.Command(slrdeviceBin, args...).CombinedOutput()
	if err != nil {
		d.t.Fatalf("slrdevice %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// requestCode is what `license smart reservation request local` prints.
func (d *device) requestCode() string {
	d.t.Helper()
	return strings.TrimSpace(d.run("request"))
}

// install installs a downloaded authorization code file, checking the
// signature against the portal's published key.
func (d *device) install(file, portalURL string) {
	d.t.Helper()
	out := d.run("install", file, "--key", portalURL+"/signing-key.pem")
	if !strings.Contains(out, "Reservation install file successful") {
		d.t.Fatalf("slrdevice install: %s", out)
	}
}
