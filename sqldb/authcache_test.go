package sqldb

import (
	"context"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// TestStoreRevokedKeyFailsAtOnce checks that a key that authenticated (and may be cached) fails
// on the next check after its revocation returned.
func TestStoreRevokedKeyFailsAtOnce(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		key, err := db.CreateAPIKey(ctx, "Users-1", "to revoke")
		mustDo(t, err)
		for range 2 {
			user, err := db.Authenticate(ctx, key.APIKey)
			if err != nil || user.ID != "Users-1" || !user.IsAdministrator {
				t.Fatalf("got %+v, %v, want the administrator", user, err)
			}
		}
		mustDo(t, db.RevokeAPIKey(ctx, "Users-1", key.ID))
		if _, err := db.Authenticate(ctx, key.APIKey); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
			t.Errorf("after revocation: got %v, want EUNAUTHORIZED", err)
		}
	})
}

func TestAuthCache(t *testing.T) {
	t.Parallel()
	now := testEpoch
	user := &octoinvite.User{ID: "Users-1", Username: "admin"}
	tests := []struct {
		name string
		// between runs between the lookup that missed and the store of its answer, then the
		// clock moves by wait.
		between func(c *authCache)
		wait    time.Duration
		hit     bool
	}{
		{name: "Hit", between: func(*authCache) {}, hit: true},
		{name: "StaleAnswerNotStored", between: func(c *authCache) { c.invalidate() }},
		{name: "MissAfterTTL", between: func(*authCache) {}, wait: authCacheTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newAuthCache()
			got, generation := c.lookup("digest", now)
			if got != nil {
				t.Fatalf("empty cache: got %+v, want a miss", got)
			}
			tt.between(c)
			c.store("digest", user, generation, now)
			got, _ = c.lookup("digest", now.Add(tt.wait))
			if (got != nil) != tt.hit || (got != nil && got.ID != user.ID) {
				t.Errorf("got %+v, want a hit: %v", got, tt.hit)
			}
		})
	}
	t.Run("MissAfterInvalidate", func(t *testing.T) {
		c := newAuthCache()
		_, generation := c.lookup("digest", now)
		c.store("digest", user, generation, now)
		c.invalidate()
		if got, _ := c.lookup("digest", now); got != nil {
			t.Errorf("got %+v, want a miss after a committed write", got)
		}
	})
}
