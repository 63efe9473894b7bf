package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.InvitationService = (*DB)(nil)

// CreateInvitation stores a new invitation; see octoinvite.InvitationService.
func (db *DB) CreateInvitation(ctx context.Context, inv *octoinvite.Invitation) (err error) {
	defer wrap(&err, "CreateInvitation")
	if err := inv.NormalizeTeamIDs(); err != nil {
		return err
	}
	maxUses, err := octoinvite.InvitationMaxUses(inv.MaxUses, db.maxUses())
	if err != nil {
		return err
	}
	if err := db.checkInvitationEmail(inv, maxUses); err != nil {
		return err
	}
	code, err := octoinvite.NewInvitationCode(db.Rand)
	if err != nil {
		return err
	}
	// The space and the teams are checked before the write transaction, so that the checks do
	// not hold the one writer: a team never changes space, and should the space or a team be
	// deleted meanwhile, the foreign keys refuse the rows (errDeletedMeanwhile).
	if inv.SpaceID != nil {
		space, err := db.FindSpaceByID(ctx, *inv.SpaceID)
		if octoinvite.ErrorCode(err) == octoinvite.ENOTFOUND {
			return octoinvite.Invalid(fmt.Sprintf("The space '%s' does not exist.", octoinvite.Truncate(*inv.SpaceID, octoinvite.MaxIDLength)))
		} else if err != nil {
			return err
		}
		inv.SpaceID = &space.ID
	}
	if err := db.viewOne(ctx, func(tx *transaction) error { return tx.checkInvitationTeams(ctx, inv) }); err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		tx.keepsCachedReads()
		tx.changesInvitations()
		expires, err := octoinvite.InvitationExpiry(inv.Expires.Time, tx.now, tx.db.InvitationLifetime, tx.db.maxLifetime())
		if err != nil {
			return err
		}
		id, seq, err := tx.nextID(ctx, octoinvite.KindInvitation)
		if err != nil {
			return err
		}
		sealed, err := tx.db.seal(sealContext(id), code)
		if err != nil {
			return err
		}
		var invitedBy *string
		if u := octoinvite.UserFromContext(ctx); u != nil {
			invitedBy = &u.ID
		}
		if _, err := tx.exec(ctx, `INSERT INTO invitations (id, seq, space_id, code_digest, code_sealed, expires, last_modified_on, last_modified_by, created_on, max_uses, email_address, invited_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, seq, nullString(inv.SpaceID), octoinvite.Digest(code), sealed, expires.UnixMilli(),
			tx.now.UnixMilli(), inv.LastModifiedBy, tx.now.UnixMilli(), maxUses, nullString(nonEmpty(inv.EmailAddress)), nullString(invitedBy)); err != nil {
			return err
		}
		teams := make([]any, 0, 3*len(inv.AddToTeamIDs))
		for i, team := range inv.AddToTeamIDs {
			teams = append(teams, id, i, team)
		}
		if err := tx.insertRows(ctx, "invitation_teams", "invitation_id, position, team_id", teams); err != nil {
			return err
		}
		message := fmt.Sprintf("Invitation %s was created to add a user to %s", id, strings.Join(inv.AddToTeamIDs, ", "))
		if len(inv.AddToTeamIDs) == 0 {
			message = fmt.Sprintf("Invitation %s was created to add a user to no team", id)
		}
		related := append([]string{id}, inv.AddToTeamIDs...)
		if inv.SpaceID != nil {
			message += " in space " + *inv.SpaceID
			related = append(related, *inv.SpaceID)
		}
		inv.Delivery = nil
		if inv.EmailAddress != "" {
			message += ", emailed to " + inv.EmailAddress
			emailID, err := tx.queueEmail(ctx, octoinvite.EmailInvitation, id, "", inv.EmailAddress)
			if err != nil {
				return err
			}
			inv.Delivery = queuedDelivery(tx, emailID)
		}
		if err := tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventCreated, Message: message,
			SpaceID: inv.SpaceID, RelatedDocumentIDs: related}); err != nil {
			return err
		}
		inv.ID = id
		inv.InvitationCode = code
		inv.Expires = octoinvite.NewTime(expires)
		inv.LastModifiedOn = octoinvite.NewTime(tx.now)
		inv.MaxUses, inv.Uses = maxUses, 0
		inv.RedeemedOn, inv.RedeemedBy, inv.RevokedOn, inv.RevokedBy = nil, nil, nil, nil
		inv.State = inv.StateAt(tx.now)
		return nil
	})
}

// maxLifetime is the longest lifetime a creator may ask for: InvitationMaxLifetime, and never
// less than the default lifetime.
func (db *DB) maxLifetime() time.Duration {
	return max(db.InvitationMaxLifetime, db.InvitationLifetime)
}

func (db *DB) maxUses() int {
	if db.InvitationMaxUses <= 0 {
		return 1
	}
	return db.InvitationMaxUses
}

// checkInvitationTeams requires every team to exist and to be a system team or a team of the
// invitation's space.
func (tx *transaction) checkInvitationTeams(ctx context.Context, inv *octoinvite.Invitation) error {
	refs, err := tx.existingTeams(ctx, inv.AddToTeamIDs)
	if err != nil {
		return err
	}
	var problems []string
	for _, ref := range refs {
		switch {
		case ref.id == "":
			problems = append(problems, fmt.Sprintf("The team '%s' does not exist.", ref.raw))
		case ref.spaceID == nil:
		case inv.SpaceID == nil:
			problems = append(problems, fmt.Sprintf("The team '%s' belongs to the space '%s'; an invitation without a space can only add users to system teams.", ref.id, *ref.spaceID))
		case *ref.spaceID != *inv.SpaceID:
			problems = append(problems, fmt.Sprintf("The team '%s' belongs to the space '%s', not to the invitation's space '%s'.", ref.id, *ref.spaceID, *inv.SpaceID))
		}
	}
	if len(problems) > 0 {
		return octoinvite.Invalid(problems...)
	}
	return nil
}

func sealContext(invitationID string) string { return "invitations:" + invitationID }

// FindInvitationByID returns the invitation, or ENOTFOUND.
func (db *DB) FindInvitationByID(ctx context.Context, raw string) (inv *octoinvite.Invitation, err error) {
	defer wrap(&err, "FindInvitationByID(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindInvitation, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	var generation uint64
	if db.invitations != nil {
		now := db.Now().UTC().Truncate(time.Millisecond)
		if inv, generation = db.invitations.lookup(id, now); inv != nil {
			// What depends on the clock is computed now, never kept.
			inv.State = inv.StateAt(now)
			return inv, nil
		}
	}
	var readAt time.Time
	err = db.viewOne(ctx, func(tx *transaction) error {
		readAt = tx.now
		inv, err = tx.findInvitation(ctx, `i.id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		}
		return err
	})
	if err == nil && db.invitations != nil {
		db.invitations.store(id, inv, generation, readAt)
	}
	return inv, err
}

