package octoinvite

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Invitation invites someone to register. Whoever redeems its code within its lifetime becomes a
// user and joins the teams in AddToTeamIDs. Only AddToTeamIDs and SpaceID are set by clients; the
// server sets every other field.
type Invitation struct {
	ID             string   `json:"Id"`
	AddToTeamIDs   []string `json:"AddToTeamIds"`
	InvitationCode string   `json:"InvitationCode"`
	Expires        Time     `json:"Expires"`
	// SpaceID is the space the invitation belongs to; nil for an invitation to system teams only.
	SpaceID        *string `json:"SpaceId"`
	LastModifiedOn Time    `json:"LastModifiedOn"`
	LastModifiedBy string  `json:"LastModifiedBy"`
	// RedeemedOn and RedeemedBy (a user ID) record the registration that used the code. They
	// are additions to Octopus's resource, which clients ignore, and are left out until the
	// code is redeemed, so that an unredeemed invitation keeps Octopus's exact shape.
	// With MaxUses above 1 they record the latest redemption; Uses counts them all.
	RedeemedOn *Time   `json:"RedeemedOn,omitempty"`
	RedeemedBy *string `json:"RedeemedBy,omitempty"`
	// State is where the invitation stands (StatePending, StateRedeemed, StateExpired,
	// StateRevoked), computed by the server from the fields below and its clock.
	State string `json:"State"`
	// MaxUses is how many registrations the code allows (1 unless the creator asked for more);
	// Uses counts those made. The invitation is used up, StateRedeemed, when they are equal.
	MaxUses int `json:"MaxUses"`
	Uses    int `json:"Uses"`
	// RevokedOn and RevokedBy (a username) record the withdrawal of the invitation; they are
	// left out until then.
	RevokedOn *Time   `json:"RevokedOn,omitempty"`
	RevokedBy *string `json:"RevokedBy,omitempty"`
	// EmailAddress, set by the creator, is the address the invitation is emailed to, and the
	// one its user registers with; Delivery is where its latest email stands. Both are
	// additions to Octopus's resource, left out of an invitation not sent by email.
	EmailAddress string    `json:"EmailAddress,omitempty"`
	Delivery     *Delivery `json:"Delivery,omitempty"`
	Links        Links     `json:"Links"`
}

// RegisterPath is the page where an invitee registers with a code, or joins its teams with an
// existing account.
const RegisterPath = "/app/register"

// InvitationLink returns the address to send an invitee: base, the address people reach the
// server at (such as https://octo.example.com), followed by RegisterPath and the code.
func InvitationLink(base, code string) string {
	return strings.TrimSuffix(base, "/") + RegisterPath + "?invitation=" + url.QueryEscape(code)
}

// States of an invitation, in its State field.
const (
	// StatePending: the code can be redeemed.
	StatePending = "Pending"
	// StateRedeemed: the code was redeemed as many times as MaxUses allows.
	StateRedeemed = "Redeemed"
	// StateExpired: the code's lifetime ended before it was used up.
	StateExpired = "Expired"
	// StateRevoked: an administrator withdrew the invitation before it was used up.
	StateRevoked = "Revoked"
)

// InvitationStates lists the states in the order the documentation gives them.
var InvitationStates = []string{StatePending, StateRedeemed, StateExpired, StateRevoked}

// ParseInvitationState returns the state named by s, matched case-insensitively, or an EINVALID
// error listing the states.
func ParseInvitationState(s string) (string, error) {
	for _, state := range InvitationStates {
		if strings.EqualFold(s, state) {
			return state, nil
		}
	}
	return "", Invalid(fmt.Sprintf("The state '%s' is not one of %s.", Truncate(s, 20), strings.Join(InvitationStates, ", ")))
}

// StateAt returns the invitation's state at now. Being used up takes precedence (nothing can be
// revoked or expire after that), then revocation, then expiry. It is the one statement of the
// rule in Go; the store keeps its SQL forms side by side and tests them against it.
func (inv *Invitation) StateAt(now time.Time) string {
	switch {
	case inv.Uses >= inv.MaxUses:
		return StateRedeemed
	case inv.RevokedOn != nil:
		return StateRevoked
	case inv.IsExpired(now):
		return StateExpired
	}
	return StatePending
}

