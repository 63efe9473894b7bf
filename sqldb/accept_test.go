package sqldb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// TestStoreAcceptInvitation redeems codes for existing users: the user joins the teams they were
// not in, one use is taken, the redemption is audited as a registration's is, and a code that
// cannot be redeemed, or would add nothing, changes nothing.
func TestStoreAcceptInvitation(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		devs := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1")}
		mustDo(t, db.CreateTeam(ctx, devs))
		ops := &octoinvite.Team{Name: "Operations", SpaceID: ptr("Spaces-1")}
		mustDo(t, db.CreateTeam(ctx, ops))
		jane, err := db.Register(ctx, registration("jane", newInvitation(t, db, ptr("Spaces-1"), devs.ID).InvitationCode))
		mustDo(t, err)

		inv := &octoinvite.Invitation{AddToTeamIDs: []string{devs.ID, ops.ID}, SpaceID: ptr("Spaces-1"), LastModifiedBy: "admin", MaxUses: 2}
		mustDo(t, db.CreateInvitation(ctx, inv))
		got, err := db.AcceptInvitation(ctx, "users-2", inv.InvitationCode)
		mustDo(t, err)
		want := &octoinvite.InvitationAcceptance{UserID: jane.ID, InvitationID: inv.ID, SpaceID: ptr("Spaces-1"), AddedToTeamIDs: []string{ops.ID}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		team, err := db.FindTeamByID(ctx, ops.ID)
		mustDo(t, err)
		if fmt.Sprint(team.MemberUserIDs) != "["+jane.ID+"]" {
			t.Errorf("got %s members %v, want [%s]", ops.ID, team.MemberUserIDs, jane.ID)
		}
		stored, err := db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		if stored.Uses != 1 || stored.RedeemedBy == nil || *stored.RedeemedBy != jane.ID || stored.State != octoinvite.StatePending {
			t.Errorf("got uses %d by %v, %s; want 1 by %s, still Pending", stored.Uses, stored.RedeemedBy, stored.State, jane.ID)
		}
		events, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{inv.ID}, Range: octoinvite.Range{Take: 1}})
		mustDo(t, err)
		if e := events.Items[0]; e.Message != fmt.Sprintf("Invitation %s was redeemed by %s (jane)", inv.ID, jane.ID) || e.UserID != jane.ID ||
			e.Category != octoinvite.EventModified || fmt.Sprint(e.RelatedDocumentIDs) != fmt.Sprintf("[%s %s]", inv.ID, jane.ID) {
			t.Errorf("got the latest event %+v, want the redemption by jane", e)
		}

		revoked := newInvitation(t, db, ptr("Spaces-1"), ops.ID)
		_, _, err = db.RevokeInvitation(ctx, revoked.ID, "admin")
		mustDo(t, err)
		tests := []struct {
			name, userID, code string
			want               error
		}{
			{"ErrNothingToJoin", jane.ID, inv.InvitationCode, octoinvite.ErrNothingToJoin},
			{"ErrRevoked", octoinvite.AdminUserID, revoked.InvitationCode, octoinvite.ErrInvitationRevoked},
			{"ErrUnknownCode", octoinvite.AdminUserID, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", octoinvite.ErrInvitationUnknown},
			{"ErrMalformedCode", octoinvite.AdminUserID, "not a code", octoinvite.ErrInvitationUnknown},
			{"ErrUnknownUser", "Users-99", inv.InvitationCode, octoinvite.NotFound("Users-99")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := db.AcceptInvitation(ctx, tt.userID, tt.code); !sameError(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
			})
		}
		stored, err = db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		if stored.Uses != 1 {
			t.Errorf("after refused acceptances: got %d uses, want 1", stored.Uses)
		}

		t.Run("FailureHalfway", func(t *testing.T) {
			injected := errors.New("injected failure")
			db.registerHook = func(context.Context, *transaction) error { return injected }
			defer func() { db.registerHook = nil }()
			if _, err := db.AcceptInvitation(ctx, octoinvite.AdminUserID, inv.InvitationCode); !errors.Is(err, injected) {
				t.Fatalf("got %v, want the injected failure", err)
			}
			stored, err := db.FindInvitationByID(ctx, inv.ID)
			mustDo(t, err)
			team, err := db.FindTeamByID(ctx, devs.ID)
			mustDo(t, err)
			if stored.Uses != 1 || len(team.MemberUserIDs) != 1 {
				t.Errorf("got %d uses and members %v, want 1 and only jane", stored.Uses, team.MemberUserIDs)
			}
		})
	})
}

// TestStoreAcceptRacesRegistration has existing users accept and new users register with the
// last use of one code at once: exactly one of them wins it.
func TestStoreAcceptRacesRegistration(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		team := &octoinvite.Team{Name: "Developers", SpaceID: ptr("Spaces-1")}
		mustDo(t, db.CreateTeam(ctx, team))
		const existing = 6
		userIDs := make([]string, existing)
		for i := range existing {
			u := &octoinvite.User{Username: fmt.Sprintf("member%d", i), DisplayName: "Member"}
			mustDo(t, db.CreateUser(ctx, u))
			userIDs[i] = u.ID
		}
		inv := newInvitation(t, db, ptr("Spaces-1"), team.ID)
		errs := make([]error, 2*existing)
		var wg sync.WaitGroup
		for i := range existing {
			wg.Go(func() { _, errs[i] = db.AcceptInvitation(ctx, userIDs[i], inv.InvitationCode) })
			wg.Go(func() {
				_, errs[existing+i] = db.Register(ctx, registration(fmt.Sprintf("newcomer%d", i), inv.InvitationCode))
			})
		}
		wg.Wait()
		if n := countSucceeded(t, errs, octoinvite.ErrInvitationUsed); n != 1 {
			t.Fatalf("got %d redemptions, want 1", n)
		}
		got, err := db.FindTeamByID(ctx, team.ID)
		mustDo(t, err)
		stored, err := db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		users, err := db.FindUsers(ctx, octoinvite.UserFilter{Range: octoinvite.Range{Take: 100}})
		mustDo(t, err)
		newUsers := users.Total - 1 - existing
		if len(got.MemberUserIDs) != 1 || stored.Uses != 1 || stored.RedeemedBy == nil || *stored.RedeemedBy != got.MemberUserIDs[0] || newUsers > 1 {
			t.Errorf("got members %v, %d uses redeemed by %v and %d new users; want the one winner alone in each", got.MemberUserIDs, stored.Uses, stored.RedeemedBy, newUsers)
		}
	})
}
