package http

import (
	"fmt"
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

// errSeveralKeys answers a request that carries different API keys: which of them should
// decide who the caller is would be a guess.
var errSeveralKeys = octoinvite.Invalid(fmt.Sprintf("The request carries several different API keys; send one, in the %s header or the %s query parameter.",
	HeaderAPIKey, QueryAPIKey))

// apiKeyOf returns the API key of the request, from the X-Octopus-ApiKey header, the ApiKey
// query parameter (its name matched case-insensitively, as Octopus's docs write "apikey") or the
// X-NuGet-ApiKey header, each of which may appear several times; "" if none holds one. A key may
// be repeated, the same in every place; different keys are errSeveralKeys.
func apiKeyOf(r *http.Request) (string, error) {
	key := ""
	add := func(values []string) error {
		for _, v := range values {
			if v = strings.TrimSpace(v); v == "" || v == key {
				continue
			} else if key != "" {
				return errSeveralKeys
			}
			key = v
		}
		return nil
	}
	if err := add(r.Header.Values(HeaderAPIKey)); err != nil {
		return "", err
	}
	if r.URL.RawQuery != "" {
		for name, values := range r.URL.Query() {
			if strings.EqualFold(name, QueryAPIKey) {
				if err := add(values); err != nil {
					return "", err
				}
			}
		}
	}
	if err := add(r.Header.Values(HeaderNuGetAPIKey)); err != nil {
		return "", err
	}
	return key, nil
}

// authenticate returns the caller, or EUNAUTHORIZED: by API key when the request has one, else
// by session cookie (see authenticateSession).
// It also returns how the caller authenticated, for the audit log.
func (s *Server) authenticate(r *http.Request) (*octoinvite.User, string, error) {
	key, err := apiKeyOf(r)
	if err != nil {
		return nil, "", err
	} else if key == "" {
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
