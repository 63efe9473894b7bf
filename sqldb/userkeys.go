package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.APIKeyService = (*DB)(nil)

const apiKeyColumns = `id, purpose, user_id, created_on`

func scanAPIKey(row interface{ Scan(...any) error }) (*octoinvite.APIKey, error) {
	var k octoinvite.APIKey
	var created int64
	if err := row.Scan(&k.ID, &k.Purpose, &k.UserID, &created); err != nil {
		return nil, err
	}
	k.Created = millis(created)
	return &k, nil
}

// FindAPIKeys returns a page of the user's unrevoked keys, oldest first, without values. An
// unknown user is ENOTFOUND.
func (db *DB) FindAPIKeys(ctx context.Context, rawUserID string, rng octoinvite.Range) (page octoinvite.Page[*octoinvite.APIKey], err error) {
	defer wrap(&err, "FindAPIKeys(%q)", rawUserID)
	err = db.view(ctx, func(tx *transaction) error {
		users, err := tx.existingUsers(ctx, []string{rawUserID})
		if err != nil {
			return err
		} else if users[0] == "" {
			return octoinvite.NotFound(octoinvite.Truncate(rawUserID, octoinvite.MaxIDLength))
		}
		if err := tx.queryRow(ctx, `SELECT count(*) FROM api_keys WHERE user_id = ? AND revoked_on IS NULL`, users[0]).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE user_id = ? AND revoked_on IS NULL
			ORDER BY seq LIMIT ? OFFSET ?`, users[0], rng.Take, rng.Skip)
		if err != nil {
			return err
		}
		page.Items, err = collect(rows, scanAPIKey)
		return err
	})
	return page, err
}

// FindAPIKeyByID returns one of the user's unrevoked keys without its value, or ENOTFOUND.
func (db *DB) FindAPIKeyByID(ctx context.Context, rawUserID, rawKeyID string) (key *octoinvite.APIKey, err error) {
	defer wrap(&err, "FindAPIKeyByID(%q, %q)", rawUserID, rawKeyID)
	userID, keyID, err := apiKeyIDs(rawUserID, rawKeyID)
	if err != nil {
		return nil, err
	}
	err = db.view(ctx, func(tx *transaction) error {
		key, err = scanAPIKey(tx.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ? AND user_id = ? AND revoked_on IS NULL`, keyID, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(keyID)
		}
		return err
	})
	return key, err
}

// RevokeAPIKey revokes one of the user's keys; the next request with it fails. A key that does
// not exist, belongs to another user or is already revoked is ENOTFOUND.
func (db *DB) RevokeAPIKey(ctx context.Context, rawUserID, rawKeyID string) (err error) {
	defer wrap(&err, "RevokeAPIKey(%q, %q)", rawUserID, rawKeyID)
	userID, keyID, err := apiKeyIDs(rawUserID, rawKeyID)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_on = ? WHERE id = ? AND user_id = ? AND revoked_on IS NULL`,
			tx.now.UnixMilli(), keyID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return octoinvite.NotFound(keyID)
		}
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventDeleted,
			Message:            fmt.Sprintf("API key %s of user %s was revoked", keyID, userID),
			RelatedDocumentIDs: []string{keyID, userID}})
	})
}

// apiKeyIDs parses a user ID and a key ID, answering ENOTFOUND for either that cannot name one.
func apiKeyIDs(rawUserID, rawKeyID string) (userID, keyID string, err error) {
	keyID, ok := octoinvite.ParseID(octoinvite.KindAPIKey, rawKeyID)
	if !ok {
		return "", "", octoinvite.NotFound(octoinvite.Truncate(rawKeyID, octoinvite.MaxIDLength))
	}
	userID, ok = octoinvite.ParseID(octoinvite.KindUser, rawUserID)
	if !ok {
		return "", "", octoinvite.NotFound(octoinvite.Truncate(rawUserID, octoinvite.MaxIDLength))
	}
	return userID, keyID, nil
}
