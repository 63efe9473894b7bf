package client

import (
	"context"
	"iter"
	"time"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.EventService = (*Client)(nil)

func (c *Client) eventsLink(ctx context.Context, filter octoinvite.EventFilter) (string, error) {
	link, err := c.rootLink(ctx, "Events")
	if err != nil {
		return "", err
	}
	vars := map[string]any{"regarding": filter.Regarding, "users": filter.Users, "spaces": filter.Spaces}
	if filter.From != nil {
		vars["from"] = filter.From.UTC().Format(time.RFC3339Nano)
	}
	if filter.To != nil {
		vars["to"] = filter.To.UTC().Format(time.RFC3339Nano)
	}
	return expand(link, rangeVars(filter.Range, vars))
}

// ListEvents returns the page of the audit log the filter selects, newest first. Empty lists in
// the filter select everything; filter.IDs is not sent. It needs the EventView permission:
// without it the error matches ErrForbidden. A zero Take asks for the server's default, 30.
func (c *Client) ListEvents(ctx context.Context, filter octoinvite.EventFilter) (*Collection[*octoinvite.Event], error) {
	link, err := c.eventsLink(ctx, filter)
	if err != nil {
		return nil, err
	}
	return list[*octoinvite.Event](ctx, c, link)
}

// FindEvents returns the page of events the filter selects. It implements
// octoinvite.EventService; ListEvents also returns the page's links.
func (c *Client) FindEvents(ctx context.Context, filter octoinvite.EventFilter) (octoinvite.Page[*octoinvite.Event], error) {
	col, err := c.ListEvents(ctx, filter)
	if err != nil {
		return octoinvite.Page[*octoinvite.Event]{}, err
	}
	return col.Page(), nil
}

// AllEvents yields every event the filter selects, newest first, page after page, and the first
// error, if any.
func (c *Client) AllEvents(ctx context.Context, filter octoinvite.EventFilter) iter.Seq2[*octoinvite.Event, error] {
	link, err := c.eventsLink(ctx, filter)
	return all[*octoinvite.Event](ctx, c, link, err)
}

// FindEventByID returns one event, or an error matching ErrNotFound; without the EventView
// permission, one matching ErrForbidden.
func (c *Client) FindEventByID(ctx context.Context, id string) (*octoinvite.Event, error) {
	if err := requireID("event", id); err != nil {
		return nil, err
	}
	link, err := c.rootLink(ctx, "Events")
	if err != nil {
		return nil, err
	}
	base, err := expand(link, map[string]any{})
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(base, id); err != nil {
		return nil, err
	}
	return get[octoinvite.Event](ctx, c, link)
}
