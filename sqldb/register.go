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
		if err := tx.queryRow(ctx, `SELECT coalesce(max(display_name), '') FROM users WHERE username_key = ?`,
			octoinvite.FoldUsername(inv.LastModifiedBy)).Scan(&preview.InvitedBy); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT t.id, t.name FROM invitation_teams it JOIN teams t ON t.id = it.team_id
			WHERE it.invitation_id = ? ORDER BY it.position`, inv.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		preview.TeamIDs = []string{}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			preview.TeamIDs = append(preview.TeamIDs, id)
			preview.TeamNames = append(preview.TeamNames, name)
		}
		if err := rows.Err(); err != nil {
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
	hash, err := db.hashPassword(reg.Password)
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
		if _, err := tx.joinInvitationTeams(ctx, user.ID, invitationID); err != nil {
			return err
		}
		if err := tx.recordEvent(ctx, userEvent(user, octoinvite.EventCreated,
			fmt.Sprintf("User %s (%s) registered with invitation %s", user.ID, user.Username, invitationID),
			user.ID, invitationID)); err != nil {
			return err
		}
		if _, err := tx.claimInvitation(ctx, invitationID, reg.InvitationCode, user); err != nil {
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

// joinInvitationTeams adds the user to every team of the invitation they are not a member of
// yet, and returns those teams in the invitation's order.
func (tx *transaction) joinInvitationTeams(ctx context.Context, userID, invitationID string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT it.team_id FROM invitation_teams it WHERE it.invitation_id = ?
		AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = it.team_id AND m.user_id = ?) ORDER BY it.position`,
		invitationID, userID)
	if err != nil {
		return nil, err
	}
	added, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
	if err != nil || len(added) == 0 {
		return added, err
	}
	values := make([]any, 0, 2*len(added))
	for _, team := range added {
		values = append(values, team, userID)
	}
	return added, tx.insertRows(ctx, "team_members", "team_id, user_id", values)
}

// claimInvitation counts one use of the invitation by the user and records its redemption
// event, and returns the invitation's space. The use is counted by a conditional update: of
// concurrent redemptions, on any instance, at most MaxUses succeed, and a revocation or
// regeneration committed meanwhile is seen. RedeemedOn and RedeemedBy record the latest
// redemption.
func (tx *transaction) claimInvitation(ctx context.Context, invitationID, code string, user *octoinvite.User) (*string, error) {
	res, err := tx.exec(ctx, `UPDATE invitations SET uses = uses + 1, redeemed_on = ?, redeemed_by = ?
		WHERE id = ? AND code_digest = ? AND `+sqlRedeemable,
		tx.now.UnixMilli(), user.ID, invitationID, octoinvite.Digest(code), tx.now.UnixMilli())
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n != 1 {
		if _, err := tx.redeemableInvitation(ctx, code); err != nil {
			return nil, err
		}
		return nil, octoinvite.ErrInvitationUsed
	}
	var spaceID sql.NullString
	if err := tx.queryRow(ctx, `SELECT space_id FROM invitations WHERE id = ?`, invitationID).Scan(&spaceID); err != nil {
		return nil, err
	}
	redeemed := userEvent(user, octoinvite.EventModified,
		fmt.Sprintf("Invitation %s was redeemed by %s (%s)", invitationID, user.ID, user.Username), invitationID, user.ID)
	redeemed.SpaceID = stringPtr(spaceID)
	return redeemed.SpaceID, tx.recordEvent(ctx, redeemed)
}

// AcceptInvitation redeems the code for an existing user; see octoinvite.RegistrationService.
// It takes the invitation's use by the same conditional update as Register, so that
// registrations and acceptances race for the last use on equal terms.
func (db *DB) AcceptInvitation(ctx context.Context, rawUserID, code string) (acceptance *octoinvite.InvitationAcceptance, err error) {
	defer wrap(&err, "AcceptInvitation(%q)", rawUserID)
	if !octoinvite.ValidInvitationCode(code) {
		return nil, octoinvite.ErrInvitationUnknown
	}
	userID, ok := octoinvite.ParseID(octoinvite.KindUser, rawUserID)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(rawUserID, octoinvite.MaxIDLength))
	}
	err = db.update(ctx, func(tx *transaction) error {
		invitationID, err := tx.redeemableInvitation(ctx, code)
		if err != nil {
			return err
		}
		tx.changesInvitations(invitationID)
		user, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ? AND u.is_active = 1`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(userID)
		} else if err != nil {
			return err
		}
		if err := tx.checkAcceptingAddress(ctx, invitationID, user); err != nil {
			return err
		}
		added, err := tx.joinInvitationTeams(ctx, user.ID, invitationID)
		if tx.db.dialect.isUnique(err) {
			// Another acceptance by the same user added one of the teams meanwhile.
			return octoinvite.Conflict("Another request accepted an invitation for you at the same time; open the invitation again to see what is left to join.")
		} else if err != nil {
			return err
		} else if len(added) == 0 {
			return octoinvite.ErrNothingToJoin
		}
		spaceID, err := tx.claimInvitation(ctx, invitationID, code, user)
		if err != nil {
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
		acceptance = &octoinvite.InvitationAcceptance{UserID: user.ID, InvitationID: invitationID, SpaceID: spaceID, AddedToTeamIDs: added}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return acceptance, nil
}
