package sqldb

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// The invitation lifecycle in the conformance suite: lifetimes, uses, listing by state,
// revocation, regeneration and the purge, on every backend.

func TestStoreInvitationLifetimeAndUses(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.InvitationLifetime = 48 * time.Hour
		db.InvitationMaxLifetime = 7 * 24 * time.Hour
		db.InvitationMaxUses = 10
		latest := testEpoch.Add(7 * 24 * time.Hour)
		tests := []struct {
			name        string
			expires     time.Time
			maxUses     int
			wantExpires time.Time
			wantUses    int
			wantErr     error
		}{
			{"OK_Defaults", time.Time{}, 0, testEpoch.Add(48 * time.Hour), 1, nil},
			{"OK_ZeroDateWithOffset", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), 1, testEpoch.Add(48 * time.Hour), 1, nil},
			{"OK_ChosenExpiry", testEpoch.Add(time.Hour + 500*time.Microsecond), 3, testEpoch.Add(time.Hour), 3, nil},
			{"OK_Longest", latest, 10, latest, 10, nil},
			{"OK_SkewCutDown", latest.Add(30 * time.Second), 1, latest, 1, nil},
			{"ErrNow", testEpoch, 1, time.Time{}, 0,
				octoinvite.Invalid("The expiry date (Expires) 2026-11-26T10:00:00.000+00:00 is not in the future.")},
			{"ErrPast", testEpoch.Add(-time.Hour), 1, time.Time{}, 0,
				octoinvite.Invalid("The expiry date (Expires) 2026-11-26T09:00:00.000+00:00 is not in the future.")},
			{"ErrTooFar", latest.Add(2 * time.Minute), 1, time.Time{}, 0,
				octoinvite.Invalid("The expiry date (Expires) 2026-12-03T10:02:00.000+00:00 is too far away: an invitation can last at most 168h0m0s, until 2026-12-03T10:00:00.000+00:00.")},
			{"ErrTooManyUses", time.Time{}, 11, time.Time{}, 0, octoinvite.Invalid("The number of uses (MaxUses) must be from 1 to 10.")},
			{"ErrNegativeUses", time.Time{}, -1, time.Time{}, 0, octoinvite.Invalid("The number of uses (MaxUses) must be from 1 to 10.")},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin", Expires: octoinvite.Time{Time: tc.expires}, MaxUses: tc.maxUses}
				err := db.CreateInvitation(ctx, inv)
				if !sameError(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				if err != nil {
					return
				}
				got, err := db.FindInvitationByID(ctx, inv.ID)
				mustDo(t, err)
				if !got.Expires.Equal(tc.wantExpires) || got.MaxUses != tc.wantUses || got.Uses != 0 || got.State != octoinvite.StatePending {
					t.Errorf("got Expires %s, MaxUses %d, Uses %d, State %s; want %s, %d, 0, Pending",
						got.Expires, got.MaxUses, got.Uses, got.State, tc.wantExpires, tc.wantUses)
				}
				if !reflect.DeepEqual(got, inv) {
					t.Errorf("stored %+v, answered %+v", got, inv)
				}
			})
		}
	})
}

// TestStoreMaxUsesConcurrent redeems a code of five uses from 24 registrations at once: exactly
// five succeed, the last closes it, and the others learn it is used up.
func TestStoreMaxUsesConcurrent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin", MaxUses: 5}
		mustDo(t, db.CreateInvitation(ctx, inv))
		succeeded := registerConcurrently(t, db, inv.InvitationCode, 24)
		page, err := db.FindUsers(ctx, octoinvite.UserFilter{Range: octoinvite.Range{Take: 100}})
		mustDo(t, err)
		if succeeded != 5 || page.Total != 6 {
			t.Errorf("got %d registrations and %d users, want 5 and 6", succeeded, page.Total)
		}
		got, err := db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		if got.Uses != 5 || got.State != octoinvite.StateRedeemed || got.RedeemedOn == nil || got.RedeemedBy == nil {
			t.Errorf("got Uses %d, State %s, RedeemedOn %v, RedeemedBy %v; want 5, Redeemed, and the last redemption",
				got.Uses, got.State, got.RedeemedOn, got.RedeemedBy)
		}
	})
}

