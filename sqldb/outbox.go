package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

var (
	_ octoinvite.Outbox             = (*DB)(nil)
	_ octoinvite.InvitationResender = (*DB)(nil)
)

// EmailSettings turn on email: with them the store accepts invitations with an EmailAddress and
// queues their messages in the outbox; without them it refuses such invitations.
type EmailSettings struct {
	// MessageIDDomain is the right-hand side of every Message-ID, such as the domain of the
	// sender's address.
	MessageIDDomain string
	// NotifyInviter queues a message to the creator of an invitation sent to an address when
	// it is accepted, if the creator has an address.
	NotifyInviter bool
}

// kindMessage is the prefix of outbox messages' IDs ("Messages-7"): never on the wire, but
// counted like every other document.
const kindMessage = "Messages"

// queueEmail adds a message to the outbox, due at once, and returns its ID. A message of an
// invitation becomes the invitation's current one: a queued message it had is cancelled, so
// that only the latest code is sent.
func (tx *transaction) queueEmail(ctx context.Context, kind, invitationID, userID, recipient string) (string, error) {
	id, seq, err := tx.nextID(ctx, kindMessage)
	if err != nil {
		return "", err
	}
	messageID := tx.messageID(id)
	if _, err := tx.exec(ctx, `INSERT INTO outbox (id, seq, kind, invitation_id, user_id, recipient, message_id, state, created_on, next_attempt_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'Queued', ?, ?)`,
		id, seq, kind, invitationID, nullString(nonEmpty(userID)), recipient, messageID, tx.now.UnixMilli(), tx.now.UnixMilli()); err != nil {
		return "", err
	}
	if kind == octoinvite.EmailInvitation {
		if _, err := tx.exec(ctx, `UPDATE outbox SET state = 'Cancelled', lease_owner = NULL, last_error = ?
			WHERE invitation_id = ? AND kind = ? AND state = 'Queued' AND id <> ?`,
			"A newer message of the invitation replaced this one.", invitationID, kind, id); err != nil {
			return "", err
		}
		if _, err := tx.exec(ctx, `UPDATE invitations SET email_id = ? WHERE id = ?`, id, invitationID); err != nil {
			return "", err
		}
	}
	tx.queuedEmail = true
	return id, nil
}

// messageID returns the Message-ID of the outbox message id: fixed when it is queued, so the
// same at every attempt; unique across messages and installations; no secret.
func (tx *transaction) messageID(id string) string {
	return fmt.Sprintf("%s.%s@%s", strings.ToLower(id), tx.db.installationID, tx.db.Email.MessageIDDomain)
}

