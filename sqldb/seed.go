package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// seedBatch is how many invitations SeedInvitations writes per transaction: large enough that
// the commit's fsync is paid rarely, small enough that the write lock is released now and then
// and that a transaction ends well within PostgreSQL's transaction timeout (postgresTxTimeout)
// on a loaded machine.
const seedBatch = 5_000

// seedEventBatch is how many invitations one event of SeedInvitations records, as the purge
// records one event per batch it deletes.
const seedEventBatch = 500

// SeedInvitations stores n new invitations like template (its space, teams and author), each with
// its own code, digested and sealed, its ID from the counter and the configured number of uses,
// as CreateInvitation stores one, and records their creation in the audit log: one event, by
// the context's user, per 500 invitations, naming each of them. It writes many invitations per
// statement and per transaction, for loading a store with data in bulk (the benchmark). It does
// not check that the space and teams exist: a foreign key error (or any store error) is returned
// as it comes.
func (db *DB) SeedInvitations(ctx context.Context, n int, template octoinvite.Invitation) (err error) {
	defer wrap(&err, "SeedInvitations(%d)", n)
	if err := template.NormalizeTeamIDs(); err != nil {
		return err
	}
	for done := 0; done < n; {
		batch := min(seedBatch, n-done)
		if err := db.update(ctx, func(tx *transaction) error {
			tx.changesInvitations()
			return tx.seedInvitations(ctx, batch, &template)
		}); err != nil {
			return err
		}
		done += batch
	}
	return nil
}

func (tx *transaction) seedInvitations(ctx context.Context, n int, template *octoinvite.Invitation) error {
	last, err := tx.allocate(ctx, octoinvite.KindInvitation, n)
	if err != nil {
		return err
	}
	now := tx.now.UnixMilli()
	expires := tx.now.Add(tx.db.InvitationLifetime).UnixMilli()
	for first := last - int64(n) + 1; first <= last; first += seedEventBatch {
		count := min(seedEventBatch, int(last-first+1))
		ids := make([]string, 0, count)
		invitations := make([]any, 0, 10*count)
		teams := make([]any, 0, 3*count*len(template.AddToTeamIDs))
		for seq := first; seq < first+int64(count); seq++ {
			id := octoinvite.FormatID(octoinvite.KindInvitation, seq)
			code, err := octoinvite.NewInvitationCode(tx.db.Rand)
			if err != nil {
				return err
			}
			sealed, err := tx.db.seal(sealContext(id), code)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			invitations = append(invitations, id, seq, nullString(template.SpaceID), octoinvite.Digest(code), sealed,
				expires, now, template.LastModifiedBy, now, tx.db.maxUses())
			for i, team := range template.AddToTeamIDs {
				teams = append(teams, id, i, team)
			}
		}
		if err := tx.insertRows(ctx, "invitations",
			"id, seq, space_id, code_digest, code_sealed, expires, last_modified_on, last_modified_by, created_on, max_uses", invitations); err != nil {
			return err
		}
		if err := tx.insertRows(ctx, "invitation_teams", "invitation_id, position, team_id", teams); err != nil {
			return err
		}
		if err := tx.recordEvent(ctx, seedEvent(ids, template)); err != nil {
			return err
		}
	}
	return nil
}

// seedEvent is the event of the creation of the invitations of ids from template: it names
// each invitation, as well as the teams and the space, as the event of CreateInvitation does.
func seedEvent(ids []string, template *octoinvite.Invitation) *octoinvite.Event {
	teams := "no team"
	if len(template.AddToTeamIDs) > 0 {
		teams = strings.Join(template.AddToTeamIDs, ", ")
	}
	message := fmt.Sprintf("%d invitations were created in bulk to add a user to %s", len(ids), teams)
	if len(ids) == 1 {
		message = "1 invitation was created in bulk to add a user to " + teams
	}
	related := append(append([]string{}, ids...), template.AddToTeamIDs...)
	if template.SpaceID != nil {
		message += " in space " + *template.SpaceID
		related = append(related, *template.SpaceID)
	}
	return &octoinvite.Event{Category: octoinvite.EventCreated, SpaceID: template.SpaceID, RelatedDocumentIDs: related,
		Message: message + ": " + strings.Join(ids, ", ")}
}
