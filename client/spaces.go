package client

import (
	"context"
	"iter"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.SpaceService = (*Client)(nil)

func (c *Client) spacesLink(ctx context.Context, filter octoinvite.SpaceFilter) (string, error) {
	link, err := c.rootLink(ctx, "Spaces")
	if err != nil {
		return "", err
	}
	return expand(link, rangeVars(filter.Range, map[string]any{"ids": filter.IDs, "partialName": filter.PartialName}))
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
