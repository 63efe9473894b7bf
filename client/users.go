package client

import (
	"context"
	"fmt"
	"iter"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.UserService = (*Client)(nil)

// Me returns the user the API key belongs to, through the root document's CurrentUser link. A
// missing or unknown key is an error matching ErrUnauthorized.
func (c *Client) Me(ctx context.Context) (*octoinvite.User, error) {
	link, err := c.rootLink(ctx, "CurrentUser")
	if err != nil {
		return nil, err
	}
	return get[octoinvite.User](ctx, c, link)
}

// FindUserByID returns the user, or an error matching ErrNotFound. Reading another user than
// oneself needs the UserView permission: without it the error matches ErrForbidden.
func (c *Client) FindUserByID(ctx context.Context, id string) (*octoinvite.User, error) {
	if err := requireID("user", id); err != nil {
		return nil, err
	}
	link, err := c.rootLink(ctx, "Users")
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, id); err != nil {
		return nil, err
	}
	return get[octoinvite.User](ctx, c, link)
}

func (c *Client) usersLink(ctx context.Context, filter octoinvite.UserFilter) (string, error) {
	link, err := c.rootLink(ctx, "Users")
	if err != nil {
		return "", err
	}
	return expand(link, rangeVars(filter.Range, map[string]any{"ids": filter.IDs, "filter": filter.Filter}))
}

// ListUsers returns the page of users the filter selects. It needs the UserView permission:
// without it the error matches ErrForbidden. A zero Take asks for the server's default, 30.
func (c *Client) ListUsers(ctx context.Context, filter octoinvite.UserFilter) (*Collection[*octoinvite.User], error) {
	link, err := c.usersLink(ctx, filter)
	if err != nil {
		return nil, err
	}
	return list[*octoinvite.User](ctx, c, link)
}

// FindUsers returns the page of users the filter selects. It implements octoinvite.UserService;
// ListUsers also returns the page's links.
func (c *Client) FindUsers(ctx context.Context, filter octoinvite.UserFilter) (octoinvite.Page[*octoinvite.User], error) {
	col, err := c.ListUsers(ctx, filter)
	if err != nil {
		return octoinvite.Page[*octoinvite.User]{}, err
	}
	return col.Page(), nil
}

// AllUsers yields every user the filter selects, page after page, and the first error, if any.
func (c *Client) AllUsers(ctx context.Context, filter octoinvite.UserFilter) iter.Seq2[*octoinvite.User, error] {
	link, err := c.usersLink(ctx, filter)
	return all[*octoinvite.User](ctx, c, link, err)
}

// FindUserSpaces returns the spaces the user works in. It reads the user, then follows the
// user's Spaces link, as Octopus.Client does; errors are those of FindUserByID.
func (c *Client) FindUserSpaces(ctx context.Context, userID string) ([]*octoinvite.Space, error) {
	user, err := c.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return c.UserSpaces(ctx, user)
}

// UserSpaces returns the spaces of a user read earlier (by Me, say), following its Spaces link.
func (c *Client) UserSpaces(ctx context.Context, user *octoinvite.User) ([]*octoinvite.Space, error) {
	link := user.Links["Spaces"]
	if link == "" {
		return nil, fmt.Errorf("client: the user %s has no Spaces link", user.ID)
	}
	var spaces []*octoinvite.Space
	if err := c.do(ctx, "GET", link, nil, &spaces); err != nil {
		return nil, err
	}
	return spaces, nil
}
