// Package http serves octoinvite's REST API over HTTP, in Octopus Deploy's wire format. Handlers
// are thin: they decode the request, call a domain service and encode the answer; every error
// becomes a status and an Octopus error body in one place.
package http

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octoinvite/octoinvite"
)

// DefaultMaxBodyBytes bounds request bodies unless the server is configured otherwise.
const DefaultMaxBodyBytes = 1 << 20

// MaxHeaderBytes is the http.Server's bound on a request's header fields, the request line
// included: 64 KiB, ample for any client's headers and cookies; larger ones are answered 431.
const MaxHeaderBytes = 64 << 10

// Server holds the services the API is made of. Set every service before calling Handler.
type Server struct {
	Spaces      octoinvite.SpaceService
	Teams       octoinvite.TeamService
	Users       octoinvite.UserService
	Invitations octoinvite.InvitationService
	Auth        octoinvite.AuthService
	// Registrations, Sessions and APIKeys serve registration, sign-in and users' API keys.
	Registrations octoinvite.RegistrationService
	Sessions      octoinvite.SessionService
	APIKeys       octoinvite.APIKeyService
	// Events serves the audit log.
	Events octoinvite.EventService
	// Resender sends invitations' emails again; without it a resend says that the server
	// sends no email.
	Resender octoinvite.InvitationResender
	// Passwords sets users' passwords.
	Passwords octoinvite.PasswordService
	// Web, when set, serves the pages under /app/; the server's root leads to them.
	Web http.Handler
	// PublicURL, when set, is the address people reach the server at (such as
	// https://octo.example.com): invitation links are built on it, and cookies are Secure when
	// it is https, even when a TLS-terminating proxy forwards plain HTTP. Without it, links are
	// built on the address each request reached.
	PublicURL *url.URL
	// Now returns the current time for the failure budgets, per client address and per
	// username (their refill, and the Retry-After of a refusal); time.Now by default. Expiry,
	// sessions and event times follow the store's own clock.
	Now func() time.Time

	addresses      budgets
	usernames      budgets
	passwordChecks passwordChecks
	requestIDs     requestIDs

	// AuthFailureLimit failed authentications and registrations from one client address, at
	// once, exhaust its budget, which refills evenly over AuthFailureWindow; an address without
	// budget is answered 429. Zero values mean DefaultAuthFailureLimit and
	// DefaultAuthFailureWindow.
	AuthFailureLimit  int
	AuthFailureWindow time.Duration
	// IPv6Prefix is the length of the prefix that IPv6 clients share a failure budget by;
	// zero means DefaultIPv6Prefix.
	IPv6Prefix int
	// TrustedProxies are the networks of reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix

	// Logger receives one line per request and the details of internal errors.
	Logger *slog.Logger
	// Application and Version name the product in the root document.
	Application string
	Version     string
	// InstallationID is the UUID of the installation, in the root document.
	InstallationID string
	// MaxBodyBytes bounds request bodies; larger ones are answered 413.
	MaxBodyBytes int64
	// Observer, when set, is told of every request answered and every authentication failure,
	// for the metrics.
	Observer Observer
	// Metrics, when set, serves the metrics at GET /metrics: to administrators on Handler, to
	// anyone on OperationsHandler.
	Metrics http.Handler
	// Ping, when set, is what GET /readyz checks: the store answers.
	Ping func(ctx context.Context) error
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler {
	h, _ := s.handler()
	return h
}

// Routes returns the pattern of every route the handler serves, such as
// "GET /api/users/invitations/{id}", in the order they are registered.
func (s *Server) Routes() []string {
	_, routes := s.handler()
	return routes
}

// recordingMux is a ServeMux that remembers the patterns registered on it.
type recordingMux struct {
	*http.ServeMux
	patterns *[]string
}

func (m recordingMux) Handle(pattern string, h http.Handler) {
	*m.patterns = append(*m.patterns, pattern)
	m.ServeMux.Handle(pattern, newRoutedHandler(pattern, h))
}

// routedHandler is a registered handler with what the router needs to call it after matching
// its pattern once with ServeMux.Handler (ServeMux.ServeHTTP would match it again): the pattern
// and where its wildcards are in the path, to set the request's path values.
type routedHandler struct {
	pattern string
	// wildcards names the wildcard of each segment of the path ("" for a literal segment).
	wildcards []string
	// rest is set if the last wildcard takes the rest of the path ({name...}).
	rest bool
	next http.Handler
}

func newRoutedHandler(pattern string, next http.Handler) *routedHandler {
	h := &routedHandler{pattern: pattern, next: next}
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		path = pattern
	}
	for i, segment := range strings.Split(path, "/") {
		name, isWildcard := strings.CutPrefix(segment, "{")
		name, closed := strings.CutSuffix(name, "}")
		if !isWildcard || !closed || name == "$" {
			continue
		}
		if len(h.wildcards) < i+1 {
			h.wildcards = append(h.wildcards, make([]string, i+1-len(h.wildcards))...)
		}
		name, h.rest = strings.CutSuffix(name, "...")
		h.wildcards[i] = name
	}
	return h
}