func TestStoreRevokeAndRegenerate(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		now := testEpoch
		db.Now = func() time.Time { return now }

		t.Run("RevokeStopsTheCode", func(t *testing.T) {
			inv := newInvitation(t, db, nil)
			now = testEpoch.Add(time.Minute)
			defer func() { now = testEpoch }()
			revoked, changed, err := db.RevokeInvitation(ctx, inv.ID, "alice")
			mustDo(t, err)
			if !changed {
				t.Error("revoking: got changed false, want true")
			}
			at := octoinvite.NewTime(now)
			if revoked.State != octoinvite.StateRevoked || !reflect.DeepEqual(revoked.RevokedOn, &at) || *revoked.RevokedBy != "alice" ||
				revoked.LastModifiedBy != "alice" || !revoked.LastModifiedOn.Equal(now) || revoked.InvitationCode != inv.InvitationCode {
				t.Errorf("got %+v, want revoked at %s by alice", revoked, now)
			}
			if _, err := db.PreviewInvitation(ctx, inv.InvitationCode); err != octoinvite.ErrInvitationRevoked {
				t.Errorf("preview: got %v, want ErrInvitationRevoked", err)
			}
			if _, err := db.Register(ctx, registration("revokee", inv.InvitationCode)); err != octoinvite.ErrInvitationRevoked {
				t.Errorf("register: got %v, want ErrInvitationRevoked", err)
			}
			now = testEpoch.Add(time.Hour)
			again, changed, err := db.RevokeInvitation(ctx, inv.ID, "bob")
			mustDo(t, err)
			if changed {
				t.Error("revoking twice: got changed true, want false")
			}
			if !reflect.DeepEqual(again, revoked) {
				t.Errorf("revoking twice: got %+v, want it unchanged %+v", again, revoked)
			}
			if _, err := db.RegenerateInvitation(ctx, inv.ID, "bob", time.Time{}); err != octoinvite.ErrInvitationRevokedNoRegenerate {
				t.Errorf("regenerate: got %v, want ErrInvitationRevokedNoRegenerate", err)
			}
		})
		t.Run("UsedUpCannotBeRevokedOrRegenerated", func(t *testing.T) {
			inv := newInvitation(t, db, nil)
			_, err := db.Register(ctx, registration("used", inv.InvitationCode))
			mustDo(t, err)
			if _, _, err := db.RevokeInvitation(ctx, inv.ID, "alice"); err != octoinvite.ErrInvitationUsedUp {
				t.Errorf("revoke: got %v, want ErrInvitationUsedUp", err)
			}
			if _, err := db.RegenerateInvitation(ctx, inv.ID, "alice", time.Time{}); err != octoinvite.ErrInvitationUsedUp {
				t.Errorf("regenerate: got %v, want ErrInvitationUsedUp", err)
			}
			got, err := db.FindInvitationByID(ctx, inv.ID)
			mustDo(t, err)
			if got.State != octoinvite.StateRedeemed || got.RevokedOn != nil || got.InvitationCode != inv.InvitationCode {
				t.Errorf("got %+v, want it unchanged and Redeemed", got)
			}
		})
		t.Run("RegenerateReplacesTheCode", func(t *testing.T) {
			inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin", MaxUses: 2}
			mustDo(t, db.CreateInvitation(ctx, inv))
			_, err := db.Register(ctx, registration("first", inv.InvitationCode))
			mustDo(t, err)
			now = testEpoch.Add(72 * time.Hour) // expired
			defer func() { now = testEpoch }()
			if got, _ := db.FindInvitationByID(ctx, inv.ID); got.State != octoinvite.StateExpired {
				t.Fatalf("got state %s, want Expired", got.State)
			}
			fresh, err := db.RegenerateInvitation(ctx, inv.ID, "carol", time.Time{})
			mustDo(t, err)
			if fresh.InvitationCode == inv.InvitationCode || !octoinvite.ValidInvitationCode(fresh.InvitationCode) ||
				!fresh.Expires.Equal(now.Add(db.InvitationLifetime)) || fresh.State != octoinvite.StatePending ||
				fresh.Uses != 1 || fresh.MaxUses != 2 || fresh.LastModifiedBy != "carol" {
				t.Errorf("got %+v, want a new code expiring %s, Pending, one use of two left", fresh, now.Add(db.InvitationLifetime))
			}
			if _, err := db.Register(ctx, registration("old", inv.InvitationCode)); err != octoinvite.ErrInvitationUnknown {
				t.Errorf("old code: got %v, want ErrInvitationUnknown", err)
			}
			_, err = db.Register(ctx, registration("second", fresh.InvitationCode))
			mustDo(t, err)
			got, err := db.FindInvitationByID(ctx, inv.ID)
			mustDo(t, err)
			if got.State != octoinvite.StateRedeemed || got.Uses != 2 {
				t.Errorf("got state %s and %d uses, want Redeemed and 2", got.State, got.Uses)
			}
		})
		t.Run("RegenerateWithAnExpiry", func(t *testing.T) {
			inv := newInvitation(t, db, nil)
			longest := now.Add(db.maxLifetime())
			for _, tt := range []struct {
				name      string
				requested time.Time
				want      time.Time // zero: refused
			}{
				{"within the bounds", now.Add(7 * 24 * time.Hour), now.Add(7 * 24 * time.Hour)},
				{"the longest", longest, longest},
				{"within the clock skew, cut down", longest.Add(octoinvite.ExpiryClockSkew), longest},
				{"beyond", longest.Add(octoinvite.ExpiryClockSkew + time.Millisecond), time.Time{}},
				{"now", now, time.Time{}},
			} {
				before, err := db.FindInvitationByID(ctx, inv.ID)
				mustDo(t, err)
				fresh, err := db.RegenerateInvitation(ctx, inv.ID, "carol", tt.requested)
				if tt.want.IsZero() {
					after, _ := db.FindInvitationByID(ctx, inv.ID)
					if octoinvite.ErrorCode(err) != octoinvite.EINVALID || after.InvitationCode != before.InvitationCode || !after.Expires.Equal(before.Expires.Time) {
						t.Errorf("%s: got %v and %+v, want EINVALID and the invitation unchanged", tt.name, err, after)
					}
					continue
				}
				mustDo(t, err)
				stored, err := db.FindInvitationByID(ctx, inv.ID)
				mustDo(t, err)
				if !fresh.Expires.Equal(tt.want) || !stored.Expires.Equal(tt.want) || stored.InvitationCode == before.InvitationCode {
					t.Errorf("%s: got expiry %s (stored %s), want %s and a new code", tt.name, fresh.Expires, stored.Expires, tt.want)
				}
			}
		})
		t.Run("NotFound", func(t *testing.T) {
			for _, id := range []string{"Invitations-999", "Teams-1", "bogus"} {
				if _, _, err := db.RevokeInvitation(ctx, id, "alice"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
					t.Errorf("revoke %s: got %v, want ENOTFOUND", id, err)
				}
				if _, err := db.RegenerateInvitation(ctx, id, "alice", time.Time{}); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
					t.Errorf("regenerate %s: got %v, want ENOTFOUND", id, err)
				}
			}
		})
	})
}

