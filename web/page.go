package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/octoinvite/octoinvite"
)

// page is one request for a page: who asks, and what the answer needs.
type page struct {
	h *Handler
	w http.ResponseWriter
	r *http.Request
	// user and session are the signed-in user and their session; nil when signed out.
	user    *octoinvite.User
	session *octoinvite.Session
	// sessionEnded is set when the request's session cookie no longer authenticates.
	sessionEnded bool
	// newPreSession is the pre-session ID set on this answer, if one was.
	newPreSession string
}

// access says who may open a page: anyone, a signed-in user (others are sent to sign in, and
// back), or a signed-in user who holds a permission (others get a 403 page).
type access struct {
	signedIn   bool
	permission string
}

var (
	anyone   = access{}
	signedIn = access{signedIn: true}
)

// needs is the access of a page for users who hold the permission (octoinvite.User.Can).
func needs(permission string) access { return access{signedIn: true, permission: permission} }

// pageFunc answers a page request; an error it returns becomes a page (see fail).
type pageFunc func(p *page) error

// maxFormBytes bounds the body of a form.
const maxFormBytes = 64 << 10

// handle registers the page of pattern, open to who. Every request first authenticates its
// session; an unsafe request must then carry a form whose anti-forgery token the server
// issued to this browser.
func (h *Handler) handle(pattern string, who access, fn pageFunc) {
	h.routes = append(h.routes, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p := &page{h: h, w: w, r: r}
		r, session, err := h.cfg.Accounts.PageSession(w, r)
		switch code := octoinvite.ErrorCode(err); {
		case code == octoinvite.EUNAUTHORIZED:
			p.sessionEnded = true
		case err != nil:
			p.fail(err)
			return
		case session != nil:
			p.r, p.session, p.user = r, session, octoinvite.UserFromContext(r.Context())
		}
		if p.user == nil && who.signedIn {
			p.toSignIn()
			return
		}
		if who.permission != "" && !p.user.Can(who.permission) {
			p.problem(http.StatusForbidden, "You cannot open this page",
				"This page is for administrators, and your account is not one.",
				"Ask an administrator of "+h.cfg.InstanceName+" if you need to work here.")
			return
		}
		if r.Method == http.MethodPost {
			p.r.Body = http.MaxBytesReader(w, p.r.Body, maxFormBytes)
			if err := p.r.ParseForm(); err != nil {
				// A form over the limit is answered 413, which the server follows with a
				// lingering close: a browser that is still sending it then shows this page
				// rather than a reset connection.
				if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
					p.problem(http.StatusRequestEntityTooLarge, "The form is too large",
						fmt.Sprintf("The form sent more than the %d KiB this site accepts from one form.", maxFormBytes>>10),
						"Go back to the page and send it again with less in its fields.")
					return
				}
				p.problem(http.StatusBadRequest, "Something is wrong", "The form could not be read.",
					"Go back to the page, reload it and fill in the form again.")
				return
			}
			if !p.validToken() {
				p.problem(http.StatusForbidden, "The form was not accepted",
					"The form could not be accepted, as it did not come from this site's page, or the page was opened too long ago.",
					"Go back to the page, reload it and send the form again. Your browser must accept cookies from this site.")
				return
			}
		}
		if err := fn(p); err != nil {
			p.fail(err)
		}
	})
}

// base returns what every page shows: its title, the instance, the signed-in user, the token
// of its forms and the notice left for it.
func (p *page) base(title string) base {
	return base{Title: title, Instance: p.h.cfg.InstanceName, User: p.user, Token: p.formToken(), Path: p.r.URL.Path,
		Notice: p.takeNotice()}
}

// base is what every page's data holds; the layout reads it.
type base struct {
	Title    string
	Instance string
	User     *octoinvite.User
	Token    string
	// Path is the page's path, to mark the current section of the menu.
	Path   string
	Notice *notice
}

// render writes the page.
func (p *page) render(status int, name string, data any) { p.h.render(p.w, status, name, data) }

// redirect sends the browser to path with 303 See Other, so that a refresh does not send a
// form again.
func (p *page) redirect(path string) {
	http.Redirect(p.w, p.r, path, http.StatusSeeOther)
}