// RedemptionError returns why the code of an invitation in state cannot be redeemed: nil for
// StatePending, else ErrInvitationUsed, ErrInvitationRevoked or ErrInvitationExpired.
func RedemptionError(state string) error {
	switch state {
	case StatePending:
		return nil
	case StateRedeemed:
		return ErrInvitationUsed
	case StateRevoked:
		return ErrInvitationRevoked
	case StateExpired:
		return ErrInvitationExpired
	}
	return fmt.Errorf("unknown invitation state %q", state)
}

// DefaultInvitationLifetime is how long a code stays valid unless configured otherwise: the 48
// hours Octopus documents.
const DefaultInvitationLifetime = 48 * time.Hour

// DefaultInvitationMaxLifetime is the longest lifetime a creator may ask for unless configured
// otherwise.
const DefaultInvitationMaxLifetime = 30 * 24 * time.Hour

// DefaultInvitationMaxUses caps MaxUses unless configured otherwise.
const DefaultInvitationMaxUses = 100

// ExpiryClockSkew is how far beyond the longest lifetime a requested Expires may lie and still
// be accepted, cut down to the longest lifetime: a client that computes "now plus the maximum"
// with a clock slightly ahead of the server's is not refused.
const ExpiryClockSkew = time.Minute

// InvitationExpiry returns when an invitation created at now expires. A zero requested time
// (absent, null, or the 0001-01-01 date Octopus.Client sends) means now plus lifetime. Otherwise
// the requested time must lie after now and at most maxLifetime after it (up to ExpiryClockSkew
// more is cut down to maxLifetime); anything else is an EINVALID error saying the bounds.
func InvitationExpiry(requested time.Time, now time.Time, lifetime, maxLifetime time.Duration) (time.Time, error) {
	if requested.IsZero() {
		return now.Add(lifetime), nil
	}
	requested = requested.UTC().Truncate(time.Millisecond)
	latest := now.Add(maxLifetime)
	switch {
	case !requested.After(now):
		return time.Time{}, Invalid(fmt.Sprintf("The expiry date (Expires) %s is not in the future.", requested.Format(TimeFormat)))
	case requested.After(latest.Add(ExpiryClockSkew)):
		return time.Time{}, Invalid(fmt.Sprintf("The expiry date (Expires) %s is too far away: an invitation can last at most %s, until %s.",
			requested.Format(TimeFormat), maxLifetime, latest.Format(TimeFormat)))
	case requested.After(latest):
		return latest, nil
	}
	return requested, nil
}

// InvitationMaxUses returns the MaxUses of a new invitation: 1 for 0 (not given), n itself from
// 1 to limit, and an EINVALID error otherwise.
func InvitationMaxUses(n, limit int) (int, error) {
	switch {
	case n == 0:
		return 1, nil
	case n < 0 || n > limit:
		return 0, Invalid(fmt.Sprintf("The number of uses (MaxUses) must be from 1 to %d.", limit))
	}
	return n, nil
}

// MaxInvitationTeams caps AddToTeamIDs, so that one request cannot make the server look up and
// store an unbounded list.
const MaxInvitationTeams = 100

// maxRawInvitationTeams bounds the list as sent, duplicates included, so that the work of
// collapsing duplicates stays small too.
const maxRawInvitationTeams = 10 * MaxInvitationTeams

// Messages of the rules an invitation request can break, as Octopus words them.
const (
	MsgNoRequestBody = "No request body was supplied."
	MsgSpecifyTeams  = "Please specify which teams the user will be invited to join."
)

