package client

import (
	"context"
	"iter"

	"github.com/octoinvite/octoinvite"
)

// Collection is one page of a collection, as the server sends it.
type Collection[T any] = octoinvite.Collection[T]

// list reads the page of a collection at link.
func list[T any](ctx context.Context, c *Client, link string) (*Collection[T], error) {
	var col Collection[T]
	if err := c.do(ctx, "GET", link, nil, &col); err != nil {
		return nil, err
	}
	return &col, nil
}

// all yields every item of the collection from the page at link on, following each page's
// Page.Next link. It stops at the first error, which it yields with a zero item.
func all[T any](ctx context.Context, c *Client, link string, err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err != nil {
			yield(zero, err)
			return
		}
		for link != "" {
			col, err := list[T](ctx, c, link)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range col.Items {
				if !yield(item, nil) {
					return
				}
			}
			next := col.Links["Page.Next"]
			if next == link || len(col.Items) == 0 {
				return
			}
			link = next
		}
	}
}

// rangeVars returns the template variables of a page range; zero values are left out, so that
// the server applies its defaults (skip 0, take 30).
func rangeVars(r octoinvite.Range, vars map[string]any) map[string]any {
	vars["skip"] = r.Skip
	vars["take"] = r.Take
	return vars
}

// create posts v to link and replaces *v with the server's answer, so that fields the server
// sets (ID, links) come back and nothing of the request lingers.
func create[T any](ctx context.Context, c *Client, link string, v *T) error {
	var created T
	if err := c.do(ctx, "POST", link, v, &created); err != nil {
		return err
	}
	*v = created
	return nil
}

// get reads the resource at link.
func get[T any](ctx context.Context, c *Client, link string) (*T, error) {
	var v T
	if err := c.do(ctx, "GET", link, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// update puts v at link and replaces *v with the server's answer, as Octopus.Client's Modify
// does.
func update[T any](ctx context.Context, c *Client, link string, v *T) error {
	var updated T
	if err := c.do(ctx, "PUT", link, v, &updated); err != nil {
		return err
	}
	*v = updated
	return nil
}

// getAll reads a plain JSON array, the answer of Octopus's /all routes.
func getAll[T any](ctx context.Context, c *Client, link string) ([]T, error) {
	var items []T
	if err := c.do(ctx, "GET", link, nil, &items); err != nil {
		return nil, err
	}
	if items == nil {
		items = []T{}
	}
	return items, nil
}

// allID is the ID that Octopus's clients put in a collection's {/id} to reach its /all route.
const allID = "all"

// selfOr returns the resource's Self link when it has one, as Octopus.Client modifies and
// deletes a resource at its Self link, or else the item link of id in the collection link.
func selfOr(links octoinvite.Links, collection, id string) (string, error) {
	if self := links["Self"]; self != "" {
		return self, nil
	}
	return itemLink(collection, id)
}
