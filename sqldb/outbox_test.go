package sqldb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// emailStore returns a store of each backend that sends email, its clock settable.
func forEachEmailStore(t *testing.T, fn func(t *testing.T, db *DB, clock *testClock)) {
	forEachStore(t, func(t *testing.T, db *DB) {
		clock := &testClock{now: testEpoch}
		db.Now = clock.Now
		db.Email = &EmailSettings{MessageIDDomain: "example.org", NotifyInviter: true}
		fn(t, db, clock)
	})
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func emailedInvitation(t *testing.T, db *DB, address string) *octoinvite.Invitation {
	t.Helper()
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, SpaceID: ptr("Spaces-1"), LastModifiedBy: "admin", EmailAddress: address}
	mustDo(t, db.CreateInvitation(context.Background(), inv))
	return inv
}

func TestOutbox_ClaimLeaseAndOutcome(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		inv := emailedInvitation(t, db, "jane@example.org")
		wantID := fmt.Sprintf("messages-1.%s@example.org", db.InstallationID())
		if inv.Delivery == nil || inv.Delivery.MessageID != wantID || inv.Delivery.State != octoinvite.DeliveryQueued {
			t.Fatalf("created: %+v, want queued with Message-ID %s", inv.Delivery, wantID)
		}
		select {
		case <-db.EmailQueued():
		default:
			t.Error("no signal after a commit that queued an email")
		}

		msgs, err := db.ClaimEmails(ctx, "a", time.Minute, 10)
		mustDo(t, err)
		want := []*octoinvite.OutboxMessage{{ID: "Messages-1", Kind: octoinvite.EmailInvitation, InvitationID: inv.ID,
			Recipient: "jane@example.org", MessageID: wantID, Attempts: 1, Created: testEpoch, Owner: "a"}}
		if !reflect.DeepEqual(msgs, want) {
			t.Fatalf("claimed %s, want %s", dump(msgs), dump(want))
		}
		// Held by the lease: another claim finds nothing until it ends.
		if other, err := db.ClaimEmails(ctx, "b", time.Minute, 10); err != nil || len(other) != 0 {
			t.Fatalf("a second claim during the lease: %s, %v; want none", dump(other), err)
		}
		clock.Advance(time.Minute)
		taken, err := db.ClaimEmails(ctx, "b", time.Minute, 10)
		mustDo(t, err)
		if len(taken) != 1 || taken[0].Attempts != 2 || taken[0].Owner != "b" {
			t.Fatalf("a claim after the lease: %s, want the message at its 2nd attempt", dump(taken))
		}
		// The first claim lost the message: its outcome is not recorded.
		if held, err := db.RecordEmailOutcome(ctx, msgs[0], nil, time.Time{}); err != nil || held {
			t.Fatalf("outcome of a lost claim: held %v, %v; want false", held, err)
		}
		retry := clock.Now().Add(30 * time.Second)
		if held, err := db.RecordEmailOutcome(ctx, taken[0], errors.New("421 4.3.2 busy"), retry); err != nil || !held {
			t.Fatalf("outcome of a retry: held %v, %v", held, err)
		}
		got, err := db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		attempt, next := octoinvite.NewTime(testEpoch.Add(time.Minute)), octoinvite.NewTime(retry)
		wantDelivery := &octoinvite.Delivery{State: octoinvite.DeliveryQueued, Attempts: 2, LastAttemptOn: &attempt, NextAttemptOn: &next,
			LastError: "421 4.3.2 busy", MessageID: wantID}
		if !reflect.DeepEqual(got.Delivery, wantDelivery) {
			t.Errorf("delivery waiting for a retry: got %+v, want %+v", got.Delivery, wantDelivery)
		}
		if early, _ := db.ClaimEmails(ctx, "c", time.Minute, 10); len(early) != 0 {
			t.Errorf("claimed before its retry: %s", dump(early))
		}
		clock.Advance(30 * time.Second)
		third, err := db.ClaimEmails(ctx, "c", time.Minute, 10)
		mustDo(t, err)
		if len(third) != 1 {
			t.Fatalf("claimed at its retry: %s, want the message", dump(third))
		}
		held, err := db.RecordEmailOutcome(ctx, third[0], nil, time.Time{})
		if err != nil || !held {
			t.Fatalf("outcome sent: held %v, %v", held, err)
		}
		got, err = db.FindInvitationByID(ctx, inv.ID)
		mustDo(t, err)
		sentOn := octoinvite.NewTime(clock.Now())
		wantDelivery = &octoinvite.Delivery{State: octoinvite.DeliverySent, Attempts: 3, SentOn: &sentOn, LastAttemptOn: &sentOn, MessageID: wantID}
		if !reflect.DeepEqual(got.Delivery, wantDelivery) {
			t.Errorf("delivery sent: got %+v, want %+v", got.Delivery, wantDelivery)
		}
		stats, err := db.EmailOutboxStats(ctx)
		mustDo(t, err)
		if stats != (octoinvite.OutboxStats{}) {
			t.Errorf("stats with nothing queued: %+v", stats)
		}
	})
}