// ServeHTTP serves r, which ServeMux.Handler matched to the handler's pattern, setting its path
// values as ServeMux.ServeHTTP would: each wildcard's segment of the escaped path, unescaped.
func (h *routedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	for i := 0; i < len(h.wildcards) && path != ""; i++ {
		segment, rest, _ := strings.Cut(path, "/")
		name := h.wildcards[i]
		if h.rest && i == len(h.wildcards)-1 {
			segment = path
		}
		if name != "" {
			if value, err := url.PathUnescape(segment); err == nil {
				r.SetPathValue(name, value)
			} else {
				r.SetPathValue(name, segment)
			}
		}
		path = rest
	}
	r.Pattern = h.pattern
	h.next.ServeHTTP(w, r)
}

func (s *Server) handler() (http.Handler, []string) {
	var routes []string
	global := recordingMux{http.NewServeMux(), &routes}
	space := recordingMux{http.NewServeMux(), &routes}
	user := recordingMux{http.NewServeMux(), &routes}

	global.Handle("GET /api", s.anonymous(s.handleRoot))
	global.Handle("GET /api/{$}", s.anonymous(s.handleRoot))
	global.Handle("GET /api/spaces", s.authenticated(s.handleListSpaces))
	global.Handle("POST /api/spaces", s.authenticated(s.handleCreateSpace))
	global.Handle("GET /api/spaces/{id}", s.authenticated(s.handleGetSpace))
	global.Handle("GET /api/spaces/all", s.authenticated(s.handleListAllSpaces))
	global.Handle("PUT /api/spaces/{id}", s.authenticated(s.handleUpdateSpace))
	global.Handle("DELETE /api/spaces/{id}", s.authenticated(s.handleDeleteSpace))
	global.Handle("GET /api/spaces/{id}/logo", s.authenticated(s.handleSpaceLogo))
	global.Handle("GET /api/spaces/{id}/search", s.authenticated(s.handleSpaceSearch))
	global.Handle("GET /api/teams", s.authenticated(s.handleListTeams))
	global.Handle("POST /api/teams", s.authenticated(s.handleCreateTeam))
	global.Handle("GET /api/teams/{id}", s.authenticated(s.handleGetTeam))
	global.Handle("GET /api/teams/all", s.authenticated(s.handleListAllTeams))
	global.Handle("PUT /api/teams/{id}", s.authenticated(s.handleUpdateTeam))
	global.Handle("DELETE /api/teams/{id}", s.authenticated(s.handleDeleteTeam))
	global.Handle("GET /api/teammembership", s.authenticated(s.handleTeamMembership))
	global.Handle("GET /api/users", s.authenticated(s.handleListUsers))
	global.Handle("GET /api/users/all", s.authenticated(s.handleListAllUsers))
	global.Handle("GET /api/users/me", s.authenticated(s.handleMe))
	global.Handle("POST /api/users/invitations", s.authenticated(s.handleCreateInvitation))
	global.Handle("GET /api/users/invitations/{id}", s.authenticated(s.handleGetInvitation))
	global.Handle("POST /api/users/register", s.anonymous(s.handleRegister))
	global.Handle("POST /api/users/login", s.anonymous(s.handleLogin))
	global.Handle("POST /api/users/logout", s.authenticated(s.handleLogout))
	global.Handle("GET /api/events", s.authenticated(s.handleListEvents))
	global.Handle("GET /api/events/{id}", s.authenticated(s.handleGetEvent))
	global.Handle("GET /api/users/invitations", s.authenticated(s.handleListInvitations))
	global.Handle("DELETE /api/users/invitations/{id}", s.authenticated(s.handleRevokeInvitation))
	global.Handle("POST /api/users/invitations/{id}/regenerate", s.authenticated(s.handleRegenerateInvitation))
	global.Handle("POST /api/users/invitations/{id}/resend", s.authenticated(s.handleResendInvitation))
	global.Handle("POST /api/users/invitations/accept", s.authenticated(s.handleAcceptInvitation))
	global.Handle("GET /api/openapi.json", s.anonymous(handleOpenAPI))
	global.Handle("GET /healthz", s.anonymous(handleHealth))
	global.Handle("GET /readyz", s.anonymous(s.handleReady))
	if s.Metrics != nil {
		global.Handle("GET /metrics", s.authenticated(s.handleMetrics))
	}
	var pages http.Handler
	if s.Web != nil {
		pages = s.Web
		global.Handle(pagesPattern, pages)
		global.Handle("GET /{$}", s.anonymous(handleRootPage))
	}

	// Routes under /api/Spaces-N: a pattern such as /api/{space}/teams would overlap
	// /api/users/{id} in one mux, so space-scoped routes have their own.
	space.Handle("GET /api/{space}", s.authenticated(s.handleSpaceRoot))
	space.Handle("GET /api/{space}/{$}", s.authenticated(s.handleSpaceRoot))
	space.Handle("GET /api/{space}/teams", s.authenticated(s.handleListTeams))
	space.Handle("POST /api/{space}/teams", s.authenticated(s.handleCreateTeam))
	space.Handle("GET /api/{space}/teams/{id}", s.authenticated(s.handleGetTeam))
	space.Handle("GET /api/{space}/teams/all", s.authenticated(s.handleListAllTeams))
	space.Handle("PUT /api/{space}/teams/{id}", s.authenticated(s.handleUpdateTeam))
	space.Handle("DELETE /api/{space}/teams/{id}", s.authenticated(s.handleDeleteTeam))
	space.Handle("POST /api/{space}/users/invitations", s.authenticated(s.handleCreateInvitation))
	space.Handle("GET /api/{space}/users/invitations/{id}", s.authenticated(s.handleGetInvitation))
	space.Handle("GET /api/{space}/users/invitations", s.authenticated(s.handleListInvitations))
	space.Handle("DELETE /api/{space}/users/invitations/{id}", s.authenticated(s.handleRevokeInvitation))
	space.Handle("POST /api/{space}/users/invitations/{id}/regenerate", s.authenticated(s.handleRegenerateInvitation))
	space.Handle("POST /api/{space}/users/invitations/{id}/resend", s.authenticated(s.handleResendInvitation))

	// Routes under /api/users/Users-N, for the same reason.
	user.Handle("GET /api/users/{id}", s.authenticated(s.handleGetUser))
	user.Handle("PUT /api/users/{id}", s.authenticated(s.handleUpdateUser))
	user.Handle("DELETE /api/users/{id}", s.authenticated(s.handleDeleteUser))
	user.Handle("GET /api/users/{id}/spaces", s.authenticated(s.handleUserSpaces))
	user.Handle("GET /api/users/{id}/permissions", s.authenticated(s.handleUserPermissions))
	user.Handle("GET /api/users/{id}/avatar", s.authenticated(s.handleAvatar))
	user.Handle("POST /api/users/{id}/apikeys", s.authenticated(s.handleCreateAPIKey))
	user.Handle("GET /api/users/{id}/apikeys", s.authenticated(s.handleListAPIKeys))
	user.Handle("GET /api/users/{id}/apikeys/{keyId}", s.authenticated(s.handleGetAPIKey))
	user.Handle("DELETE /api/users/{id}/apikeys/{keyId}", s.authenticated(s.handleRevokeAPIKey))
	user.Handle("PUT /api/users/{id}/password", s.authenticated(s.handleSetPassword))

	route := func(w http.ResponseWriter, r *http.Request) {
		// Routes ignore case, as Octopus's do: the muxes match a copy of the request whose path
		// is in lower case, as the patterns are; the handler then reads its path values from the
		// request's own path, so that IDs keep what the client sent and ParseID puts them in
		// canonical form.
		match := lowerPathRequest(r)
		// The mux is chosen by the clean form of the path, which the muxes match.
		clean := cleanPath(match.URL.Path)
		mux := global
		switch {
		case isIDRoute(clean, "/api/spaces-"):
			mux = space
		case isIDRoute(clean, "/api/users/users-"):
			mux = user
		}
		// The mux matches once: Handler finds the handler, which sets the path values itself.
		h, pattern := mux.Handler(match)
		if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
			info.route = routeLabel(pattern)
		}
		switch {
		case pattern == "":
			s.fail(w, r, unrouted(mux.ServeMux, match, r.URL.Path))
		case pattern == pagesPattern:
			// The pages answer every path under /app/, in any form, with pages (a redirect
			// to the clean form included).
			pages.ServeHTTP(w, r)
		case !isClean(r.URL.EscapedPath()):
			// ServeMux would redirect with an HTML body: an API client gets JSON.
			s.redirectToCleanPath(w, r)
		default:
			h.ServeHTTP(w, r)
		}
	}
	return s.logRequests(s.recoverPanics(s.crossOriginProtection(http.HandlerFunc(route)))), routes
}