// toSignIn sends a signed-out browser to the sign-in page, which brings it back here after.
func (p *page) toSignIn() {
	q := url.Values{}
	back := p.r.URL.Path
	if p.r.Method == http.MethodGet && p.r.URL.RawQuery != "" {
		back += "?" + p.r.URL.RawQuery
	}
	if safeReturn(back) != "" && back != homePath {
		q.Set(returnParam, back)
	}
	if p.sessionEnded {
		q.Set("ended", "1")
	}
	target := signInPath
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	p.redirect(target)
}

// problemPage is the data of a page that says what went wrong.
type problemPage struct {
	base
	Message, Advice string
}

// problem shows a page with the status, its title, what went wrong and what to do.
func (p *page) problem(status int, title, message, advice string) {
	data := problemPage{Message: message, Advice: advice}
	data.base = base{Title: title, Instance: p.h.cfg.InstanceName, User: p.user, Path: "/"}
	if p.user != nil {
		data.Token = p.formToken()
	}
	p.render(status, "problem", data)
}

// fail shows the page of an error a page's handler returned: missing documents, missing
// permissions, limits and unavailability in plain words; anything else is logged and shown as
// a fault of the server.
func (p *page) fail(err error) {
	switch code := octoinvite.ErrorCode(err); code {
	case octoinvite.ENOTFOUND:
		p.problem(http.StatusNotFound, "Not found", octoinvite.ErrorMessage(err), "It may have been deleted, or the address may be wrong.")
	case octoinvite.EFORBIDDEN:
		p.problem(http.StatusForbidden, "You cannot do this", octoinvite.ErrorMessage(err), "Ask an administrator if you need to.")
	case octoinvite.ETOOMANYREQUESTS:
		p.problem(http.StatusTooManyRequests, "Please wait", octoinvite.ErrorMessage(err), "This protects accounts from people guessing passwords and invitation codes.")
	case octoinvite.EUNAVAILABLE:
		p.w.Header().Set("Retry-After", "5")
		p.problem(http.StatusServiceUnavailable, "Please try again", "The server cannot reach its database just now.", "Please try again in a moment.")
	case octoinvite.EINVALID, octoinvite.ECONFLICT:
		p.problem(statusOf(err), "Something is wrong", strings.Join(formProblems(err, nil), " "), "Go back, correct it and try again.")
	default:
		p.h.logger.Error("page", slog.String("path", p.r.URL.Path), slog.String("error", err.Error()))
		p.problem(http.StatusInternalServerError, "Something went wrong", "The server could not complete your request.", "Please try again in a moment.")
	}
}

// notFound shows the page of an address that holds no page.
func (p *page) notFound() error {
	p.problem(http.StatusNotFound, "Not found", "There is no page here.", "Check the address, or open the link you were sent again.")
	return nil
}

// Paths of the pages that other pages lead to.
const (
	homePath    = "/app/"
	signInPath  = "/app/users/sign-in"
	profilePath = "/app/users/me"
	// returnParam names the page to return to after signing in, as Octopus names it.
	returnParam = "returnUrl"
)

// safeReturn returns target if it is the path of a page of this server, "" otherwise: no
// other host however written (//evil.example, /\evil.example, https://evil.example, a
// backslash or control character that a browser would read as a slash or drop), and nothing
// outside /app.
func safeReturn(target string) string {
	if target == "" || len(target) > 2048 || !strings.HasPrefix(target, "/app") {
		return ""
	}
	if strings.ContainsAny(target, "\\") || strings.IndexFunc(target, unicode.IsControl) >= 0 ||
		strings.IndexFunc(target, unicode.IsSpace) >= 0 || strings.HasPrefix(target, "//") {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		(u.Path != "/app" && !strings.HasPrefix(u.Path, "/app/")) || strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
		return ""
	}
	return target
}

// home returns the page a signed-in user starts at: the invitations for whoever may invite,
// the profile for anyone else.
func home(user *octoinvite.User) string {
	if user.Can(octoinvite.PermissionUserInvite) {
		return invitationsPath
	}
	return profilePath
}
