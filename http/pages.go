package http

import (
	"net/http"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// What the pages under /app/ need of the server: they sign people in through the same path as
// POST /api/users/login, share its session cookies and the failure budgets, and build links on
// the same address. The web package calls these methods through an interface of its own.

// BaseURL returns the address people reach the server at, without a final slash: PublicURL
// when it is set, else the scheme and host the request reached (https when it came over TLS).
// Behind a reverse proxy only PublicURL can be right: the request's host and scheme are the
// proxy's.
func (s *Server) BaseURL(r *http.Request) string {
	if s.PublicURL != nil {
		return strings.TrimSuffix(s.PublicURL.String(), "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// SecureCookies reports whether the cookies set in answer to r are marked Secure: when the
// request came over TLS, or PublicURL is https (a TLS-terminating proxy forwards plain HTTP,
// but the browser reached the server over HTTPS).
func (s *Server) SecureCookies(r *http.Request) bool {
	return r.TLS != nil || s.PublicURL != nil && s.PublicURL.Scheme == "https"
}

// SignIn checks a username and password as POST /api/users/login does, within the same failure
// budgets of the client's address and of the username, and on success starts a session, setting
// its cookies on w. It returns the user and r with the user in its context. Wrong credentials
// are ErrBadCredentials; too many recent failures ETOOMANYREQUESTS, with Retry-After set on w.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, username, password string) (*octoinvite.User, *http.Request, error) {
	return s.signIn(w, r, username, password)
}

// EndSession ends the request's session, if it carries one, and clears the session's cookies.
func (s *Server) EndSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookieName(s.InstallationID)); err == nil && c.Value != "" {
		if err := s.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.endSession(w, r)
	return nil
}

// errSessionEnded answers a page request whose session cookie no longer authenticates.
var errSessionEnded = octoinvite.Errorf(octoinvite.EUNAUTHORIZED, "Your session has ended. Please sign in again.")

// PageSession authenticates the session cookie of a page request as the API authenticates it,
// within the same budget of the client's address: a cookie that does not authenticate counts as
// a failure. It returns r with the user, and how they authenticated, in its context, and the
// session. A request without a session cookie gets r and a nil session. A cookie that no longer
// authenticates (ended, expired, idle too long) is EUNAUTHORIZED, and the session's cookies are
// cleared; an address without budget is ETOOMANYREQUESTS, with Retry-After set on w. Unlike an
// API request, a page's unsafe request does not carry the anti-forgery header: the pages check
// their forms' own tokens.
func (s *Server) PageSession(w http.ResponseWriter, r *http.Request) (*http.Request, *octoinvite.Session, error) {
	c, err := r.Cookie(SessionCookieName(s.InstallationID))
	if err != nil || c.Value == "" {
		return r, nil, nil
	}
	attempt, err := s.startAttempt(w, r)
	if err != nil {
		return r, nil, err
	}
	user, session, err := s.Sessions.AuthenticateSession(r.Context(), c.Value)
	attempt.end(octoinvite.ErrorCode(err) == octoinvite.EUNAUTHORIZED)
	if octoinvite.ErrorCode(err) == octoinvite.EUNAUTHORIZED {
		s.observeAuthenticationFailure(CredentialSession)
		s.endSession(w, r)
		return r, nil, errSessionEnded
	} else if err != nil {
		return r, nil, err
	}
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		info.userID = user.ID
	}
	ctx := octoinvite.NewContextWithUser(contextWithIdentity(r.Context(), identitySession), user)
	return r.WithContext(ctx), session, nil
}

// PageAttempt starts an attempt with an invitation code on a page (showing, using or accepting
// one), within the budget of the client's address, as registration through the API is, and
// returns the function that ends it: an attempt that failed counts against the address. An
// address without budget is ETOOMANYREQUESTS, with Retry-After set on w.
func (s *Server) PageAttempt(w http.ResponseWriter, r *http.Request) (end func(failed bool), err error) {
	return s.attempt(w, r)
}

// attempt starts an attempt to authenticate or to use an invitation code within the budget of
// the client's address (see startAttempt), and returns the function that ends it: a failed
// attempt leaves its token spent.
func (s *Server) attempt(w http.ResponseWriter, r *http.Request) (end func(failed bool), err error) {
	a, err := s.startAttempt(w, r)
	if err != nil {
		return nil, err
	}
	return a.end, nil
}

// handleRootPage leads a browser at the server's root to the pages, which send a signed-out
// person to sign in and a signed-in one to their home page.
func handleRootPage(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/app/", http.StatusSeeOther)
	return nil
}

// passwordRequest is the body of PUT /api/users/{id}/password.
type passwordRequest struct {
	Password        string `json:"Password"`
	CurrentPassword string `json:"CurrentPassword"`
}

// handleSetPassword sets a user's password and answers 204. Users set their own, giving their
// current password if they have one; an administrator (UserEdit) sets anyone's without it.
// Every other session of the user ends; a wrong current password counts as a failed sign-in
// of the address.
func (s *Server) handleSetPassword(w http.ResponseWriter, r *http.Request) error {
	if err := requireSelfOr(r, r.PathValue("id"), octoinvite.PermissionUserEdit); err != nil {
		return err
	}
	var req passwordRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	caller := octoinvite.UserFromContext(r.Context())
	change := &octoinvite.PasswordChange{UserID: r.PathValue("id"), Password: req.Password, CurrentPassword: req.CurrentPassword,
		ServerNames: []string{s.Application}}
	if id, _ := octoinvite.ParseID(octoinvite.KindUser, change.UserID); id == caller.ID {
		change.RequireCurrent = true
		if c, err := r.Cookie(SessionCookieName(s.InstallationID)); err == nil && octoinvite.RequestInfoFromContext(r.Context()).IdentityEstablishedWith == identitySession {
			// The session that asks stays signed in.
			if _, session, err := s.Sessions.AuthenticateSession(r.Context(), c.Value); err == nil {
				change.KeepSessionID = session.ID
			}
		}
	}
	end, err := s.attempt(w, r)
	if err != nil {
		return err
	}
	err = s.Passwords.ChangePassword(r.Context(), change)
	end(isCurrentPasswordProblem(err))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// isCurrentPasswordProblem reports whether err refuses the current password of a change.
func isCurrentPasswordProblem(err error) bool {
	for _, p := range octoinvite.ErrorProblems(err) {
		if p.Field == "CurrentPassword" {
			return true
		}
	}
	return false
}

// acceptRequest is the body of POST /api/users/invitations/accept.
type acceptRequest struct {
	InvitationCode string `json:"InvitationCode"`
}

// handleAcceptInvitation redeems an invitation code for the caller, an existing user, who joins
// its teams; it answers 200 with what the acceptance did. A code that cannot be redeemed counts
// against the address's budget, as a refused registration does.
func (s *Server) handleAcceptInvitation(w http.ResponseWriter, r *http.Request) error {
	var req acceptRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.InvitationCode) == "" {
		return octoinvite.InvalidFields(octoinvite.Problem{Field: "InvitationCode", Message: octoinvite.MsgCodeRequired})
	}
	end, err := s.attempt(w, r)
	if err != nil {
		return err
	}
	acceptance, err := s.Registrations.AcceptInvitation(r.Context(), octoinvite.UserFromContext(r.Context()).ID, strings.TrimSpace(req.InvitationCode))
	end(octoinvite.IsInvitationCodeError(err))
	if err != nil {
		return err
	}
	acceptance.Links = octoinvite.Links{"User": "/api/users/" + acceptance.UserID}
	writeJSON(w, http.StatusOK, acceptance)
	return nil
}
