package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/octoinvite/octoinvite"
)

// seedEventsBatch is how many events SeedEvents writes per transaction: a few hundred
// thousand rows with their documents, well within PostgreSQL's transaction timeout
// (postgresTxTimeout) on a loaded machine.
const seedEventsBatch = 20_000

// SeedInvitationsFrom stores n new invitations in bulk, for loading a store with data of every
// kind (the benchmark of lists at scale). The i-th (from 0) is what next makes of a zero
// Invitation: its SpaceID, AddToTeamIDs (a set of canonical IDs), Expires, LastModifiedOn (also its creation time),
// LastModifiedBy, MaxUses (1 when 0), Uses, RedeemedOn, RedeemedBy, RevokedOn and RevokedBy.
// Each gets its own code, digested and sealed, and its ID from the counter, in the order of i.
// Unlike SeedInvitations it records no event (see SeedEvents) and checks nothing: not the
// space and teams, not the bounds of the expiry and of the uses. A foreign key error (or any
// store error) is returned as it comes.
func (db *DB) SeedInvitationsFrom(ctx context.Context, n int, next func(i int, inv *octoinvite.Invitation)) (err error) {
	defer wrap(&err, "SeedInvitationsFrom(%d)", n)
	for done := 0; done < n; {
		batch := min(seedBatch, n-done)
		if err := db.update(ctx, func(tx *transaction) error {
			tx.changesInvitations()
			last, err := tx.allocate(ctx, octoinvite.KindInvitation, batch)
			if err != nil {
				return err
			}
			invitations := make([]any, 0, 15*batch)
			var teams []any
			for k := range batch {
				seq := last - int64(batch) + 1 + int64(k)
				id := octoinvite.FormatID(octoinvite.KindInvitation, seq)
				var inv octoinvite.Invitation
				next(done+k, &inv)
				code, err := octoinvite.NewInvitationCode(tx.db.Rand)
				if err != nil {
					return err
				}
				sealed, err := tx.db.seal(sealContext(id), code)
				if err != nil {
					return err
				}
				maxUses := max(inv.MaxUses, 1)
				created := inv.LastModifiedOn.UnixMilli()
				invitations = append(invitations, id, seq, nullString(inv.SpaceID), octoinvite.Digest(code), sealed,
					inv.Expires.UnixMilli(), created, inv.LastModifiedBy, created, maxUses, inv.Uses,
					millisOrNull(inv.RedeemedOn), nullString(inv.RedeemedBy), millisOrNull(inv.RevokedOn), nullString(inv.RevokedBy))
				for position, team := range inv.AddToTeamIDs {
					teams = append(teams, id, position, team)
				}
			}
			if err := tx.insertRows(ctx, "invitations", "id, seq, space_id, code_digest, code_sealed, expires, last_modified_on, last_modified_by, "+
				"created_on, max_uses, uses, redeemed_on, redeemed_by, revoked_on, revoked_by", invitations); err != nil {
				return err
			}
			return tx.insertRows(ctx, "invitation_teams", "invitation_id, position, team_id", teams)
		}); err != nil {
			return err
		}
		done += batch
	}
	return nil
}

// SeedEvents records n events in bulk in the audit log, for loading a store with data (the
// benchmark of lists at scale). The i-th (from 0) is what next makes of a zero Event: its
// Category, UserID, Username, IsService is ignored, Occurred, Message, SpaceID and
// RelatedDocumentIDs; the store gives it its ID from the counter, in the order of i. Nothing
// is checked. On PostgreSQL each batch is written by COPY, in a transaction of its own.
func (db *DB) SeedEvents(ctx context.Context, n int, next func(i int, e *octoinvite.Event)) (err error) {
	defer wrap(&err, "SeedEvents(%d)", n)
	for done := 0; done < n; {
		batch := min(seedEventsBatch, n-done)
		var events, docs [][]any
		fill := func(last int64) {
			events, docs = make([][]any, 0, batch), make([][]any, 0, 3*batch)
			for k := range batch {
				seq := last - int64(batch) + 1 + int64(k)
				id := octoinvite.FormatID(octoinvite.KindEvent, seq)
				var e octoinvite.Event
				next(done+k, &e)
				var space any // NULL
				if e.SpaceID != nil {
					space = *e.SpaceID
				}
				events = append(events, []any{id, seq, e.Category, e.UserID, e.Username, e.IdentityEstablishedWith, e.UserAgent,
					e.IPAddress, e.Occurred.UnixMilli(), e.Message, space})
				for position, doc := range e.RelatedDocumentIDs {
					docs = append(docs, []any{id, int32(position), doc, seq})
				}
			}
		}
		var err error
		if db.pgPool != nil {
			err = db.copyEvents(ctx, batch, fill, &events, &docs)
		} else {
			err = db.update(ctx, func(tx *transaction) error {
				tx.keepsCachedReads()
				tx.changesInvitations()
				last, err := tx.allocate(ctx, octoinvite.KindEvent, batch)
				if err != nil {
					return err
				}
				fill(last)
				if err := tx.insertRows(ctx, "events", eventColumns, slices.Concat(events...)); err != nil {
					return err
				}
				return tx.insertRows(ctx, "event_documents", eventDocumentColumns, slices.Concat(docs...))
			})
		}
		if err != nil {
			return err
		}
		done += batch
	}
	return nil
}

// eventColumns are the columns of an event, as SeedEvents writes them.
const eventColumns = "id, seq, category, user_id, username, identity, user_agent, ip_address, occurred, message, space_id"

// copyEvents writes a batch of SeedEvents on PostgreSQL, by COPY, many times faster than
// INSERT: fill, given the last number allocated, fills events and docs.
func (db *DB) copyEvents(ctx context.Context, batch int, fill func(last int64), events, docs *[][]any) error {
	tx, err := db.pgPool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after a commit, a no-op
	var last int64
	if err := tx.QueryRow(ctx, db.dialect.rebind(allocateIDs), octoinvite.KindEvent, batch, batch).Scan(&last); err != nil {
		return fmt.Errorf("allocating %d IDs of %s: %w", batch, octoinvite.KindEvent, err)
	}
	fill(last)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, strings.Split(eventColumns, ", "), pgx.CopyFromRows(*events)); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"event_documents"}, strings.Split(eventDocumentColumns, ", "), pgx.CopyFromRows(*docs)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// millisOrNull is the Unix milliseconds of t, or NULL for nil.
func millisOrNull(t *octoinvite.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}
