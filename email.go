package octoinvite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Delivery is where the email of an invitation stands. It is an addition to Octopus's
// resource, which clients ignore, present only on an invitation sent to an address.
type Delivery struct {
	// State is DeliveryQueued, DeliverySent, DeliveryFailed or DeliveryCancelled.
	State string `json:"State"`
	// Attempts counts the attempts to hand the message to the mail server, the one that
	// succeeded included.
	Attempts int `json:"Attempts"`
	// SentOn is when the mail server accepted the message.
	SentOn *Time `json:"SentOn,omitempty"`
	// LastAttemptOn is when the latest attempt began; NextAttemptOn, for a queued message that
	// failed for a while, when the next one will.
	LastAttemptOn *Time `json:"LastAttemptOn,omitempty"`
	NextAttemptOn *Time `json:"NextAttemptOn,omitempty"`
	// LastError is the latest failure: the mail server's reply, or why it could not be
	// reached.
	LastError string `json:"LastError,omitempty"`
	// MessageID is the Message-ID header of the message, the same at every attempt.
	MessageID string `json:"MessageId"`
}

// States of an email.
const (
	// DeliveryQueued: the message waits in the outbox, for its first attempt or a retry.
	DeliveryQueued = "Queued"
	// DeliverySent: the mail server accepted the message.
	DeliverySent = "Sent"
	// DeliveryFailed: the mail server refused the message for good, or kept failing until the
	// retries ran out.
	DeliveryFailed = "Failed"
	// DeliveryCancelled: the message was not sent, since its invitation no longer needed it
	// (revoked, used up, expired, or given a newer message).
	DeliveryCancelled = "Cancelled"
)

// Kinds of email.
const (
	// EmailInvitation invites someone: it carries the invitation's link.
	EmailInvitation = "Invitation"
	// EmailAccepted tells the inviter that their invitation was accepted.
	EmailAccepted = "Accepted"
)

// EmailAddressField is the address an invitation is emailed to.
const EmailAddressField = "EmailAddress"

// Messages of the rules of an invitation's email address.
const (
	MsgEmailNotConfigured  = "This server does not send email (it has no --smtp-url): create the invitation without an EmailAddress and send its link yourself."
	MsgEmailAddressUses    = "An invitation sent to an email address is for one person: its number of uses (MaxUses) must be 1."
	MsgInvitationNoAddress = "The invitation was not sent to an email address; there is nothing to send again."
)

// NormalizeEmailAddress trims an address and checks that it is a single bare address that mail
// can be delivered to (see validEmailAddress): no display name, no line break or other control
// character that could start a header of its own. "" stays "".
func NormalizeEmailAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s != "" && !validEmailAddress(s) {
		return "", InvalidFields(Problem{EmailAddressField, MsgEmailAddressInvalid})
	}
	return s, nil
}

// SameEmailAddress reports whether two addresses name one mailbox as far as octoinvite tells:
// equal ignoring case (local parts are case-insensitive in practice).
func SameEmailAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// ErrEmailAddressMismatch refuses a registration, or the acceptance by an existing account, with
// another address than the one the invitation was sent to.
func ErrEmailAddressMismatch(address string) *Error {
	return InvalidFields(Problem{EmailAddressField, fmt.Sprintf(
		"This invitation was sent to %s: register with that email address (EmailAddress), or ask for an invitation to yours.", address)})
}

// ErrAccountAddressMismatch refuses the acceptance of an invitation sent to address by an
// existing account with another address, or none.
func ErrAccountAddressMismatch(address string) *Error {
	return InvalidFields(Problem{"InvitationCode", fmt.Sprintf(
		"This invitation was sent to %s, which is not your account's email address: ask for an invitation to your address, or create a new account with this one.", address)})
}

