// Package octoinvite holds the domain of an Octopus Deploy compatible invitation server: spaces,
// teams, users, API keys and invitations, the rules that bind them, and the one error type every
// layer speaks.
//
// The types carry the JSON shape of Octopus Deploy's REST API (PascalCase keys, "Type-N" IDs), so
// that the server, the client and Octopus's own clients read and write the same bytes. The package
// imports no infrastructure: stores live in sqldb, the HTTP server in http, the client in client.
package octoinvite

import (
	"strconv"
	"strings"
	"time"
)

// APIVersion is the Octopus REST API version the server speaks. Octopus.Client accepts servers
// whose ApiVersion lies between 3.0.0 and 3.0.99.
const APIVersion = "3.0.0"

// Built-in identifiers of a fresh installation.
const (
	// DefaultSpaceID is the space every installation starts with.
	DefaultSpaceID = "Spaces-1"
	// EveryoneTeamID is the system team every user belongs to.
	EveryoneTeamID = "teams-everyone"
	// AdministratorsTeamID is the system team whose members hold every permission.
	AdministratorsTeamID = "teams-administrators"
	// AdminUserID is the administrator a fresh installation creates.
	AdminUserID = "Users-1"
)

// Kinds of documents, used as the prefix of their IDs ("Teams-3").
const (
	KindSpace      = "Spaces"
	KindTeam       = "Teams"
	KindUser       = "Users"
	KindInvitation = "Invitations"
	KindAPIKey     = "APIKeys"
)

// MaxIDLength bounds every identifier the server accepts, so that an attacker cannot make it
// parse, log or look up megabytes of text.
const MaxIDLength = 64

// FormatID returns the ID of the n-th document of a kind, such as "Invitations-4".
func FormatID(kind string, n int64) string {
	return kind + "-" + strconv.FormatInt(n, 10)
}

// ParseID reads an ID of the given kind, matching the kind case-insensitively as Octopus does,
// and returns it in canonical form ("teams-3" becomes "Teams-3"). Built-in team IDs
// (teams-everyone, teams-administrators) are accepted for KindTeam in any case. ok is false for
// anything else, including IDs longer than MaxIDLength.
func ParseID(kind, s string) (id string, ok bool) {
	if len(s) == 0 || len(s) > MaxIDLength {
		return "", false
	}
	if kind == KindTeam {
		switch strings.ToLower(s) {
		case EveryoneTeamID, AdministratorsTeamID:
			return strings.ToLower(s), true
		}
	}
	// The kind in any ASCII case, a hyphen, then 1 to 18 digits; compared byte by byte, since
	// this runs for every ID of every request.
	if len(s) < len(kind)+2 || len(s) > len(kind)+19 || s[len(kind)] != '-' || !equalFoldASCII(s[:len(kind)], kind) {
		return "", false
	}
	var n int64
	for _, c := range []byte(s[len(kind)+1:]) {
		if c < '0' || c > '9' {
			return "", false
		}
		n = n*10 + int64(c-'0')
	}
	if n <= 0 {
		return "", false
	}
	return FormatID(kind, n), true
}

// ParseDocumentID reads the ID of a document of any kind the server has (KindSpace, KindTeam,
// KindUser, KindInvitation, KindAPIKey, KindEvent, the built-in teams and SystemUserID), its
// kind in any ASCII case, and returns it in canonical form, as ParseID does for one kind. ok is
// false for anything else.
func ParseDocumentID(s string) (id string, ok bool) {
	if equalFoldASCII(s, SystemUserID) {
		return SystemUserID, true
	}
	for _, kind := range []string{KindSpace, KindTeam, KindUser, KindInvitation, KindAPIKey, KindEvent} {
		if id, ok := ParseID(kind, s); ok {
			return id, true
		}
	}
	return "", false
}

// equalFoldASCII reports whether a and b are equal, ignoring the case of ASCII letters only.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// TimeFormat is the layout of every date on the wire: RFC 3339 with milliseconds and a numeric
// offset. go-octopusdeploy rejects dates without an offset, so UTC is written "+00:00", never "Z".
const TimeFormat = "2006-01-02T15:04:05.000-07:00"

// Time is a point in time that encodes in Octopus's date format. Decoding accepts any RFC 3339
// date, with or without fractional seconds.
type Time struct{ time.Time }

// NewTime returns t in UTC, truncated to milliseconds, the precision the wire and the stores keep.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// MarshalJSON writes the time in UTC in TimeFormat. A time whose year, in UTC, lies outside 0 to 9999
// has no RFC 3339 form and is an error.
func (t Time) MarshalJSON() ([]byte, error) {
	if y := t.Time.UTC().Year(); y < 0 || y > 9999 {
		return nil, Errorf(EINVALID, "the year %d cannot be written as an RFC 3339 date", y)
	}
	b := make([]byte, 0, len(TimeFormat)+2)
	b = append(b, '"')
	b = t.Time.UTC().AppendFormat(b, TimeFormat)
	return append(b, '"'), nil
}

// UnmarshalJSON reads an RFC 3339 date; it returns an error for anything else.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return Errorf(EINVALID, "a date must be a string such as %q", "2026-11-28T10:00:00.000+00:00")
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Errorf(EINVALID, "%q is not a date such as %q", s, "2026-11-28T10:00:00.000+00:00")
	}
	*t = Time{v}
	return nil
}

// Links maps a link's name ("Self", "Spaces") to a server-relative path or URI template.
type Links map[string]string

// Page is one page of a collection, in the order the store returns it.
type Page[T any] struct {
	Items []T
	// Total counts every item the filter matches, not only those on this page.
	Total int
}

// Range selects a page of a collection: Skip items are passed over, at most Take returned.
type Range struct {
	Skip int
	Take int
}

// DefaultTake is the page size Octopus uses when a request names none.
const DefaultTake = 30

// MaxTake is the page size that asks for everything: Octopus's Page.All link uses it.
const MaxTake = 2147483647
