package sqldb

import (
	"context"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// TestStoreUsernamesFolded: usernames are compared by octoinvite.FoldUsername on every store,
// not by the database's lower() (which on SQLite folds ASCII only): registering a name that
// folds to a taken one is refused, and signing in finds the user by any of its spellings.
func TestStoreUsernamesFolded(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		_, err := db.Register(ctx, registration("Émile", newInvitation(t, db, nil).InvitationCode))
		mustDo(t, err)
		// The error quotes the name as it would have been stored: composed, in its usual width.
		for name, stored := range map[string]string{"ÉMILE": "ÉMILE", "émile": "émile", "E\u0301mile": "Émile", "ＡＤＭＩＮ": "ADMIN", "Admin": "Admin"} {
			t.Run("ErrTaken "+name, func(t *testing.T) {
				_, err := db.Register(ctx, registration(name, newInvitation(t, db, nil).InvitationCode))
				if want := octoinvite.UsernameTaken(stored); !sameError(err, want) {
					t.Errorf("got %v, want %v", err, want)
				}
			})
		}
		for _, name := range []string{"Émile", "ÉMILE", "e\u0301MILE", " émile "} {
			user, err := db.Login(ctx, name, "correct horse battery")
			if err != nil || user.ID != "Users-2" {
				t.Errorf("Login(%+q) = %v, %v; want Users-2", name, user, err)
			}
		}
		if _, err := db.Login(ctx, "emile", "correct horse battery"); err != octoinvite.ErrBadCredentials {
			t.Errorf(`Login("emile") = %v, want ErrBadCredentials: "e" is not "é"`, err)
		}
	})
}

// TestStoreLoginHostileUsername: a sign-in whose username no user can hold (NUL, invalid UTF-8,
// control characters) fails like an unknown username, on PostgreSQL as on SQLite, and its
// LoginFailed event is recorded.
func TestStoreLoginHostileUsername(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		h := cheapPasswords(db)
		for _, name := range []string{"admin\x00", "\xff\xfe", "ad\x1bmin", strings.Repeat("a", 1000)} {
			before := h.compares.Load()
			if _, err := db.Login(ctx, name, "correct horse battery"); err != octoinvite.ErrBadCredentials {
				t.Errorf("Login(%+q) = %v, want ErrBadCredentials", name, err)
			}
			if got := h.compares.Load() - before; got != 1 {
				t.Errorf("Login(%+q): got %d password comparisons, want 1", name, got)
			}
		}
		events, err := db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 10}})
		mustDo(t, err)
		failed := 0
		for _, e := range events.Items {
			if e.Category == octoinvite.EventLoginFailed && e.UserID == octoinvite.SystemUserID &&
				e.Message == "Failed sign-in with a username that names no active user" {
				failed++
			}
		}
		if failed != 4 {
			t.Errorf("got %d LoginFailed events by the system user, want 4: %s", failed, dump(events.Items))
		}
	})
}

// TestStoreUsernameKeyMigration runs migration 6 over users registered before it, on each
// store: each gets its folded username as its key; of users whose keys collide, the oldest keeps
// the key and the others get one that no sign-in reaches.
func TestStoreUsernameKeyMigration(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		h := cheapPasswords(db)
		hash, err := h.Hash("correct horse battery")
		mustDo(t, err)
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.write.ExecContext(ctx, db.dialect.rebind(query), args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		// Back to the users table of migration 5, unique on lower(username), with users that
		// it let in.
		exec(`DROP INDEX users_username_key`)
		exec(`ALTER TABLE users DROP COLUMN username_key`)
		exec(`CREATE UNIQUE INDEX users_username ON users (lower(username))`)
		legacy := []string{"ａｄｍｉｎ", "Émile", "E\u0301mile", "bob\u200b", "Jane Doe"}
		for i, name := range legacy {
			exec(`INSERT INTO users (id, seq, username, display_name, password_hash, created_on) VALUES (?, ?, ?, ?, ?, 0)`,
				octoinvite.FormatID(octoinvite.KindUser, int64(i+2)), i+2, name, name, hash)
		}

		tx, err := db.write.BeginTx(ctx, nil)
		mustDo(t, err)
		if err := usernameKeyMigration(db.dialect).UpFnContext(ctx, tx); err != nil {
			tx.Rollback()
			t.Fatalf("migration 6: %v", err)
		}
		mustDo(t, tx.Commit())

		rows, err := db.read.QueryContext(ctx, `SELECT id, username_key FROM users ORDER BY seq`)
		mustDo(t, err)
		var got []string
		for rows.Next() {
			var id, key string
			mustDo(t, rows.Scan(&id, &key))
			got = append(got, id+" "+key)
		}
		mustDo(t, closeRows(rows))
		want := []string{"Users-1 admin", "Users-2 \x01Users-2", "Users-3 émile", "Users-4 \x01Users-4", "Users-5 bob\u200b", "Users-6 jane doe"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("got keys %+q, want %+q", got, want)
		}
		for name, id := range map[string]string{"ÉMILE": "Users-3", "BOB\u200b": "Users-5", "jane doe": "Users-6"} {
			user, err := db.Login(ctx, name, "correct horse battery")
			if err != nil || user.ID != id {
				t.Errorf("Login(%+q) = %v, %v; want %s", name, user, err, id)
			}
		}
		for _, name := range []string{"ａｄｍｉｎ", "E\u0301mile\x01"} {
			if _, err := db.Login(ctx, name, "correct horse battery"); err != octoinvite.ErrBadCredentials {
				t.Errorf("Login(%+q) = %v, want ErrBadCredentials", name, err)
			}
		}
		if _, err := db.Login(ctx, "\x01Users-2", "correct horse battery"); err != octoinvite.ErrBadCredentials {
			t.Errorf("a sign-in reached a collided user's key: %v", err)
		}
	})
}
