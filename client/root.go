package client

import (
	"context"
	"fmt"
	"strings"

	stduritemplate "github.com/std-uritemplate/std-uritemplate/go/v2"

	"github.com/octoinvite/octoinvite"
)

// Root is the root document, the entry point of the API at GET /api/.
type Root struct {
	Application    string           `json:"Application"`
	Version        string           `json:"Version"`
	APIVersion     string           `json:"ApiVersion"`
	InstallationID string           `json:"InstallationId"`
	Links          octoinvite.Links `json:"Links"`
}

// Root reads the root document, which anyone may read, and keeps its links for later calls. It
// returns an error if the server does not answer with a root document of API version 3.0.x, the
// range Octopus.Client accepts too.
func (c *Client) Root(ctx context.Context) (*Root, error) {
	var root Root
	if err := c.do(ctx, "GET", c.rootURL(), nil, &root); err != nil {
		return nil, err
	}
	if root.Links["Self"] == "" {
		return nil, fmt.Errorf("client: GET %s: the answer has no links: is %s an Octopus server?", c.rootURL(), c.base)
	}
	if !strings.HasPrefix(root.APIVersion, "3.0.") {
		return nil, fmt.Errorf("client: the server at %s speaks API version %q; this client speaks 3.0", c.base, root.APIVersion)
	}
	c.mu.Lock()
	c.root = &root
	c.mu.Unlock()
	return &root, nil
}

// rootLink returns the root document's link of that name, reading the root document on first use.
func (c *Client) rootLink(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	root := c.root
	c.mu.Unlock()
	if root == nil {
		var err error
		if root, err = c.Root(ctx); err != nil {
			return "", err
		}
	}
	link := root.Links[name]
	if link == "" {
		return "", fmt.Errorf("client: the root document of %s has no %q link", c.base, name)
	}
	return link, nil
}

// spaceLink returns the link of that name in the root document of the space, GET /api/{spaceId},
// reached through the root document's SpaceHome link, as go-octopusdeploy does. When the space
// root has no such link the global root's is returned, as go-octopusdeploy does too. An unknown
// space is an error matching ErrNotFound.
func (c *Client) spaceLink(ctx context.Context, spaceID, name string) (string, error) {
	if err := requireID("space", spaceID); err != nil {
		return "", err
	}
	c.mu.Lock()
	links, ok := c.spaceRoots[spaceID]
	c.mu.Unlock()
	if !ok {
		home, err := c.rootLink(ctx, "SpaceHome")
		if err != nil {
			return "", err
		}
		path, err := expand(home, map[string]any{"spaceId": spaceID})
		if err != nil {
			return "", err
		}
		var spaceRoot struct {
			Links octoinvite.Links `json:"Links"`
		}
		if err := c.do(ctx, "GET", path, nil, &spaceRoot); err != nil {
			return "", err
		}
		links = spaceRoot.Links
		c.mu.Lock()
		c.spaceRoots[spaceID] = links
		c.mu.Unlock()
	}
	if link := links[name]; link != "" {
		return link, nil
	}
	return c.rootLink(ctx, name)
}

// expand fills in a link's URI template (RFC 6570). Values may be strings, []string or ints;
// empty strings, empty lists and zero ints are left out, so that the server applies its defaults.
// Each value is percent-encoded by the bytes of its UTF-8, so that the server reads back exactly
// the text given, whatever characters it holds.
func expand(link string, vars map[string]any) (string, error) {
	values := stduritemplate.Substitutions{}
	for name, v := range vars {
		switch v := v.(type) {
		case string:
			if v != "" {
				values[name] = v
			}
		case []string:
			if len(v) > 0 {
				values[name] = v
			}
		case int:
			if v > 0 {
				values[name] = fmt.Sprint(v)
			}
		case bool:
			values[name] = fmt.Sprint(v)
		default:
			panic(fmt.Sprintf("client: expand: unsupported value %T", v))
		}
	}
	s, err := stduritemplate.Expand(link, values)
	if err != nil {
		return "", fmt.Errorf("client: the server gave the malformed link template %q: %w", link, err)
	}
	return s, nil
}

// itemLink returns the link of one item of a collection: the template's {/id} filled in, or,
// for a link without a template such as Invitations, the ID appended as Octopus clients do.
func itemLink(link, id string) (string, error) {
	if strings.Contains(link, "{") {
		return expand(link, map[string]any{"id": id})
	}
	path, err := expand("{/id}", map[string]any{"id": id})
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(link, "/") + path, nil
}