// CheckInvitationAddress returns the address a user redeeming inv registers with: the
// invitation's own for an invitation sent to an address (an empty address takes it; another
// one is ErrEmailAddressMismatch), else address unchanged.
func CheckInvitationAddress(inv *Invitation, address string) (string, error) {
	switch {
	case inv.EmailAddress == "":
		return address, nil
	case address == "" || SameEmailAddress(address, inv.EmailAddress):
		return inv.EmailAddress, nil
	}
	return "", ErrEmailAddressMismatch(inv.EmailAddress)
}

// Email is a message to send, with everything its templates may show. It never holds a secret
// other than the invitation's link, which is the point of the message.
type Email struct {
	// Kind is EmailInvitation or EmailAccepted.
	Kind string
	// To is the recipient's address; MessageID the Message-ID, without angle brackets.
	To        string
	MessageID string
	// Product names the server in the subject and the text, such as "octoinvite".
	Product string
	// InviterName and InviterEmail are the display name and address of whoever created the
	// invitation (the address empty if they have none).
	InviterName  string
	InviterEmail string
	// Invitation is the invitation the message is about; SpaceName and TeamNames name its
	// space ("" for none) and the teams it adds its users to.
	Invitation *Invitation
	SpaceName  string
	TeamNames  []string
	// Link is the address of the registration page with the code (EmailInvitation only).
	Link string
	// AcceptedBy is the user who accepted the invitation (EmailAccepted only).
	AcceptedBy *User
	// Now is when the message is composed, from which the expiry is said in words.
	Now time.Time
}

// OutboxMessage is a message of the outbox, claimed by one sender for a while (its lease).
type OutboxMessage struct {
	ID           string
	Kind         string
	InvitationID string
	// UserID is the user who accepted the invitation (EmailAccepted only).
	UserID    string
	Recipient string
	MessageID string
	// Attempts counts the attempts begun, this one included.
	Attempts int
	Created  time.Time
	// Owner is the claim's token: only the claim that holds the message may record its
	// outcome.
	Owner string
}

// OutboxStats describes the outbox for the metrics.
type OutboxStats struct {
	// Queued counts the messages waiting to be sent; OldestAge is how long the oldest of
	// them has waited (zero if none is).
	Queued    int
	OldestAge time.Duration
}

// Outbox is the durable queue of emails. Messages are added by the service that makes the
// change they tell of, in its transaction; senders claim them, send them, and record the
// outcome.
type Outbox interface {
	// ClaimEmails claims up to limit queued messages that are due, for lease, under the token
	// owner, and counts an attempt of each. A message held by another claim whose lease has
	// not ended is not claimed; one whose lease has ended is.
	ClaimEmails(ctx context.Context, owner string, lease time.Duration, limit int) ([]*OutboxMessage, error)
	// ComposeEmail returns the content of a claimed message, read at the time of sending, or
	// ErrEmailObsolete if it should no longer be sent.
	ComposeEmail(ctx context.Context, msg *OutboxMessage) (*Email, error)
	// RecordEmailOutcome records the outcome of a claimed message: sent (err nil), to be tried
	// again at retry (err set, retry not zero), failed for good (err set, retry zero), or
	// cancelled (err is ErrEmailObsolete). It reports false when the claim no longer holds the
	// message (its lease ended and another claim took it), and then changes nothing.
	RecordEmailOutcome(ctx context.Context, msg *OutboxMessage, err error, retry time.Time) (bool, error)
	// EmailOutboxStats returns the depth and age of the queue.
	EmailOutboxStats(ctx context.Context) (OutboxStats, error)
}

// ErrEmailObsolete is the outcome of a message that no longer needs sending: its invitation was
// revoked, used up, expired or sent a newer message.
var ErrEmailObsolete = errors.New("the message is no longer needed")

// EmailSender hands messages to a mail server.
type EmailSender interface {
	// SendEmail sends the message. A refusal that retrying cannot change (a 5xx reply to the
	// message) is a *PermanentEmailError; any other error may pass if retried.
	SendEmail(ctx context.Context, e *Email) error
}

