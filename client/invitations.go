package client

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.InvitationService = (*Client)(nil)

// invitationsLink returns the Invitations link of the space's root document (or of the root
// document, when the space root has none, as go-octopusdeploy does), or of the root document
// when spaceID is empty.
func (c *Client) invitationsLink(ctx context.Context, spaceID string) (string, error) {
	if spaceID == "" {
		return c.rootLink(ctx, "Invitations")
	}
	return c.spaceLink(ctx, spaceID, "Invitations")
}

// CreateInvitation creates the invitation and updates it with the server's answer: its ID, its
// InvitationCode, when it Expires. Only AddToTeamIDs and SpaceID are read; an invitation with a
// SpaceID is created in that space. A nil AddToTeamIDs, or a team that does not exist or belongs
// to another space, is an error matching ErrInvalid; an unknown space, ErrNotFound; a caller
// without the UserInvite permission, ErrForbidden.
func (c *Client) CreateInvitation(ctx context.Context, inv *octoinvite.Invitation) error {
	spaceID := ""
	if inv.SpaceID != nil {
		spaceID = *inv.SpaceID
		if err := requireID("space", spaceID); err != nil {
			return err
		}
	}
	link, err := c.invitationsLink(ctx, spaceID)
	if err != nil {
		return err
	}
	return create(ctx, c, link, inv)
}

// FindInvitationByID returns the invitation, whatever its space, or an error matching
// ErrNotFound. It needs the UserInvite permission: without it the error matches ErrForbidden.
func (c *Client) FindInvitationByID(ctx context.Context, id string) (*octoinvite.Invitation, error) {
	return c.findInvitation(ctx, "", id)
}

// FindInvitationInSpace returns the invitation if it belongs to the space; an invitation of
// another space, or an unknown space, is an error matching ErrNotFound.
func (c *Client) FindInvitationInSpace(ctx context.Context, spaceID, id string) (*octoinvite.Invitation, error) {
	if err := requireID("space", spaceID); err != nil {
		return nil, err
	}
	return c.findInvitation(ctx, spaceID, id)
}

func (c *Client) findInvitation(ctx context.Context, spaceID, id string) (*octoinvite.Invitation, error) {
	if err := requireID("invitation", id); err != nil {
		return nil, err
	}
	link, err := c.invitationsLink(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, id); err != nil {
		return nil, err
	}
	return get[octoinvite.Invitation](ctx, c, link)
}

// invitationsQuery returns the link of the page of invitations the filter selects, in the
// filter's space if it names one.
func (c *Client) invitationsQuery(ctx context.Context, filter octoinvite.InvitationFilter) (string, error) {
	spaceID := ""
	if filter.SpaceID != nil {
		spaceID = *filter.SpaceID
		if err := requireID("space", spaceID); err != nil {
			return "", err
		}
	}
	link, err := c.invitationsLink(ctx, spaceID)
	if err != nil {
		return "", err
	}
	if !strings.Contains(link, "{") {
		link += "{?skip,take,ids,state,team}"
	}
	vars := map[string]any{"ids": filter.IDs, "state": filter.States, "team": filter.TeamIDs}
	return expand(link, rangeVars(filter.Range, vars))
}

// ListInvitations returns the page of invitations the filter selects, newest first, with its
// links: those of filter.SpaceID's space if set, else of every space. A zero Take asks for the
// server's default page size, 30. An unknown state is an error matching ErrInvalid; an unknown
// space, ErrNotFound; a caller without the UserInvite permission, ErrForbidden.
func (c *Client) ListInvitations(ctx context.Context, filter octoinvite.InvitationFilter) (*Collection[*octoinvite.Invitation], error) {
	link, err := c.invitationsQuery(ctx, filter)
	if err != nil {
		return nil, err
	}
	return list[*octoinvite.Invitation](ctx, c, link)
}

// FindInvitations returns the page of invitations the filter selects; see ListInvitations.
func (c *Client) FindInvitations(ctx context.Context, filter octoinvite.InvitationFilter) (octoinvite.Page[*octoinvite.Invitation], error) {
	col, err := c.ListInvitations(ctx, filter)
	if err != nil {
		return octoinvite.Page[*octoinvite.Invitation]{}, err
	}
	return col.Page(), nil
}

// AllInvitations yields every invitation the filter selects, page after page, and the first
// error, if any.
func (c *Client) AllInvitations(ctx context.Context, filter octoinvite.InvitationFilter) iter.Seq2[*octoinvite.Invitation, error] {
	link, err := c.invitationsQuery(ctx, filter)
	return all[*octoinvite.Invitation](ctx, c, link, err)
}

// RevokeInvitation withdraws the invitation and returns it, revoked, with revoked true; an
// invitation revoked already is returned unchanged, with revoked false. The server answers both
// alike, so the client reads the invitation first and sends the DELETE only if it is not revoked
// yet (a revocation by someone else in between counts as this call's). The server records the
// caller as the revoker: by is not sent. A used-up invitation is an error matching ErrConflict;
// an unknown one, ErrNotFound.
func (c *Client) RevokeInvitation(ctx context.Context, id, by string) (*octoinvite.Invitation, bool, error) {
	before, err := c.FindInvitationByID(ctx, id)
	if err != nil {
		return nil, false, err
	} else if before.State == octoinvite.StateRevoked {
		return before, false, nil
	}
	link, err := c.invitationItemLink(ctx, id)
	if err != nil {
		return nil, false, err
	}
	var inv octoinvite.Invitation
	if err := c.do(ctx, "DELETE", link, nil, &inv); err != nil {
		return nil, false, err
	}
	return &inv, true, nil
}

// RegenerateInvitation gives the invitation a new code and a new expiry and returns it; the old
// code stops working at once. The expiry is expires, or, for the zero time, the server's default
// lifetime from now (the request then has no body). The server records the caller: by is not
// sent. A revoked or used-up invitation is an error matching ErrConflict; an unknown one,
// ErrNotFound; an expiry out of the server's bounds, ErrInvalid.
func (c *Client) RegenerateInvitation(ctx context.Context, id, by string, expires time.Time) (*octoinvite.Invitation, error) {
	link, err := c.invitationItemLink(ctx, id)
	if err != nil {
		return nil, err
	}
	var body any
	if !expires.IsZero() {
		body = struct {
			Expires octoinvite.Time `json:"Expires"`
		}{octoinvite.NewTime(expires)}
	}
	var inv octoinvite.Invitation
	if err := c.do(ctx, "POST", link+"/regenerate", body, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

func (c *Client) invitationItemLink(ctx context.Context, id string) (string, error) {
	if err := requireID("invitation", id); err != nil {
		return "", err
	}
	link, err := c.invitationsLink(ctx, "")
	if err != nil {
		return "", err
	}
	return itemLink(link, id)
}

var _ octoinvite.InvitationResender = (*Client)(nil)

// ResendInvitation queues the email of an invitation sent to an address again and returns the
// invitation, its Delivery queued. The server records the caller: by is not sent. An
// invitation without an address, or a server that sends no email, is an error matching
// ErrInvalid; a revoked, used-up or expired one, ErrConflict; a resend within a minute of the
// previous message, ErrTooManyRequests; an unknown one, ErrNotFound.
func (c *Client) ResendInvitation(ctx context.Context, id, by string) (*octoinvite.Invitation, error) {
	link, err := c.invitationItemLink(ctx, id)
	if err != nil {
		return nil, err
	}
	var inv octoinvite.Invitation
	if err := c.do(ctx, "POST", link+"/resend", nil, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}
