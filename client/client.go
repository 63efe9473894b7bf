// Package client is a typed Go client for octoinvite's REST API, which is the invitation part of
// Octopus Deploy's. It speaks Octopus's wire format and, like Octopus's own clients, starts from
// the root document at GET /api/ and follows its links, so the same code works against an Octopus
// Deploy server for the invitation operations.
//
// Every call takes a context first and returns the domain types of package octoinvite. Failed
// requests return an *Error, which matches the sentinel errors (ErrNotFound, ErrInvalid, ...)
// with errors.Is and unwraps to an *octoinvite.Error, so octoinvite.ErrorCode works on it too.
//
// The Client implements octoinvite.SpaceService, TeamService, UserService, InvitationService and
// APIKeyService, so code written against those interfaces runs over HTTP as well as against a
// store. A client without an API key can register with an invitation code or sign in with a
// password, and then calls the API with that session, as Octopus's web portal does.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/octoinvite/octoinvite"
)

// DefaultUserAgent is the User-Agent of a client made without WithUserAgent.
const DefaultUserAgent = "octoinvite-go-client"

// MaxResponseBytes bounds the body of any response the client reads, so that a misbehaving
// server cannot make it hold unbounded memory.
const MaxResponseBytes = 32 << 20

// KeyPlacement says where requests carry the API key. Octopus reads all three.
type KeyPlacement int

const (
	// KeyInHeader sends the key in the X-Octopus-ApiKey header, the default.
	KeyInHeader KeyPlacement = iota
	// KeyInQuery sends the key in the ApiKey query parameter. Keys in URLs tend to end up in
	// proxy logs: prefer a header unless something in between strips it.
	KeyInQuery
	// KeyInNuGetHeader sends the key in the X-NuGet-ApiKey header, as NuGet clients do.
	KeyInNuGetHeader
)

// Names under which requests carry the API key.
const (
	HeaderAPIKey      = "X-Octopus-ApiKey"
	HeaderNuGetAPIKey = "X-NuGet-ApiKey"
	QueryAPIKey       = "ApiKey"
)

// Client calls one octoinvite (or Octopus Deploy) server. It is safe for concurrent use. It
// reads the root document, and the root document of each space it works in, once, and keeps them.
type Client struct {
	base       *url.URL
	apiKey     string
	placement  KeyPlacement
	httpClient *http.Client
	userAgent  string

	mu         sync.Mutex
	root       *Root
	spaceRoots map[string]octoinvite.Links
	session    *session
}

// Option configures a Client.
type Option func(*Client)

// WithAPIKey makes the client authenticate with the API key. Without one, only the root
// document can be read: every other call returns an error matching ErrUnauthorized.
func WithAPIKey(key string) Option {
	return func(c *Client) { c.apiKey = key }
}

// WithHTTPClient makes the client send its requests through hc, for timeouts, proxies, TLS
// settings or a custom transport. The default is a client like http.DefaultClient whose
// CheckRedirect is SameHostRedirects, so that the API key never reaches another host; give hc
// that CheckRedirect too.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.httpClient = hc }
}

// WithUserAgent sets the User-Agent header of every request; DefaultUserAgent by default.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithKeyPlacement says where requests carry the API key; KeyInHeader by default.
func WithKeyPlacement(p KeyPlacement) Option {
	return func(c *Client) { c.placement = p }
}

// New returns a client of the server at baseURL, such as "https://octopus.example.com" (the
// address the Octopus CLI reads from OCTOPUS_URL; a trailing "/api" is accepted too). It returns
// an error if baseURL is not an absolute http or https URL, or if an option is invalid.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: the server address %q must be an absolute http or https URL, such as https://octopus.example.com", baseURL)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	c := &Client{base: u, httpClient: defaultHTTPClient, userAgent: DefaultUserAgent, spaceRoots: map[string]octoinvite.Links{}}
	for _, opt := range opts {
		opt(c)
	}
	if c.placement < KeyInHeader || c.placement > KeyInNuGetHeader {
		return nil, fmt.Errorf("client: unknown key placement %d", c.placement)
	}
	if c.httpClient == nil {
		c.httpClient = defaultHTTPClient
	}
	return c, nil
}

