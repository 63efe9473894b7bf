package sqldb

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// TestStoreInvitationStateRule holds every SQL form of the state rule (see invitationstate.go)
// to octoinvite.Invitation.StateAt, on each database, for invitations in every state and at
// every boundary: each row is stored as it is, then judged by StateAt and by each SQL form,
// and read through the store, whose answers must follow StateAt too.
func TestStoreInvitationStateRule(t *testing.T) {
	t.Parallel()
	now := testEpoch
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	tests := []struct {
		name            string
		uses, maxUses   int
		redeemed        *time.Time // the latest redemption
		revoked         *time.Time
		expires         time.Time
		wantState       string
		wantRedemption  error
		wantClosedSince *time.Time // when the invitation stopped being Pending, if it did
	}{
		{"PendingUnused", 0, 1, nil, nil, now.Add(48 * time.Hour), octoinvite.StatePending, nil, nil},
		{"PendingLastMillisecond", 0, 1, nil, nil, now.Add(time.Millisecond), octoinvite.StatePending, nil, nil},
		{"ExpiredExactlyNow", 0, 1, nil, nil, now, octoinvite.StateExpired, octoinvite.ErrInvitationExpired, at(0)},
		{"ExpiredLongAgo", 0, 1, nil, nil, now.Add(-40 * 24 * time.Hour), octoinvite.StateExpired, octoinvite.ErrInvitationExpired, at(-40 * 24 * time.Hour)},
		{"PendingOneUseLeft", 2, 3, at(-time.Hour), nil, now.Add(time.Hour), octoinvite.StatePending, nil, nil},
		{"RedeemedUsesEqualMax", 3, 3, at(-time.Hour), nil, now.Add(time.Hour), octoinvite.StateRedeemed, octoinvite.ErrInvitationUsed, at(-time.Hour)},
		{"RedeemedExactlyNow", 1, 1, at(0), nil, now.Add(time.Hour), octoinvite.StateRedeemed, octoinvite.ErrInvitationUsed, at(0)},
		{"RedeemedThenExpired", 1, 1, at(-50 * 24 * time.Hour), nil, now.Add(-40 * 24 * time.Hour), octoinvite.StateRedeemed, octoinvite.ErrInvitationUsed, at(-50 * 24 * time.Hour)},
		{"UsesAboveMax", 2, 1, at(-time.Hour), nil, now.Add(time.Hour), octoinvite.StateRedeemed, octoinvite.ErrInvitationUsed, at(-time.Hour)},
		{"RevokedUnused", 0, 1, nil, at(-time.Hour), now.Add(time.Hour), octoinvite.StateRevoked, octoinvite.ErrInvitationRevoked, at(-time.Hour)},
		{"RevokedExactlyNow", 0, 1, nil, at(0), now.Add(time.Hour), octoinvite.StateRevoked, octoinvite.ErrInvitationRevoked, at(0)},
		{"RevokedPartlyUsed", 1, 3, at(-2 * time.Hour), at(-time.Hour), now.Add(time.Hour), octoinvite.StateRevoked, octoinvite.ErrInvitationRevoked, at(-time.Hour)},
		{"RevokedAfterExpiry", 0, 1, nil, at(-time.Hour), now.Add(-2 * time.Hour), octoinvite.StateRevoked, octoinvite.ErrInvitationRevoked, at(-2 * time.Hour)},
		{"RevokedAndUsedUp", 1, 1, at(-2 * time.Hour), at(-time.Hour), now.Add(time.Hour), octoinvite.StateRedeemed, octoinvite.ErrInvitationUsed, at(-2 * time.Hour)},
		{"RevokedUsedUpAndExpired", 1, 1, at(-3 * time.Hour), at(-2 * time.Hour), now.Add(-time.Hour), octoinvite.StateRedeemed, octoinvite.ErrInvitationUsed, at(-3 * time.Hour)},
	}
	// The purge's form is asked about cutoffs around each boundary of the table.
	var cutoffs []time.Time
	for _, d := range []time.Duration{-50 * 24 * time.Hour, -40 * 24 * time.Hour, -3 * time.Hour, -2 * time.Hour, -time.Hour, 0} {
		cutoffs = append(cutoffs, now.Add(d-time.Millisecond), now.Add(d))
	}
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				inv := &octoinvite.Invitation{ID: fmt.Sprintf("Invitations-%d", i+1), Uses: tc.uses, MaxUses: tc.maxUses, Expires: octoinvite.NewTime(tc.expires)}
				if tc.revoked != nil {
					revoked := octoinvite.NewTime(*tc.revoked)
					inv.RevokedOn = &revoked
				}
				code := fmt.Sprintf("state-rule-code-%d", i)
				mustDo(t, db.update(ctx, func(tx *transaction) error {
					sealed, err := db.seal(sealContext(inv.ID), code)
					if err != nil {
						return err
					}
					_, err = tx.exec(ctx, `INSERT INTO invitations (id, seq, code_digest, code_sealed, expires, last_modified_on, last_modified_by,
						created_on, max_uses, uses, redeemed_on, revoked_on) VALUES (?, ?, ?, ?, ?, ?, 'admin', ?, ?, ?, ?, ?)`,
						inv.ID, i+1, octoinvite.Digest(code), sealed, tc.expires.UnixMilli(), now.UnixMilli(), now.UnixMilli(),
						tc.maxUses, tc.uses, unixMillisOrNil(tc.redeemed), unixMillisOrNil(tc.revoked))
					return err
				}))

				// Go: the rule and the error of each state.
				state := inv.StateAt(now)
				if state != tc.wantState || octoinvite.RedemptionError(state) != tc.wantRedemption {
					t.Errorf("StateAt: got %s, redemption error %v; want %s, %v", state, octoinvite.RedemptionError(state), tc.wantState, tc.wantRedemption)
				}
				// SQL: each form, at now.
				var sqlStateNow string
				var redeemable, open bool
				mustDo(t, db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+sqlState+`, `+holds(sqlRedeemable)+`, `+holds(sqlOpen)+`
					FROM invitations WHERE id = ?`), now.UnixMilli(), now.UnixMilli(), inv.ID).Scan(&sqlStateNow, &redeemable, &open))
				if sqlStateNow != state {
					t.Errorf("sqlState: got %s, want %s as StateAt", sqlStateNow, state)
				}
				if want := state == octoinvite.StatePending; redeemable != want {
					t.Errorf("sqlRedeemable: got %v, want %v for %s", redeemable, want, state)
				}
				if want := state == octoinvite.StatePending || state == octoinvite.StateExpired; open != want {
					t.Errorf("sqlOpen: got %v, want %v for %s", open, want, state)
				}
				// The filter's form, for every set of states.
				for set := 1; set < 1<<len(octoinvite.InvitationStates); set++ {
					var states []string
					for k, s := range octoinvite.InvitationStates {
						if set&(1<<k) != 0 {
							states = append(states, s)
						}
					}
					cond, args := stateCondition(states, now.UnixMilli())
					var in bool
					mustDo(t, db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+holds(cond)+` FROM invitations i WHERE i.id = ?`),
						append(args, inv.ID)...).Scan(&in))
					if want := slices.Contains(states, state); in != want {
						t.Errorf("stateCondition(%v): got %v, want %v for %s", states, in, want, state)
					}
				}
				for _, cutoff := range cutoffs {
					var closed bool
					c := cutoff.UnixMilli()
					mustDo(t, db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+holds(sqlClosedBefore)+` FROM invitations WHERE id = ?`),
						c, c, c, inv.ID).Scan(&closed))
					if want := stateAsItStood(inv, tc.redeemed, cutoff) != octoinvite.StatePending; closed != want {
						t.Errorf("sqlClosedBefore(%s): got %v, want %v", cutoff.Format(time.RFC3339Nano), closed, want)
					}
					if want := tc.wantClosedSince != nil && !tc.wantClosedSince.After(cutoff); closed != want {
						t.Errorf("sqlClosedBefore(%s): got %v, want %v, the invitation being closed since %v", cutoff.Format(time.RFC3339Nano), closed, want, tc.wantClosedSince)
					}
				}

				// The store's answers: the state it reads, the redemption it refuses.
				found, err := db.FindInvitationByID(ctx, inv.ID)
				mustDo(t, err)
				if found.State != tc.wantState {
					t.Errorf("FindInvitationByID: got state %s, want %s", found.State, tc.wantState)
				}
				if _, err := db.PreviewInvitation(ctx, code); err != tc.wantRedemption {
					t.Errorf("PreviewInvitation: got %v, want %v", err, tc.wantRedemption)
				}
			})
		}
	})
}

// stateAsItStood returns, by StateAt, the state of inv at cutoff as it stood then: a revocation
// or a redemption (the latest, redeemed) made after cutoff had not happened yet.
func stateAsItStood(inv *octoinvite.Invitation, redeemed *time.Time, cutoff time.Time) string {
	then := *inv
	if then.RevokedOn != nil && then.RevokedOn.After(cutoff) {
		then.RevokedOn = nil
	}
	if redeemed == nil || redeemed.After(cutoff) {
		// The latest redemption had not happened, so the invitation was not used up.
		then.Uses = min(then.Uses, then.MaxUses-1)
	}
	return then.StateAt(cutoff)
}

// holds turns a condition into a column that is true where it holds, false where it is false
// or unknown (NULL), as a WHERE clause reads it.
func holds(cond string) string { return `CASE WHEN ` + cond + ` THEN 1 ELSE 0 END` }

func unixMillisOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}
