// Package web serves the portal: the pages people use in a browser, under /app/. Invitees
// register or join with an existing account, users sign in, manage their profile, password,
// sessions and API keys, and administrators invite people and manage invitations, teams, users
// and the audit log.
//
// Pages are rendered on the server with html/template from templates and assets embedded in
// the binary. Every form works without JavaScript and carries an anti-forgery token bound to
// the session (or, before sign-in, to a pre-session cookie) that the server verifies against
// what it issued; one small script of the server's own only adds conveniences (copy buttons,
// Octopus's /app#/ links). Pages call the domain services, as the API does; sign-in, sessions
// and the failure budgets are the API server's, through Accounts.
package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/octoinvite/octoinvite"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Accounts is what the pages need of the API server, so that pages and API share one sign-in
// path, one session cookie, one set of failure budgets and one rule for links and cookies.
// *http.Server of package github.com/octoinvite/octoinvite/http implements it.
type Accounts interface {
	// SignIn checks a username and password as the API's sign-in does, within the same
	// budgets, and on success starts a session, setting its cookies on w. It returns the user
	// and r with the user in its context.
	SignIn(w http.ResponseWriter, r *http.Request, username, password string) (*octoinvite.User, *http.Request, error)
	// StartSession signs the user in, setting the session's cookies on w.
	StartSession(w http.ResponseWriter, r *http.Request, userID string) error
	// EndSession ends the request's session, if any, and clears its cookies.
	EndSession(w http.ResponseWriter, r *http.Request) error
	// PageSession authenticates the request's session cookie: it returns r with the user in
	// its context and the session, or r and nil without a cookie; a cookie that no longer
	// authenticates is EUNAUTHORIZED.
	PageSession(w http.ResponseWriter, r *http.Request) (*http.Request, *octoinvite.Session, error)
	// PageAttempt starts an attempt with an invitation code, within the budget of the
	// client's address, and returns the function that ends it.
	PageAttempt(w http.ResponseWriter, r *http.Request) (end func(failed bool), err error)
	// BaseURL returns the address people reach the server at, for links.
	BaseURL(r *http.Request) string
	// SecureCookies reports whether cookies set in answer to r are marked Secure.
	SecureCookies(r *http.Request) bool
}

// Config holds what the pages are made of. Accounts and the services are required.
type Config struct {
	Accounts      Accounts
	Registrations octoinvite.RegistrationService
	Sessions      octoinvite.SessionService
	Users         octoinvite.UserService
	APIKeys       octoinvite.APIKeyService
	Passwords     octoinvite.PasswordService
	Invitations   octoinvite.InvitationService
	Spaces        octoinvite.SpaceService
	Teams         octoinvite.TeamService
	Events        octoinvite.EventService
	// Resender sends invitations' emails again; EmailEnabled reports whether the server sends
	// email (nil: it does not), so that the forms offer it only then.
	Resender     octoinvite.InvitationResender
	EmailEnabled func() bool

	// InstanceName names this installation on every page ("octoinvite" when empty).
	InstanceName string
	// Application is the product's name, which passwords may not be made of.
	Application string
	// Secret keys the anti-forgery tokens of forms. Every server that shares a database must
	// have the same one (the server derives it from the master key); when empty, a random one
	// is drawn, and forms then only verify on this process.
	Secret []byte
	// InvitationLifetime, InvitationMaxLifetime and InvitationMaxUses are the server's bounds
	// on a new invitation, which the invitation form offers (octoinvite's defaults when 0).
	InvitationLifetime    time.Duration
	InvitationMaxLifetime time.Duration
	InvitationMaxUses     int
	// Now returns the current time, for dates in words; time.Now when nil.
	Now func() time.Time
	// Logger receives the details of internal errors.
	Logger *slog.Logger
}

// Handler serves the pages under /app/. Create it with New.
type Handler struct {
	cfg     Config
	forms   *formTokens
	pages   map[string]*template.Template
	mux     *http.ServeMux
	assets  fs.FS
	routes  []string
	logger  *slog.Logger
	nowFunc func() time.Time
}

// New returns a Handler over the configuration's services.
func New(cfg Config) *Handler {
	if cfg.InstanceName == "" {
		cfg.InstanceName = "octoinvite"
	}
	if cfg.Application == "" {
		cfg.Application = "octoinvite"
	}
	if cfg.InvitationLifetime <= 0 {
		cfg.InvitationLifetime = octoinvite.DefaultInvitationLifetime
	}
	if cfg.InvitationMaxLifetime < cfg.InvitationLifetime {
		cfg.InvitationMaxLifetime = max(octoinvite.DefaultInvitationMaxLifetime, cfg.InvitationLifetime)
	}
	if cfg.InvitationMaxUses <= 0 {
		cfg.InvitationMaxUses = octoinvite.DefaultInvitationMaxUses
	}
	h := &Handler{cfg: cfg, forms: newFormTokens(cfg.Secret), pages: map[string]*template.Template{}, mux: http.NewServeMux(),
		logger: cfg.Logger, nowFunc: cfg.Now}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.nowFunc == nil {
		h.nowFunc = time.Now
	}
	h.parseTemplates()
	h.assets, _ = fs.Sub(assetFiles, "assets")
	h.routePages()
	return h
}

// parseTemplates parses each page's template with the layout and the shared parts.
func (h *Handler) parseTemplates() {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		page := name[len("templates/") : len(name)-len(".html")]
		if page == "layout" || page == "parts" {
			continue
		}
		h.pages[page] = template.Must(template.New(page).Funcs(h.funcs()).ParseFS(templateFiles,
			"templates/layout.html", "templates/parts.html", name))
	}
}

// ServeHTTP serves a page with headers that keep it out of frames, stop the browser from
// guessing types, forbid loading anything from other origins and running any script but the
// server's own files, and send no Referer anywhere (an invitation's address holds its code).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// Routes returns the pattern of every page the handler serves, in the order they were
// registered.
func (h *Handler) Routes() []string { return append([]string(nil), h.routes...) }

// Problem shows a page with the status, telling the person what went wrong (message) and what
// to do (advice), for an answer that no page's handler writes, such as to a request the server
// could not read.
func (h *Handler) Problem(w http.ResponseWriter, status int, message, advice string) {
	setPageHeaders(w.Header())
	p := &page{h: h, w: w, r: &http.Request{}}
	p.problem(status, "Something is wrong", message, advice)
}

// contentSecurityPolicy allows the pages' own stylesheet, script and images, and nothing else:
// no inline script or style, no frames around them, forms posted only to the server.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

// setPageHeaders sets the headers of every page.
func setPageHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

func (h *Handler) now() time.Time { return h.nowFunc() }

// render writes the page's template with the status; a template that fails is a 500.
func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	t, ok := h.pages[name]
	if !ok {
		h.logger.Error("rendering a page", slog.String("page", name), slog.String("error", "no such template"))
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		h.logger.Error("rendering a page", slog.String("page", name), slog.String("error", err.Error()))
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// statusOf returns the status of a page that answers err.
func statusOf(err error) int {
	var e *octoinvite.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	return octoinvite.HTTPStatus(e.Code)
}
