package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

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
// answer takes the same time, and every failure is recorded.
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
	ok, err = db.Passwords.Compare(pw, hash.String)
	if err != nil {
		return nil, err
	}
	if user == nil || !hash.Valid || !ok || key == "" {
		if err := db.recordLoginFailure(ctx, user); err != nil {
			return nil, err
		}
		return nil, octoinvite.ErrBadCredentials
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

// CreateSession starts a session for the user; see octoinvite.SessionService. Expired sessions
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
	err = db.update(ctx, func(tx *transaction) error {
		users, err := tx.existingUsers(ctx, []string{userID})
		if err != nil {
			return err
		} else if users[0] == "" {
			return octoinvite.NotFound(octoinvite.Truncate(userID, octoinvite.MaxIDLength))
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires <= ?`, tx.now.UnixMilli()); err != nil {
			return err
		}
		expires := tx.now.Add(db.SessionLifetime)
		session = &octoinvite.Session{UserID: users[0], Token: token, CSRFToken: csrf,
			CSRFDigest: octoinvite.Digest(csrf), Created: octoinvite.NewTime(tx.now), Expires: octoinvite.NewTime(expires)}
		if _, err = tx.exec(ctx, `INSERT INTO sessions (digest, user_id, csrf_digest, created_on, expires) VALUES (?, ?, ?, ?, ?)`,
			octoinvite.Digest(token), session.UserID, session.CSRFDigest, tx.now.UnixMilli(), expires.UnixMilli()); err != nil {
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

// AuthenticateSession returns the user of an unexpired session; see octoinvite.SessionService.
func (db *DB) AuthenticateSession(ctx context.Context, token string) (user *octoinvite.User, session *octoinvite.Session, err error) {
	defer wrap(&err, "AuthenticateSession")
	if token == "" || len(token) > 2*octoinvite.MaxIDLength {
		return nil, nil, errNoSession
	}
	err = db.view(ctx, func(tx *transaction) error {
		var csrf string
		var created, expires int64
		row := tx.queryRow(ctx, `SELECT `+userColumns+`, s.csrf_digest, s.created_on, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.digest = ? AND s.expires > ? AND u.is_active = 1`, octoinvite.Digest(token), tx.now.UnixMilli())
		user, err = scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &csrf, &created, &expires)...) }))
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		} else if err != nil {
			return err
		}
		session = &octoinvite.Session{UserID: user.ID, CSRFDigest: csrf, Created: millis(created), Expires: millis(expires)}
		return nil
	})
	return user, session, err
}

// DeleteSession ends the session; see octoinvite.SessionService.
func (db *DB) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "DeleteSession")
	return db.update(ctx, func(tx *transaction) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE digest = ?`, octoinvite.Digest(token))
		return err
	})
}