// lifecycleFixture stores five invitations, one in each state and a second pending one, and
// returns them by name; the store's clock is then at testEpoch plus 49 hours.
func lifecycleFixture(t *testing.T, db *DB, now *time.Time) map[string]*octoinvite.Invitation {
	t.Helper()
	ctx := context.Background()
	cheapPasswords(db)
	team := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1")}
	mustDo(t, db.CreateTeam(ctx, team))
	*now = testEpoch
	expired := newInvitation(t, db, nil)                               // Invitations-1
	*now = testEpoch.Add(2 * time.Hour)                                //
	redeemed := newInvitation(t, db, ptr("Spaces-1"), team.ID)         // Invitations-2
	revoked := newInvitation(t, db, ptr("Spaces-1"))                   // Invitations-3
	pending := newInvitation(t, db, ptr("Spaces-1"), team.ID)          // Invitations-4
	pendingSystem := newInvitation(t, db, nil, "teams-administrators") // Invitations-5
	_, err := db.Register(ctx, registration("jane", redeemed.InvitationCode))
	mustDo(t, err)
	_, _, err = db.RevokeInvitation(ctx, revoked.ID, "admin")
	mustDo(t, err)
	*now = testEpoch.Add(49 * time.Hour)
	return map[string]*octoinvite.Invitation{"expired": expired, "redeemed": redeemed, "revoked": revoked, "pending": pending, "pendingSystem": pendingSystem}
}

