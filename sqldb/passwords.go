package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.PasswordService = (*DB)(nil)

// ChangePassword sets a user's password; see octoinvite.PasswordService. The current password
// is compared, and the new one hashed, outside any transaction (hashing is slow by design); the
// write then changes the hash only if it is still the one compared against, so that of two
// concurrent changes the second is refused rather than silently undone.
func (db *DB) ChangePassword(ctx context.Context, change *octoinvite.PasswordChange) (err error) {
	defer wrap(&err, "ChangePassword(%q)", change.UserID)
	userID, ok := octoinvite.ParseID(octoinvite.KindUser, change.UserID)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(change.UserID, octoinvite.MaxIDLength))
	}
	var user *octoinvite.User
	var oldHash sql.NullString
	err = db.view(ctx, func(tx *transaction) error {
		row := tx.queryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.id = ?`, userID)
		user, err = scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &oldHash)...) }))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(userID)
		}
		return err
	})
	if err != nil {
		return err
	}
	if user.IsService {
		return octoinvite.InvalidFields(octoinvite.Problem{Field: "Password", Message: "A service account has no password: it calls the API with API keys."})
	}
	if err := change.Validate(user); err != nil {
		return err
	}
	if change.RequireCurrent && oldHash.Valid {
		if change.CurrentPassword == "" {
			return octoinvite.InvalidFields(octoinvite.Problem{Field: "CurrentPassword", Message: octoinvite.MsgCurrentPasswordRequired})
		}
		if ok, _, err := db.comparePassword(change.CurrentPassword, oldHash.String); err != nil {
			return err
		} else if !ok {
			return octoinvite.InvalidFields(octoinvite.Problem{Field: "CurrentPassword", Message: octoinvite.MsgCurrentPasswordWrong})
		}
	}
	hash, err := db.hashPassword(change.Password)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		res, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND coalesce(password_hash, '') = ?`,
			hash, user.ID, oldHash.String)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return octoinvite.Conflict("The password was changed by another request at the same time; please try again.")
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, user.ID, change.KeepSessionID); err != nil {
			return err
		}
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventModified,
			Message: fmt.Sprintf("The password of user %s (%s) was changed", user.ID, user.Username), RelatedDocumentIDs: []string{user.ID}})
	})
}

// SetInitialPassword gives the user a password if they have none, checked by the password
// policy (see octoinvite.PasswordChange), and reports whether it did: a user who has a password
// keeps it. The server sets the first administrator's password with it at start.
func (db *DB) SetInitialPassword(ctx context.Context, userID, password string, serverNames []string) (set bool, err error) {
	defer wrap(&err, "SetInitialPassword(%q)", userID)
	user, err := db.FindUserByID(ctx, userID)
	if err != nil {
		return false, err
	}
	if err := (&octoinvite.PasswordChange{UserID: user.ID, Password: password, ServerNames: serverNames}).Validate(user); err != nil {
		return false, err
	}
	hash, err := db.hashPassword(password)
	if err != nil {
		return false, err
	}
	err = db.update(ctx, func(tx *transaction) error {
		res, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash IS NULL`, hash, user.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		set = true
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventModified,
			Message: fmt.Sprintf("The password of user %s (%s) was set from the server's configuration", user.ID, user.Username), RelatedDocumentIDs: []string{user.ID}})
	})
	return set, err
}

// hashPassword returns the hash of the password's prepared form (octoinvite.PreparePassword),
// so that every spelling of it that the profile maps alike verifies. The password policy has
// refused a password the profile refuses before it gets here; should one come, it is refused
// as the policy refuses it.
func (db *DB) hashPassword(pw string) (string, error) {
	prepared, ok := octoinvite.PreparePassword(pw)
	if !ok {
		return "", octoinvite.InvalidFields(octoinvite.Problem{Field: "Password", Message: octoinvite.MsgPasswordCharacters})
	}
	return db.Passwords.Hash(prepared)
}

// comparePassword reports whether pw matches hash. It compares the prepared form of pw first
// (see hashPassword). Hashes made before passwords were prepared are of the password as typed:
// when the prepared form does not match and differs from pw, pw itself is compared, and legacy
// reports that it matched so, for the caller to store a hash of the prepared form in its place.
// A password that is its own prepared form, as every ASCII password is, costs one comparison;
// so does one the profile refuses, compared as typed. The number of comparisons depends on the
// password typed alone, never on the hash, so a user that does not exist (an empty hash) takes
// as long as one that does.
func (db *DB) comparePassword(pw, hash string) (ok, legacy bool, err error) {
	prepared, preparable := octoinvite.PreparePassword(pw)
	if !preparable {
		ok, err = db.Passwords.Compare(pw, hash)
		return ok, false, err
	}
	if ok, err = db.Passwords.Compare(prepared, hash); ok || err != nil || prepared == pw {
		return ok, false, err
	}
	ok, err = db.Passwords.Compare(pw, hash)
	return ok, ok, err
}

// rehashPassword replaces the user's hash, made of the password as typed before passwords were
// prepared, with a hash of its prepared form, unless the hash changed meanwhile. The password
// is the same, so nothing else changes: no session ends and no event is recorded.
func (db *DB) rehashPassword(ctx context.Context, userID, oldHash, pw string) error {
	hash, err := db.hashPassword(pw)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		_, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, hash, userID, oldHash)
		return err
	})
}
