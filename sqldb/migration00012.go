package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/octoinvite/octoinvite"
	"github.com/pressly/goose/v3"
)

// searchKeysVersion is the version of searchKeysMigration.
const searchKeysVersion = 12

// searchKeysMigration is migration 12, written in Go because SQL cannot fold text as
// octoinvite.FoldName does. It gives users the column search_key (see userSearchKey) and fills
// it for every user, so that the users' filter matches alike on SQLite and PostgreSQL, whose
// lower() functions differ (SQLite's folds ASCII letters only).
func searchKeysMigration(d dialect) *goose.Migration {
	return goose.NewGoMigration(searchKeysVersion, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT ''`); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, username, display_name, coalesce(email_address, '') FROM users`)
		if err != nil {
			return err
		}
		keys := map[string]string{}
		for rows.Next() {
			var id string
			var u octoinvite.User
			if err := rows.Scan(&id, &u.Username, &u.DisplayName, &u.EmailAddress); err != nil {
				rows.Close()
				return err
			}
			keys[id] = userSearchKey(&u)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for id, key := range keys {
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE users SET search_key = ? WHERE id = ?`), key, id); err != nil {
				return err
			}
		}
		return nil
	}}, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `ALTER TABLE users DROP COLUMN search_key`)
		return err
	}})
}
