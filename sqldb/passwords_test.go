package sqldb

import (
	"context"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// Spellings of one password: composed (NFC), decomposed (NFD, an "e" and a combining accent, as
// some keyboards and operating systems type it) and with a no-break space, which the
// OpaqueString profile maps to a space.
const (
	passwordNFC      = "crème brûlée à la carte"
	passwordNFD      = "cre\u0300me bru\u0302le\u0301e a\u0300 la carte"
	passwordNoBreak  = "crème\u00a0brûlée à la carte"
	passwordMistaken = "creme brulee a la carte"
)

// storedHash returns the user's password hash as stored.
func storedHash(t *testing.T, db *DB, userID string) string {
	t.Helper()
	var hash string
	mustDo(t, db.read.QueryRowContext(context.Background(), db.dialect.rebind(`SELECT password_hash FROM users WHERE id = ?`), userID).Scan(&hash))
	return hash
}

// TestStorePasswordsPrepared: passwords are hashed and compared in their prepared form (RFC
// 8265's OpaqueString), so that each spelling of a password signs in, whichever was registered;
// a password whose prepared form is itself, as every ASCII one is, costs one comparison.
func TestStorePasswordsPrepared(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		h := cheapPasswords(db)
		for i, registered := range []string{passwordNFC, passwordNFD, passwordNoBreak} {
			username := []string{"composed", "decomposed", "nobreak"}[i]
			reg := registration(username, newInvitation(t, db, nil).InvitationCode)
			reg.Password = registered
			user, err := db.Register(ctx, reg)
			mustDo(t, err)
			hash := storedHash(t, db, user.ID)
			if ok, err := h.Compare(passwordNFC, hash); err != nil || !ok {
				t.Errorf("%s: the stored hash is not of the prepared form: %v, %v", username, ok, err)
			}
			for _, typed := range []string{passwordNFC, passwordNFD, passwordNoBreak} {
				before := h.compares.Load()
				if got, err := db.Login(ctx, username, typed); err != nil || got.ID != user.ID {
					t.Errorf("registered %+q, Login(%+q) = %v, %v; want %s", registered, typed, got, err, user.ID)
				}
				if n := h.compares.Load() - before; n != 1 {
					t.Errorf("registered %+q, Login(%+q): got %d comparisons, want 1", registered, typed, n)
				}
			}
			if _, err := db.Login(ctx, username, passwordMistaken); err != octoinvite.ErrBadCredentials {
				t.Errorf("Login(%+q) = %v, want ErrBadCredentials", passwordMistaken, err)
			}
			if got := storedHash(t, db, user.ID); got != hash {
				t.Errorf("%s: a sign-in with a prepared hash changed it", username)
			}
		}

		// A wrong password costs one comparison when it is its own prepared form, two when the
		// raw form must be tried too; the same for a user that does not exist.
		for _, username := range []string{"composed", "nobody"} {
			for typed, want := range map[string]int64{"wrong horse battery": 1, passwordMistaken: 1, "wrong\u00a0horse battery": 2, "cre\u0300me bru\u0302le\u0301e": 2} {
				before := h.compares.Load()
				if _, err := db.Login(ctx, username, typed); err != octoinvite.ErrBadCredentials {
					t.Errorf("Login(%q, %+q) = %v, want ErrBadCredentials", username, typed, err)
				}
				if n := h.compares.Load() - before; n != want {
					t.Errorf("Login(%q, %+q): got %d comparisons, want %d", username, typed, n, want)
				}
			}
		}
	})
}

// TestStoreLegacyPasswordHashes: a hash made of a password as typed, before passwords were
// prepared, still verifies, and the sign-in replaces it with a hash of the prepared form, so
// that the other spellings verify from then on; a legacy hash that the prepared form matches
// already is left alone. A password change accepts the legacy current password.
func TestStoreLegacyPasswordHashes(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		h := cheapPasswords(db)
		// legacy registers a user and gives it a hash of raw, as the store made before.
		legacy := func(username, raw string) (*octoinvite.User, string) {
			t.Helper()
			user, err := db.Register(ctx, registration(username, newInvitation(t, db, nil).InvitationCode))
			mustDo(t, err)
			hash, err := h.Hash(raw)
			mustDo(t, err)
			_, err = db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, user.ID)
			mustDo(t, err)
			return user, hash
		}

		for username, raw := range map[string]string{"Decomposed": passwordNFD, "NoBreakSpace": passwordNoBreak} {
			t.Run(username, func(t *testing.T) {
				user, old := legacy(username, raw)
				if _, err := db.Login(ctx, username, passwordNFC); err != octoinvite.ErrBadCredentials {
					t.Fatalf("Login with another spelling before the rehash = %v, want ErrBadCredentials", err)
				}
				if got := storedHash(t, db, user.ID); got != old {
					t.Fatalf("a failed sign-in changed the hash")
				}
				before := h.compares.Load()
				if got, err := db.Login(ctx, username, raw); err != nil || got.ID != user.ID {
					t.Fatalf("Login with the legacy password = %v, %v; want %s", got, err, user.ID)
				}
				if n := h.compares.Load() - before; n != 2 {
					t.Errorf("got %d comparisons, want 2: the prepared form, then the raw one", n)
				}
				rehashed := storedHash(t, db, user.ID)
				if rehashed == old {
					t.Fatal("the legacy hash was not replaced")
				}
				if ok, err := h.Compare(passwordNFC, rehashed); err != nil || !ok {
					t.Errorf("the new hash is not of the prepared form: %v, %v", ok, err)
				}
				for _, typed := range []string{raw, passwordNFC, passwordNFD, passwordNoBreak} {
					before := h.compares.Load()
					if got, err := db.Login(ctx, username, typed); err != nil || got.ID != user.ID {
						t.Errorf("after the rehash, Login(%+q) = %v, %v; want %s", typed, got, err, user.ID)
					}
					if n := h.compares.Load() - before; n != 1 {
						t.Errorf("after the rehash, Login(%+q): got %d comparisons, want 1", typed, n)
					}
				}
				if got := storedHash(t, db, user.ID); got != rehashed {
					t.Error("a sign-in after the rehash changed the hash again")
				}
			})
		}

		t.Run("PreparedAlready", func(t *testing.T) {
			user, old := legacy("composed", passwordNFC)
			if got, err := db.Login(ctx, "composed", passwordNFD); err != nil || got.ID != user.ID {
				t.Fatalf("Login = %v, %v; want %s", got, err, user.ID)
			}
			if got := storedHash(t, db, user.ID); got != old {
				t.Error("a legacy hash of the prepared form was replaced")
			}
		})

		t.Run("ChangeWithLegacyCurrent", func(t *testing.T) {
			user, _ := legacy("changer", passwordNFD)
			mustDo(t, db.ChangePassword(ctx, &octoinvite.PasswordChange{UserID: user.ID, CurrentPassword: passwordNFD,
				RequireCurrent: true, Password: "purple elephant umbrella"}))
			if _, err := db.Login(ctx, "changer", "purple elephant umbrella"); err != nil {
				t.Errorf("Login with the new password: %v", err)
			}
		})
	})
}
