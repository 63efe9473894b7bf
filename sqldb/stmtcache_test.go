package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCache runs, on one connection, the same query again while its rows are still
// open, more distinct queries than the cache holds, and a failing statement, and checks every
// answer.
func TestStatementCache(t *testing.T) {
	t.Parallel()
	connector, err := newStatementCache("file:" + filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	mustDo(t, execAll(ctx, db, `CREATE TABLE n (v INTEGER PRIMARY KEY)`, `INSERT INTO n VALUES (1), (2), (3)`))

	t.Run("SameQueryWhileRowsOpen", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		mustDo(t, err)
		defer tx.Rollback()
		const q = `SELECT v FROM n WHERE v >= ? ORDER BY v`
		outer, err := tx.QueryContext(ctx, q, 1)
		mustDo(t, err)
		var got []string
		for outer.Next() {
			var v int
			mustDo(t, outer.Scan(&v))
			var count int
			mustDo(t, tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`, v).Scan(&count))
			inner, err := tx.QueryContext(ctx, q, v)
			mustDo(t, err)
			var first int
			inner.Next()
			mustDo(t, inner.Scan(&first))
			inner.Close()
			got = append(got, fmt.Sprintf("%d:%d:%d", v, first, count))
		}
		mustDo(t, outer.Err())
		outer.Close()
		if want := "[1:1:3 2:2:2 3:3:1]"; fmt.Sprint(got) != want {
			t.Errorf("got %v, want %s", got, want)
		}
	})

	t.Run("MoreQueriesThanCached", func(t *testing.T) {
		for round := range 2 {
			for i := range maxCachedStatements + 10 {
				var got int
				mustDo(t, db.QueryRowContext(ctx, fmt.Sprintf(`SELECT v + %d FROM n WHERE v = ?`, i), 2).Scan(&got))
				if got != 2+i {
					t.Fatalf("round %d, query %d: got %d, want %d", round, i, got, 2+i)
				}
			}
		}
	})

	t.Run("FailedStatementRunsAgain", func(t *testing.T) {
		const insert = `INSERT INTO n (v) VALUES (?)`
		if _, err := db.ExecContext(ctx, insert, 1); err == nil {
			t.Fatal("got no error inserting a duplicate key, want a constraint violation")
		}
		if _, err := db.ExecContext(ctx, insert, 4); err != nil {
			t.Fatalf("got %v inserting a new key after a failure, want success", err)
		}
		var count int
		mustDo(t, db.QueryRowContext(ctx, `SELECT count(*) FROM n`).Scan(&count))
		if count != 4 {
			t.Errorf("got %d rows, want 4", count)
		}
	})
}

func execAll(ctx context.Context, db *sql.DB, queries ...string) error {
	for _, q := range queries {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
