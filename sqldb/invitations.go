package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.InvitationService = (*DB)(nil)

// CreateInvitation stores a new invitation; see octoinvite.InvitationService.
func (db *DB) CreateInvitation(ctx context.Context, inv *octoinvite.Invitation) (err error) {
	defer wrap(&err, "CreateInvitation")
	if err := inv.NormalizeTeamIDs(); err != nil {
		return err
	}
	code, err := octoinvite.NewInvitationCode(db.Rand)
	if err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if inv.SpaceID != nil {
			space, err := tx.findSpaceByID(ctx, *inv.SpaceID)
			if octoinvite.ErrorCode(err) == octoinvite.ENOTFOUND {
				return octoinvite.Invalid(fmt.Sprintf("The space '%s' does not exist.", octoinvite.Truncate(*inv.SpaceID, octoinvite.MaxIDLength)))
			} else if err != nil {
				return err
			}
			inv.SpaceID = &space.ID
		}
		if err := tx.checkInvitationTeams(ctx, inv); err != nil {
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
		expires := tx.now.Add(tx.db.InvitationLifetime)
		if _, err := tx.exec(ctx, `INSERT INTO invitations (id, seq, space_id, code_digest, code_sealed, expires, last_modified_on, last_modified_by, created_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, seq, nullString(inv.SpaceID), octoinvite.Digest(code), sealed, expires.UnixMilli(),
			tx.now.UnixMilli(), inv.LastModifiedBy, tx.now.UnixMilli()); err != nil {
			return err
		}
		for i, team := range inv.AddToTeamIDs {
			if _, err := tx.exec(ctx, `INSERT INTO invitation_teams (invitation_id, position, team_id) VALUES (?, ?, ?)`, id, i, team); err != nil {
				return err
			}
		}
		message := fmt.Sprintf("Invitation %s was created to add a user to %s", id, strings.Join(inv.AddToTeamIDs, ", "))
		related := append([]string{id}, inv.AddToTeamIDs...)
		if inv.SpaceID != nil {
			message += " in space " + *inv.SpaceID
			related = append(related, *inv.SpaceID)
		}
		if err := tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventCreated, Message: message,
			SpaceID: inv.SpaceID, RelatedDocumentIDs: related}); err != nil {
			return err
		}
		inv.ID = id
		inv.InvitationCode = code
		inv.Expires = octoinvite.NewTime(expires)
		inv.LastModifiedOn = octoinvite.NewTime(tx.now)
		return nil
	})
}

// checkInvitationTeams requires every team to exist and to be a system team or a team of the
// invitation's space.
func (tx *Tx) checkInvitationTeams(ctx context.Context, inv *octoinvite.Invitation) error {
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
	err = db.view(ctx, func(tx *Tx) error {
		inv, err = tx.findInvitation(ctx, `i.id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		}
		return err
	})
	return inv, err
}

// findInvitation loads the invitation that cond selects, with its teams and its code unsealed.
func (tx *Tx) findInvitation(ctx context.Context, cond string, args ...any) (*octoinvite.Invitation, error) {
	var inv octoinvite.Invitation
	var space sql.NullString
	var sealed string
	var expires, modified int64
	var redeemedOn sql.NullInt64
	var redeemedBy sql.NullString
	err := tx.queryRow(ctx, `SELECT i.id, i.space_id, i.code_sealed, i.expires, i.last_modified_on, i.last_modified_by, i.redeemed_on, i.redeemed_by
		FROM invitations i WHERE `+cond, args...).Scan(&inv.ID, &space, &sealed, &expires, &modified, &inv.LastModifiedBy, &redeemedOn, &redeemedBy)
	if err != nil {
		return nil, err
	}
	if redeemedOn.Valid {
		t := millis(redeemedOn.Int64)
		inv.RedeemedOn = &t
	}
	inv.RedeemedBy = stringPtr(redeemedBy)
	inv.SpaceID = stringPtr(space)
	inv.Expires = millis(expires)
	inv.LastModifiedOn = millis(modified)
	if inv.InvitationCode, err = tx.db.unseal(sealContext(inv.ID), sealed); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT team_id FROM invitation_teams WHERE invitation_id = ? ORDER BY position`, inv.ID)
	if err != nil {
		return nil, err
	}
	inv.AddToTeamIDs, err = collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
	return &inv, err
}
