// Package views holds the templ components of the portal. Components take
// typed props and know nothing of HTTP or the database.
package views

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"slrportal/internal/licensing"
)

// Layout is what every signed-in page shows around its content.
type Layout struct {
	Title        string
	User         string
	SmartAccount string
	CSRF         string
	MainTab      string // inventory, activity, admin
	CanAdmin     bool
	Flash        []string
	Assets       Assets
	// CanUsers: the user reaches /admin/users (SA or VA administrator).
	CanUsers bool
}

// Assets are the checksummed URLs of the static files.
type Assets struct {
	CSS, JS, HTMX string
}

// VAOption is one entry of the Virtual Account selector.
type VAOption struct {
	ID      int64
	Name    string
	Default bool
}

// Inventory is the header of every page under /inventory/{va}.
type Inventory struct {
	Layout
	VAs       []VAOption
	VAID      int64
	VAName    string
	SubTab    string // general, licenses, instances, events
	CanManage bool
}

func vaURL(vaID int64, rest string) string {
	return "/inventory/" + strconv.FormatInt(vaID, 10) + rest
}

func piURL(vaID, piID int64, rest string) string {
	return vaURL(vaID, "/instances/"+strconv.FormatInt(piID, 10)+rest)
}

func codeURL(vaID, codeID int64) string {
	return vaURL(vaID, "/codes/"+strconv.FormatInt(codeID, 10)+"/download")
}

func itoa(n int) string { return strconv.Itoa(n) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-Jan-02 15:04:05") + " UTC"
}

func statusClass(s licensing.Status) string {
	switch s {
	case licensing.StatusReserved:
		return "badge badge-ok"
	case licensing.StatusUpdatePending:
		return "badge badge-info"
	case licensing.StatusFailed:
		return "badge badge-danger"
	}
	return "badge badge-muted"
}

func severityClass(sev string) string {
	switch sev {
	case "Major":
		return "badge badge-danger"
	case "Minor":
		return "badge badge-warn"
	}
	return "badge badge-info"
}

func withQuery(base string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