func TestStoreFindInvitations(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := testEpoch
		db.Now = func() time.Time { return now }
		lifecycleFixture(t, db, &now)
		all := octoinvite.Range{Take: 30}
		tests := []struct {
			name      string
			filter    octoinvite.InvitationFilter
			wantIDs   string
			wantTotal int
			wantErr   error
		}{
			{"OK_NewestFirst", octoinvite.InvitationFilter{Range: all}, "[5 4 3 2 1]", 5, nil},
			{"OK_Page", octoinvite.InvitationFilter{Range: octoinvite.Range{Skip: 1, Take: 2}}, "[4 3]", 5, nil},
			{"OK_Pending", octoinvite.InvitationFilter{States: []string{"pending"}, Range: all}, "[5 4]", 2, nil},
			{"OK_Redeemed", octoinvite.InvitationFilter{States: []string{"Redeemed"}, Range: all}, "[2]", 1, nil},
			{"OK_ExpiredOrRevoked", octoinvite.InvitationFilter{States: []string{"Expired", "REVOKED"}, Range: all}, "[3 1]", 2, nil},
			{"OK_Team", octoinvite.InvitationFilter{TeamIDs: []string{"teams-1"}, Range: all}, "[4 2]", 2, nil},
			{"OK_TeamAndState", octoinvite.InvitationFilter{TeamIDs: []string{"Teams-1", "teams-administrators"}, States: []string{"Pending"}, Range: all}, "[5 4]", 2, nil},
			{"OK_Space", octoinvite.InvitationFilter{SpaceID: ptr("Spaces-1"), Range: all}, "[4 3 2]", 3, nil},
			{"OK_IDs", octoinvite.InvitationFilter{IDs: []string{"invitations-1", "Invitations-5", "bogus"}, Range: all}, "[5 1]", 2, nil},
			{"OK_MalformedTeamMatchesNothing", octoinvite.InvitationFilter{TeamIDs: []string{"Developers"}, Range: all}, "[]", 0, nil},
			{"ErrUnknownState", octoinvite.InvitationFilter{States: []string{"Lost"}, Range: all}, "[]", 0,
				octoinvite.Invalid("The state 'Lost' is not one of Pending, Redeemed, Expired, Revoked.")},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := db.FindInvitations(ctx, tc.filter)
				if !sameError(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				ids := []int{}
				for _, inv := range page.Items {
					ids = append(ids, idNumber(inv.ID))
				}
				if got := fmt.Sprint(ids); got != tc.wantIDs || page.Total != tc.wantTotal {
					t.Errorf("got %s of %d, want %s of %d", got, page.Total, tc.wantIDs, tc.wantTotal)
				}
			})
		}
		t.Run("ItemsAreWhole", func(t *testing.T) {
			page, err := db.FindInvitations(ctx, octoinvite.InvitationFilter{Range: all})
			mustDo(t, err)
			for _, inv := range page.Items {
				one, err := db.FindInvitationByID(ctx, inv.ID)
				mustDo(t, err)
				if !reflect.DeepEqual(inv, one) {
					t.Errorf("listed %+v, loaded %+v", inv, one)
				}
			}
		})
		t.Run("CountByState", func(t *testing.T) {
			counts, err := db.CountInvitationsByState(ctx)
			mustDo(t, err)
			want := map[string]int{"Pending": 2, "Redeemed": 1, "Expired": 1, "Revoked": 1}
			if !reflect.DeepEqual(counts, want) {
				t.Errorf("got %v, want %v", counts, want)
			}
		})
	})
}

