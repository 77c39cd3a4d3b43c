package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// csvSafe defuses spreadsheet formulas: a cell that starts with = + - @ (or
// a tab or carriage return, which some spreadsheets skip) gets a leading
// apostrophe so it is shown as text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportEvents streams the filtered log as CSV (RFC 4180 quoting by
// encoding/csv); rows are written as they are read, so memory stays flat.
func (s *Server) exportEvents(c echo.Context, vaID int64, name string) error {
	var p views.EventsProps
	f, msg := eventFilter(c, &p)
	if msg != "" {
		return licensing.Invalid("", "%s", msg)
	}
	f.Before = 0
	res := c.Response()
	started := false
	var w *csv.Writer
	err := s.svc.ExportEvents(c.Request().Context(), actor(c), vaID, f, func(e licensing.Event) error {
		if !started {
			started = true
			start(c, name)
			w = csv.NewWriter(res)
			if err := w.Write(csvHeader); err != nil {
				return err
			}
		}
		return w.Write([]string{e.At.UTC().Format(time.RFC3339), csvSafe(e.VAName), csvSafe(e.Username), string(e.Type),
			csvSafe(e.UDI), csvSafe(e.Hostname), csvSafe(e.Message), csvSafe(e.Details)})
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		// The header is out; all we can do is stop and log.
		s.log.Error("csv export", "err", err)
		return nil
	}
	if !started {
		start(c, name)
		w = csv.NewWriter(res)
		if err := w.Write(csvHeader); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

var csvHeader = []string{"Time (UTC)", "Virtual Account", "User", "Type", "Product", "Hostname", "Message", "Details"}

func start(c echo.Context, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
}

func (s *Server) vaEventsCSV(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	name := "events-" + slug(w.VA.Name) + "-" + time.Now().UTC().Format("20060102-150405") + ".csv"
	return s.exportEvents(c, w.VA.ID, name)
}

func (s *Server) saEventsCSV(c echo.Context) error {
	return s.exportEvents(c, 0, "events-smart-account-"+time.Now().UTC().Format("20060102-150405")+".csv")
}

// slug keeps letters and digits of a name for a file name.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// verifyEvents is the "Verify integrity" action of SA administrators.
func (s *Server) verifyEvents(c echo.Context) error {
	n, err := s.svc.VerifyEventsFor(c.Request().Context(), actor(c))
	var ce *licensing.ChainError
	switch {
	case err == nil:
		s.flash(c, "Event log integrity verified: all "+strconv.FormatInt(n, 10)+" events are intact.")
	case asChain(err, &ce):
		s.flash(c, "Event log integrity check FAILED at event "+strconv.FormatInt(ce.ID, 10)+": "+ce.Reason+".")
	default:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/activity/events")
}