// queuedDelivery is the Delivery of a message just queued.
func queuedDelivery(tx *transaction, emailID string) *octoinvite.Delivery {
	return &octoinvite.Delivery{State: octoinvite.DeliveryQueued, MessageID: tx.messageID(emailID)}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// checkInvitationEmail normalises the invitation's address and checks that it may be sent:
// the store sends email, and the invitation is for one person.
func (db *DB) checkInvitationEmail(inv *octoinvite.Invitation, maxUses int) error {
	address, err := octoinvite.NormalizeEmailAddress(inv.EmailAddress)
	if err != nil {
		return err
	}
	inv.EmailAddress = address
	switch {
	case address == "":
		return nil
	case db.Email == nil:
		return octoinvite.InvalidFields(octoinvite.Problem{Field: octoinvite.EmailAddressField, Message: octoinvite.MsgEmailNotConfigured})
	case maxUses != 1:
		return octoinvite.InvalidFields(octoinvite.Problem{Field: "MaxUses", Message: octoinvite.MsgEmailAddressUses})
	}
	return nil
}

// ClaimEmails claims due messages; see octoinvite.Outbox. A claim moves the message's next
// attempt to the end of its lease, so that it is due again, for any sender, if the claim never
// records an outcome. On PostgreSQL the messages that a concurrent claim holds are skipped
// (FOR UPDATE SKIP LOCKED), so that several instances share the queue without waiting on each
// other.
func (db *DB) ClaimEmails(ctx context.Context, owner string, lease time.Duration, limit int) (msgs []*octoinvite.OutboxMessage, err error) {
	defer wrap(&err, "ClaimEmails")
	// A read first, so that a poll of an empty queue takes no write lock: most polls find
	// nothing due.
	var due int
	err = db.viewOne(ctx, func(tx *transaction) error {
		return tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM outbox WHERE state = 'Queued' AND next_attempt_on <= ? LIMIT 1) d`,
			tx.now.UnixMilli()).Scan(&due)
	})
	if err != nil || due == 0 {
		return nil, err
	}
	err = db.update(ctx, func(tx *transaction) error {
		tx.keepsCachedReads()
		now := tx.now.UnixMilli()
		// The due messages are chosen in a CTE, which PostgreSQL runs once: a LIMIT in an IN
		// subquery of an UPDATE may run again and take more.
		rows, err := tx.query(ctx, `WITH due AS (SELECT id FROM outbox WHERE state = 'Queued' AND next_attempt_on <= ?
				ORDER BY next_attempt_on, seq LIMIT ?`+tx.db.dialect.skipLocked+`)
			UPDATE outbox SET next_attempt_on = ?, lease_owner = ?, attempts = attempts + 1, last_attempt_on = ?
			FROM due WHERE outbox.id = due.id AND outbox.state = 'Queued' AND outbox.next_attempt_on <= ?
			RETURNING outbox.seq, outbox.id, kind, invitation_id, user_id, recipient, message_id, attempts, created_on`,
			now, limit, tx.now.Add(lease).UnixMilli(), owner, now, now)
		if err != nil {
			return err
		}
		type claimed struct {
			seq int64
			msg *octoinvite.OutboxMessage
		}
		got, err := collect(rows, func(row interface{ Scan(...any) error }) (claimed, error) {
			m := &octoinvite.OutboxMessage{Owner: owner}
			var seq, created int64
			var user sql.NullString
			err := row.Scan(&seq, &m.ID, &m.Kind, &m.InvitationID, &user, &m.Recipient, &m.MessageID, &m.Attempts, &created)
			m.UserID, m.Created = user.String, time.UnixMilli(created).UTC()
			return claimed{seq, m}, err
		})
		if err != nil {
			return err
		}
		// RETURNING follows no order: the oldest message goes first.
		slices.SortFunc(got, func(a, b claimed) int { return cmp.Compare(a.seq, b.seq) })
		msgs = make([]*octoinvite.OutboxMessage, len(got))
		for i, c := range got {
			msgs[i] = c.msg
		}
		// The attempts show in the invitations' Delivery.
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.InvitationID
		}
		tx.changesInvitations(ids...)
		return nil
	})
	return msgs, err
}

// ComposeEmail reads what a claimed message says; see octoinvite.Outbox. A message of an
// invitation is obsolete once the invitation is no longer pending or has a newer message.
func (db *DB) ComposeEmail(ctx context.Context, msg *octoinvite.OutboxMessage) (e *octoinvite.Email, err error) {
	defer wrap(&err, "ComposeEmail(%q)", msg.ID)
	err = db.view(ctx, func(tx *transaction) error {
		inv, err := tx.findInvitation(ctx, `i.id = ?`, msg.InvitationID)
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.ErrEmailObsolete
		} else if err != nil {
			return err
		}
		e = &octoinvite.Email{Kind: msg.Kind, To: msg.Recipient, MessageID: msg.MessageID, Invitation: inv, Now: tx.now}
		if msg.Kind == octoinvite.EmailInvitation && (inv.State != octoinvite.StatePending || inv.Delivery == nil || inv.Delivery.MessageID != msg.MessageID) {
			return octoinvite.ErrEmailObsolete
		}
		if err := tx.readInvitationNames(ctx, e); err != nil {
			return err
		}
		if msg.UserID != "" {
			e.AcceptedBy, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, msg.UserID))
			if errors.Is(err, sql.ErrNoRows) {
				return octoinvite.ErrEmailObsolete
			}
		}
		return err
	})
	return e, err
}

// readInvitationNames fills in the names of the email's invitation: its inviter, space and teams.
func (tx *transaction) readInvitationNames(ctx context.Context, e *octoinvite.Email) error {
	var inviter, inviterEmail sql.NullString
	err := tx.queryRow(ctx, `SELECT u.display_name, u.email_address FROM invitations i JOIN users u ON u.id = i.invited_by WHERE i.id = ?`,
		e.Invitation.ID).Scan(&inviter, &inviterEmail)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	e.InviterName, e.InviterEmail = inviter.String, inviterEmail.String
	if e.InviterName == "" {
		e.InviterName = e.Invitation.LastModifiedBy
	}
	if e.Invitation.SpaceID != nil {
		if err := tx.queryRow(ctx, `SELECT name FROM spaces WHERE id = ?`, *e.Invitation.SpaceID).Scan(&e.SpaceName); err != nil {
			return err
		}
	}
	rows, err := tx.query(ctx, `SELECT t.name FROM invitation_teams it JOIN teams t ON t.id = it.team_id
		WHERE it.invitation_id = ? ORDER BY it.position`, e.Invitation.ID)
	if err != nil {
		return err
	}
	e.TeamNames, err = collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var name string
		return name, row.Scan(&name)
	})
	return err
}

// RecordEmailOutcome records what became of a claimed message; see octoinvite.Outbox. A
// message sent or failed for good is recorded in the audit log, in the same transaction.
func (db *DB) RecordEmailOutcome(ctx context.Context, msg *octoinvite.OutboxMessage, sendErr error, retry time.Time) (held bool, err error) {
	defer wrap(&err, "RecordEmailOutcome(%q)", msg.ID)
	err = db.update(ctx, func(tx *transaction) error {
		tx.keepsCachedReads()
		tx.changesInvitations(msg.InvitationID)
		set, args := `state = 'Sent', sent_on = ?, last_error = NULL`, []any{tx.now.UnixMilli()}
		switch {
		case sendErr == nil:
		case errors.Is(sendErr, octoinvite.ErrEmailObsolete):
			set, args = `state = 'Cancelled', last_error = ?`, []any{"Not sent: the invitation no longer needed it."}
		case retry.IsZero():
			set, args = `state = 'Failed', last_error = ?`, []any{errorText(sendErr)}
		default:
			set, args = `next_attempt_on = ?, last_error = ?`, []any{retry.UnixMilli(), errorText(sendErr)}
		}
		res, err := tx.exec(ctx, `UPDATE outbox SET `+set+`, lease_owner = NULL WHERE id = ? AND lease_owner = ? AND state = 'Queued'`,
			append(args, msg.ID, msg.Owner)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			held = false
			return err
		}
		held = true
		var spaceID sql.NullString
		if err := tx.queryRow(ctx, `SELECT space_id FROM invitations WHERE id = ?`, msg.InvitationID).Scan(&spaceID); err != nil {
			return err
		}
		what := "The invitation email of " + msg.InvitationID
		if msg.Kind == octoinvite.EmailAccepted {
			what = "The email telling that " + msg.InvitationID + " was accepted"
		}
		var e *octoinvite.Event
		switch {
		case sendErr == nil:
			e = &octoinvite.Event{Category: octoinvite.EventEmailSent, Message: fmt.Sprintf("%s was sent to %s", what, msg.Recipient)}
		case errors.Is(sendErr, octoinvite.ErrEmailObsolete) || !retry.IsZero():
			return nil
		default:
			e = &octoinvite.Event{Category: octoinvite.EventEmailFailed, Message: fmt.Sprintf("%s to %s failed after %d attempts: %s",
				what, msg.Recipient, msg.Attempts, errorText(sendErr))}
		}
		e.UserID, e.Username = octoinvite.SystemUserID, octoinvite.SystemUsername
		e.SpaceID = stringPtr(spaceID)
		e.RelatedDocumentIDs = []string{msg.InvitationID}
		if e.SpaceID != nil {
			e.Message += " in space " + *e.SpaceID
			e.RelatedDocumentIDs = append(e.RelatedDocumentIDs, *e.SpaceID)
		}
		return tx.recordEvent(ctx, e)
	})
	return held, err
}

// maxErrorText bounds the failure an outbox message keeps.
const maxErrorText = 1000

// errorText is what a message keeps of a failure: one line, bounded.
func errorText(err error) string {
	var p *octoinvite.PermanentEmailError
	s := err.Error()
	if errors.As(err, &p) {
		s = p.Reply
	}
	return octoinvite.Truncate(strings.Join(strings.Fields(s), " "), maxErrorText)
}

// EmailOutboxStats returns the depth and age of the queue; see octoinvite.Outbox.
func (db *DB) EmailOutboxStats(ctx context.Context) (stats octoinvite.OutboxStats, err error) {
	defer wrap(&err, "EmailOutboxStats")
	err = db.viewOne(ctx, func(tx *transaction) error {
		var oldest sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT count(*), min(created_on) FROM outbox WHERE state = 'Queued'`).Scan(&stats.Queued, &oldest); err != nil {
			return err
		}
		if oldest.Valid {
			stats.OldestAge = max(0, tx.now.Sub(time.UnixMilli(oldest.Int64)))
		}
		return nil
	})
	return stats, err
}

