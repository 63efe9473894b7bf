package octoinvite

import (
	"context"
	"time"
)

// KindEvent is the prefix of events' IDs ("Events-12").
const KindEvent = "Events"

// Categories of events, named as Octopus names its event categories.
const (
	// EventCreated: an invitation, a user (by registration) or an API key was created.
	EventCreated = "Created"
	// EventModified: an invitation was redeemed, revoked or given a new code.
	EventModified = "Modified"
	// EventDeleted: an API key was revoked, or the purge deleted closed invitations.
	EventDeleted = "Deleted"
	// EventLoginSucceeded: a user signed in with a password or registered (which signs in).
	EventLoginSucceeded = "LoginSucceeded"
	// EventLoginFailed: a sign-in with a username and password failed.
	EventLoginFailed = "LoginFailed"
	// EventLogoutSucceeded: a user signed out, ending a session. Octopus records no sign-outs;
	// the name pairs with EventLoginSucceeded.
	EventLogoutSucceeded = "LogoutSucceeded"
	// EventEmailSent: the mail server accepted an email (an invitation, or the news that one
	// was accepted).
	EventEmailSent = "EmailSent"
	// EventEmailFailed: an email was refused for good, or its retries ran out.
	EventEmailFailed = "EmailFailed"
)

// SystemUserID and SystemUsername name the actor of an event that no signed-in user caused,
// as Octopus does.
const (
	SystemUserID   = "users-system"
	SystemUsername = "system"
)

// Event is an entry of the audit log, in the shape of Octopus's EventResource: who did what,
// when, from which address and with which client. Events never hold API keys, invitation codes,
// passwords or session tokens.
type Event struct {
	ID                      string              `json:"Id"`
	SpaceID                 *string             `json:"SpaceId"`
	Category                string              `json:"Category"`
	UserID                  string              `json:"UserId"`
	Username                string              `json:"Username"`
	IsService               bool                `json:"IsService"`
	IdentityEstablishedWith string              `json:"IdentityEstablishedWith"`
	UserAgent               string              `json:"UserAgent"`
	Occurred                Time                `json:"Occurred"`
	Message                 string              `json:"Message"`
	MessageHTML             string              `json:"MessageHtml"`
	MessageReferences       []EventReference    `json:"MessageReferences"`
	Comments                *string             `json:"Comments"`
	Details                 *string             `json:"Details"`
	ChangeDetails           *EventChangeDetails `json:"ChangeDetails"`
	IPAddress               string              `json:"IpAddress"`
	RelatedDocumentIDs      []string            `json:"RelatedDocumentIds"`
	Links                   Links               `json:"Links"`
}

// EventReference marks where a document's ID appears in an event's message.
type EventReference struct {
	ReferencedDocumentID string `json:"ReferencedDocumentId"`
	StartIndex           int    `json:"StartIndex"`
	Length               int    `json:"Length"`
}

// EventChangeDetails is Octopus's description of a document's change. octoinvite records
// none; the field exists so that clients find the shape they expect.
type EventChangeDetails struct {
	DocumentContext any `json:"DocumentContext"`
	Differences     any `json:"Differences"`
}

// EventFilter selects events. Empty fields select everything.
type EventFilter struct {
	// IDs selects these events.
	IDs []string
	// Regarding selects events related to any of these documents.
	Regarding []string
	// Users selects events caused by any of these users.
	Users []string
	// Spaces selects events of any of these spaces.
	Spaces []string
	// From and To bound Occurred, both inclusive, when set.
	From, To *time.Time
	Range
}

// EventService reads the audit log. Events are written by the services that make the changes,
// in the same transaction as the change.
type EventService interface {
	// FindEvents returns a page of the events the filter selects, newest first.
	FindEvents(ctx context.Context, filter EventFilter) (Page[*Event], error)
	// FindEventByID returns the event, or ENOTFOUND.
	FindEventByID(ctx context.Context, id string) (*Event, error)
}

// RequestInfo describes where a request came from, for the audit log.
type RequestInfo struct {
	// IPAddress is the client's address (without port).
	IPAddress string
	// UserAgent is the client's User-Agent header, truncated.
	UserAgent string
	// IdentityEstablishedWith names how the caller authenticated ("API key", "Session cookie",
	// "Username and password"), empty for an anonymous request.
	IdentityEstablishedWith string
}

// Ways a caller authenticates, as events record them in IdentityEstablishedWith.
const (
	IdentityAPIKey     = "API key"
	IdentitySession    = "Session cookie"
	IdentityPassword   = "Username and password"
	IdentityInvitation = "Invitation code"
)

// NewContextWithIdentity returns a context whose RequestInfo records how the request's caller
// authenticated (one of the Identity names).
func NewContextWithIdentity(ctx context.Context, how string) context.Context {
	info := RequestInfoFromContext(ctx)
	info.IdentityEstablishedWith = how
	return NewContextWithRequestInfo(ctx, info)
}

const requestInfoContextKey contextKey = 2

// NewContextWithRequestInfo returns a context that carries the request's origin.
func NewContextWithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoContextKey, info)
}

// RequestInfoFromContext returns the request's origin, or the zero RequestInfo for work that
// no request started.
func RequestInfoFromContext(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoContextKey).(RequestInfo)
	return info
}