// TestStorePurgeInvitations purges closed invitations after the retention: each at the time
// it closed (expiry, revocation, last redemption) plus the retention, never a pending one.
func TestStorePurgeInvitations(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		location := b.fresh(t)
		db := openStore(t, b, location, testKey)
		now := testEpoch
		db.Now = func() time.Time { return now }
		fixture := lifecycleFixture(t, db, &now)
		remaining := func() string {
			t.Helper()
			page, err := db.FindInvitations(ctx, octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 30}})
			mustDo(t, err)
			ids := []int{}
			for _, inv := range page.Items {
				ids = append(ids, idNumber(inv.ID))
			}
			return fmt.Sprint(ids)
		}
		// Invitation 1 expired at +48h; 2 was used up and 3 revoked at +2h; 4 and 5 are pending
		// until +50h.
		steps := []struct {
			at        time.Duration
			retention time.Duration
			purged    int
			remaining string
		}{
			{49 * time.Hour, 48 * time.Hour, 0, "[5 4 3 2 1]"},
			{50 * time.Hour, 48 * time.Hour, 2, "[5 4 1]"},
			{95 * time.Hour, 48 * time.Hour, 0, "[5 4 1]"},
			{96 * time.Hour, 48 * time.Hour, 1, "[5 4]"},
			{96 * time.Hour, 0, 2, "[]"},
		}
		for _, step := range steps {
			now = testEpoch.Add(step.at)
			n, err := db.PurgeInvitations(ctx, step.retention)
			mustDo(t, err)
			if got := remaining(); n != step.purged || got != step.remaining {
				t.Fatalf("at +%s with retention %s: purged %d leaving %s, want %d leaving %s",
					step.at, step.retention, n, got, step.purged, step.remaining)
			}
		}
		if _, err := db.FindInvitationByID(ctx, fixture["pending"].ID); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("got %v, want the purged invitation to be not found", err)
		}
		var teams int
		mustDo(t, db.view(ctx, func(tx *transaction) error {
			return tx.queryRow(ctx, `SELECT count(*) FROM invitation_teams`).Scan(&teams)
		}))
		if teams != 0 {
			t.Errorf("got %d invitation teams left, want 0", teams)
		}
	})
}

// TestStorePurgeConcurrent runs the purge from several store handles on one database at once,
// as several instances would: together they delete each closed invitation once.
func TestStorePurgeConcurrent(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		location := b.fresh(t)
		db := openStore(t, b, location, testKey)
		const closed = 1100 // more than two batches
		for range closed {
			newInvitation(t, db, nil, "teams-everyone")
		}
		later := testEpoch.Add(db.InvitationLifetime)
		const instances = 3
		counts := make([]int, instances)
		errs := make([]error, instances)
		var wg sync.WaitGroup
		for i := range instances {
			other := openStore(t, b, location, testKey)
			other.Now = func() time.Time { return later }
			wg.Go(func() { counts[i], errs[i] = other.PurgeInvitations(ctx, 0) })
		}
		wg.Wait()
		total := 0
		for i := range instances {
			mustDo(t, errs[i])
			total += counts[i]
		}
		if total != closed {
			t.Errorf("got %d purged in all, want %d", total, closed)
		}
	})
}