// PermanentEmailError is a mail server's refusal of a message that retrying cannot change,
// with the server's reply.
type PermanentEmailError struct{ Reply string }

func (e *PermanentEmailError) Error() string {
	return "the mail server refused the message: " + e.Reply
}

// InvitationResender sends an invitation's email again.
type InvitationResender interface {
	// ResendInvitation queues a new message of the invitation to its address, recording by
	// whom (a username), and returns the invitation. An invitation without an address is
	// EINVALID; a revoked or used-up one ErrInvitationUsedUp or ErrInvitationRevokedNoResend;
	// an expired one ErrInvitationExpiredNoResend; one whose last message was queued less than
	// ResendInterval ago is a *ResendTooSoonError; an unknown one ENOTFOUND.
	ResendInvitation(ctx context.Context, id, by string) (*Invitation, error)
}

// ResendInterval is how long after an invitation's message another may be asked for.
const ResendInterval = time.Minute

// Errors of a resend refused because of the invitation's state.
var (
	ErrInvitationRevokedNoResend = Conflict("The invitation has been revoked; create a new invitation instead of sending it again.")
	ErrInvitationExpiredNoResend = Conflict("The invitation has expired; regenerate it, which emails the new code, instead of sending the old one again.")
)

// ResendTooSoonError refuses a resend asked for too soon after the previous message.
type ResendTooSoonError struct{ Wait time.Duration }

func (e *ResendTooSoonError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the ETOOMANYREQUESTS error callers are shown.
func (e *ResendTooSoonError) Unwrap() error {
	seconds := e.Seconds()
	unit := "seconds"
	if seconds == 1 {
		unit = "second"
	}
	return Errorf(ETOOMANYREQUESTS, "The invitation was emailed less than a minute ago; try again in %d %s.", seconds, unit)
}

// Seconds is the wait in whole seconds, rounded up, as a Retry-After header says it.
func (e *ResendTooSoonError) Seconds() int { return int((e.Wait + time.Second - 1) / time.Second) }

// DefaultEmailRetryFor is how long a message is retried before it is failed.
const DefaultEmailRetryFor = 24 * time.Hour

// DefaultEmailRetryDelay is the pause after a message's first failure; each further failure
// doubles it, up to MaxEmailRetryDelay.
const DefaultEmailRetryDelay = time.Minute

// MaxEmailRetryDelay bounds the pause between two attempts of a message.
const MaxEmailRetryDelay = time.Hour

// EmailRetryDelay returns the pause after the attempts-th failed attempt of a message:
// first doubled attempts-1 times, at most MaxEmailRetryDelay (but at least first), of which a
// random part (up to half) is taken off, so that messages that failed together do not all come
// back together. r draws the jitter in [0, 1).
func EmailRetryDelay(first time.Duration, attempts int, r func() float64) time.Duration {
	d := first
	for i := 1; i < attempts && d < MaxEmailRetryDelay; i++ {
		d *= 2
	}
	d = min(d, max(MaxEmailRetryDelay, first))
	if r == nil {
		r = rand.Float64
	}
	return d - time.Duration(r()*float64(d)/2)
}

// ExpiryInWords says how long after now t lies, for a person: "in 2 days", "in 5 hours", "in
// 40 minutes"; "now" for anything past.
func ExpiryInWords(t, now time.Time) string {
	d := t.Sub(now)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "in 1 " + unit
		}
		return fmt.Sprintf("in %d %ss", n, unit)
	}
	switch {
	case d <= 0:
		return "now"
	case d.Round(time.Hour) >= 48*time.Hour:
		return plural(int((d+12*time.Hour)/(24*time.Hour)), "day")
	case d.Round(time.Minute) >= 2*time.Hour:
		return plural(int(d.Round(time.Hour)/time.Hour), "hour")
	case d.Round(time.Minute) >= time.Minute:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute")
	}
	return "in less than a minute"
}