func TestOutbox_FailedCancelledAndStats(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		refused := emailedInvitation(t, db, "nobody@example.org")
		revoked := emailedInvitation(t, db, "late@example.org")
		clock.Advance(time.Minute)
		waiting := emailedInvitation(t, db, "waiting@example.org")
		stats, err := db.EmailOutboxStats(ctx)
		mustDo(t, err)
		if want := (octoinvite.OutboxStats{Queued: 3, OldestAge: time.Minute}); stats != want {
			t.Errorf("stats: got %+v, want %+v", stats, want)
		}
		_, _, err = db.RevokeInvitation(ctx, revoked.ID, "admin")
		mustDo(t, err)
		msgs, err := db.ClaimEmails(ctx, "a", time.Minute, 2)
		mustDo(t, err)
		if len(msgs) != 2 || msgs[0].InvitationID != refused.ID || msgs[1].InvitationID != revoked.ID {
			t.Fatalf("claimed %s, want the two oldest", dump(msgs))
		}
		if _, err := db.ComposeEmail(ctx, msgs[1]); !errors.Is(err, octoinvite.ErrEmailObsolete) {
			t.Errorf("composing the revoked invitation's email: %v, want ErrEmailObsolete", err)
		}
		e, err := db.ComposeEmail(ctx, msgs[0])
		mustDo(t, err)
		if e.To != "nobody@example.org" || e.Invitation.ID != refused.ID || e.InviterName != "admin" || e.SpaceName != "Default" || len(e.TeamNames) != 0 {
			t.Errorf("composed %+v", e)
		}
		_, err = db.RecordEmailOutcome(ctx, msgs[0], &octoinvite.PermanentEmailError{Reply: "550 5.1.1 no such\r\nuser"}, time.Time{})
		mustDo(t, err)
		_, err = db.RecordEmailOutcome(ctx, msgs[1], octoinvite.ErrEmailObsolete, time.Time{})
		mustDo(t, err)
		for _, c := range []struct {
			id, state, lastError string
		}{
			{refused.ID, octoinvite.DeliveryFailed, "550 5.1.1 no such user"},
			{revoked.ID, octoinvite.DeliveryCancelled, "Not sent: the invitation no longer needed it."},
			{waiting.ID, octoinvite.DeliveryQueued, ""},
		} {
			inv, err := db.FindInvitationByID(ctx, c.id)
			mustDo(t, err)
			if inv.Delivery.State != c.state || inv.Delivery.LastError != c.lastError {
				t.Errorf("%s: delivery %+v, want %s, %q", c.id, inv.Delivery, c.state, c.lastError)
			}
		}
		events, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{refused.ID}, Range: octoinvite.Range{Take: 1}})
		mustDo(t, err)
		want := fmt.Sprintf("The invitation email of %s to nobody@example.org failed after 1 attempts: 550 5.1.1 no such user in space Spaces-1", refused.ID)
		if e := events.Items[0]; e.Category != octoinvite.EventEmailFailed || e.Message != want || e.Username != octoinvite.SystemUsername {
			t.Errorf("event: %s %q by %s, want EmailFailed %q by system", e.Category, e.Message, e.Username, want)
		}
		stats, err = db.EmailOutboxStats(ctx)
		mustDo(t, err)
		if want := (octoinvite.OutboxStats{Queued: 1, OldestAge: 0}); stats != want {
			t.Errorf("stats: got %+v, want %+v", stats, want)
		}
	})
}