// NormalizeTeamIDs turns AddToTeamIDs into a set: IDs are put in canonical form, and duplicates,
// compared case-insensitively, collapse to their first occurrence. An ID that cannot name a team
// is an EINVALID error naming it, as is a list longer than MaxInvitationTeams.
func (inv *Invitation) NormalizeTeamIDs() error {
	if inv.AddToTeamIDs == nil {
		return Invalid(MsgSpecifyTeams)
	}
	if len(inv.AddToTeamIDs) > maxRawInvitationTeams {
		return Invalid(fmt.Sprintf("An invitation can add a user to at most %d teams.", MaxInvitationTeams))
	}
	seen := make(map[string]bool, len(inv.AddToTeamIDs))
	ids := make([]string, 0, len(inv.AddToTeamIDs))
	var problems []string
	for _, raw := range inv.AddToTeamIDs {
		id, ok := ParseID(KindTeam, raw)
		if !ok {
			problems = append(problems, fmt.Sprintf("The team '%s' does not exist.", Truncate(raw, MaxIDLength)))
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > MaxInvitationTeams {
		problems = append(problems, fmt.Sprintf("An invitation can add a user to at most %d teams.", MaxInvitationTeams))
	}
	if len(problems) > 0 {
		return Invalid(problems...)
	}
	inv.AddToTeamIDs = ids
	return nil
}

// Truncate shortens s to at most n bytes, on a rune boundary, marking the cut with an ellipsis, so
// that error messages quoting client input stay small.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// IsExpired reports whether the invitation's code can no longer be redeemed at now.
func (inv *Invitation) IsExpired(now time.Time) bool {
	return !now.Before(inv.Expires.Time)
}

// InvitationFilter selects invitations; empty fields select all.
type InvitationFilter struct {
	// IDs, when not nil, keeps only these invitations; IDs that cannot name one match nothing.
	IDs []string
	// SpaceID, when set, keeps only the invitations of this space.
	SpaceID *string
	// States, when not empty, keeps only invitations in one of these states (InvitationStates).
	States []string
	// TeamIDs, when not nil, keeps only invitations that add users to at least one of these teams.
	TeamIDs []string
	Range   Range
}

// InvitationService creates, reads, lists, revokes and regenerates invitations.
type InvitationService interface {
	// CreateInvitation stores a new invitation. The caller sets AddToTeamIDs, SpaceID and
	// LastModifiedBy, and may set Expires (see InvitationExpiry), MaxUses (see
	// InvitationMaxUses) and EmailAddress; the service sets ID, InvitationCode, LastModifiedOn,
	// State and Uses, and Expires and MaxUses when not given. An invitation with an EmailAddress
	// is queued for email in the same transaction, and has a Delivery. An unknown space, a team
	// that does not exist or belongs to another space, an Expires or a MaxUses out of bounds, a
	// malformed address, an address with MaxUses above 1, and an address where the service
	// sends no email are EINVALID.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitationByID returns the invitation, or ENOTFOUND.
	FindInvitationByID(ctx context.Context, id string) (*Invitation, error)
	// FindInvitations returns a page of the invitations the filter selects, newest first. An
	// unknown state in the filter is EINVALID.
	FindInvitations(ctx context.Context, filter InvitationFilter) (Page[*Invitation], error)
	// RevokeInvitation withdraws the invitation, recording when and by whom (a username), and
	// returns it, with revoked true. Its code stops working at once. Revoking a revoked
	// invitation changes nothing and returns it as it is, with revoked false; a used-up one is
	// ErrInvitationUsedUp; an unknown one ENOTFOUND.
	RevokeInvitation(ctx context.Context, id, by string) (inv *Invitation, revoked bool, err error)
	// RegenerateInvitation gives a pending or expired invitation a new code and a new expiry,
	// recording by whom (a username), and returns it; the old code stops working at once. Uses
	// already made still count. The expiry is expires, within the bounds of a new invitation's
	// (see InvitationExpiry: a zero time means now plus the default lifetime; one out of bounds
	// is EINVALID). An invitation sent to an address is emailed its new code, in the same
	// transaction. A revoked invitation is ErrInvitationRevokedNoRegenerate, a used-up one
	// ErrInvitationUsedUp; an unknown one ENOTFOUND.
	RegenerateInvitation(ctx context.Context, id, by string, expires time.Time) (*Invitation, error)
}

// Errors of lifecycle operations refused because of the invitation's state. They are ECONFLICT
// (409): the request is well formed, the invitation's state forbids it.
var (
	ErrInvitationUsedUp              = Conflict("The invitation has been used up by registrations; there is nothing left to revoke or regenerate.")
	ErrInvitationRevokedNoRegenerate = Conflict("The invitation has been revoked; create a new invitation instead of regenerating it.")
)

// invitationCodeBytes is the entropy of a code: 192 bits, well above the 128 required.
const invitationCodeBytes = 24

// NewInvitationCode returns a fresh code of URL-safe text drawn from r (crypto/rand in production).
func NewInvitationCode(r io.Reader) (string, error) {
	b := make([]byte, invitationCodeBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidInvitationCode reports whether s has the form of a code, so that malformed input is
// refused before any lookup.
func ValidInvitationCode(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLength {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}
