package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// eventFilter reads the log's query parameters; bad dates become a message.
func eventFilter(c echo.Context, p *views.EventsProps) (licensing.EventFilter, string) {
	p.Q, p.Type, p.User, p.From, p.To = c.QueryParam("q"), c.QueryParam("type"), c.QueryParam("user"), c.QueryParam("from"), c.QueryParam("to")
	p.License = c.QueryParam("license")
	f := licensing.EventFilter{Product: p.Q, Username: p.User, License: p.License}
	if p.Type != "" {
		known := false
		for _, t := range licensing.EventTypes {
			known = known || string(t.Type) == p.Type
		}
		if !known {
			return f, "Unknown event type."
		}
		f.Type = licensing.EventType(p.Type)
	}
	if p.From != "" {
		t, err := time.Parse(time.DateOnly, p.From)
		if err != nil {
			return f, "The start date is not a date (YYYY-MM-DD)."
		}
		f.From = t
	}
	if p.To != "" {
		t, err := time.Parse(time.DateOnly, p.To)
		if err != nil {
			return f, "The end date is not a date (YYYY-MM-DD)."
		}
		f.To = t.AddDate(0, 0, 1) // the whole end day
	}
	if b := c.QueryParam("before"); b != "" {
		id, err := strconv.ParseInt(b, 10, 64)
		if err != nil || id < 0 {
			return f, "The page cursor is not valid."
		}
		f.Before, p.Before = id, id
	}
	return f, ""
}

func (s *Server) vaEvents(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	p := views.EventsProps{Inventory: s.inventoryHeader(c, "Event Log", "events", w), Action: "/inventory/" + strconv.FormatInt(w.VA.ID, 10) + "/events"}
	return s.renderEvents(c, &p, func(f licensing.EventFilter) (licensing.EventPage, error) {
		return s.svc.VAEvents(c.Request().Context(), actor(c), w.VA.ID, f)
	})
}

func (s *Server) saEvents(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	_, def, err := s.svc.VisibleVAs(ctx, a)
	if err != nil {
		return err
	}
	w := licensing.Workspace{}
	if def != 0 {
		if w, err = s.svc.Workspace(ctx, a, def); err != nil {
			return err
		}
	}
	p := views.EventsProps{SALevel: true, Action: "/activity/events"}
	p.Layout = s.layout(c, "Event Log", "activity", w)
	return s.renderEvents(c, &p, func(f licensing.EventFilter) (licensing.EventPage, error) {
		return s.svc.SAEvents(ctx, a, f)
	})
}

func (s *Server) renderEvents(c echo.Context, p *views.EventsProps, load func(licensing.EventFilter) (licensing.EventPage, error)) error {
	f, msg := eventFilter(c, p)
	if msg != "" {
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.Events(*p))
	}
	page, err := load(f)
	if err != nil {
		if m, ok := userError(err); ok {
			p.Error = m
			return s.render(c, http.StatusUnprocessableEntity, views.Events(*p))
		}
		return err
	}
	p.Page = page
	return s.render(c, http.StatusOK, views.Events(*p))
}
