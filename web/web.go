// Package web serves the pages people use in a browser: the invitee's registration page at
// /app/register?invitation=CODE. Pages are rendered on the server with html/template from
// templates and assets embedded in the binary; they need no JavaScript and load nothing from
// other origins.
package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Handler serves the pages under /app/. Create it with New.
type Handler struct {
	Registrations octoinvite.RegistrationService
	// Application names the product in page titles.
	Application string
	// Logger receives the details of internal errors.
	Logger *slog.Logger

	pages map[string]*template.Template
	mux   *http.ServeMux
}

// csrfCookie holds the anti-forgery token of the registration form; the form echoes it in
// the csrfField field. A page on another site can make the browser send the cookie, but
// cannot read it to fill in the field.
const (
	csrfCookie = "octoinvite_form_token"
	csrfField  = "csrf_token"
)

// maxFormBytes bounds the body of the registration form.
const maxFormBytes = 64 << 10

// New returns a Handler over the registration service.
func New(registrations octoinvite.RegistrationService, application string, logger *slog.Logger) *Handler {
	h := &Handler{Registrations: registrations, Application: application, Logger: logger, pages: map[string]*template.Template{}}
	for _, name := range []string{"register", "success", "problem", "home"} {
		h.pages[name] = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	assets, _ := fs.Sub(assetFiles, "assets")
	h.mux = http.NewServeMux()
	// /app is where Octopus's Web links (/app#/...) lead.
	home := func(w http.ResponseWriter, r *http.Request) {
		h.render(w, http.StatusOK, "home", base{h.Application, h.Application})
	}
	h.mux.HandleFunc("GET /app", home)
	h.mux.HandleFunc("GET /app/{$}", home)
	h.mux.HandleFunc("GET /app/register", h.handleForm)
	h.mux.HandleFunc("POST /app/register", h.handleSubmit)
	h.mux.HandleFunc("GET /app/assets/{name...}", func(w http.ResponseWriter, r *http.Request) {
		// A file, never a folder's listing: anything else is the page of an unknown address.
		name := r.PathValue("name")
		if info, err := fs.Stat(assets, name); err != nil || info.IsDir() {
			h.notFound(w)
			return
		}
		http.ServeFileFS(w, r, assets, name)
	})
	h.mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) { h.notFound(w) })
	return h
}

// notFound shows the page of an address that holds no page.
func (h *Handler) notFound(w http.ResponseWriter) {
	h.problem(w, http.StatusNotFound, "There is no page here.", "Check the address, or open the link you were sent again.")
}

// ServeHTTP serves a page with headers that keep it out of frames, stop the browser from
// guessing types, forbid loading anything from other origins and, since the address holds
// the invitation code, send no Referer anywhere.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// Problem shows a page with the status, telling the person what went wrong (message) and what
// to do (advice), for an answer that no page's handler writes, such as to a request the server
// could not read.
func (h *Handler) Problem(w http.ResponseWriter, status int, message, advice string) {
	setPageHeaders(w.Header())
	h.problem(w, status, message, advice)
}

// setPageHeaders sets the headers of every page.
func setPageHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

type base struct {
	Title       string
	Application string
}

// field is one labelled input of the form.
type field struct {
	ID, Name, Label, Type, Autocomplete, Hint, Value string
	Required                                         bool
	// ReadOnly shows a value the form cannot change.
	ReadOnly bool
	Errors   []string
}

type formPage struct {
	base
	Preview     *octoinvite.InvitationPreview
	Code        string
	CSRFToken   string
	ExpiresISO  string
	ExpiresText string
	Problems    []string
	Fields      struct{ Username, DisplayName, EmailAddress, Password *field }
}

type successPage struct {
	base
	User    *octoinvite.User
	Preview *octoinvite.InvitationPreview
	BaseURL string
}

