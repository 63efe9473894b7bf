package client

import (
	"context"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// SetUserPassword sets the password of the user, through PUT {user's Self link}/password. Users
// set their own, giving their current password (current) if they have one; an administrator
// (UserEdit) sets anyone's, and current is then ignored. Every other session of the user ends;
// their API keys keep working. A password the policy refuses, or a wrong current password, is
// an error matching ErrInvalid; another user's without UserEdit, ErrForbidden.
func (c *Client) SetUserPassword(ctx context.Context, userID, password, current string) error {
	user, err := c.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	body := map[string]string{"Password": password}
	if current != "" {
		body["CurrentPassword"] = current
	}
	return c.do(ctx, "PUT", strings.TrimSuffix(user.Links["Self"], "/")+"/password", body, nil)
}

// AcceptInvitation redeems an invitation code for the caller, an existing user, who joins the
// invitation's teams, through POST {root's Invitations link}/accept, and returns what it did. It
// takes one use of the invitation, as a registration does. A code that cannot be redeemed, or
// whose teams the caller is all a member of already, is an error matching ErrInvalid, whose
// message says why.
func (c *Client) AcceptInvitation(ctx context.Context, code string) (*octoinvite.InvitationAcceptance, error) {
	link, err := c.rootLink(ctx, "Invitations")
	if err != nil {
		return nil, err
	}
	var acceptance octoinvite.InvitationAcceptance
	if err := c.do(ctx, "POST", strings.TrimSuffix(link, "/")+"/accept", map[string]string{"InvitationCode": code}, &acceptance); err != nil {
		return nil, err
	}
	return &acceptance, nil
}