// crossOriginProtection refuses unsafe requests that a browser marks as coming from another
// origin (Sec-Fetch-Site, else Origin against Host), with a 403 in Octopus's shape. Requests from
// programs carry neither header and pass; they authenticate with an API key anyway.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, octoinvite.Errorf(octoinvite.EFORBIDDEN, "Cross-origin requests that change data are refused."))
	}))
	return p.Handler(next)
}

// pagesPattern is the route of the pages, which the Web handler serves.
const pagesPattern = "/app/"

// cleanPath is p as ServeMux matches it: rooted, without empty, . or .. segments, keeping a
// final slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// redirectToCleanPath answers a request for a path with empty, . or .. segments (such as
// //api/users, from a base URL with a final slash) that a route serves in its clean form: a
// 307 to the clean form, which keeps the method and body, with an Octopus error body.
func (s *Server) redirectToCleanPath(w http.ResponseWriter, r *http.Request) {
	location := cleanPath(r.URL.EscapedPath())
	if r.URL.RawQuery != "" {
		location += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusTemporaryRedirect, ErrorResponse{ErrorMessage: fmt.Sprintf(
		"The address '%s' has empty or dot segments; the resource is at '%s'.",
		octoinvite.Truncate(r.URL.Path, 200), octoinvite.Truncate(cleanPath(r.URL.Path), 200))})
}