// invitationColumns are the columns of an invitation, from the invitations table aliased i, that
// invitationRow reads after its ID.
const invitationColumns = `i.space_id, i.code_sealed, i.expires, i.last_modified_on, i.last_modified_by,
	i.redeemed_on, i.redeemed_by, i.max_uses, i.uses, i.revoked_on, i.revoked_by, i.email_address,
	m.state, m.attempts, m.sent_on, m.last_attempt_on, m.next_attempt_on, m.lease_owner, m.last_error, m.message_id`

// invitationsWithTeams selects the invitations of page, a query of the invitations table, with
// their teams and their current email (outbox m, by its key): one row per team, as
// readInvitations reads them, in the order of ordering (a list of the invitations' columns) and
// then of the teams' positions.
func invitationsWithTeams(page, ordering string) string {
	return `SELECT i.id, t.team_id, ` + invitationColumns + ` FROM (` + page + `) i
		LEFT JOIN outbox m ON m.id = i.email_id
		LEFT JOIN invitation_teams t ON t.invitation_id = i.id ORDER BY ` + ordering + `t.position`
}

// invitationRow receives a row of invitationColumns.
type invitationRow struct {
	space, redeemedBy, revokedBy sql.NullString
	sealed, lastModifiedBy       string
	expires, modified            int64
	redeemedOn, revokedOn        sql.NullInt64
	maxUses, uses                int
	email                        sql.NullString
	delivery                     deliveryRow
}

