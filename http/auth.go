package http

import (
	"net/http"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// Headers and query parameter that may carry an API key, in the order they are read.
const (
	HeaderAPIKey      = "X-Octopus-ApiKey"
	HeaderNuGetAPIKey = "X-NuGet-ApiKey"
	QueryAPIKey       = "ApiKey"
)

var errNoKey = octoinvite.Errorf(octoinvite.EUNAUTHORIZED,
	"You must be logged in to perform this action. Please provide a valid API key or log in again.")

// apiKeyOf returns the API key of the request: from the X-Octopus-ApiKey header, else from the
// ApiKey query parameter (its name matched case-insensitively, as Octopus's docs write "apikey"),
// else from the X-NuGet-ApiKey header.
func apiKeyOf(r *http.Request) string {
	if k := r.Header.Get(HeaderAPIKey); k != "" {
		return k
	}
	if r.URL.RawQuery != "" {
		for name, values := range r.URL.Query() {
			if strings.EqualFold(name, QueryAPIKey) && len(values) > 0 && values[0] != "" {
				return values[0]
			}
		}
	}
	return r.Header.Get(HeaderNuGetAPIKey)
}

// authenticate returns the caller, or EUNAUTHORIZED: by API key when the request has one, else
// by session cookie (see authenticateSession).
// It also returns how the caller authenticated, for the audit log.
func (s *Server) authenticate(r *http.Request) (*octoinvite.User, string, error) {
	key := strings.TrimSpace(apiKeyOf(r))
	if key == "" {
		if c, err := r.Cookie(SessionCookieName(s.InstallationID)); err == nil && c.Value != "" && s.Sessions != nil {
			user, err := s.authenticateSession(r, c.Value)
			return user, identitySession, err
		}
		return nil, "", errNoKey
	}
	user, err := s.Auth.Authenticate(r.Context(), key)
	return user, identityAPIKey, err
}

// require returns EFORBIDDEN unless the caller holds the permission.
func require(r *http.Request, permission string) error {
	if !octoinvite.UserFromContext(r.Context()).Can(permission) {
		return octoinvite.Errorf(octoinvite.EFORBIDDEN,
			"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: %s", permission)
	}
	return nil
}
