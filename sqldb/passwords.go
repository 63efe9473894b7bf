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
		if ok, err := db.Passwords.Compare(change.CurrentPassword, oldHash.String); err != nil {
			return err
		} else if !ok {
			return octoinvite.InvalidFields(octoinvite.Problem{Field: "CurrentPassword", Message: octoinvite.MsgCurrentPasswordWrong})
		}
	}
	hash, err := db.Passwords.Hash(change.Password)
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
	hash, err := db.Passwords.Hash(password)
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
