package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.RegistrationService = (*DB)(nil)

// PreviewInvitation returns what redeeming the code would do; see
// octoinvite.RegistrationService.
func (db *DB) PreviewInvitation(ctx context.Context, code string) (preview *octoinvite.InvitationPreview, err error) {
	defer wrap(&err, "PreviewInvitation")
	if !octoinvite.ValidInvitationCode(code) {
		return nil, octoinvite.ErrInvitationUnknown
	}
	err = db.view(ctx, func(tx *transaction) error {
		if _, err := tx.redeemableInvitation(ctx, code); err != nil {
			return err
		}
		inv, err := tx.findInvitation(ctx, `i.code_digest = ?`, octoinvite.Digest(code))
		if err != nil {
			return err
		}
		preview = &octoinvite.InvitationPreview{Invitation: inv, TeamNames: []string{}}
		if inv.SpaceID != nil {
			space, err := tx.findSpaceByID(ctx, *inv.SpaceID)
			if err != nil {
				return err
			}
			preview.SpaceName = space.Name
		}
		rows, err := tx.query(ctx, `SELECT t.name FROM invitation_teams it JOIN teams t ON t.id = it.team_id
			WHERE it.invitation_id = ? ORDER BY it.position`, inv.ID)
		if err != nil {
			return err
		}
		if preview.TeamNames, err = collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var name string
			return name, row.Scan(&name)
		}); err != nil {
			return err
		}
		preview.RemovedTeamNames, err = tx.ids(ctx, `SELECT team_name FROM invitation_removed_teams
			WHERE invitation_id = ? ORDER BY removed_on, team_id`, inv.ID)
		return err
	})
	return preview, err
}

// redeemableInvitation returns the ID of the invitation whose code this is, or the
// ErrInvitation error that says why it cannot be redeemed at the transaction's time: that of
// its state (see octoinvite.RedemptionError).
func (tx *transaction) redeemableInvitation(ctx context.Context, code string) (string, error) {
	var inv octoinvite.Invitation
	var expires int64
	var revoked sql.NullInt64
	err := tx.queryRow(ctx, `SELECT id, expires, uses, max_uses, revoked_on FROM invitations WHERE code_digest = ?`,
		octoinvite.Digest(code)).Scan(&inv.ID, &expires, &inv.Uses, &inv.MaxUses, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return "", octoinvite.ErrInvitationUnknown
	} else if err != nil {
		return "", err
	}
	inv.Expires, inv.RevokedOn = millis(expires), millisPtr(revoked)
	if err := octoinvite.RedemptionError(inv.StateAt(tx.now)); err != nil {
		return "", err
	}
	return inv.ID, nil
}

// Register creates a user from an invitation; see octoinvite.RegistrationService. The code and
// the username are checked before the password is hashed, so that a request with a bad code
// costs no hashing, and checked again inside the write transaction, where the code is claimed
// by a conditional update: of concurrent registrations with one code, at most its MaxUses
// claim a use.
func (db *DB) Register(ctx context.Context, reg *octoinvite.Registration) (user *octoinvite.User, err error) {
	defer wrap(&err, "Register")
	if err := reg.Validate(); err != nil {
		return nil, err
	}
	if !octoinvite.ValidInvitationCode(reg.InvitationCode) {
		return nil, octoinvite.ErrInvitationUnknown
	}
	err = db.view(ctx, func(tx *transaction) error {
		invitationID, err := tx.redeemableInvitation(ctx, reg.InvitationCode)
		if err != nil {
			return err
		}
		if err := tx.bindInvitationAddress(ctx, invitationID, reg); err != nil {
			return err
		}
		return tx.checkUsernameFree(ctx, reg.Username)
	})
	if err != nil {
		return nil, err
	}
	hash, err := db.Passwords.Hash(reg.Password)
	if err != nil {
		return nil, err
	}
	err = db.update(ctx, func(tx *transaction) error {
		invitationID, err := tx.redeemableInvitation(ctx, reg.InvitationCode)
		if err != nil {
			return err
		}
		tx.changesInvitations(invitationID)
		if err := tx.bindInvitationAddress(ctx, invitationID, reg); err != nil {
			return err
		}
		if err := tx.checkUsernameFree(ctx, reg.Username); err != nil {
			return err
		}
		user = &octoinvite.User{Username: reg.Username, DisplayName: reg.DisplayName, EmailAddress: reg.EmailAddress}
		if err := tx.insertUser(ctx, user, hash); octoinvite.ErrorCode(err) == octoinvite.ECONFLICT {
			return octoinvite.UsernameTaken(reg.Username)
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO team_members (team_id, user_id)
			SELECT team_id, CAST(? AS TEXT) FROM invitation_teams WHERE invitation_id = ? AND team_id <> ?`,
			user.ID, invitationID, octoinvite.EveryoneTeamID); err != nil {
			return err
		}
		// One use is counted by a conditional update: of concurrent registrations, on any
		// instance, at most MaxUses succeed, and a revocation or regeneration committed
		// meanwhile is seen. RedeemedOn and RedeemedBy record the latest redemption.
		res, err := tx.exec(ctx, `UPDATE invitations SET uses = uses + 1, redeemed_on = ?, redeemed_by = ?
			WHERE id = ? AND code_digest = ? AND `+sqlRedeemable,
			tx.now.UnixMilli(), user.ID, invitationID, octoinvite.Digest(reg.InvitationCode), tx.now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			if _, err := tx.redeemableInvitation(ctx, reg.InvitationCode); err != nil {
				return err
			}
			return octoinvite.ErrInvitationUsed
		}
		var spaceID sql.NullString
		if err := tx.queryRow(ctx, `SELECT space_id FROM invitations WHERE id = ?`, invitationID).Scan(&spaceID); err != nil {
			return err
		}
		if err := tx.recordEvent(ctx, userEvent(user, octoinvite.EventCreated,
			fmt.Sprintf("User %s (%s) registered with invitation %s", user.ID, user.Username, invitationID),
			user.ID, invitationID)); err != nil {
			return err
		}
		redeemed := userEvent(user, octoinvite.EventModified,
			fmt.Sprintf("Invitation %s was redeemed by %s (%s)", invitationID, user.ID, user.Username), invitationID, user.ID)
		redeemed.SpaceID = stringPtr(spaceID)
		if err := tx.recordEvent(ctx, redeemed); err != nil {
			return err
		}
		if err := tx.queueAcceptedEmail(ctx, invitationID, user); err != nil {
			return err
		}
		if tx.db.registerHook != nil {
			if err := tx.db.registerHook(ctx, tx); err != nil {
				return err
			}
		}
		return tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?)`,
			octoinvite.AdministratorsTeamID, user.ID).Scan(&user.IsAdministrator)
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}

// checkUsernameFree returns octoinvite.UsernameTaken if a user holds the username, compared by
// octoinvite.FoldUsername.
func (tx *transaction) checkUsernameFree(ctx context.Context, username string) error {
	var taken int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE username_key = ?`, octoinvite.FoldUsername(username)).Scan(&taken); err != nil {
		return err
	} else if taken > 0 {
		return octoinvite.UsernameTaken(username)
	}
	return nil
}