// isClean reports whether the path is in the form ServeMux matches without redirecting.
func isClean(p string) bool { return cleanPath(p) == p }

// isIDRoute reports whether the path, in lower case, starts with prefix followed by a number
// and then a slash or nothing (isIDRoute("/api/spaces-12/teams", "/api/spaces-") is true): the
// routes under a space or a user, which have muxes of their own. It compares bytes rather than
// running a regular expression, since it runs for every request.
func isIDRoute(path, prefix string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return false
	}
	digits := 0
	for digits < len(rest) && '0' <= rest[digits] && rest[digits] <= '9' {
		digits++
	}
	return digits > 0 && (digits == len(rest) || rest[digits] == '/')
}

// lowerPathRequest returns r, or a shallow copy of it whose path is in lower case when r's path
// holds upper-case ASCII letters, for the muxes to match. Letters beyond ASCII are left as they
// are: no pattern holds one.
func lowerPathRequest(r *http.Request) *http.Request {
	if !hasUpperASCII(r.URL.Path) && !hasUpperASCII(r.URL.RawPath) {
		return r
	}
	match := *r
	u := *r.URL
	u.Path, u.RawPath = lowerASCII(u.Path), lowerASCII(u.RawPath)
	match.URL = &u
	return &match
}

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// lowerASCII returns s with its ASCII letters in lower case and every other byte kept.
func lowerASCII(s string) string {
	if !hasUpperASCII(s) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// unrouted returns the error for a request that no pattern serves, matched as r, at the path as
// the client sent it: ENOTALLOWED when another method is served at the path (the mux knows
// which and sets Allow), ENOTFOUND otherwise.
func unrouted(mux *http.ServeMux, r *http.Request, path string) error {
	h, _ := mux.Handler(r)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code == http.StatusMethodNotAllowed {
		return &methodNotAllowed{allow: rec.Header().Get("Allow"), method: r.Method, path: path}
	}
	return octoinvite.Errorf(octoinvite.ENOTFOUND, "There is no resource at '%s'.", octoinvite.Truncate(path, 200))
}

// methodNotAllowed is an ENOTALLOWED error that carries the Allow header for the answer.
type methodNotAllowed struct{ allow, method, path string }

func (e *methodNotAllowed) Error() string { return "method not allowed" }

func (e *methodNotAllowed) Unwrap() error {
	return octoinvite.Errorf(octoinvite.ENOTALLOWED, "The method %s is not allowed on '%s'; use %s.",
		octoinvite.Truncate(e.method, 20), octoinvite.Truncate(e.path, 200), e.allow)
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// anonymous adapts a handler that anyone may call.
func (s *Server) anonymous(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authenticated adapts a handler that needs a valid API key; the caller is in the context.
func (s *Server) authenticated(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempt, err := s.startAttempt(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		user, how, err := s.authenticate(r)
		// A request without credentials is not an attempt: only a key or session that does not
		// authenticate counts.
		attempt.end(err != nil && how != "" && (octoinvite.ErrorCode(err) == octoinvite.EUNAUTHORIZED || err == errCSRF))
		if err != nil {
			if octoinvite.ErrorCode(err) == octoinvite.EUNAUTHORIZED {
				s.observeAuthenticationFailure(credentialOf(how))
			}
			s.fail(w, r, err)
			return
		}
		if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
			info.userID = user.ID
		}
		// One copy of the request for both values.
		r = r.WithContext(octoinvite.NewContextWithUser(contextWithIdentity(r.Context(), how), user))
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail answers err; a method-not-allowed error also sets the Allow header.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := err.(*methodNotAllowed); ok {
		w.Header().Set("Allow", e.allow)
	}
	s.writeError(w, r, err)
}

// recoverPanics answers a panicking handler with a 500 and logs the stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger().Error("panic", slog.String("request_id", requestID(r.Context())),
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type contextKey int

const requestInfoKey contextKey = 1

// requestInfo collects, for the request's log line, what handlers learn.
type requestInfo struct {
	id     string
	userID string
	// route is the pattern that served the request, without its method; "" if none did.
	route string
}

func requestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one line per request. The query is logged with API keys redacted, and no
// header is logged at all, so that no key or code reaches the log.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: s.requestIDs.next()}
		// Assigned rather than set with Header().Set: the name is in canonical form already.
		w.Header()["X-Request-Id"] = []string{info.id}
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(s.withRequestInfo(context.WithValue(r.Context(), requestInfoKey, info), r))
		next.ServeHTTP(sw, r)
		s.observeRequest(r.Method, info.route, sw.status, time.Since(start))
		if sw.status == http.StatusRequestEntityTooLarge {
			// After the log line: the time spent discarding is not the request's.
			defer s.discardRefusedBody(sw, r)
		}
		logger := s.logger()
		if !logger.Enabled(r.Context(), slog.LevelInfo) {
			return
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", info.id),
			slog.String("method", octoinvite.Truncate(r.Method, 20)),
			slog.String("path", octoinvite.Truncate(r.URL.Path, 200)),
			slog.String("query", octoinvite.Truncate(redactQuery(r.URL.RawQuery), 200)),
			slog.Int("status", sw.status),
			slog.Int("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
			slog.String("client", clientAddress(r)),
			slog.String("user", info.userID),
		)
	})
}

// requestIDs hands out request IDs: 16 hex digits, from a random start chosen once per
// process, counting up. Within a process they never repeat (for 2^64 requests); across
// processes the random start makes a repeat unlikely. A request ID names a log line and is no
// secret, so reading crypto/rand for each request would buy nothing.
type requestIDs struct {
	once  sync.Once
	count atomic.Uint64
}

func (ids *requestIDs) next() string {
	ids.once.Do(func() {
		var seed [8]byte
		_, _ = rand.Read(seed[:])
		ids.count.Store(binary.BigEndian.Uint64(seed[:]))
	})
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], ids.count.Add(1))
	var id [16]byte
	hex.Encode(id[:], b[:])
	return string(id[:])
}

// redactQuery replaces the value of every parameter that may carry a secret (isSecretParam),
// its name percent-decoded and matched in any case, whether & or ; separates it from the
// others: Go reads only &, but a log reader, or a proxy, would read ; too.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(raw))
	for rest := raw; ; {
		part, sep := rest, ""
		if i := strings.IndexAny(rest, "&;"); i >= 0 {
			part, sep, rest = rest[:i], rest[i:i+1], rest[i+1:]
		}
		name, _, hasValue := strings.Cut(part, "=")
		if decoded, err := url.QueryUnescape(name); err == nil {
			name = decoded
		}
		if hasValue && isSecretParam(name) {
			b.WriteString(url.QueryEscape(name) + "=REDACTED")
		} else {
			b.WriteString(part)
		}
		if sep == "" {
			return b.String()
		}
		b.WriteString(sep)
	}
}

func isSecretParam(name string) bool {
	return strings.EqualFold(name, "apikey") || strings.EqualFold(name, "invitation") || strings.EqualFold(name, "invitationcode")
}
