package octoinvite

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
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
	RedeemedOn *Time   `json:"RedeemedOn,omitempty"`
	RedeemedBy *string `json:"RedeemedBy,omitempty"`
	Links      Links   `json:"Links"`
}

// DefaultInvitationLifetime is how long a code stays valid unless configured otherwise: the 48
// hours Octopus documents.
const DefaultInvitationLifetime = 48 * time.Hour

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

// InvitationService creates and reads invitations.
type InvitationService interface {
	// CreateInvitation stores a new invitation. The caller sets AddToTeamIDs, SpaceID and
	// LastModifiedBy; the service sets ID, InvitationCode, Expires and LastModifiedOn. An unknown
	// space is ENOTFOUND; a team that does not exist, or belongs to another space, is EINVALID.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitationByID returns the invitation, or ENOTFOUND.
	FindInvitationByID(ctx context.Context, id string) (*Invitation, error)
}

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
