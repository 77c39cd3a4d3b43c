// Package e2e drives the real portal in a real headless Chromium through
// chromedp: the rehost and reserve journeys with and without JavaScript,
// update and confirm, removal with a return code, the threshold refusal
// inside the dialog, a viewer's page and accessibility basics.
//
// The tests look the browser up themselves ($CHROME_PATH, chromium,
// chromium-browser, google-chrome). Without one they skip, unless
// E2E_REQUIRED=1 (set by .ci/run), where they fail. When E2E_SCREENSHOTS
// names a folder (a relative one is taken from this package's folder), every
// wizard step and Inventory tab is saved there as PNG.
//
// Request codes come from the real slrdevice, built once per test binary,
// and every downloaded authorization code is installed on it.
package e2e