var defaultHTTPClient = &http.Client{CheckRedirect: SameHostRedirects}

// SameHostRedirects is a CheckRedirect function for an http.Client given to WithHTTPClient: it
// follows up to 10 redirects within one host and refuses any to another, since Go forwards custom
// headers such as X-Octopus-ApiKey to whatever host a redirect names.
func SameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
		return fmt.Errorf("the server redirected to another host, %s; not following it with the API key", req.URL.Host)
	}
	return nil
}

// BaseURL returns the server's address as the client uses it, without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// resolve turns a server-relative link into an absolute URL. Octopus's links are paths from the
// server's root (a server under a virtual directory includes it in its links).
func (c *Client) resolve(link string) (*url.URL, error) {
	ref, err := url.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("client: the server gave the malformed link %q", link)
	}
	return c.base.ResolveReference(ref), nil
}

// rootURL is where the root document is: /api/ under the base path, with the trailing slash that
// go-octopusdeploy requests too.
func (c *Client) rootURL() string { return c.base.Path + "/api/" }

// do sends a request to link with body (if not nil) as JSON and decodes the answer into out (if
// not nil). A status of 400 or above is an *Error; a failure to reach the server keeps its cause
// (context.Canceled, a *net.OpError, ...) unwrappable.
func (c *Client) do(ctx context.Context, method, link string, body, out any) error {
	u, err := c.resolve(link)
	if err != nil {
		return err
	}
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("client: encoding the request: %w", err)
		}
		reader = bytes.NewReader(b)
	}
	display := method + " " + u.Path
	if c.apiKey != "" && c.placement == KeyInQuery {
		q := u.Query()
		q.Set(QueryAPIKey, c.apiKey)
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return fmt.Errorf("client: %s: %w", display, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		switch c.placement {
		case KeyInHeader:
			req.Header.Set(HeaderAPIKey, c.apiKey)
		case KeyInNuGetHeader:
			req.Header.Set(HeaderNuGetAPIKey, c.apiKey)
		}
	}

	c.addSession(req)

	resp, err := c.httpClient.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("client: %s: %w", display, ctxErr)
		}
		// The *url.Error would repeat the URL, and with it a key sent in the query.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return fmt.Errorf("client: %s: cannot reach the server at %s: %w", display, c.base, err)
	}
	defer resp.Body.Close()
	c.keepSession(resp)
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("client: %s: %w", display, ctxErr)
		}
		return fmt.Errorf("client: %s: reading the answer: %w", display, err)
	}
	if len(data) > MaxResponseBytes {
		return fmt.Errorf("client: %s: the answer is larger than %d bytes", display, MaxResponseBytes)
	}
	if resp.StatusCode >= 400 {
		return newError(method, u.Path, resp, data)
	}
	if out == nil {
		return nil
	}
	if !isJSON(resp.Header.Get("Content-Type")) {
		return fmt.Errorf("client: %s: the server answered %d with %s, not JSON: is %s an Octopus server? The answer began %q",
			display, resp.StatusCode, contentType(resp.Header), c.base, excerpt(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("client: %s: the answer is not the expected resource: %w", display, err)
	}
	return nil
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"))
}

func contentType(h http.Header) string {
	if ct := h.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no Content-Type"
}

// excerpt returns the start of a body, on one line, for an error message.
func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	return octoinvite.Truncate(s, 200)
}

// requireID refuses an empty ID before any request: the path would name the collection instead.
func requireID(what, id string) error {
	if strings.TrimSpace(id) == "" {
		return &Error{Code: octoinvite.EINVALID, ErrorMessage: "The " + what + " ID is empty."}
	}
	return nil
}