func (r *invitationRow) dest() []any {
	return append([]any{&r.space, &r.sealed, &r.expires, &r.modified, &r.lastModifiedBy,
		&r.redeemedOn, &r.redeemedBy, &r.maxUses, &r.uses, &r.revokedOn, &r.revokedBy, &r.email}, r.delivery.dest()...)
}

// deliveryRow receives the columns of an outbox message that make an invitation's Delivery.
type deliveryRow struct {
	state, leaseOwner, lastError, messageID    sql.NullString
	attempts, sentOn, lastAttempt, nextAttempt sql.NullInt64
}

func (r *deliveryRow) dest() []any {
	return []any{&r.state, &r.attempts, &r.sentOn, &r.lastAttempt, &r.nextAttempt, &r.leaseOwner, &r.lastError, &r.messageID}
}

// delivery returns the Delivery of the row, nil for no message. A queued message shows when
// it is next tried only between attempts: during one, next_attempt_on is the end of its lease.
func (r *deliveryRow) delivery() *octoinvite.Delivery {
	if !r.state.Valid {
		return nil
	}
	d := &octoinvite.Delivery{State: r.state.String, Attempts: int(r.attempts.Int64), SentOn: millisPtr(r.sentOn),
		LastAttemptOn: millisPtr(r.lastAttempt), LastError: r.lastError.String, MessageID: r.messageID.String}
	if d.State == octoinvite.DeliveryQueued && d.Attempts > 0 && !r.leaseOwner.Valid {
		d.NextAttemptOn = millisPtr(r.nextAttempt)
	}
	return d
}

// invitation returns the invitation of the row, with its code unsealed and its state at the
// transaction's time, and no teams yet.
func (tx *transaction) invitation(id string, r *invitationRow) (*octoinvite.Invitation, error) {
	code, err := tx.db.unseal(sealContext(id), r.sealed)
	if err != nil {
		return nil, err
	}
	inv := &octoinvite.Invitation{
		ID:             id,
		AddToTeamIDs:   []string{},
		InvitationCode: code,
		Expires:        millis(r.expires),
		SpaceID:        stringPtr(r.space),
		LastModifiedOn: millis(r.modified),
		LastModifiedBy: r.lastModifiedBy,
		RedeemedOn:     millisPtr(r.redeemedOn),
		RedeemedBy:     stringPtr(r.redeemedBy),
		MaxUses:        r.maxUses,
		Uses:           r.uses,
		RevokedOn:      millisPtr(r.revokedOn),
		RevokedBy:      stringPtr(r.revokedBy),
		EmailAddress:   r.email.String,
		Delivery:       r.delivery.delivery(),
	}
	inv.State = inv.StateAt(tx.now)
	return inv, nil
}

// readInvitations reads the rows of an invitationsWithTeams query.
func (tx *transaction) readInvitations(rows *sql.Rows) ([]*octoinvite.Invitation, error) {
	var r invitationRow
	return collectJoined(rows, r.dest(),
		func(id string) (*octoinvite.Invitation, error) { return tx.invitation(id, &r) },
		func(inv *octoinvite.Invitation, team string) { inv.AddToTeamIDs = append(inv.AddToTeamIDs, team) })
}

func millisPtr(ms sql.NullInt64) *octoinvite.Time {
	if !ms.Valid {
		return nil
	}
	t := millis(ms.Int64)
	return &t
}

// findInvitation loads the invitation that cond selects, with its teams and its code unsealed,
// in one statement (one row per team), so that it may run outside a transaction. An invitation
// that does not exist is sql.ErrNoRows.
func (tx *transaction) findInvitation(ctx context.Context, cond string, args ...any) (*octoinvite.Invitation, error) {
	rows, err := tx.query(ctx, invitationByQuery(cond), args...)
	if err != nil {
		return nil, err
	}
	invs, err := tx.readInvitations(rows)
	if err != nil {
		return nil, err
	} else if len(invs) == 0 {
		return nil, sql.ErrNoRows
	}
	return invs[0], nil
}

// invitationByQuery selects the invitation that cond (on the invitations table aliased i)
// selects, with its teams, as findInvitation reads them.
func invitationByQuery(cond string) string {
	return invitationsWithTeams(`SELECT i.* FROM invitations i WHERE `+cond, ``)
}