// TestOutbox_RegenerateReplacesMessage: a regeneration queues a message of the new code and
// cancels the one still queued; the purge takes an invitation's messages with it.
func TestOutbox_RegenerateReplacesMessage(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		inv := emailedInvitation(t, db, "jane@example.org")
		regenerated, err := db.RegenerateInvitation(ctx, inv.ID, "admin", time.Time{})
		mustDo(t, err)
		if regenerated.Delivery.MessageID == inv.Delivery.MessageID || regenerated.Delivery.State != octoinvite.DeliveryQueued {
			t.Fatalf("regenerated: %+v", regenerated.Delivery)
		}
		msgs, err := db.ClaimEmails(ctx, "a", time.Minute, 10)
		mustDo(t, err)
		if len(msgs) != 1 || msgs[0].MessageID != regenerated.Delivery.MessageID {
			t.Fatalf("claimed %s, want only the new message", dump(msgs))
		}
		e, err := db.ComposeEmail(ctx, msgs[0])
		mustDo(t, err)
		if e.Invitation.InvitationCode != regenerated.InvitationCode {
			t.Errorf("composed with code %q, want the new one", e.Invitation.InvitationCode)
		}
		_, _, err = db.RevokeInvitation(ctx, inv.ID, "admin")
		mustDo(t, err)
		clock.Advance(time.Hour)
		n, err := db.PurgeInvitations(ctx, time.Minute)
		mustDo(t, err)
		if n != 1 {
			t.Fatalf("purged %d, want 1", n)
		}
		var left int
		mustDo(t, db.read.QueryRow(`SELECT count(*) FROM outbox`).Scan(&left))
		if left != 0 {
			t.Errorf("%d messages left after the purge of their invitation", left)
		}
	})
}

// TestOutbox_ConcurrentClaimsShareMessages: claims racing on one store never take one message
// twice, and together take them all.
func TestOutbox_ConcurrentClaimsShareMessages(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		const n = 60
		for i := range n {
			emailedInvitation(t, db, fmt.Sprintf("user%d@example.org", i))
		}
		var mu sync.Mutex
		var claimed []string
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					msgs, err := db.ClaimEmails(ctx, fmt.Sprint("w", w), time.Hour, 4)
					if err != nil {
						t.Error(err)
						return
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						claimed = append(claimed, m.ID)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		sort.Strings(claimed)
		for i := 1; i < len(claimed); i++ {
			if claimed[i] == claimed[i-1] {
				t.Errorf("%s claimed twice", claimed[i])
			}
		}
		if len(claimed) != n {
			t.Errorf("claimed %d messages, want %d", len(claimed), n)
		}
	})
}

// TestOutbox_RegistrationTakesTheAddress: a registration with an invitation sent to an address
// takes that address, refuses another, and queues the news for the inviter.
func TestOutbox_RegistrationTakesTheAddress(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		inviter := &octoinvite.User{Username: "boss", DisplayName: "Boss", EmailAddress: "boss@example.org", IsActive: true}
		mustDo(t, db.CreateUser(ctx, inviter))
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "boss", EmailAddress: "Jane@Example.org"}
		mustDo(t, db.CreateInvitation(octoinvite.NewContextWithUser(ctx, inviter), inv))
		reg := &octoinvite.Registration{Username: "jane", DisplayName: "Jane", Password: "correct horse battery staple",
			EmailAddress: "eve@example.org", InvitationCode: inv.InvitationCode}
		if _, err := db.Register(ctx, reg); octoinvite.ErrorCode(err) != octoinvite.EINVALID {
			t.Fatalf("registering with another address: %v, want EINVALID", err)
		}
		reg.EmailAddress = "jane@example.ORG"
		user, err := db.Register(ctx, reg)
		mustDo(t, err)
		if user.EmailAddress != "Jane@Example.org" {
			t.Errorf("registered with %q, want the invitation's address", user.EmailAddress)
		}
		msgs, err := db.ClaimEmails(ctx, "a", time.Minute, 10)
		mustDo(t, err)
		if len(msgs) != 2 || msgs[1].Kind != octoinvite.EmailAccepted || msgs[1].Recipient != "boss@example.org" || msgs[1].UserID != user.ID {
			t.Fatalf("claimed %s, want the invitation and the news for boss", dump(msgs))
		}
		e, err := db.ComposeEmail(ctx, msgs[1])
		mustDo(t, err)
		if e.AcceptedBy == nil || e.AcceptedBy.Username != "jane" || e.InviterName != "Boss" {
			t.Errorf("the news: accepted by %+v, inviter %q", e.AcceptedBy, e.InviterName)
		}
	})
}

