package octoinvite

import (
	"context"
	"time"
)

// Session is a signed-in browser or script: the user, and the digests of two secrets handed
// out once as cookies, the session token and the anti-forgery (CSRF) token that unsafe requests
// must echo in a header.
type Session struct {
	UserID string
	// Token and CSRFToken are set only on the session returned by CreateSession.
	Token     string
	CSRFToken string
	// CSRFDigest is the Digest of the CSRF token.
	CSRFDigest string
	Created    Time
	Expires    Time
}

// DefaultSessionLifetime is how long a session lasts from sign-in; sessions do not slide.
const DefaultSessionLifetime = 8 * time.Hour

// ErrBadCredentials answers every failed sign-in, whatever the cause (unknown username, wrong
// password, inactive user, user without a password), so that the caller learns nothing more.
var ErrBadCredentials = Errorf(EUNAUTHORIZED, "Invalid username or password.")

// SessionService signs users in with a username and password and keeps their sessions.
type SessionService interface {
	// Login returns the active user whose username (compared case-insensitively) and password
	// match, or ErrBadCredentials, in about the same time whether or not the username exists.
	Login(ctx context.Context, username, password string) (*User, error)
	// CreateSession starts a session for the user and returns it with its two tokens, which
	// are stored only as digests. An unknown user is ENOTFOUND.
	CreateSession(ctx context.Context, userID string) (*Session, error)
	// AuthenticateSession returns the active user of an unexpired session and the session, or
	// EUNAUTHORIZED.
	AuthenticateSession(ctx context.Context, token string) (*User, *Session, error)
	// DeleteSession ends the session; ending an unknown or ended session is not an error.
	DeleteSession(ctx context.Context, token string) error
}

// MaxPurposeLength bounds the purpose of an API key.
const MaxPurposeLength = 200

// PurposeField is the purpose of an API key.
var PurposeField = TextField{Name: "Purpose", Noun: "purpose of the API key", Wanted: "the purpose of the API key", MaxLength: MaxPurposeLength, Required: true}

// NormalizePurpose trims an API key's purpose and returns an EINVALID error if PurposeField
// refuses it: empty, longer than MaxPurposeLength characters, or holding control characters.
func NormalizePurpose(purpose string) (string, error) {
	purpose, p := PurposeField.Check(purpose)
	if p != nil {
		return "", InvalidFields(*p)
	}
	return purpose, nil
}

// APIKeyService manages users' API keys.
type APIKeyService interface {
	// CreateAPIKey creates a key for the user and returns it with its value, which is never
	// stored. An unknown user is ENOTFOUND; an empty or overlong purpose EINVALID.
	CreateAPIKey(ctx context.Context, userID, purpose string) (*APIKey, error)
	// FindAPIKeys returns a page of the user's unrevoked keys, oldest first, without values.
	// An unknown user is ENOTFOUND.
	FindAPIKeys(ctx context.Context, userID string, rng Range) (Page[*APIKey], error)
	// FindAPIKeyByID returns one of the user's unrevoked keys without its value, or ENOTFOUND.
	FindAPIKeyByID(ctx context.Context, userID, keyID string) (*APIKey, error)
	// RevokeAPIKey revokes one of the user's keys at once. A key that does not exist, belongs
	// to another user or is already revoked is ENOTFOUND.
	RevokeAPIKey(ctx context.Context, userID, keyID string) error
}