// TestStoreLifecycleEvents records a revocation (once, however often it is repeated), a
// regeneration and each purge batch in the audit log, in the change's own transaction; the
// code never appears in an event.
func TestStoreLifecycleEvents(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		now := testEpoch
		db.Now = func() time.Time { return now }
		admin, err := db.FindUserByID(context.Background(), octoinvite.AdminUserID)
		mustDo(t, err)
		ctx := octoinvite.NewContextWithRequestInfo(octoinvite.NewContextWithUser(context.Background(), admin),
			octoinvite.RequestInfo{IPAddress: "192.0.2.1", UserAgent: "octoinvite-cli", IdentityEstablishedWith: "API key"})
		revoked := newInvitation(t, db, ptr("Spaces-1"))           // Invitations-1
		regenerated := newInvitation(t, db, nil, "teams-everyone") // Invitations-2
		now = testEpoch.Add(time.Hour)
		_, _, err = db.RevokeInvitation(ctx, revoked.ID, "admin")
		mustDo(t, err)
		_, _, err = db.RevokeInvitation(ctx, revoked.ID, "admin")
		mustDo(t, err)
		fresh, err := db.RegenerateInvitation(ctx, regenerated.ID, "admin", time.Time{})
		mustDo(t, err)
		now = testEpoch.Add(100 * time.Hour)
		n, err := db.PurgeInvitations(context.Background(), 24*time.Hour)
		mustDo(t, err)
		if n != 2 {
			t.Fatalf("got %d purged, want 2", n)
		}

		page, err := db.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{"Invitations-1", "Invitations-2"}, Range: octoinvite.Range{Take: 10}})
		mustDo(t, err)
		at := func(d time.Duration) time.Time { return testEpoch.Add(d) }
		sameLines(t, lines(page.Items), []eventLine{
			{"Events-5", octoinvite.EventDeleted, octoinvite.SystemUserID, octoinvite.SystemUsername, "", "", "",
				"2 invitations closed more than 24h0m0s ago were purged: Invitations-1, Invitations-2", "",
				[]string{"Invitations-1", "Invitations-2"}, at(100 * time.Hour)},
			{"Events-4", octoinvite.EventModified, "Users-1", "admin", "API key", "octoinvite-cli", "192.0.2.1",
				"Invitation Invitations-2 was given a new code, valid until 2026-11-28T11:00:00.000+00:00", "",
				[]string{"Invitations-2"}, at(time.Hour)},
			{"Events-3", octoinvite.EventModified, "Users-1", "admin", "API key", "octoinvite-cli", "192.0.2.1",
				"Invitation Invitations-1 was revoked in space Spaces-1", "Spaces-1",
				[]string{"Invitations-1", "Spaces-1"}, at(time.Hour)},
			{"Events-2", octoinvite.EventCreated, octoinvite.SystemUserID, octoinvite.SystemUsername, "", "", "",
				"Invitation Invitations-2 was created to add a user to teams-everyone", "",
				[]string{"Invitations-2", "teams-everyone"}, at(0)},
			{"Events-1", octoinvite.EventCreated, octoinvite.SystemUserID, octoinvite.SystemUsername, "", "", "",
				"Invitation Invitations-1 was created to add a user to no team in space Spaces-1", "Spaces-1",
				[]string{"Invitations-1", "Spaces-1"}, at(0)},
		})
		for _, e := range page.Items {
			for _, code := range []string{revoked.InvitationCode, regenerated.InvitationCode, fresh.InvitationCode} {
				if strings.Contains(e.Message, code) {
					t.Errorf("event %s holds an invitation code", e.ID)
				}
			}
		}
	})
}

// TestStoreRevokeRacesRegistrations revokes a code while registrations use it: each
// registration either counted a use before the revocation or was refused as withdrawn, and the
// count of uses matches the users created.
func TestStoreRevokeRacesRegistrations(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin", MaxUses: 50}
		mustDo(t, db.CreateInvitation(ctx, inv))
		const n = 16
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = db.Register(ctx, registration(fmt.Sprintf("user%d", i), inv.InvitationCode)) })
			if i == n/2 {
				wg.Go(func() {
					if _, _, err := db.RevokeInvitation(ctx, inv.ID, "admin"); err != nil {
						t.Errorf("revoking: %v", err)
					}
				})
			}
		}
		wg.Wait()
		succeeded := countSucceeded(t, errs, octoinvite.ErrInvitationRevoked)
		got, err := db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		users, err := db.FindUsers(ctx, octoinvite.UserFilter{Range: octoinvite.Range{Take: 100}})
		mustDo(t, err)
		if got.State != octoinvite.StateRevoked || got.Uses != succeeded || users.Total != succeeded+1 {
			t.Errorf("got state %s, %d uses, %d users after %d registrations; want Revoked, the uses equal to the registrations, and one user more",
				got.State, got.Uses, users.Total, succeeded)
		}
	})
}
