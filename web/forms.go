package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// Anti-forgery tokens of forms. A form carries, in its tokenField, a MAC under the server's key
// of what the browser holds: its session's ID once signed in, else a random pre-session ID kept
// in an HttpOnly cookie. A page of another site can make the browser send its cookies but
// cannot read them, nor this page, to fill in the field; and since the token is a MAC, a cookie
// and a field that someone else chose, however equal, do not pass: only a token the server
// issued does.

// tokenField is the form field that holds the anti-forgery token.
const tokenField = "csrf_token"

// preSessionCookie holds the pre-session ID of a browser that is not signed in, which the
// tokens of its forms (sign-in, registration) are bound to.
const preSessionCookie = "octoinvite_presession"

// preSessionMaxAge is how long a pre-session, and so a form opened before signing in, lasts.
const preSessionMaxAge = 12 * 60 * 60

// formTokens issues and checks anti-forgery tokens.
type formTokens struct {
	key []byte
}

// newFormTokens derives the key of the tokens from secret (or draws one).
func newFormTokens(secret []byte) *formTokens {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			panic(err)
		}
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("octoinvite pages: anti-forgery tokens of forms"))
	return &formTokens{key: mac.Sum(nil)}
}

// token returns the token of forms bound to the ID of a session or a pre-session (kind).
func (f *formTokens) token(kind, id string) string {
	mac := hmac.New(sha256.New, f.key)
	mac.Write([]byte(kind + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// valid reports whether sent is the token of kind and id, in constant time.
func (f *formTokens) valid(kind, id, sent string) bool {
	return id != "" && sent != "" && hmac.Equal([]byte(f.token(kind, id)), []byte(sent))
}

// Kinds of what a token is bound to.
const (
	boundToSession    = "session"
	boundToPreSession = "pre-session"
)

// preSession returns the browser's pre-session ID, setting a fresh one if it has none.
func (p *page) preSession() string {
	if c, err := p.r.Cookie(preSessionCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	if p.newPreSession != "" {
		return p.newPreSession
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	p.newPreSession = base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(p.w, &http.Cookie{Name: preSessionCookie, Value: p.newPreSession, Path: "/app/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: p.h.cfg.Accounts.SecureCookies(p.r), MaxAge: preSessionMaxAge})
	return p.newPreSession
}

// formToken returns the token the page's forms carry: bound to the session when signed in,
// else to the pre-session.
func (p *page) formToken() string {
	if p.session != nil {
		return p.h.forms.token(boundToSession, p.session.ID)
	}
	return p.h.forms.token(boundToPreSession, p.preSession())
}

// validToken reports whether the form's token is one the server issued to this browser: bound
// to its session, or to its pre-session (a form opened before signing in, in another tab).
func (p *page) validToken() bool {
	sent := p.r.PostForm.Get(tokenField)
	if p.session != nil && p.h.forms.valid(boundToSession, p.session.ID, sent) {
		return true
	}
	c, err := p.r.Cookie(preSessionCookie)
	return err == nil && p.h.forms.valid(boundToPreSession, c.Value, sent)
}

// noticeCookie carries a notice to the next page, once: what a form just did, shown on the page
// it redirects to. Its value is signed, so that no one else can put words on the page.
const noticeCookie = "octoinvite_notice"

// notice is a message shown once at the top of a page.
type notice struct {
	// Kind is "success" or "problem".
	Kind string `json:"k"`
	Text string `json:"t"`
	// List holds items shown under the text, such as the teams joined.
	List []string `json:"l,omitempty"`
}

// maxNoticeItems bounds the items of a notice, so that its cookie stays small.
const maxNoticeItems = 20

// setNotice shows the notice on the next page the browser opens.
func (p *page) setNotice(n notice) {
	if len(n.List) > maxNoticeItems {
		more := len(n.List) - maxNoticeItems + 1
		n.List = append(n.List[:maxNoticeItems-1:maxNoticeItems-1], plural(more, "more team", "more teams"))
	}
	for i, item := range n.List {
		n.List[i] = octoinvite.Truncate(item, 100)
	}
	b, _ := json.Marshal(n)
	value := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(p.w, &http.Cookie{Name: noticeCookie, Value: value + "." + p.h.forms.token("notice", value), Path: "/app/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: p.h.cfg.Accounts.SecureCookies(p.r), MaxAge: 300})
}

// takeNotice returns the notice a previous form left for this page, if any, and clears it.
func (p *page) takeNotice() *notice {
	c, err := p.r.Cookie(noticeCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(p.w, &http.Cookie{Name: noticeCookie, Path: "/app/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: p.h.cfg.Accounts.SecureCookies(p.r)})
	value, mac, ok := strings.Cut(c.Value, ".")
	if !ok || !p.h.forms.valid("notice", value, mac) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(value)
	var n notice
	if err != nil || json.Unmarshal(b, &n) != nil {
		return nil
	}
	return &n
}

// field is one labelled input of a form.
type field struct {
	ID, Name, Label, Type, Autocomplete, Hint, Value string
	Required                                         bool
	// Min and Max bound a number field.
	Min, Max string
	// ReadOnly shows a value the form cannot change.
	ReadOnly bool
	Errors   []string
}

// formProblems maps the problems of a domain error to the form's fields, by the field each
// problem names; it returns the messages of all problems, for the summary at the top, without
// the API's field names in parentheses, which people do not need.
func formProblems(err error, fields map[string]*field) []string {
	var all []string
	for _, problem := range octoinvite.ErrorProblems(err) {
		text := strings.Replace(problem.Message, " ("+problem.Field+")", "", 1)
		if f := fields[problem.Field]; f != nil {
			f.Errors = append(f.Errors, text)
		}
		all = append(all, text)
	}
	if len(all) == 0 && err != nil {
		all = append(all, octoinvite.ErrorMessage(err))
	}
	return all
}
