// Package web is the HTTP side of the portal: Echo routes, middleware and
// handlers that call the licensing use cases and render templ views.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
	"slrportal/static"
	"slrportal/web/views"
)

// Config wires the server.
type Config struct {
	Service *licensing.Service
	// HashKey and BlockKey sign and encrypt the session cookie.
	HashKey, BlockKey []byte
	// SecureCookies marks cookies Secure; set it when served over TLS.
	SecureCookies bool
	Logger        *slog.Logger
}

// Server holds the handlers' dependencies.
type Server struct {
	svc      *licensing.Service
	sessions *sessions.CookieStore
	secure   bool
	log      *slog.Logger
	assets   views.Assets
	keyPEM   []byte
	static   map[string]string // path → checksum
}

// New builds the Echo instance with every route.
func New(cfg Config) (*echo.Echo, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	store := sessions.NewCookieStore(cfg.HashKey, cfg.BlockKey)
	// MaxAge also bounds the signed timestamp inside the cookie, so a copy
	// of a cookie is refused after 12 hours, not only dropped by browsers.
	store.MaxAge(int((12 * time.Hour).Seconds()))
	store.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int((12 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	keyPEM, err := slrcode.MarshalPublicKeyPEM(cfg.Service.PublicKey())
	if err != nil {
		return nil, err
	}
	s := &Server{svc: cfg.Service, sessions: store, secure: cfg.SecureCookies, log: cfg.Logger, keyPEM: keyPEM, static: map[string]string{}}
	if err := s.hashStatic(); err != nil {
		return nil, err
	}
	s.assets = views.Assets{CSS: s.assetURL("app.css"), JS: s.assetURL("app.js"), HTMX: s.assetURL("vendor/htmx-2.0.11.min.js")}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	s.routes(e)
	return e, nil
}

// hashStatic computes a checksum per static file for cache-busting URLs.
func (s *Server) hashStatic() error {
	return fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.static[path] = hex.EncodeToString(sum[:6])
		return nil
	})
}

func (s *Server) assetURL(path string) string { return "/static/" + path + "?v=" + s.static[path] }

// routes is the whole URL map (DESIGN §6) and the middleware order.
func (s *Server) routes(e *echo.Echo) {
	e.Use(middleware.RequestID())
	e.Use(s.requestLog)
	e.Use(middleware.Recover())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
	}))
	e.Use(middleware.BodyLimit("2M"))

	e.GET("/healthz", s.healthz)
	e.GET("/signing-key.pem", s.signingKey)
	e.GET("/static/*", s.staticFile)

	// Everything below carries sessions and CSRF protection.
	g := e.Group("", s.mintCSRFOnSafe, middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler:   s.csrfError,
	}))
	g.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/inventory") })
	g.GET("/login", s.loginForm)
	g.POST("/login", s.login)
	g.POST("/logout", s.logout)

	a := g.Group("", s.requireUser, s.readForm)
	a.GET("/inventory", s.inventoryHome)
	a.GET("/inventory/select", s.selectVA)
	a.GET("/inventory/:va/general", s.general)
	a.GET("/inventory/:va/licenses", s.licenses)
	a.GET("/inventory/:va/instances", s.instances)
	a.GET("/inventory/:va/instances/:pi", s.instance)
	a.GET("/inventory/:va/instances/:pi/rehost", s.rehostStep1)
	a.POST("/inventory/:va/instances/:pi/rehost", s.rehostCheck)
	a.POST("/inventory/:va/instances/:pi/rehost/generate", s.rehostGenerate)
	a.GET("/inventory/:va/instances/:pi/rehost/done", s.rehostDone)
	a.GET("/inventory/:va/instances/:pi/remove", s.removeForm)
	a.POST("/inventory/:va/instances/:pi/remove", s.remove)
	a.GET("/inventory/:va/codes/:code/download", s.download)
	a.GET("/inventory/:va/events", s.vaEvents)
	a.GET("/inventory/:va/events.csv", s.vaEventsCSV)
	a.GET("/activity/events", s.saEvents)
	a.GET("/inventory/:va/instances/:pi/update", s.updateForm)
	a.POST("/inventory/:va/instances/:pi/update", s.updateReview)
	a.POST("/inventory/:va/instances/:pi/update/generate", s.updateGenerate)
	a.GET("/inventory/:va/instances/:pi/update/done", s.updateDone)
	a.GET("/inventory/:va/instances/:pi/confirm", s.confirmForm)
	a.POST("/inventory/:va/instances/:pi/confirm", s.confirm)
	a.GET("/inventory/:va/instances/:pi/cancel-update", s.cancelUpdateForm)
	a.POST("/inventory/:va/instances/:pi/cancel-update", s.cancelUpdate)
	a.GET("/inventory/:va/instances/:pi/transfer", s.transferForm)
	a.POST("/inventory/:va/instances/:pi/transfer", s.transfer)
	a.GET("/inventory/:va/licenses/:license/transfer", s.licenseTransferForm)
	a.POST("/inventory/:va/licenses/:license/transfer", s.licenseTransfer)
	a.GET("/inventory/:va/reserve", s.reserveStep1)
	a.POST("/inventory/:va/reserve", s.reserveCheck)
	a.POST("/inventory/:va/reserve/review", s.reserveReview)
	a.POST("/inventory/:va/reserve/generate", s.reserveGenerate)
	a.GET("/inventory/:va/reserve/done", s.reserveDone)
	a.GET("/admin/settings", s.settings)
	a.POST("/admin/settings", s.saveSettings)
	a.POST("/admin/settings/deposit", s.deposit)
	a.POST("/admin/settings/virtual-accounts", s.createVA)
	a.GET("/admin/users", s.users)
	a.POST("/admin/users", s.addUser)
	a.POST("/admin/users/:id/roles", s.grantRole)
	a.POST("/admin/users/:id/roles/revoke", s.revokeRole)
	a.GET("/activity/events.csv", s.saEventsCSV)
	a.POST("/activity/events/verify", s.verifyEvents)
}

func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if _, _, err := s.svc.Store().LastEvent(ctx); err != nil {
		s.log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

func (s *Server) signingKey(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/x-pem-file", s.keyPEM)
}

func (s *Server) staticFile(c echo.Context) error {
	path := c.Param("*")
	if _, ok := s.static[path]; !ok {
		return echo.ErrNotFound
	}
	if c.QueryParam("v") == s.static[path] {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(c.Response(), c.Request(), static.FS, path)
	return nil
}

// mintCSRFOnSafe hides Sec-Fetch-Site on safe requests so that echo's CSRF
// middleware always issues a real token for the forms it renders; unsafe
// requests still pass on same-origin Sec-Fetch-Site or a valid token.
func (s *Server) mintCSRFOnSafe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead:
			c.Request().Header.Del(echo.HeaderSecFetchSite)
		}
		return next(c)
	}
}

func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req := c.Request()
		s.log.Info("request",
			"id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", req.Method, "path", req.URL.Path,
			"status", c.Response().Status, "bytes", c.Response().Size,
			"duration_ms", time.Since(start).Milliseconds())
		return nil
	}
}
