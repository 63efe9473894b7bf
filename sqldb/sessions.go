package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.SessionService = (*DB)(nil)

// errNoSession answers every session token that does not authenticate.
var errNoSession = octoinvite.Errorf(octoinvite.EUNAUTHORIZED,
	"You must be logged in to perform this action. Please provide a valid API key or log in again.")

// Login checks a username and password; see octoinvite.SessionService. The username is looked
// up by its folded form (octoinvite.SignInKey); one that no user can hold is not looked up at
// all. The password is compared outside any transaction: hashing is slow by design. A username
// that matches no active user with a password is compared against a dummy hash, so that the
// answer takes the same time, and every failure is recorded. A password that matches a hash
// made before passwords were prepared (see comparePassword) gets a hash of its prepared form in
// its place, so that users move to prepared hashes as they sign in.
func (db *DB) Login(ctx context.Context, username, pw string) (user *octoinvite.User, err error) {
	defer wrap(&err, "Login")
	key, ok := octoinvite.SignInKey(username)
	if !ok || len(pw) > 4*octoinvite.MaxPasswordLength {
		key, pw = "", ""
	}
	var hash sql.NullString
	if key != "" {
		err = db.view(ctx, func(tx *transaction) error {
			row := tx.queryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u
				WHERE u.username_key = ? AND u.is_active = 1`, key)
			user, err = scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &hash)...) }))
			if errors.Is(err, sql.ErrNoRows) {
				user = nil
				return nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	ok, legacy, err := db.comparePassword(pw, hash.String)
	if err != nil {
		return nil, err
	}
	if user == nil || !hash.Valid || !ok || key == "" {
		if err := db.recordLoginFailure(ctx, user); err != nil {
			return nil, err
		}
		return nil, octoinvite.ErrBadCredentials
	}
	if legacy {
		if err := db.rehashPassword(ctx, user.ID, hash.String, pw); err != nil {
			return nil, err
		}
	}
	return user, nil
}

// recordLoginFailure writes a LoginFailed event: its actor is the user whose username was
// given, if there is one, else the system user. A username that names no user is not recorded:
// people type their password into the username field, and attackers anything at all.
func (db *DB) recordLoginFailure(ctx context.Context, user *octoinvite.User) error {
	return db.update(ctx, func(tx *transaction) error {
		e := &octoinvite.Event{UserID: octoinvite.SystemUserID, Username: octoinvite.SystemUsername, Category: octoinvite.EventLoginFailed,
			Message: "Failed sign-in with a username that names no active user"}
		if user != nil {
			e = userEvent(user, octoinvite.EventLoginFailed, fmt.Sprintf("Failed sign-in as %s (%s)", user.ID, user.Username), user.ID)
		}
		return tx.recordEvent(ctx, e)
	})
}

// scanFunc adapts a function to the Scan method scanUser needs.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// sessionTokenBytes is the entropy of session and CSRF tokens: 256 bits.
const sessionTokenBytes = 32

func newToken(r io.Reader) (string, error) {
	b := make([]byte, sessionTokenBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newSessionID returns the ID of a new session: 128 random bits in hex. IDs name sessions in
// lists; they authenticate nothing.
func newSessionID(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// sessionIdleTimeout is the idle timeout of sessions: SessionIdleTimeout, or the default.
func (db *DB) sessionIdleTimeout() time.Duration {
	if db.SessionIdleTimeout <= 0 {
		return octoinvite.DefaultSessionIdleTimeout
	}
	return db.SessionIdleTimeout
}

// liveSession is the condition that the session s has neither expired nor been idle too long
// at the transaction's time; it takes the arguments of liveSessionArgs.
const liveSession = `s.expires > ? AND s.last_used > ?`

// liveSessionUnaliased is liveSession for a statement that cannot alias the table.
const liveSessionUnaliased = `expires > ? AND last_used > ?`

func (tx *transaction) liveSessionArgs() []any {
	return []any{tx.now.UnixMilli(), tx.now.Add(-tx.db.sessionIdleTimeout()).UnixMilli()}
}

// CreateSession starts a session for the user; see octoinvite.SessionService. Ended sessions
// of every user are removed on the way, so that the table does not grow without bound.
func (db *DB) CreateSession(ctx context.Context, userID string) (session *octoinvite.Session, err error) {
	defer wrap(&err, "CreateSession(%q)", userID)
	token, err := newToken(rand.Reader)
	if err != nil {
		return nil, err
	}
	csrf, err := newToken(rand.Reader)
	if err != nil {
		return nil, err
	}
	id, err := newSessionID(rand.Reader)
	if err != nil {
		return nil, err
	}
	info := octoinvite.RequestInfoFromContext(ctx)
	err = db.update(ctx, func(tx *transaction) error {
		users, err := tx.existingUsers(ctx, []string{userID})
		if err != nil {
			return err
		} else if users[0] == "" {
			return octoinvite.NotFound(octoinvite.Truncate(userID, octoinvite.MaxIDLength))
		}
		live := tx.liveSessionArgs()
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires <= ? OR last_used <= ?`, live...); err != nil {
			return err
		}
		expires := tx.now.Add(db.SessionLifetime)
		session = &octoinvite.Session{ID: id, UserID: users[0], Token: token, CSRFToken: csrf,
			CSRFDigest: octoinvite.Digest(csrf), Created: octoinvite.NewTime(tx.now), LastUsed: octoinvite.NewTime(tx.now),
			Expires: octoinvite.NewTime(expires), IPAddress: octoinvite.Truncate(info.IPAddress, 100),
			UserAgent: octoinvite.Truncate(info.UserAgent, maxUserAgentLength)}
		session.IdleExpires = db.idleExpires(session)
		if _, err = tx.exec(ctx, `INSERT INTO sessions (digest, id, user_id, csrf_digest, created_on, last_used, expires, ip_address, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			octoinvite.Digest(token), id, session.UserID, session.CSRFDigest, tx.now.UnixMilli(), tx.now.UnixMilli(), expires.UnixMilli(),
			session.IPAddress, session.UserAgent); err != nil {
			return err
		}
		var username string
		if err := tx.queryRow(ctx, `SELECT username FROM users WHERE id = ?`, users[0]).Scan(&username); err != nil {
			return err
		}
		return tx.recordEvent(ctx, &octoinvite.Event{UserID: users[0], Username: username, Category: octoinvite.EventLoginSucceeded,
			Message: fmt.Sprintf("User %s (%s) signed in", users[0], username), RelatedDocumentIDs: []string{users[0]}})
	})
	return session, err
}

// idleExpires returns when the session ends unless it is used first.
func (db *DB) idleExpires(s *octoinvite.Session) octoinvite.Time {
	idle := s.LastUsed.Add(db.sessionIdleTimeout())
	if idle.After(s.Expires.Time) {
		return s.Expires
	}
	return octoinvite.NewTime(idle)
}

// sessionColumns selects a session s, without its digest, into a sessionRow.
const sessionColumns = `s.id, s.user_id, s.csrf_digest, s.created_on, s.last_used, s.expires, s.ip_address, s.user_agent`

// sessionRow receives the sessionColumns of a row.
type sessionRow struct {
	s                          octoinvite.Session
	created, lastUsed, expires int64
}

// dest returns the destinations of sessionColumns, in order.
func (r *sessionRow) dest() []any {
	return []any{&r.s.ID, &r.s.UserID, &r.s.CSRFDigest, &r.created, &r.lastUsed, &r.expires, &r.s.IPAddress, &r.s.UserAgent}
}

// session returns the session the row holds.
func (db *DB) session(r *sessionRow) *octoinvite.Session {
	s := r.s
	s.Created, s.LastUsed, s.Expires = millis(r.created), millis(r.lastUsed), millis(r.expires)
	s.IdleExpires = db.idleExpires(&s)
	return &s
}

// AuthenticateSession returns the user of a live session; see octoinvite.SessionService. A
// session whose last recorded use is SessionTouchInterval old or more has this use recorded, in
// a write that changes nothing the read caches hold.
func (db *DB) AuthenticateSession(ctx context.Context, token string) (user *octoinvite.User, session *octoinvite.Session, err error) {
	defer wrap(&err, "AuthenticateSession")
	if token == "" || len(token) > 2*octoinvite.MaxIDLength {
		return nil, nil, errNoSession
	}
	digest := octoinvite.Digest(token)
	var now time.Time
	err = db.view(ctx, func(tx *transaction) error {
		now = tx.now
		row := tx.queryRow(ctx, `SELECT `+userColumns+`, `+sessionColumns+` FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.digest = ? AND `+liveSession+` AND u.is_active = 1`, append([]any{digest}, tx.liveSessionArgs()...)...)
		var r sessionRow
		user, err = scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, r.dest()...)...) }))
		session = db.session(&r)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(session.LastUsed.Time) >= octoinvite.SessionTouchInterval {
		err = db.update(ctx, func(tx *transaction) error {
			tx.keepsCachedReads()
			tx.changesInvitations()
			_, err := tx.exec(ctx, `UPDATE sessions SET last_used = ? WHERE digest = ? AND last_used < ?`,
				tx.now.UnixMilli(), digest, tx.now.UnixMilli())
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		session.LastUsed = octoinvite.NewTime(now)
		session.IdleExpires = db.idleExpires(session)
	}
	return user, session, nil
}

// DeleteSession ends the session and records its sign-out; see octoinvite.SessionService. The
// event is recorded only when this call removed a session that would have authenticated (live,
// of an active user), so that a token that no longer signs anyone in, or two sign-outs of one
// session at once, record nothing more.
func (db *DB) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "DeleteSession")
	if token == "" || len(token) > 2*octoinvite.MaxIDLength {
		return nil // no session has such a token (see AuthenticateSession)
	}
	digest := octoinvite.Digest(token)
	return db.update(ctx, func(tx *transaction) error {
		var user octoinvite.User
		row := tx.queryRow(ctx, `SELECT u.id, u.username, u.is_service FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.digest = ? AND `+liveSession+` AND u.is_active = 1`, append([]any{digest}, tx.liveSessionArgs()...)...)
		live := true
		if err := row.Scan(&user.ID, &user.Username, &user.IsService); errors.Is(err, sql.ErrNoRows) {
			live = false
		} else if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE digest = ?`, digest)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 || !live {
			return nil
		}
		return tx.recordEvent(ctx, userEvent(&user, octoinvite.EventLogoutSucceeded,
			fmt.Sprintf("User %s (%s) signed out", user.ID, user.Username), user.ID))
	})
}