// FindInvitations returns a page of invitations, newest first; see
// octoinvite.InvitationService.
func (db *DB) FindInvitations(ctx context.Context, filter octoinvite.InvitationFilter) (page octoinvite.Page[*octoinvite.Invitation], err error) {
	defer wrap(&err, "FindInvitations")
	states := make([]string, 0, len(filter.States))
	for _, s := range filter.States {
		state, err := octoinvite.ParseInvitationState(s)
		if err != nil {
			return octoinvite.Page[*octoinvite.Invitation]{Items: []*octoinvite.Invitation{}}, err
		}
		states = append(states, state)
	}
	err = db.view(ctx, func(tx *transaction) error {
		// c selects the invitations; counted holds the same conditions but the states', in the
		// form the count reads best (see below).
		c := conditions{dialect: db.dialect}
		if filter.IDs != nil {
			c.in("i.id", canonicalIDs(octoinvite.KindInvitation, filter.IDs))
		}
		if filter.SpaceID != nil {
			c.add("i.space_id = ?", *filter.SpaceID)
		}
		counted := conditions{dialect: db.dialect, conds: slices.Clone(c.conds), args: slices.Clone(c.args)}
		var teams string
		var teamsArg any
		if filter.TeamIDs != nil {
			// A page walks the invitations newest first and looks up each one's teams; the count
			// reads the teams' invitations from their index (invitation_teams_team_invitation).
			teams, teamsArg = db.dialect.in("it.team_id", canonicalIDs(octoinvite.KindTeam, filter.TeamIDs))
			counted.add(`i.id IN (SELECT it.invitation_id FROM invitation_teams it WHERE `+teams+`)`, teamsArg)
			c.add("EXISTS (SELECT 1 FROM invitation_teams it WHERE it.invitation_id = i.id AND "+teams+")", teamsArg)
		}
		count, countArgs := `SELECT count(*) FROM invitations i`+counted.where(), counted.args
		if len(states) > 0 {
			cond, args := stateCondition(states, tx.now.UnixMilli())
			c.add(cond, args...)
			// The states do not overlap: their count is the sum of each one's, which its own
			// index serves, where one count of either state would read every invitation.
			var counts []string
			countArgs = nil
			for _, g := range stateGroups(states, tx.now.UnixMilli()) {
				state := conditions{conds: append(slices.Clone(counted.conds), g.conds...), args: append(slices.Clone(counted.args), g.args...)}
				counts = append(counts, `(SELECT count(*) FROM invitations i`+state.where()+`)`)
				countArgs = append(countArgs, state.args...)
			}
			count = `SELECT ` + strings.Join(counts, " + ")
		} else if filter.TeamIDs != nil && filter.IDs == nil && filter.SpaceID == nil {
			// The teams alone: their index holds the answer. An invitation's teams are a set
			// (NormalizeTeamIDs): for one team, each of its rows is another invitation.
			distinct := `DISTINCT `
			if len(filter.TeamIDs) == 1 {
				distinct = ``
			}
			count, countArgs = `SELECT count(`+distinct+`it.invitation_id) FROM invitation_teams it WHERE `+teams, []any{teamsArg}
		}
		if err := tx.queryRow(ctx, count, countArgs...).Scan(&page.Total); err != nil {
			return err
		}
		// A page deep in the list starts at the seq that the skipped entries end on, found by
		// reading only the index entries that the conditions need (each state's partial index
		// holds what decides it), rather than by skipping whole rows: the page is the same.
		pageArgs := append(slices.Clone(c.args), filter.Range.Take)
		seek := c
		if filter.Range.Skip > 0 {
			seek.conds = slices.Clone(c.conds)
			seek.args = slices.Clone(c.args)
			seek.add(`i.seq <= (SELECT i.seq FROM invitations i`+c.where()+` ORDER BY i.seq DESC LIMIT 1 OFFSET ?)`,
				append(slices.Clone(c.args), filter.Range.Skip)...)
			pageArgs = append(seek.args, filter.Range.Take)
		}
		// The page's teams come in the same statement, by a join: a list of the page's IDs
		// would be as long as the page.
		rows, err := tx.query(ctx, invitationsWithTeams(`SELECT i.* FROM invitations i`+seek.where()+` ORDER BY i.seq DESC LIMIT ?`, `i.seq DESC, `), pageArgs...)
		if err != nil {
			return err
		}
		page.Items, err = tx.readInvitations(rows)
		return err
	})
	return page, err
}