// ResendInvitation queues the invitation's email again; see octoinvite.InvitationResender.
func (db *DB) ResendInvitation(ctx context.Context, raw, by string) (inv *octoinvite.Invitation, err error) {
	defer wrap(&err, "ResendInvitation(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindInvitation, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	err = db.update(ctx, func(tx *transaction) error {
		tx.keepsCachedReads()
		tx.changesInvitations(id)
		// The no-op update locks the invitation's row, so that concurrent resends queue one
		// message each in turn and the second sees the first.
		if _, err := tx.exec(ctx, `UPDATE invitations SET seq = seq WHERE id = ?`, id); err != nil {
			return err
		}
		inv, err = tx.findInvitation(ctx, `i.id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		} else if err != nil {
			return err
		}
		switch {
		case inv.EmailAddress == "":
			return octoinvite.InvalidFields(octoinvite.Problem{Field: octoinvite.EmailAddressField, Message: octoinvite.MsgInvitationNoAddress})
		case inv.State == octoinvite.StateRedeemed:
			return octoinvite.ErrInvitationUsedUp
		case inv.State == octoinvite.StateRevoked:
			return octoinvite.ErrInvitationRevokedNoResend
		case inv.State == octoinvite.StateExpired:
			return octoinvite.ErrInvitationExpiredNoResend
		case db.Email == nil:
			return octoinvite.InvalidFields(octoinvite.Problem{Field: octoinvite.EmailAddressField, Message: octoinvite.MsgEmailNotConfigured})
		}
		var last sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT max(created_on) FROM outbox WHERE invitation_id = ? AND kind = ?`, id, octoinvite.EmailInvitation).Scan(&last); err != nil {
			return err
		}
		if last.Valid {
			if wait := time.UnixMilli(last.Int64).Add(octoinvite.ResendInterval).Sub(tx.now); wait > 0 {
				return &octoinvite.ResendTooSoonError{Wait: wait}
			}
		}
		emailID, err := tx.queueEmail(ctx, octoinvite.EmailInvitation, id, "", inv.EmailAddress)
		if err != nil {
			return err
		}
		inv.Delivery = queuedDelivery(tx, emailID)
		return tx.recordInvitationEvent(ctx, inv, fmt.Sprintf("Invitation %s was emailed again to %s by %s", id, inv.EmailAddress, by))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// bindInvitationAddress makes the registration's address the one its invitation was sent to,
// if it was sent to one (see octoinvite.CheckInvitationAddress).
func (tx *transaction) bindInvitationAddress(ctx context.Context, invitationID string, reg *octoinvite.Registration) error {
	var address sql.NullString
	if err := tx.queryRow(ctx, `SELECT email_address FROM invitations WHERE id = ?`, invitationID).Scan(&address); err != nil {
		return err
	}
	var err error
	reg.EmailAddress, err = octoinvite.CheckInvitationAddress(&octoinvite.Invitation{EmailAddress: address.String}, reg.EmailAddress)
	return err
}

// checkAcceptingAddress requires an existing user accepting an invitation sent to an address to
// have that address (compared without case): a forwarded link does not take someone else into
// the teams.
func (tx *transaction) checkAcceptingAddress(ctx context.Context, invitationID string, user *octoinvite.User) error {
	var address sql.NullString
	if err := tx.queryRow(ctx, `SELECT email_address FROM invitations WHERE id = ?`, invitationID).Scan(&address); err != nil {
		return err
	}
	if address.String != "" && !octoinvite.SameEmailAddress(address.String, user.EmailAddress) {
		return octoinvite.ErrAccountAddressMismatch(address.String)
	}
	return nil
}

// queueAcceptedEmail tells the inviter that user accepted their invitation, if the store is to
// (EmailSettings.NotifyInviter), the invitation was sent to an address and its creator has one.
func (tx *transaction) queueAcceptedEmail(ctx context.Context, invitationID string, user *octoinvite.User) error {
	if tx.db.Email == nil || !tx.db.Email.NotifyInviter {
		return nil
	}
	var address, inviterEmail sql.NullString
	err := tx.queryRow(ctx, `SELECT i.email_address, u.email_address FROM invitations i JOIN users u ON u.id = i.invited_by WHERE i.id = ?`,
		invitationID).Scan(&address, &inviterEmail)
	if errors.Is(err, sql.ErrNoRows) || address.String == "" || inviterEmail.String == "" {
		return nil
	} else if err != nil {
		return err
	}
	_, err = tx.queueEmail(ctx, octoinvite.EmailAccepted, invitationID, user.ID, inviterEmail.String)
	return err
}
