package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.AuthService = (*DB)(nil)

// errBadKey is the one answer to every key that does not authenticate, so that a caller learns
// nothing about why.
var errBadKey = octoinvite.Errorf(octoinvite.EUNAUTHORIZED,
	"You must be logged in to perform this action. Please provide a valid API key or log in again.")

// Authenticate returns the active user who owns the key, or EUNAUTHORIZED. The key is looked up
// by its digest, so the lookup takes the same path whatever prefix of a real key it shares. On
// SQLite a verified key's user is cached (DB.auth, a readCache) until the next committed write.
func (db *DB) Authenticate(ctx context.Context, apiKey string) (user *octoinvite.User, err error) {
	defer wrap(&err, "Authenticate")
	if !octoinvite.ValidAPIKey(apiKey) {
		return nil, errBadKey
	}
	digest := octoinvite.Digest(apiKey)
	var generation uint64
	if db.auth != nil {
		if user, generation = db.auth.lookup(digest, db.Now()); user != nil {
			return user, nil
		}
	}
	err = db.viewOne(ctx, func(tx *transaction) error {
		user, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM api_keys k JOIN users u ON u.id = k.user_id
			WHERE k.digest = ? AND k.revoked_on IS NULL AND u.is_active = 1`, digest))
		if errors.Is(err, sql.ErrNoRows) {
			return errBadKey
		}
		return err
	})
	if err == nil && db.auth != nil {
		db.auth.store(digest, user, generation, db.Now())
	}
	return user, err
}

// CreateAPIKey creates a key for the user and returns it with its value, which is never stored.
// An unknown user is ENOTFOUND; an empty or overlong purpose EINVALID.
func (db *DB) CreateAPIKey(ctx context.Context, userID, purpose string) (key *octoinvite.APIKey, err error) {
	defer wrap(&err, "CreateAPIKey(%q)", userID)
	if purpose, err = octoinvite.NormalizePurpose(purpose); err != nil {
		return nil, err
	}
	value, err := octoinvite.NewAPIKey(db.Rand)
	if err != nil {
		return nil, err
	}
	err = db.update(ctx, func(tx *transaction) error {
		key, err = tx.insertAPIKey(ctx, userID, purpose, value)
		return err
	})
	return key, err
}

func (tx *transaction) insertAPIKey(ctx context.Context, rawUserID, purpose, value string) (*octoinvite.APIKey, error) {
	users, err := tx.existingUsers(ctx, []string{rawUserID})
	if err != nil {
		return nil, err
	} else if users[0] == "" {
		return nil, octoinvite.NotFound(octoinvite.Truncate(rawUserID, octoinvite.MaxIDLength))
	}
	id, seq, err := tx.nextID(ctx, octoinvite.KindAPIKey)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO api_keys (id, seq, user_id, purpose, digest, created_on) VALUES (?, ?, ?, ?, ?, ?)`,
		id, seq, users[0], purpose, octoinvite.Digest(value), tx.now.UnixMilli()); err != nil {
		return nil, err
	}
	if err := tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventCreated,
		Message:            fmt.Sprintf("API key %s was created for user %s with the purpose '%s'", id, users[0], purpose),
		RelatedDocumentIDs: []string{id, users[0]}}); err != nil {
		return nil, err
	}
	return &octoinvite.APIKey{ID: id, Purpose: purpose, UserID: users[0], APIKey: value, Created: octoinvite.NewTime(tx.now)}, nil
}

// ConfiguredKeyPurpose marks the administrator key that comes from the server's configuration.
const ConfiguredKeyPurpose = "Administrator key from the server configuration"

// EnsureAdminAPIKey makes value the administrator's configured key: it is stored (as a digest) if
// new, and a configured key it replaces is revoked, so that changing the configuration rotates
// the key. It returns an EINVALID error for a value that is not a well-formed key.
func (db *DB) EnsureAdminAPIKey(ctx context.Context, value string) (err error) {
	defer wrap(&err, "EnsureAdminAPIKey")
	if !octoinvite.ValidAPIKey(value) {
		return octoinvite.Invalid("The administrator API key must be API- followed by 16 to 60 upper-case letters and digits.")
	}
	digest := octoinvite.Digest(value)
	return db.update(ctx, func(tx *transaction) error {
		// Lock the administrator's row first, so that servers starting together with the same
		// configured key take turns instead of both inserting it.
		if _, err := tx.exec(ctx, `UPDATE users SET is_active = is_active WHERE id = ?`, octoinvite.AdminUserID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT id FROM api_keys WHERE user_id = ? AND purpose = ? AND digest <> ? AND revoked_on IS NULL ORDER BY seq`,
			octoinvite.AdminUserID, ConfiguredKeyPurpose, digest)
		if err != nil {
			return err
		}
		replaced, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, row.Scan(&id)
		})
		if err != nil {
			return err
		}
		for _, id := range replaced {
			if _, err := tx.exec(ctx, `UPDATE api_keys SET revoked_on = ? WHERE id = ?`, tx.now.UnixMilli(), id); err != nil {
				return err
			}
			if err := tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventDeleted,
				Message:            fmt.Sprintf("API key %s of user %s was revoked: the server's configuration names another key", id, octoinvite.AdminUserID),
				RelatedDocumentIDs: []string{id, octoinvite.AdminUserID}}); err != nil {
				return err
			}
		}
		var owner string
		err = tx.queryRow(ctx, `SELECT user_id FROM api_keys WHERE digest = ?`, digest).Scan(&owner)
		switch {
		case err == nil && owner != octoinvite.AdminUserID:
			return octoinvite.Invalid("The administrator API key is already another user's key.")
		case err == nil:
			_, err = tx.exec(ctx, `UPDATE api_keys SET revoked_on = NULL, purpose = ? WHERE digest = ?`, ConfiguredKeyPurpose, digest)
			return err
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.insertAPIKey(ctx, octoinvite.AdminUserID, ConfiguredKeyPurpose, value)
			return err
		default:
			return err
		}
	})
}

// CountActiveAPIKeys returns how many unrevoked keys the user holds.
func (db *DB) CountActiveAPIKeys(ctx context.Context, userID string) (n int, err error) {
	defer wrap(&err, "CountActiveAPIKeys(%q)", userID)
	err = db.view(ctx, func(tx *transaction) error {
		return tx.queryRow(ctx, `SELECT count(*) FROM api_keys WHERE user_id = ? AND revoked_on IS NULL`,
			strings.TrimSpace(userID)).Scan(&n)
	})
	return n, err
}