type problemPage struct {
	base
	Message, Advice string
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.logger().Error("rendering a page", slog.String("page", name), slog.String("error", err.Error()))
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (h *Handler) problem(w http.ResponseWriter, status int, message, advice string) {
	h.titledProblem(w, status, "Something is wrong", message, advice)
}

func (h *Handler) titledProblem(w http.ResponseWriter, status int, title, message, advice string) {
	h.render(w, status, "problem", problemPage{base: base{title, h.Application}, Message: message, Advice: advice})
}

// codeProblem shows the page for an invitation code that cannot be redeemed (404 for an
// unknown code, 410 for an expired, withdrawn or used one), or for a failure of the server (500).
func (h *Handler) codeProblem(w http.ResponseWriter, r *http.Request, err error) {
	const ask = "Ask the person who invited you to send you a new invitation."
	const title = "This invitation cannot be used"
	switch {
	case errors.Is(err, octoinvite.ErrInvitationUnknown):
		h.titledProblem(w, http.StatusNotFound, title, "This invitation link is not valid.", "Check that you opened the whole link from your invitation. "+ask)
	case errors.Is(err, octoinvite.ErrInvitationExpired):
		h.titledProblem(w, http.StatusGone, title, "This invitation has expired.", "Invitations can only be used for a limited time. "+ask)
	case errors.Is(err, octoinvite.ErrInvitationRevoked):
		h.titledProblem(w, http.StatusGone, title, "This invitation has been withdrawn.", "The person who invited you, or another administrator, cancelled it, so it can no longer be used to create an account. If you still need an account, "+strings.ToLower(ask[:1])+ask[1:])
	case errors.Is(err, octoinvite.ErrInvitationUsed):
		h.titledProblem(w, http.StatusGone, title, "This invitation has already been used.", "Each invitation creates one account. If you created your account already, sign in with it; otherwise, "+strings.ToLower(ask[:1])+ask[1:])
	default:
		h.logger().Error("registration page", slog.String("error", err.Error()))
		h.problem(w, http.StatusInternalServerError, "The server could not complete your request.", "Please try again in a moment.")
	}
}

func (h *Handler) newForm(preview *octoinvite.InvitationPreview, code, token string) *formPage {
	p := &formPage{base: base{"Create your account", h.Application}, Preview: preview, Code: code, CSRFToken: token}
	expires := preview.Invitation.Expires.Time.UTC()
	p.ExpiresISO = expires.Format(time.RFC3339)
	p.ExpiresText = expires.Format("Monday 2 January 2006 at 15:04 UTC")
	p.Fields.Username = &field{ID: "username", Name: "username", Label: "Username", Type: "text", Autocomplete: "username", Required: true,
		Hint: "You sign in with it. At most 64 characters."}
	p.Fields.DisplayName = &field{ID: "display-name", Name: "display_name", Label: "Display name", Type: "text", Autocomplete: "name", Required: true,
		Hint: "How others see you, such as your full name."}
	p.Fields.EmailAddress = &field{ID: "email", Name: "email", Label: "Email address", Type: "email", Autocomplete: "email"}
	if address := preview.Invitation.EmailAddress; address != "" {
		// An invitation sent to an address registers that address.
		p.Fields.EmailAddress.Value, p.Fields.EmailAddress.Required, p.Fields.EmailAddress.ReadOnly = address, true, true
		p.Fields.EmailAddress.Hint = "The invitation was sent to this address: your account uses it."
	}
	p.Fields.Password = &field{ID: "password", Name: "password", Label: "Password", Type: "password", Autocomplete: "new-password", Required: true,
		Hint: "At least 12 characters; a few unrelated words make a good one."}
	return p
}

func (h *Handler) handleForm(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("invitation")
	preview, err := h.Registrations.PreviewInvitation(r.Context(), code)
	if err != nil {
		h.codeProblem(w, r, err)
		return
	}
	token, err := h.formToken(w, r)
	if err != nil {
		h.codeProblem(w, r, err)
		return
	}
	h.render(w, http.StatusOK, "register", h.newForm(preview, code, token))
}

// formToken returns the anti-forgery token of the browser, setting a fresh one if it has none.
func (h *Handler) formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 43 {
		return c.Value, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: token, Path: "/app/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 12 * 60 * 60})
	return token, nil
}

func (h *Handler) handleSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.problem(w, http.StatusBadRequest, "The form could not be read.", "Open the link from your invitation again and fill in the form.")
		return
	}
	c, err := r.Cookie(csrfCookie)
	sent := r.PostForm.Get(csrfField)
	if err != nil || sent == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) != 1 {
		h.problem(w, http.StatusForbidden, "The form could not be accepted, as it did not come from this page.",
			"Open the link from your invitation again and fill in the form there. Your browser must accept cookies from this site.")
		return
	}
	code := r.PostForm.Get("invitation")
	preview, err := h.Registrations.PreviewInvitation(r.Context(), code)
	if err != nil {
		h.codeProblem(w, r, err)
		return
	}
	reg := &octoinvite.Registration{
		Username:       r.PostForm.Get("username"),
		DisplayName:    r.PostForm.Get("display_name"),
		EmailAddress:   r.PostForm.Get("email"),
		Password:       r.PostForm.Get("password"),
		InvitationCode: code,
		ServerNames:    []string{h.Application},
	}
	user, err := h.Registrations.Register(r.Context(), reg)
	if octoinvite.ErrorCode(err) == octoinvite.EINVALID && len(octoinvite.ErrorProblems(err)) > 0 {
		form := h.newForm(preview, code, c.Value)
		form.Fields.Username.Value = r.PostForm.Get("username")
		form.Fields.DisplayName.Value = r.PostForm.Get("display_name")
		form.Fields.EmailAddress.Value = r.PostForm.Get("email")
		fields := map[string]*field{"Username": form.Fields.Username, "DisplayName": form.Fields.DisplayName,
			"EmailAddress": form.Fields.EmailAddress, "Password": form.Fields.Password}
		for _, problem := range octoinvite.ErrorProblems(err) {
			// Messages name their field for API clients, "(Password)"; people see the label.
			text := strings.Replace(problem.Message, " ("+problem.Field+")", "", 1)
			if f := fields[problem.Field]; f != nil {
				f.Errors = append(f.Errors, text)
			}
			form.Problems = append(form.Problems, text)
		}
		h.render(w, http.StatusBadRequest, "register", form)
		return
	} else if err != nil {
		h.codeProblem(w, r, err)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	h.render(w, http.StatusOK, "success", successPage{base: base{"Your account is ready", h.Application},
		User: user, Preview: preview, BaseURL: scheme + "://" + r.Host})
}
