package sqldb

import (
	"context"
	"fmt"

	"github.com/octoinvite/octoinvite"
)

// seedBatch is how many invitations SeedInvitations writes per transaction: large enough that
// the commit's fsync is paid rarely, small enough that the write lock is released now and then.
const seedBatch = 50_000

// SeedInvitations stores n new invitations like template (its space, teams and author), each with
// its own code, digested and sealed, its ID from the counter and the configured number of uses,
// as CreateInvitation stores one, but many per transaction and without an audit event each. It is for loading a store with realistic data in bulk
// (the benchmark); it does not check that the space and teams exist, and a foreign key error
// (or any store error) is returned as it comes.
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
	var last int64
	err := tx.queryRow(ctx, `INSERT INTO counters (kind, value) VALUES (?, ?)
		ON CONFLICT (kind) DO UPDATE SET value = counters.value + ? RETURNING value`,
		octoinvite.KindInvitation, n, n).Scan(&last)
	if err != nil {
		return fmt.Errorf("allocating %d invitation IDs: %w", n, err)
	}
	insertInvitation, err := tx.tx.PrepareContext(ctx, tx.db.dialect.rebind(`INSERT INTO invitations
		(id, seq, space_id, code_digest, code_sealed, expires, last_modified_on, last_modified_by, created_on, max_uses)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return err
	}
	defer insertInvitation.Close()
	insertTeam, err := tx.tx.PrepareContext(ctx, tx.db.dialect.rebind(`INSERT INTO invitation_teams (invitation_id, position, team_id) VALUES (?, ?, ?)`))
	if err != nil {
		return err
	}
	defer insertTeam.Close()
	now := tx.now.UnixMilli()
	expires := tx.now.Add(tx.db.InvitationLifetime).UnixMilli()
	for seq := last - int64(n) + 1; seq <= last; seq++ {
		id := octoinvite.FormatID(octoinvite.KindInvitation, seq)
		code, err := octoinvite.NewInvitationCode(tx.db.Rand)
		if err != nil {
			return err
		}
		sealed, err := tx.db.seal(sealContext(id), code)
		if err != nil {
			return err
		}
		if _, err := insertInvitation.ExecContext(ctx, id, seq, nullString(template.SpaceID), octoinvite.Digest(code), sealed,
			expires, now, template.LastModifiedBy, now, tx.db.maxUses()); err != nil {
			return err
		}
		for i, team := range template.AddToTeamIDs {
			if _, err := insertTeam.ExecContext(ctx, id, i, team); err != nil {
				return err
			}
		}
	}
	return nil
}
