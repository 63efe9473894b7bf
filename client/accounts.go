package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.APIKeyService = (*Client)(nil)

// Prefixes of the names of the two cookies of a signed-in session (the server appends its
// installation ID), and the header that echoes the anti-forgery token on unsafe requests.
const (
	sessionCookiePrefix = "OctopusIdentificationToken"
	csrfCookiePrefix    = "Octopus-Csrf-Token"
	HeaderCSRF          = "X-Octopus-Csrf-Token"
)

// session is what a client signed in with a password sends instead of an API key.
type session struct {
	cookies []*http.Cookie
	csrf    string
}

// keepSession remembers the session cookies an answer sets (to Register and Login) and forgets
// them when an answer clears them (to Logout).
func (c *Client) keepSession(resp *http.Response) {
	var s session
	cleared := false
	for _, ck := range resp.Cookies() {
		if !strings.HasPrefix(ck.Name, sessionCookiePrefix) && !strings.HasPrefix(ck.Name, csrfCookiePrefix) {
			continue
		}
		if ck.MaxAge < 0 || ck.Value == "" {
			cleared = true
			continue
		}
		s.cookies = append(s.cookies, &http.Cookie{Name: ck.Name, Value: ck.Value})
		if strings.HasPrefix(ck.Name, csrfCookiePrefix) {
			s.csrf = ck.Value
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case len(s.cookies) > 0:
		c.session = &s
	case cleared:
		c.session = nil
	}
}

// addSession makes a request of a client without an API key carry the session, if it has one.
func (c *Client) addSession(req *http.Request) {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s == nil || c.apiKey != "" {
		return
	}
	for _, ck := range s.cookies {
		req.AddCookie(ck)
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		req.Header.Set(HeaderCSRF, s.csrf)
	}
}

// Register creates a user from an invitation code, through the root document's Register link,
// and returns it. Anyone may register: the code is the credential. The server signs the new user
// in, and a client without an API key keeps that session for its later calls, so that it can
// create the user's first API key. Invalid fields, a taken username, and a code that is unknown,
// expired or used are errors matching ErrInvalid, whose Errors say which.
func (c *Client) Register(ctx context.Context, reg *octoinvite.Registration) (*octoinvite.User, error) {
	link, err := c.rootLink(ctx, "Register")
	if err != nil {
		return nil, err
	}
	var user octoinvite.User
	if err := c.do(ctx, "POST", link, reg, &user); err != nil {
		return nil, err
	}
	return &user, nil
}

// Login signs in with a username and password, through the root document's SignIn link, as
// Octopus's web portal does, and returns the user. A client without an API key then calls the
// API with that session. Wrong credentials are an error matching ErrUnauthorized; too many
// recent failures, ErrTooManyRequests.
func (c *Client) Login(ctx context.Context, username, password string) (*octoinvite.User, error) {
	link, err := c.rootLink(ctx, "SignIn")
	if err != nil {
		return nil, err
	}
	if link, err = expand(link, nil); err != nil {
		return nil, err
	}
	var user octoinvite.User
	body := map[string]string{"Username": username, "Password": password}
	if err := c.do(ctx, "POST", link, body, &user); err != nil {
		return nil, err
	}
	return &user, nil
}

// Logout ends the client's session on the server, through the root document's SignOut link,
// and forgets it. Without a session or an API key it is an error matching ErrUnauthorized.
func (c *Client) Logout(ctx context.Context) error {
	link, err := c.rootLink(ctx, "SignOut")
	if err != nil {
		return err
	}
	return c.do(ctx, "POST", link, nil, nil)
}

// apiKeysLink returns the ApiKeys link template of the user.
func (c *Client) apiKeysLink(ctx context.Context, userID string) (string, error) {
	user, err := c.FindUserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	link := user.Links["ApiKeys"]
	if link == "" {
		return "", fmt.Errorf("client: the user %s has no ApiKeys link", user.ID)
	}
	return link, nil
}

// CreateAPIKey creates an API key for the user and returns it with its value, which the server
// shows this once. Callers create their own keys; another user's need the UserEdit permission
// (else an error matching ErrForbidden). An empty purpose is an error matching ErrInvalid; an
// unknown user, ErrNotFound.
func (c *Client) CreateAPIKey(ctx context.Context, userID, purpose string) (*octoinvite.APIKey, error) {
	link, err := c.apiKeysLink(ctx, userID)
	if err != nil {
		return nil, err
	}
	if link, err = expand(link, map[string]any{}); err != nil {
		return nil, err
	}
	key := &octoinvite.APIKey{Purpose: purpose}
	if err := c.do(ctx, "POST", link, map[string]string{"Purpose": purpose}, key); err != nil {
		return nil, err
	}
	return key, nil
}

// ListAPIKeys returns a page of the user's API keys, without their values. Another user's keys
// need the UserView permission.
func (c *Client) ListAPIKeys(ctx context.Context, userID string, rng octoinvite.Range) (*Collection[*octoinvite.APIKey], error) {
	link, err := c.apiKeysLink(ctx, userID)
	if err != nil {
		return nil, err
	}
	if link, err = expand(link, rangeVars(rng, map[string]any{})); err != nil {
		return nil, err
	}
	return list[*octoinvite.APIKey](ctx, c, link)
}

// AllAPIKeys yields every API key of the user from rng.Skip on, without their values, page
// after page of rng.Take (the server's default when zero), and the first error, if any.
func (c *Client) AllAPIKeys(ctx context.Context, userID string, rng octoinvite.Range) iter.Seq2[*octoinvite.APIKey, error] {
	link, err := c.apiKeysLink(ctx, userID)
	if err == nil {
		link, err = expand(link, rangeVars(rng, map[string]any{}))
	}
	return all[*octoinvite.APIKey](ctx, c, link, err)
}

// FindAPIKeys returns a page of the user's API keys. It implements octoinvite.APIKeyService;
// ListAPIKeys also returns the page's links.
func (c *Client) FindAPIKeys(ctx context.Context, userID string, rng octoinvite.Range) (octoinvite.Page[*octoinvite.APIKey], error) {
	col, err := c.ListAPIKeys(ctx, userID, rng)
	if err != nil {
		return octoinvite.Page[*octoinvite.APIKey]{}, err
	}
	return col.Page(), nil
}

// FindAPIKeyByID returns one of the user's keys without its value, or an error matching
// ErrNotFound, also for a revoked key.
func (c *Client) FindAPIKeyByID(ctx context.Context, userID, keyID string) (*octoinvite.APIKey, error) {
	if err := requireID("API key", keyID); err != nil {
		return nil, err
	}
	link, err := c.apiKeysLink(ctx, userID)
	if err != nil {
		return nil, err
	}
	if link, err = itemLink(link, keyID); err != nil {
		return nil, err
	}
	return get[octoinvite.APIKey](ctx, c, link)
}

// RevokeAPIKey revokes one of the user's keys; it stops working at once. A key that does not
// exist or is already revoked is an error matching ErrNotFound; another user's key needs the
// UserEdit permission.
func (c *Client) RevokeAPIKey(ctx context.Context, userID, keyID string) error {
	if err := requireID("API key", keyID); err != nil {
		return err
	}
	link, err := c.apiKeysLink(ctx, userID)
	if err != nil {
		return err
	}
	if link, err = itemLink(link, keyID); err != nil {
		return err
	}
	return c.do(ctx, "DELETE", link, nil, nil)
}
