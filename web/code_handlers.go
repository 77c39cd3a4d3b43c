package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"slrportal/internal/slrcode"
)

// download sends an authorization code file as an attachment and leaves a
// notification for the next page the user sees.
func (s *Server) download(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	codeID, err := idParam(c, "code")
	if err != nil {
		return err
	}
	v, err := s.svc.DownloadCode(c.Request().Context(), actor(c), w.VA.ID, codeID)
	if err != nil {
		return err
	}
	name := slrcode.AuthorizationFileName(v.PI.SN)
	if c.QueryParam("notice") != "shown" { // app.js showed it on the page already
		s.flash(c, "The file "+name+" with the authorization code was downloaded.")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(v.Code.File)))
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", v.Code.File)
}
