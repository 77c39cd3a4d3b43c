package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Set once by TestMain and only read by the tests.
var (
	// browserCtx is the context of the one browser of this test binary; nil
	// when no browser was found (noBrowser says why).
	browserCtx context.Context
	noBrowser  string
	// slrdeviceBin is the device simulator built from this module.
	slrdeviceBin string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	chrome := findBrowser()
	if chrome == "" {
		noBrowser = "no Chromium found ($CHROME_PATH, chromium, chromium-browser, google-chrome)"
		return m.Run()
	}

	tmp, err := os.MkdirTemp("", "slrportal-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	if slrdeviceBin, err = buildSlrdevice(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build slrdevice:", err)
		return 1
	}

	profile := filepath.Join(tmp, "profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first Do starts the browser; its life is bound to ctx, which has
	// no deadline: each test puts its own timeout on its tab.
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: start %s: %v\n", chrome, err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// findBrowser looks the browser up, since chromedp cannot say that none exists.
func findBrowser() string {
	for _, name := range []string{os.Getenv("CHROME_PATH"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needBrowser skips the test without a browser, or fails it when the
// browser tests are required (CI).
func needBrowser(t *testing.T) {
	t.Helper()
	if browserCtx != nil {
		return
	}
	if os.Getenv("E2E_REQUIRED") == "1" {
		t.Fatal("E2E_REQUIRED=1 but " + noBrowser)
	}
	t.Skip(noBrowser)
}

// buildSlrdevice builds cmd/slrdevice of this module into dir.
func buildSlrdevice(dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if root := os.Getenv("GOROOT"); root != "" {
			goBin = filepath.Join(root, "bin", "go")
		} else {
			return "", fmt.Errorf("no go command: %w", err)
		}
	}
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("go env GOMOD: not inside the module")
	}
	bin := filepath.Join(dir, "slrdevice")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/slrdevice")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
}
