package sqldb

import (
	"context"
	"database/sql"

	"github.com/octoinvite/octoinvite"
	"github.com/pressly/goose/v3"
)

// nameKeysVersion is the version of nameKeysMigration.
const nameKeysVersion = 10

// nameKeysMigration is migration 10, written in Go because SQL cannot fold a name as
// octoinvite.FoldName does. It gives spaces the columns name_key and slug_key and teams the
// column name_key, fills them for every row, and makes them unique (a team's within its space,
// the system teams' among themselves) in place of the unique indexes on lower(name) and
// lower(slug), so that names compare alike on SQLite and PostgreSQL, whose lower() functions
// differ.
//
// Rows stored before it whose keys collide (such as the teams "Équipe" and "équipe" of one
// space, which SQLite's ASCII-only lower() told apart) are kept as they are, names and all. They
// all get the key; the oldest (by ID) leaves the key's clash column (name_clash, slug_clash)
// empty, as every other row does, and each younger one writes its own ID there, which the
// unique index includes. Filters find every row of a key, clashing or not; a new name or a
// rename onto a key that any row holds is refused. See docs/api.md.
func nameKeysMigration(d dialect) *goose.Migration {
	return goose.NewGoMigration(nameKeysVersion, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		for _, stmt := range []string{
			`ALTER TABLE spaces ADD COLUMN name_key TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE spaces ADD COLUMN name_clash TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE spaces ADD COLUMN slug_key TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE spaces ADD COLUMN slug_clash TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE teams ADD COLUMN name_key TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE teams ADD COLUMN name_clash TEXT NOT NULL DEFAULT ''`,
		} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}

		spaces, err := queryNames(ctx, tx, `SELECT id, '', name, slug FROM spaces ORDER BY seq, id`)
		if err != nil {
			return err
		}
		names, slugs := keyAllocator{}, keyAllocator{}
		for _, s := range spaces {
			nameKey, slugKey := octoinvite.FoldName(s.name), octoinvite.FoldName(s.slug)
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE spaces SET name_key = ?, name_clash = ?, slug_key = ?, slug_clash = ? WHERE id = ?`),
				nameKey, names.clash("", nameKey, s.id), slugKey, slugs.clash("", slugKey, s.id), s.id); err != nil {
				return err
			}
		}

		teams, err := queryNames(ctx, tx, `SELECT id, coalesce(space_id, ''), name, '' FROM teams ORDER BY seq, id`)
		if err != nil {
			return err
		}
		teamNames := keyAllocator{}
		for _, t := range teams {
			key := octoinvite.FoldName(t.name)
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE teams SET name_key = ?, name_clash = ? WHERE id = ?`),
				key, teamNames.clash(t.scope, key, t.id), t.id); err != nil {
				return err
			}
		}

		for _, stmt := range []string{
			`DROP INDEX spaces_name`,
			`DROP INDEX spaces_slug`,
			`DROP INDEX teams_name`,
			`CREATE UNIQUE INDEX spaces_name_key ON spaces (name_key, name_clash)`,
			`CREATE UNIQUE INDEX spaces_slug_key ON spaces (slug_key, slug_clash)`,
			`CREATE UNIQUE INDEX teams_name_key ON teams (coalesce(space_id, ''), name_key, name_clash)`,
		} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	}}, nil)
}

// namedRow is a row of nameKeysMigration: its ID, the scope its name is unique in (a team's
// space, empty for a system team or a space), its name and, for a space, its slug.
type namedRow struct{ id, scope, name, slug string }

// queryNames reads the rows of a query of four text columns into namedRows.
func queryNames(ctx context.Context, tx *sql.Tx, query string) ([]namedRow, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	var out []namedRow
	for rows.Next() {
		var r namedRow
		if err := rows.Scan(&r.id, &r.scope, &r.name, &r.slug); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	return out, closeRows(rows)
}

// keyAllocator hands out keys in the order rows are offered, oldest first.
type keyAllocator map[[2]string]bool

// clash returns the clash column's value for the row id whose key in scope is key: empty for
// the first row of the key, the row's own ID for every later one.
func (a keyAllocator) clash(scope, key, id string) string {
	k := [2]string{scope, key}
	if a[k] {
		return id
	}
	a[k] = true
	return ""
}
