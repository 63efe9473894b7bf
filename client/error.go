package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// Error is a request the server refused or failed, or one the client refused to send. It carries
// Octopus's error body: ErrorMessage and the individual Errors. It matches the sentinel errors
// with errors.Is, and unwraps to an *octoinvite.Error, so that octoinvite.ErrorCode,
// ErrorMessage and ErrorDetails read it.
type Error struct {
	// StatusCode is the HTTP status of the answer; 0 when the client sent no request.
	StatusCode int
	// Code is the octoinvite error code of the status (octoinvite.CodeForHTTPStatus).
	Code string
	// ErrorMessage and Errors are the fields of Octopus's error body.
	ErrorMessage string
	Errors       []string
	// Method and Path name the request.
	Method string
	Path   string
	// Body is the answer when it was not an Octopus error document (an HTML page from a proxy,
	// say); nil otherwise.
	Body []byte
}

// Sentinel errors, one per error code. errors.Is(err, ErrNotFound) reports whether err is, or
// wraps, an *Error with that code. Each is an *octoinvite.Error, so octoinvite.ErrorCode reads
// its code too.
var (
	ErrInvalid         = &octoinvite.Error{Code: octoinvite.EINVALID, Message: "invalid request"}
	ErrUnauthorized    = &octoinvite.Error{Code: octoinvite.EUNAUTHORIZED, Message: "unauthorized"}
	ErrForbidden       = &octoinvite.Error{Code: octoinvite.EFORBIDDEN, Message: "forbidden"}
	ErrNotFound        = &octoinvite.Error{Code: octoinvite.ENOTFOUND, Message: "not found"}
	ErrNotAllowed      = &octoinvite.Error{Code: octoinvite.ENOTALLOWED, Message: "method not allowed"}
	ErrConflict        = &octoinvite.Error{Code: octoinvite.ECONFLICT, Message: "conflict"}
	ErrTooLarge        = &octoinvite.Error{Code: octoinvite.ETOOLARGE, Message: "request too large"}
	ErrUnsupported     = &octoinvite.Error{Code: octoinvite.EUNSUPPORTED, Message: "unsupported media type"}
	ErrTooManyRequests = &octoinvite.Error{Code: octoinvite.ETOOMANYREQUESTS, Message: "too many requests"}
	ErrInternal        = &octoinvite.Error{Code: octoinvite.EINTERNAL, Message: "internal server error"}
	ErrUnavailable     = &octoinvite.Error{Code: octoinvite.EUNAVAILABLE, Message: "service unavailable"}
)

var sentinelByCode = map[string]error{}

func init() {
	for _, s := range []*octoinvite.Error{ErrInvalid, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrNotAllowed,
		ErrConflict, ErrTooLarge, ErrUnsupported, ErrTooManyRequests, ErrInternal, ErrUnavailable} {
		sentinelByCode[s.Code] = s
	}
}

// newError reads an error answer. A body that is not Octopus's error document is kept in Body
// and described, rather than reported as a decoding failure.
func newError(method, path string, resp *http.Response, body []byte) *Error {
	e := &Error{StatusCode: resp.StatusCode, Code: octoinvite.CodeForHTTPStatus(resp.StatusCode), Method: method, Path: path}
	var doc struct {
		ErrorMessage *string  `json:"ErrorMessage"`
		Errors       []string `json:"Errors"`
	}
	if isJSON(resp.Header.Get("Content-Type")) && json.Unmarshal(body, &doc) == nil && doc.ErrorMessage != nil {
		e.ErrorMessage, e.Errors = *doc.ErrorMessage, doc.Errors
		return e
	}
	e.Body = body
	if len(strings.TrimSpace(string(body))) == 0 {
		e.ErrorMessage = fmt.Sprintf("The server answered %d %s with an empty body.", resp.StatusCode, http.StatusText(resp.StatusCode))
	} else {
		e.ErrorMessage = fmt.Sprintf("The server answered %d %s with %s, not an Octopus error: %q",
			resp.StatusCode, http.StatusText(resp.StatusCode), contentType(resp.Header), excerpt(body))
	}
	return e
}

// Error returns the request, the status, the message and the details, on one line: runs of
// white space, line breaks among them, become single spaces.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("client: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d %s: ", e.StatusCode, http.StatusText(e.StatusCode))
	}
	b.WriteString(strings.Join(strings.Fields(e.Summary()), " "))
	return b.String()
}

// Summary returns ErrorMessage followed by each of Errors that does not repeat it, separated by
// spaces: what a person needs to read, each text as the server wrote it. The texts may hold
// anything a user put in a name, line breaks and terminal controls included: make them safe
// for wherever they are shown.
func (e *Error) Summary() string {
	parts := []string{e.ErrorMessage}
	for _, d := range e.Errors {
		if d != e.ErrorMessage {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, " ")
}

// Is reports whether target is the sentinel error of e's code.
func (e *Error) Is(target error) bool {
	s, ok := sentinelByCode[e.Code]
	return ok && s == target
}

// Unwrap returns e as an *octoinvite.Error.
func (e *Error) Unwrap() error {
	return &octoinvite.Error{Code: e.Code, Message: e.ErrorMessage, Details: e.Errors}
}