// TestOutbox_DeletedSpaceTakesMessages: deleting a space deletes its invitations with their
// messages.
func TestOutbox_DeletedSpaceTakesMessages(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		space := &octoinvite.Space{Name: "Doomed", TaskQueueStopped: true}
		mustDo(t, db.CreateSpace(ctx, space))
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, SpaceID: &space.ID, LastModifiedBy: "admin", EmailAddress: "jane@example.org"}
		mustDo(t, db.CreateInvitation(ctx, inv))
		mustDo(t, db.DeleteSpace(ctx, space.ID))
		var left int
		mustDo(t, db.read.QueryRow(`SELECT count(*) FROM outbox`).Scan(&left))
		if left != 0 {
			t.Errorf("%d messages left after their space was deleted", left)
		}
	})
}

// TestOutbox_AcceptanceTakesTheAddress: an existing user accepts an invitation sent to an
// address only with that address on their account, and the inviter is told.
func TestOutbox_AcceptanceTakesTheAddress(t *testing.T) {
	t.Parallel()
	forEachEmailStore(t, func(t *testing.T, db *DB, clock *testClock) {
		ctx := context.Background()
		inviter := &octoinvite.User{Username: "boss", DisplayName: "Boss", EmailAddress: "boss@example.org", IsActive: true}
		mustDo(t, db.CreateUser(ctx, inviter))
		team := &octoinvite.Team{Name: "Ops", SpaceID: ptr("Spaces-1")}
		mustDo(t, db.CreateTeam(ctx, team))
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{team.ID}, SpaceID: ptr("Spaces-1"), LastModifiedBy: "boss", EmailAddress: "Jane@Example.org"}
		mustDo(t, db.CreateInvitation(octoinvite.NewContextWithUser(ctx, inviter), inv))
		for _, u := range []*octoinvite.User{
			{Username: "eve", DisplayName: "Eve", EmailAddress: "eve@example.org", IsActive: true},
			{Username: "nomail", DisplayName: "No mail", IsActive: true},
		} {
			mustDo(t, db.CreateUser(ctx, u))
			_, err := db.AcceptInvitation(ctx, u.ID, inv.InvitationCode)
			if details := octoinvite.ErrorDetails(err); len(details) != 1 || !strings.HasPrefix(details[0], "This invitation was sent to Jane@Example.org, which is not your account's email address") {
				t.Errorf("%s accepting: got %v, want the address refused", u.Username, err)
			}
		}
		jane := &octoinvite.User{Username: "jane", DisplayName: "Jane", EmailAddress: "jane@example.ORG", IsActive: true}
		mustDo(t, db.CreateUser(ctx, jane))
		acceptance, err := db.AcceptInvitation(ctx, jane.ID, inv.InvitationCode)
		mustDo(t, err)
		if !reflect.DeepEqual(acceptance.AddedToTeamIDs, []string{team.ID}) {
			t.Errorf("jane joined %v, want %s", acceptance.AddedToTeamIDs, team.ID)
		}
		msgs, err := db.ClaimEmails(ctx, "a", time.Minute, 10)
		mustDo(t, err)
		if len(msgs) != 2 || msgs[1].Kind != octoinvite.EmailAccepted || msgs[1].Recipient != "boss@example.org" || msgs[1].UserID != jane.ID {
			t.Errorf("claimed %s, want the invitation and the news for boss", dump(msgs))
		}
	})
}
