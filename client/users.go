package client

import (
	"context"
	"fmt"
	"iter"
	"strings"

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

// GetAllUsers returns every user, in one request to the /all route of the root document's Users
// link. It needs the UserView permission: without it the error matches ErrForbidden.
func (c *Client) GetAllUsers(ctx context.Context) ([]*octoinvite.User, error) {
	link, err := c.rootLink(ctx, "Users")
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, allID); err != nil {
		return nil, err
	}
	return getAll[*octoinvite.User](ctx, c, link)
}

// FindUserByUsername returns the user whose username is the same as username once both are
// folded (octoinvite.FoldUsername, as the server compares them: case and width do not matter),
// or an error matching ErrNotFound. The server filters by part of the name (the filter
// parameter); the client keeps the exact match. It needs the UserView permission.
func (c *Client) FindUserByUsername(ctx context.Context, username string) (*octoinvite.User, error) {
	key := octoinvite.FoldUsername(username)
	for user, err := range c.AllUsers(ctx, octoinvite.UserFilter{Filter: strings.TrimSpace(username)}) {
		if err != nil {
			return nil, err
		}
		if octoinvite.FoldUsername(user.Username) == key {
			return user, nil
		}
	}
	return nil, &Error{Code: octoinvite.ENOTFOUND, ErrorMessage: fmt.Sprintf("There is no user named '%s'.", username)}
}

// TeamMembership returns the teams the user belongs to, through the root document's
// TeamMembership link: those of the spaces given (every space when spaceIDs is empty), and the
// system teams when includeSystem is set. An unknown user is an error matching ErrNotFound.
func (c *Client) TeamMembership(ctx context.Context, userID string, spaceIDs []string, includeSystem bool) ([]*octoinvite.Team, error) {
	if err := requireID("user", userID); err != nil {
		return nil, err
	}
	link, err := c.rootLink(ctx, "TeamMembership")
	if err != nil {
		return nil, err
	}
	if link, err = expand(link, map[string]any{"userId": userID, "spaces": spaceIDs, "includeSystem": includeSystem}); err != nil {
		return nil, err
	}
	return getAll[*octoinvite.Team](ctx, c, link)
}

// UpdateUser puts the user at its Self link (or the Users link's item of its ID) and updates it
// with the server's answer. The server changes the username, display name, email address and
// whether the user is active. Users change their own display name and email address; anything
// else needs the UserEdit permission (an error matching ErrForbidden otherwise). Invalid fields
// or a username another user holds are an error matching ErrInvalid; deactivating the last
// active administrator, ErrInvalid; an unknown user, ErrNotFound. A deactivated user's API keys
// and sessions stop working at once.
func (c *Client) UpdateUser(ctx context.Context, user *octoinvite.User) error {
	if err := requireID("user", user.ID); err != nil {
		return err
	}
	link, err := c.rootLink(ctx, "Users")
	if err != nil {
		return err
	}
	if link, err = selfOr(user.Links, link, user.ID); err != nil {
		return err
	}
	return update(ctx, c, link, user)
}

// SetUserActive activates or deactivates the user (reading it, then putting it) and returns it
// as the server answered; errors are those of UpdateUser.
func (c *Client) SetUserActive(ctx context.Context, id string, active bool) (*octoinvite.User, error) {
	user, err := c.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	user.IsActive = active
	if err := c.UpdateUser(ctx, user); err != nil {
		return nil, err
	}
	return user, nil
}

// DeleteUser deletes the user; its API keys and sessions stop working at once. It needs the
// UserEdit permission (an error matching ErrForbidden otherwise). The installation's
// administrator and the last active administrator cannot be deleted (ErrInvalid); an unknown
// user is an error matching ErrNotFound.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	if err := requireID("user", id); err != nil {
		return err
	}
	link, err := c.rootLink(ctx, "Users")
	if err != nil {
		return err
	}
	if link, err = itemLink(link, id); err != nil {
		return err
	}
	return c.do(ctx, "DELETE", link, nil, nil)
}
