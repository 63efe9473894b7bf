package client

import (
	"context"

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
