package http

import (
	"crypto/subtle"
	"net/http"

	"github.com/octoinvite/octoinvite"
)

// Names of the cookies of a signed-in session, as Octopus names them; the installation ID is
// appended ("OctopusIdentificationToken_<id>") so that two installations on one host do not
// share cookies. HeaderCSRF is the header that must echo the CSRF cookie on unsafe requests.
const (
	SessionCookiePrefix = "OctopusIdentificationToken"
	CSRFCookiePrefix    = "Octopus-Csrf-Token"
	HeaderCSRF          = "X-Octopus-Csrf-Token"
)

// SessionCookieName returns the name of the session cookie of an installation.
func SessionCookieName(installationID string) string {
	return cookieName(SessionCookiePrefix, installationID)
}

// CSRFCookieName returns the name of the anti-forgery cookie of an installation.
func CSRFCookieName(installationID string) string {
	return cookieName(CSRFCookiePrefix, installationID)
}

func cookieName(prefix, installationID string) string {
	if installationID == "" {
		return prefix
	}
	return prefix + "_" + installationID
}

var errCSRF = octoinvite.Errorf(octoinvite.EFORBIDDEN, "A required anti-forgery token was not supplied or was invalid.")

// authenticateSession returns the user of the request's session cookie. Unsafe methods must
// also carry the session's CSRF token in HeaderCSRF: a cross-site form or script can make the
// browser send the cookie, but cannot read the token to put in the header.
func (s *Server) authenticateSession(r *http.Request, token string) (*octoinvite.User, error) {
	user, session, err := s.Sessions.AuthenticateSession(r.Context(), token)
	if err != nil {
		return nil, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return user, nil
	}
	got := octoinvite.Digest(r.Header.Get(HeaderCSRF))
	if r.Header.Get(HeaderCSRF) == "" || subtle.ConstantTimeCompare([]byte(got), []byte(session.CSRFDigest)) != 1 {
		return nil, errCSRF
	}
	return user, nil
}

// StartSession signs the user in: it creates a session and sets its two cookies. The session
// cookie is HttpOnly; the CSRF cookie is not, so that the caller's scripts can echo it. Both are
// SameSite=Strict, and Secure when SecureCookies says so. An unknown user is ENOTFOUND.
func (s *Server) StartSession(w http.ResponseWriter, r *http.Request, userID string) error {
	session, err := s.Sessions.CreateSession(r.Context(), userID)
	if err != nil {
		return err
	}
	// Max-Age counts from the browser's receipt, so the cookies expire with the session
	// whatever the browser's clock says.
	maxAge := max(int(session.Expires.Sub(session.Created.Time).Seconds()), 1)
	for _, c := range []*http.Cookie{
		{Name: SessionCookieName(s.InstallationID), Value: session.Token, HttpOnly: true},
		{Name: CSRFCookieName(s.InstallationID), Value: session.CSRFToken},
	} {
		c.Path = "/"
		c.Expires = session.Expires.Time
		c.MaxAge = maxAge
		c.SameSite = http.SameSiteStrictMode
		c.Secure = s.SecureCookies(r)
		http.SetCookie(w, c)
	}
	return nil
}

// endSession clears both cookies.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{SessionCookieName(s.InstallationID), CSRFCookieName(s.InstallationID)} {
		http.SetCookie(w, &http.Cookie{Name: name, Path: "/", MaxAge: -1, HttpOnly: name == SessionCookieName(s.InstallationID),
			SameSite: http.SameSiteStrictMode, Secure: s.SecureCookies(r)})
	}
}

// loginRequest is Octopus's LoginCommand. RememberMe is accepted and ignored: every session
// lasts the configured lifetime.
type loginRequest struct {
	Username   string `json:"Username"`
	Password   string `json:"Password"`
	RememberMe bool   `json:"RememberMe"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	user, r, err := s.signIn(w, r, req.Username, req.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, linkUser(r, user))
	return nil
}

// signIn checks a username and password within the failure budgets of the client's address and
// of the username, and on success starts a session, setting its cookies on w. It returns the
// user and r with the user in its context. Every sign-in with a password, through the API or
// the pages, goes through it.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, username, password string) (*octoinvite.User, *http.Request, error) {
	attempt, err := s.startAttempt(w, r)
	if err != nil {
		return nil, r, err
	}
	if err := attempt.startSignIn(w, r, username); err != nil {
		attempt.end(false)
		return nil, r, err
	}
	r = withIdentity(r, identityPassword)
	user, err := s.Sessions.Login(r.Context(), username, password)
	attempt.end(octoinvite.ErrorCode(err) == octoinvite.EUNAUTHORIZED)
	if octoinvite.ErrorCode(err) == octoinvite.EUNAUTHORIZED {
		s.observeAuthenticationFailure(CredentialPassword)
		return nil, r, err
	} else if err != nil {
		return nil, r, err
	}
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		info.userID = user.ID
	}
	if err := s.StartSession(w, r, user.ID); err != nil {
		return nil, r, err
	}
	return user, r.WithContext(octoinvite.NewContextWithUser(r.Context(), user)), nil
}

// handleLogout ends the caller's session, if the request carries one, and clears its cookies.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookieName(s.InstallationID)); err == nil && c.Value != "" {
		if err := s.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.endSession(w, r)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleRegister creates a user from an invitation code and signs the new user in, answering
// 201 with the UserResource and its location.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) error {
	var reg octoinvite.Registration
	if err := s.decodeBody(w, r, &reg); err != nil {
		return err
	}
	reg.ServerNames = []string{s.Application}
	attempt, err := s.startAttempt(w, r)
	if err != nil {
		return err
	}
	r = withIdentity(r, identityInvitation)
	user, err := s.Registrations.Register(r.Context(), &reg)
	code := octoinvite.ErrorCode(err)
	attempt.end(code == octoinvite.EINVALID || code == octoinvite.ECONFLICT)
	if err != nil {
		return err
	}
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		info.userID = user.ID
	}
	if err := s.StartSession(w, r, user.ID); err != nil {
		return err
	}
	r = r.WithContext(octoinvite.NewContextWithUser(r.Context(), user))
	writeCreated(w, linkUser(r, user), "/api/users/"+user.ID)
	return nil
}
