package octoinvite

import (
	"context"
	"time"
)

// Session is a signed-in browser or script: the user, and the digests of two secrets handed
// out once as cookies, the session token and the anti-forgery (CSRF) token that unsafe requests
// must echo in a header (or, on the pages, in a form field).
type Session struct {
	// ID names the session, so that its user can list it and end it; it is no secret and
	// authenticates nothing.
	ID     string
	UserID string
	// Token and CSRFToken are set only on the session returned by CreateSession.
	Token     string
	CSRFToken string
	// CSRFDigest is the Digest of the CSRF token.
	CSRFDigest string
	Created    Time
	// LastUsed is when a request last authenticated with the session, to within
	// SessionTouchInterval.
	LastUsed Time
	// Expires is when the session ends however much it is used: its absolute timeout.
	Expires Time
	// IdleExpires is when the session ends unless a request uses it first: LastUsed plus the
	// idle timeout, never after Expires.
	IdleExpires Time
	// IPAddress and UserAgent are those of the request that signed in, to tell sessions apart.
	IPAddress string
	UserAgent string
}

// DefaultSessionLifetime is how long a session lasts from sign-in, however much it is used.
const DefaultSessionLifetime = 8 * time.Hour

// DefaultSessionIdleTimeout is how long a session lasts without a request.
const DefaultSessionIdleTimeout = 30 * time.Minute

// SessionTouchInterval is how stale a session's LastUsed may grow before a request records its
// use again: recording every request would make every read a write.
const SessionTouchInterval = time.Minute

// ErrBadCredentials answers every failed sign-in, whatever the cause (unknown username, wrong
// password, inactive user, user without a password), so that the caller learns nothing more.
var ErrBadCredentials = Errorf(EUNAUTHORIZED, "Invalid username or password.")

// SessionService signs users in with a username and password and keeps their sessions.
type SessionService interface {
	// Login returns the active user whose username (compared case-insensitively) and password
	// match, or ErrBadCredentials, in about the same time whether or not the username exists.
	Login(ctx context.Context, username, password string) (*User, error)
	// CreateSession starts a session for the user and returns it with its two tokens, which
	// are stored only as digests, and the address and User-Agent of the request in ctx. An
	// unknown user is ENOTFOUND.
	CreateSession(ctx context.Context, userID string) (*Session, error)
	// AuthenticateSession returns the active user of a session that has neither expired nor
	// been idle for longer than the idle timeout, and the session, recording its use; any
	// other token is EUNAUTHORIZED.
	AuthenticateSession(ctx context.Context, token string) (*User, *Session, error)
	// DeleteSession ends the session and, in the same transaction, records its user's
	// sign-out (EventLogoutSucceeded, with the request in ctx) if the session would have
	// authenticated. Ending an unknown or ended session is not an error, and records nothing.
	DeleteSession(ctx context.Context, token string) error
	// FindSessions returns the user's sessions that have not ended, most recently used first,
	// without their tokens. An unknown user is ENOTFOUND.
	FindSessions(ctx context.Context, userID string) ([]*Session, error)
	// DeleteUserSession ends one of the user's sessions, by its ID; one that is not the
	// user's, or has ended, is ENOTFOUND.
	DeleteUserSession(ctx context.Context, userID, sessionID string) error
}

// PasswordChange sets a user's password.
type PasswordChange struct {
	UserID   string
	Password string
	// CurrentPassword is the user's password before the change. When RequireCurrent is set
	// it must match, unless the user has no password yet.
	CurrentPassword string
	RequireCurrent  bool
	// KeepSessionID is the ID of a session of the user that stays signed in (the one that
	// asked for the change); every other session of the user ends.
	KeepSessionID string
	// ServerNames are words that name this server, which the password must not be made of
	// (see Registration.ServerNames).
	ServerNames []string
}

// Messages of the rules of a password change; each names its field.
const (
	MsgCurrentPasswordRequired = "Please provide your current password (CurrentPassword)."
	MsgCurrentPasswordWrong    = "The current password (CurrentPassword) is not correct."
	MsgPasswordRequired        = "Please provide the new password (Password)."
)

// Validate checks the new password against the policy, with the user's names (see
// Registration.Validate), and returns an EINVALID error naming its field, or nil. It does not
// check the current password, which only the store can.
func (c *PasswordChange) Validate(user *User) error {
	if c.Password == "" {
		return InvalidFields(Problem{"Password", MsgPasswordRequired})
	}
	if msg := passwordProblem(c.Password, []string{user.Username, user.DisplayName, user.EmailAddress}, c.ServerNames); msg != "" {
		return InvalidFields(Problem{"Password", msg})
	}
	return nil
}

// PasswordService sets users' passwords.
type PasswordService interface {
	// ChangePassword validates the change (see PasswordChange.Validate), checks the current
	// password when the change requires it (a wrong or missing one is EINVALID naming
	// CurrentPassword), stores the new password's hash, and ends every session of the user
	// but the one to keep, in one transaction. The user's API keys keep working. An unknown
	// user is ENOTFOUND; a service account, which has no password, EINVALID.
	ChangePassword(ctx context.Context, change *PasswordChange) error
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
