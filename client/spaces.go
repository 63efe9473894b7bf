package client

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.SpaceService = (*Client)(nil)

func (c *Client) spacesLink(ctx context.Context, filter octoinvite.SpaceFilter) (string, error) {
	link, err := c.rootLink(ctx, "Spaces")
	if err != nil {
		return "", err
	}
	return expand(link, rangeVars(filter.Range, map[string]any{"ids": filter.IDs, "name": filter.Name, "partialName": filter.PartialName}))
}

// ListSpaces returns the page of spaces the filter selects, through the root document's Spaces
// link. A zero Take asks for the server's default page size, 30.
func (c *Client) ListSpaces(ctx context.Context, filter octoinvite.SpaceFilter) (*Collection[*octoinvite.Space], error) {
	link, err := c.spacesLink(ctx, filter)
	if err != nil {
		return nil, err
	}
	return list[*octoinvite.Space](ctx, c, link)
}

// FindSpaces returns the page of spaces the filter selects. It implements
// octoinvite.SpaceService; ListSpaces also returns the page's links.
func (c *Client) FindSpaces(ctx context.Context, filter octoinvite.SpaceFilter) (octoinvite.Page[*octoinvite.Space], error) {
	col, err := c.ListSpaces(ctx, filter)
	if err != nil {
		return octoinvite.Page[*octoinvite.Space]{}, err
	}
	return col.Page(), nil
}

// AllSpaces yields every space the filter selects from filter.Skip on, page after page of
// filter.Take (the server's default when zero), and the first error, if any.
func (c *Client) AllSpaces(ctx context.Context, filter octoinvite.SpaceFilter) iter.Seq2[*octoinvite.Space, error] {
	link, err := c.spacesLink(ctx, filter)
	return all[*octoinvite.Space](ctx, c, link, err)
}

// FindSpaceByID returns the space, or an error matching ErrNotFound.
func (c *Client) FindSpaceByID(ctx context.Context, id string) (*octoinvite.Space, error) {
	if err := requireID("space", id); err != nil {
		return nil, err
	}
	link, err := c.rootLink(ctx, "Spaces")
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, id); err != nil {
		return nil, err
	}
	return get[octoinvite.Space](ctx, c, link)
}

// CreateSpace creates the space and updates it with the server's answer (ID, slug, links). A
// taken name is an error matching ErrConflict; a missing name, ErrInvalid; a caller without the
// SpaceCreate permission, ErrForbidden.
func (c *Client) CreateSpace(ctx context.Context, space *octoinvite.Space) error {
	link, err := c.spacesLink(ctx, octoinvite.SpaceFilter{})
	if err != nil {
		return err
	}
	return create(ctx, c, link, space)
}

// GetAllSpaces returns every space, in one request to the /all route that the root document's
// Spaces link reaches with the ID "all", as Octopus's clients do.
func (c *Client) GetAllSpaces(ctx context.Context) ([]*octoinvite.Space, error) {
	link, err := c.rootLink(ctx, "Spaces")
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, allID); err != nil {
		return nil, err
	}
	return getAll[*octoinvite.Space](ctx, c, link)
}

// FindSpaceByName returns the space of that name, compared by the server without regard to
// case, width or Unicode normal form (the name parameter of the Spaces link; see
// octoinvite.FoldName), or an error matching ErrNotFound.
func (c *Client) FindSpaceByName(ctx context.Context, name string) (*octoinvite.Space, error) {
	col, err := c.ListSpaces(ctx, octoinvite.SpaceFilter{Name: name, Range: octoinvite.Range{Take: 2}})
	if err != nil {
		return nil, err
	}
	if len(col.Items) == 0 {
		return nil, &Error{Code: octoinvite.ENOTFOUND, ErrorMessage: fmt.Sprintf("There is no space named '%s'.", name)}
	}
	return col.Items[0], nil
}

// FindDefaultSpace returns the space whose IsDefault is set, as go-octopusdeploy finds it, or
// an error matching ErrNotFound, with octoinvite.ErrNoDefaultSpace's message, when no space is
// the default.
func (c *Client) FindDefaultSpace(ctx context.Context) (*octoinvite.Space, error) {
	spaces, err := c.GetAllSpaces(ctx)
	if err != nil {
		return nil, err
	}
	for _, space := range spaces {
		if space.IsDefault {
			return space, nil
		}
	}
	return nil, &Error{Code: octoinvite.ENOTFOUND, ErrorMessage: octoinvite.ErrNoDefaultSpace.Message}
}

// UpdateSpace puts the space at its Self link (or the Spaces link's item of its ID) and updates
// it with the server's answer. The server changes the name, slug, description, whether it is the
// default, whether its task queue is stopped and its managers. A caller without the SpaceEdit
// permission gets an error matching ErrForbidden; an unknown space, ErrNotFound; a name another
// space holds, ErrConflict; an unknown manager, ErrInvalid.
func (c *Client) UpdateSpace(ctx context.Context, space *octoinvite.Space) error {
	if err := requireID("space", space.ID); err != nil {
		return err
	}
	link, err := c.rootLink(ctx, "Spaces")
	if err != nil {
		return err
	}
	if link, err = selfOr(space.Links, link, space.ID); err != nil {
		return err
	}
	return update(ctx, c, link, space)
}

// DeleteSpace deletes the space, with its teams and invitations. Octopus deletes only a space
// whose task queue is stopped: stop it first with UpdateSpace, or the error matches ErrInvalid.
// A caller without the SpaceDelete permission gets an error matching ErrForbidden; an unknown
// space, ErrNotFound.
func (c *Client) DeleteSpace(ctx context.Context, id string) error {
	if err := requireID("space", id); err != nil {
		return err
	}
	link, err := c.rootLink(ctx, "Spaces")
	if err != nil {
		return err
	}
	if link, err = itemLink(link, id); err != nil {
		return err
	}
	c.forgetSpace(id)
	return c.do(ctx, "DELETE", link, nil, nil)
}

// forgetSpace drops the root document of a space kept from earlier calls.
func (c *Client) forgetSpace(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.spaceRoots {
		if strings.EqualFold(key, id) {
			delete(c.spaceRoots, key)
		}
	}
}
