package sqldb

import (
	"context"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// TestStoreSearchKeysMigration takes a store with users back to migration 11, before users had
// a search key, and applies migration 12 again: every user gets the key, and the filter finds
// them by folded names as a store created since finds them.
func TestStoreSearchKeysMigration(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustDo(t, db.CreateUser(ctx, &octoinvite.User{Username: "zoe", DisplayName: "Émile Straße", EmailAddress: "Zola@Mail.test"}))

		p, err := db.migrations()
		mustDo(t, err)
		if _, err := p.DownTo(ctx, 11); err != nil {
			t.Fatalf("back to migration 11: %v", err)
		}
		if _, err := db.write.ExecContext(ctx, `SELECT search_key FROM users`); err == nil {
			t.Fatal("users still has search_key at migration 11")
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("migration 12 again: %v", err)
		}

		var key string
		mustDo(t, db.write.QueryRowContext(ctx, db.dialect.rebind(`SELECT search_key FROM users WHERE id = ?`), "Users-2").Scan(&key))
		if want := "zoe\némile strasse\nzola@mail.test"; key != want {
			t.Errorf("got the search key %q, want %q", key, want)
		}
		for _, filter := range []string{"ÉMILE", "strasse", "admin"} {
			page, err := db.FindUsers(ctx, octoinvite.UserFilter{Filter: filter, Range: octoinvite.Range{Take: 30}})
			mustDo(t, err)
			if page.Total != 1 {
				t.Errorf("filter %q after the migration: got %d users, want 1", filter, page.Total)
			}
		}
	})
}
