package sqldb

import (
	"context"
	"database/sql"

	"github.com/octoinvite/octoinvite"
	"github.com/pressly/goose/v3"
)

// usernameKeyMigration is migration 6, written in Go because SQL cannot fold a username as
// octoinvite.FoldUsername does (PRECIS, RFC 8265). It gives users the column username_key,
// fills it for every user, makes it unique in place of the unique index on lower(username), and
// so makes usernames compare alike on SQLite and PostgreSQL, whose lower() functions differ.
//
// Users registered before it whose folded usernames collide (such as "admin" and a fullwidth
// "ａｄｍｉｎ", or "Émile" and "émile", which SQLite's ASCII-only lower() told apart) cannot all
// keep their name for signing in: the oldest user (by ID) keeps it, and each younger one gets
// a key that no sign-in can name (U+0001 and its ID), so that it can no longer sign in with a
// password; its API keys keep working. See docs/security.md.
func usernameKeyMigration(d dialect) *goose.Migration {
	return goose.NewGoMigration(6, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE users ADD COLUMN username_key TEXT NOT NULL DEFAULT ''`); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, username FROM users ORDER BY seq`)
		if err != nil {
			return err
		}
		type user struct{ id, username string }
		var users []user
		for rows.Next() {
			var u user
			if err := rows.Scan(&u.id, &u.username); err != nil {
				rows.Close()
				return err
			}
			users = append(users, u)
		}
		if err := closeRows(rows); err != nil {
			return err
		}
		taken := map[string]bool{}
		for _, u := range users {
			key := octoinvite.FoldUsername(u.username)
			if taken[key] {
				key = collidedUsernameKey(u.id)
			}
			taken[key] = true
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE users SET username_key = ? WHERE id = ?`), key, u.id); err != nil {
				return err
			}
		}
		for _, stmt := range []string{
			`DROP INDEX users_username`,
			`CREATE UNIQUE INDEX users_username_key ON users (username_key)`,
		} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	}}, nil)
}

// collidedUsernameKey is the key of a user whose folded username an older user holds: it
// starts with a control character, which octoinvite.FoldUsername never returns for a username
// that a sign-in looks up.
func collidedUsernameKey(userID string) string { return "\x01" + userID }

// closeRows closes rows and returns the error that ended their iteration, if any.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
