package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// routePages registers every page. The paths mirror Octopus's portal routes, without the "#".
func (h *Handler) routePages() {
	h.handle("GET /app", anyone, h.appLinks)
	h.handle("GET /app/{$}", anyone, h.home)
	h.handle("GET /app/users/sign-in", anyone, h.signInForm)
	h.handle("POST /app/users/sign-in", anyone, h.signIn)
	h.handle("GET /app/users/sign-out", anyone, h.signOutForm)
	h.handle("POST /app/users/sign-out", anyone, h.signOut)

	h.handle("GET /app/register", anyone, h.registerForm)
	h.handle("POST /app/register", anyone, h.register)
	h.handle("POST /app/register/join", anyone, h.join)

	h.handle("GET /app/users/me", signedIn, h.profile)
	h.handle("POST /app/users/me", signedIn, h.changeDetails)
	h.handle("POST /app/users/me/password", signedIn, h.changePassword)
	h.handle("GET /app/users/me/sessions/{id}/end", signedIn, h.endSessionForm)
	h.handle("POST /app/users/me/sessions/{id}/end", signedIn, h.endSession)
	h.handle("GET /app/users/me/apikeys", signedIn, h.apiKeys)
	h.handle("POST /app/users/me/apikeys", signedIn, h.createAPIKey)
	h.handle("GET /app/users/me/apikeys/{id}/revoke", signedIn, h.revokeAPIKeyForm)
	h.handle("POST /app/users/me/apikeys/{id}/revoke", signedIn, h.revokeAPIKey)

	h.routeConfiguration()

	h.routes = append(h.routes, "GET /app/assets/{name...}")
	h.mux.HandleFunc("GET /app/assets/{name...}", h.asset)
	h.handle("/app/", anyone, h.elsewhere)
}

// elsewhere answers an address no page has: an address of Octopus's portal that names one of
// these pages differently leads to it; anything else is the page of an unknown address.
func (h *Handler) elsewhere(p *page) error {
	if target := octopusAlias(p.r.URL.Path); target != "" && p.r.Method == http.MethodGet {
		p.redirect(target)
		return nil
	}
	return p.notFound()
}

// octopusAlias returns the page of an address of Octopus's portal (after /app#/, which the
// page at /app forwards to /app/) that these pages serve under another path: a space's page,
// a page under a space's prefix (/app/Spaces-1/...), Octopus's spelling of the API keys' page.
// It returns "" for any other path.
func octopusAlias(path string) string {
	rest, ok := strings.CutPrefix(path, "/app/")
	if !ok {
		return ""
	}
	if first, tail, _ := strings.Cut(rest, "/"); first != "" {
		if id, ok := octoinvite.ParseID(octoinvite.KindSpace, first); ok {
			if tail == "" {
				return "/app/configuration/spaces/" + id
			}
			return "/app/" + tail
		}
	}
	switch {
	case strings.EqualFold(rest, "users/me/apiKeys"):
		return apiKeysPath
	case strings.HasPrefix(rest, "spaces/"):
		if id, ok := octoinvite.ParseID(octoinvite.KindSpace, strings.TrimPrefix(rest, "spaces/")); ok {
			return "/app/configuration/spaces/" + id
		}
	case rest == "configuration/spaces":
		return teamsPath
	}
	return ""
}

// asset serves a file of the assets' folder, never a folder's listing: anything else is the
// page of an unknown address.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if info, err := fs.Stat(h.assets, name); err != nil || info.IsDir() {
		p := &page{h: h, w: w, r: r}
		_ = p.notFound()
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, h.assets, name)
}

// home leads a signed-out person to sign in, and a signed-in one to their home page.
func (h *Handler) home(p *page) error {
	if p.user == nil {
		p.toSignIn()
		return nil
	}
	p.redirect(home(p.user))
	return nil
}

// linksPage is the data of the page at /app, where Octopus's web links (/app#/...) land.
type linksPage struct {
	base
}

// appLinks serves /app: Octopus's web links point at /app#/..., a fragment the server never
// sees. The page's script sends the browser on to the matching page; without scripts it lists
// the pages.
func (h *Handler) appLinks(p *page) error {
	p.render(http.StatusOK, "app", linksPage{base: p.base(h.cfg.InstanceName)})
	return nil
}

// signInPage is the data of the sign-in page.
type signInPage struct {
	base
	Return   string
	Message  string
	Problems []string
	Fields   struct{ Username, Password *field }
}

func (h *Handler) newSignIn(p *page, back string) *signInPage {
	data := &signInPage{base: p.base("Sign in"), Return: safeReturn(back)}
	data.Fields.Username = &field{ID: "username", Name: "username", Label: "Username", Type: "text", Autocomplete: "username", Required: true}
	data.Fields.Password = &field{ID: "password", Name: "password", Label: "Password", Type: "password", Autocomplete: "current-password", Required: true}
	return data
}

// signInForm shows the sign-in form; a signed-in person goes on to the page they asked for.
func (h *Handler) signInForm(p *page) error {
	back := p.r.URL.Query().Get(returnParam)
	if p.user != nil {
		p.redirect(orHome(safeReturn(back), p.user))
		return nil
	}
	data := h.newSignIn(p, back)
	switch {
	case p.sessionEnded || p.r.URL.Query().Get("ended") != "":
		data.Message = "Your session has ended. Please sign in again."
	case p.r.URL.Query().Get("signedOut") != "":
		data.Message = "You have signed out."
	}
	p.render(http.StatusOK, "signin", data)
	return nil
}

// orHome returns target, or the user's home page if it is empty.
func orHome(target string, user *octoinvite.User) string {
	if target == "" {
		return home(user)
	}
	return target
}

// signIn signs in with the form's username and password, through the API's sign-in path and
// its limits, and goes on to the page that asked for it (a page of this server only).
func (h *Handler) signIn(p *page) error {
	back := p.r.PostForm.Get(returnParam)
	username, password := p.r.PostForm.Get("username"), p.r.PostForm.Get("password")
	user, _, err := h.cfg.Accounts.SignIn(p.w, p.r, username, password)
	if err != nil {
		data := h.newSignIn(p, back)
		data.Fields.Username.Value = username
		switch octoinvite.ErrorCode(err) {
		case octoinvite.EUNAUTHORIZED:
			data.Problems = []string{"The username or password is not correct."}
		case octoinvite.ETOOMANYREQUESTS:
			data.Problems = []string{octoinvite.ErrorMessage(err)}
		default:
			return err
		}
		p.render(statusOf(err), "signin", data)
		return nil
	}
	p.redirect(orHome(safeReturn(back), user))
	return nil
}

// signOutPage is the data of the page that asks to confirm signing out.
type signOutPage struct {
	base
}

// signOutForm asks a signed-in person to confirm signing out: signing out changes something,
// so it takes a form, which a link elsewhere cannot send.
func (h *Handler) signOutForm(p *page) error {
	if p.user == nil {
		p.redirect(signInPath)
		return nil
	}
	p.render(http.StatusOK, "signout", signOutPage{base: p.base("Sign out")})
	return nil
}

// signOut ends the session and leads to the sign-in page.
func (h *Handler) signOut(p *page) error {
	if err := h.cfg.Accounts.EndSession(p.w, p.r); err != nil {
		return err
	}
	p.redirect(signInPath + "?signedOut=1")
	return nil
}

// trimmed returns the form's value of name without surrounding spaces.
func (p *page) trimmed(name string) string { return strings.TrimSpace(p.r.PostForm.Get(name)) }