// CountInvitationsByState returns how many invitations are stored in each state, every state
// present, for the metrics.
func (db *DB) CountInvitationsByState(ctx context.Context) (counts map[string]int, err error) {
	defer wrap(&err, "CountInvitationsByState")
	counts = make(map[string]int, len(octoinvite.InvitationStates))
	for _, s := range octoinvite.InvitationStates {
		counts[s] = 0
	}
	err = db.view(ctx, func(tx *transaction) error {
		rows, err := tx.query(ctx, `SELECT `+sqlState+` AS state, count(*) FROM invitations GROUP BY 1`, tx.now.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var state string
			var n int
			if err := rows.Scan(&state, &n); err != nil {
				return err
			}
			counts[state] = n
		}
		return rows.Err()
	})
	return counts, err
}

// RevokeInvitation withdraws the invitation; see octoinvite.InvitationService.
func (db *DB) RevokeInvitation(ctx context.Context, raw, by string) (inv *octoinvite.Invitation, changed bool, err error) {
	defer wrap(&err, "RevokeInvitation(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindInvitation, raw)
	if !ok {
		return nil, false, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	err = db.update(ctx, func(tx *transaction) error {
		tx.changesInvitations(id)
		inv, changed, err = tx.updateOpenInvitation(ctx, id, `revoked_on = ?, revoked_by = ?, last_modified_on = ?, last_modified_by = ?`,
			tx.now.UnixMilli(), by, tx.now.UnixMilli(), by)
		if err != nil || !changed {
			return err // revoked already: nothing changed, nothing to record
		}
		return tx.recordInvitationEvent(ctx, inv, fmt.Sprintf("Invitation %s was revoked", id))
	})
	if err != nil {
		return nil, false, err
	}
	return inv, changed, nil
}

// updateOpenInvitation applies set (with its args) to the invitation if it is still open (not
// revoked, not used up) and returns it as it is afterwards, with whether it changed. The
// conditional update decides, so that a registration committing meanwhile on another instance
// either used the code up first or finds the change made. An invitation used up is
// ErrInvitationUsedUp; one that does not exist is ENOTFOUND.
func (tx *transaction) updateOpenInvitation(ctx context.Context, id, set string, args ...any) (*octoinvite.Invitation, bool, error) {
	res, err := tx.exec(ctx, `UPDATE invitations SET `+set+` WHERE id = ? AND `+sqlOpen, append(args, id)...)
	if err != nil {
		return nil, false, err
	}
	inv, err := tx.findInvitation(ctx, `i.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, octoinvite.NotFound(id)
	} else if err != nil {
		return nil, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, err
	} else if n == 0 && inv.State == octoinvite.StateRedeemed {
		return nil, false, octoinvite.ErrInvitationUsedUp
	}
	return inv, n > 0, nil
}

// recordInvitationEvent records a change of the invitation, in its space.
func (tx *transaction) recordInvitationEvent(ctx context.Context, inv *octoinvite.Invitation, message string) error {
	related := []string{inv.ID}
	if inv.SpaceID != nil {
		message += " in space " + *inv.SpaceID
		related = append(related, *inv.SpaceID)
	}
	return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventModified, Message: message,
		SpaceID: inv.SpaceID, RelatedDocumentIDs: related})
}

// RegenerateInvitation gives the invitation a new code and expiry; see
// octoinvite.InvitationService.
func (db *DB) RegenerateInvitation(ctx context.Context, raw, by string, expires time.Time) (inv *octoinvite.Invitation, err error) {
	defer wrap(&err, "RegenerateInvitation(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindInvitation, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	code, err := octoinvite.NewInvitationCode(db.Rand)
	if err != nil {
		return nil, err
	}
	err = db.update(ctx, func(tx *transaction) error {
		expires, err := octoinvite.InvitationExpiry(expires, tx.now, tx.db.InvitationLifetime, tx.db.maxLifetime())
		if err != nil {
			return err
		}
		tx.changesInvitations(id)
		sealed, err := tx.db.seal(sealContext(id), code)
		if err != nil {
			return err
		}
		var changed bool
		inv, changed, err = tx.updateOpenInvitation(ctx, id, `code_digest = ?, code_sealed = ?, expires = ?, last_modified_on = ?, last_modified_by = ?`,
			octoinvite.Digest(code), sealed, expires.UnixMilli(), tx.now.UnixMilli(), by)
		if err != nil {
			return err
		} else if !changed {
			return octoinvite.ErrInvitationRevokedNoRegenerate
		}
		message := fmt.Sprintf("Invitation %s was given a new code, valid until %s", id, inv.Expires.Format(octoinvite.TimeFormat))
		if inv.EmailAddress != "" && tx.db.Email != nil {
			emailID, err := tx.queueEmail(ctx, octoinvite.EmailInvitation, id, "", inv.EmailAddress)
			if err != nil {
				return err
			}
			inv.Delivery = queuedDelivery(tx, emailID)
			message += ", emailed to " + inv.EmailAddress
		}
		return tx.recordInvitationEvent(ctx, inv, message)
	})
	return inv, err
}

// purgeBatch bounds the invitations one purge transaction deletes, so that a large backlog is
// removed in short transactions that never hold locks for long. On SQLite a create waits for
// the batch that shares its group commit: purging 1,000,000 invitations with creates running,
// batches of 100 kept the creates' p99 at 23 ms where batches of 500 gave 75 ms, for 1m23s of
// purge against 1m15s (docs/benchmarks.md, The purge).
const purgeBatch = 100

// PurgeInvitations deletes the invitations that were used up, revoked or expired more than
// retention ago, with their teams, and returns how many it deleted. Each batch records one event,
// by the system user, that names the invitations it deleted. Several instances may run
// it at once: each batch claims its rows by locking them, passing over those another instance
// holds, so an invitation another instance deleted first is simply not found, nor counted, again.
func (db *DB) PurgeInvitations(ctx context.Context, retention time.Duration) (purged int, err error) {
	defer wrap(&err, "PurgeInvitations")
	// Each batch goes on from the seq where the previous one stopped, so that no batch walks
	// again over the entries of the rows deleted before it (PostgreSQL keeps them in its
	// indexes until a vacuum). An invitation closed meanwhile behind it waits for the next purge.
	var after int64
	for {
		var n int
		var last int64
		err := db.update(ctx, func(tx *transaction) error {
			n = 0
			cutoff := tx.now.Add(-retention).UnixMilli()
			// The batch's rows stay locked until the transaction ends (on SQLite, the one writer
			// holds them all), so that no regeneration revives an invitation between the
			// deletion of its teams and its own; a row that a concurrent write holds is passed
			// over, and left for the next purge.
			rows, err := tx.query(ctx, `SELECT id, seq FROM invitations WHERE seq > ? AND `+sqlClosedBefore+` ORDER BY seq LIMIT ?`+tx.db.dialect.skipLocked,
				after, cutoff, cutoff, cutoff, purgeBatch)
			if err != nil {
				return err
			}
			ids, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
				var id string
				return id, row.Scan(&id, &last)
			})
			if err != nil || len(ids) == 0 {
				return err
			}
			inTeams, arg := tx.db.dialect.in("invitation_id", ids)
			if _, err := tx.exec(ctx, `DELETE FROM invitation_teams WHERE `+inTeams, arg); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `DELETE FROM invitation_removed_teams WHERE `+inTeams, arg); err != nil {
				return err
			}
			inInvitations, arg := tx.db.dialect.in("id", ids)
			if _, err := tx.exec(ctx, `DELETE FROM invitations WHERE `+inInvitations, arg); err != nil {
				return err
			}
			n = len(ids)
			tx.changesInvitations(ids...)
			// One event per batch, by the system, naming every invitation it deleted.
			return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventDeleted, RelatedDocumentIDs: ids,
				Message: fmt.Sprintf("%d invitations closed more than %s ago were purged: %s", n, retention, strings.Join(ids, ", "))})
		})
		if err != nil {
			return purged, err
		}
		purged += n
		if n < purgeBatch {
			return purged, nil
		}
		after = last
	}
}