// FindSessions returns the user's live sessions, most recently used first; see
// octoinvite.SessionService.
func (db *DB) FindSessions(ctx context.Context, rawUserID string) (sessions []*octoinvite.Session, err error) {
	defer wrap(&err, "FindSessions(%q)", rawUserID)
	err = db.view(ctx, func(tx *transaction) error {
		users, err := tx.existingUsers(ctx, []string{rawUserID})
		if err != nil {
			return err
		} else if users[0] == "" {
			return octoinvite.NotFound(octoinvite.Truncate(rawUserID, octoinvite.MaxIDLength))
		}
		rows, err := tx.query(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.user_id = ? AND `+liveSession+`
			ORDER BY s.last_used DESC, s.created_on DESC, s.id`, append([]any{users[0]}, tx.liveSessionArgs()...)...)
		if err != nil {
			return err
		}
		sessions, err = collect(rows, func(row interface{ Scan(...any) error }) (*octoinvite.Session, error) {
			var r sessionRow
			if err := row.Scan(r.dest()...); err != nil {
				return nil, err
			}
			return db.session(&r), nil
		})
		return err
	})
	return sessions, err
}

// DeleteUserSession ends one of the user's live sessions and records it, by the context's user
// (the session's own user, from the profile page), naming the session and its user; see
// octoinvite.SessionService.
func (db *DB) DeleteUserSession(ctx context.Context, rawUserID, sessionID string) (err error) {
	defer wrap(&err, "DeleteUserSession(%q)", rawUserID)
	notFound := octoinvite.Errorf(octoinvite.ENOTFOUND, "The session '%s' was not found: it has ended already.", octoinvite.Truncate(sessionID, octoinvite.MaxIDLength))
	userID, ok := octoinvite.ParseID(octoinvite.KindUser, rawUserID)
	if !ok || sessionID == "" || len(sessionID) > octoinvite.MaxIDLength {
		return notFound
	}
	return db.update(ctx, func(tx *transaction) error {
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id = ? AND `+liveSessionUnaliased,
			append([]any{userID, sessionID}, tx.liveSessionArgs()...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound
		}
		var username string
		if err := tx.queryRow(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&username); err != nil {
			return err
		}
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventDeleted, RelatedDocumentIDs: []string{userID},
			Message: fmt.Sprintf("Session %s of user %s (%s) was ended", sessionID, userID, username)})
	})
}
