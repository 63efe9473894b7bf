package http

import (
	"strings"
	"time"
)

// Observer is told what the server answers, for its metrics. Its methods are called on each
// request's path: they must be quick and safe for concurrent use.
type Observer interface {
	// ObserveRequest is told of each request answered: its method as sent, the pattern of the
	// route that served it without its method (such as "/api/users/invitations/{id}"; "" when
	// no route did), the status and the time taken.
	ObserveRequest(method, route string, status int, d time.Duration)
	// ObserveAuthenticationFailure is told of each request refused for want of a valid
	// credential, with the credential it tried: one of Credentials.
	ObserveAuthenticationFailure(credential string)
}

// The credentials a request refused as unauthenticated may have tried, as the Observer is told.
const (
	CredentialNone     = "none"
	CredentialAPIKey   = "api_key"
	CredentialSession  = "session"
	CredentialPassword = "password"
)

// Credentials lists every credential the Observer may be told of.
var Credentials = []string{CredentialNone, CredentialAPIKey, CredentialSession, CredentialPassword}

// credentialOf names, for the Observer, how a refused request tried to authenticate.
func credentialOf(how string) string {
	switch how {
	case "":
		return CredentialNone
	case identityAPIKey:
		return CredentialAPIKey
	}
	return CredentialSession
}

func (s *Server) observeRequest(method, route string, status int, d time.Duration) {
	if s.Observer != nil {
		s.Observer.ObserveRequest(method, route, status, d)
	}
}

func (s *Server) observeAuthenticationFailure(credential string) {
	if s.Observer != nil {
		s.Observer.ObserveAuthenticationFailure(credential)
	}
}

// routeLabel is a mux pattern without its method: "GET /api/{space}/teams" is "/api/{space}/teams".
func routeLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}
