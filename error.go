package octoinvite

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the http and client packages, both ways.
const (
	ECONFLICT        = "conflict"          // the change clashes with what is stored (a taken name)
	EINTERNAL        = "internal"          // a fault of the server; the details go to the log only
	EINVALID         = "invalid"           // the request breaks a rule; Details says which
	ENOTFOUND        = "not_found"         // the resource does not exist, or is not visible here
	EUNAUTHORIZED    = "unauthorized"      // no valid API key
	EFORBIDDEN       = "forbidden"         // the caller lacks a permission
	ETOOLARGE        = "too_large"         // the request body exceeds the limit
	EUNSUPPORTED     = "unsupported"       // the request body is not JSON
	ENOTALLOWED      = "not_allowed"       // the method is not served on this path
	EUNAVAILABLE     = "unavailable"       // the store cannot be reached for now; try again
	ETOOMANYREQUESTS = "too_many_requests" // the client must slow down
)

// Error is the one error type of the domain. Message is safe to show to the caller; Details lists
// the individual problems of an EINVALID or ECONFLICT error, as Octopus's "Errors" array does.
// Fields, when set, names for each of Details the request field it concerns ("" for the request
// as a whole), so that a form can show each problem beside its field; it is not on the wire.
type Error struct {
	Code    string
	Message string
	Details []string
	Fields  []string
}

// Problem is one rule a request breaks: the field it concerns, by its name on the wire
// ("Username"; "" for the request as a whole), and the sentence that says what is wrong.
type Problem struct {
	Field   string
	Message string
}

// Error returns the code, the message and the details, such as
// "octoinvite: invalid: There was a problem with your request. [The field 'Name' is required.]",
// for logs and tests; what a caller is shown is ErrorMessage and ErrorDetails.
func (e *Error) Error() string {
	if len(e.Details) == 0 {
		return fmt.Sprintf("octoinvite: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("octoinvite: %s: %s %v", e.Code, e.Message, e.Details)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ProblemMessage is the summary Octopus gives for a request that breaks a rule; the rules broken
// follow in Errors.
const ProblemMessage = "There was a problem with your request."

// Invalid returns an EINVALID error whose details are the given problems, in Octopus's shape.
func Invalid(problems ...string) *Error {
	return &Error{Code: EINVALID, Message: ProblemMessage, Details: problems}
}

// InvalidFields returns an EINVALID error whose details are the problems' messages and whose
// Fields are their fields.
func InvalidFields(problems ...Problem) *Error {
	e := &Error{Code: EINVALID, Message: ProblemMessage}
	for _, p := range problems {
		e.Details = append(e.Details, p.Message)
		e.Fields = append(e.Fields, p.Field)
	}
	return e
}

// Conflict returns an ECONFLICT error whose details are the given problems.
func Conflict(problems ...string) *Error {
	return &Error{Code: ECONFLICT, Message: ProblemMessage, Details: problems}
}

// NotFound returns the ENOTFOUND error Octopus gives for a missing resource.
func NotFound(id string) *Error {
	return Errorf(ENOTFOUND, "The resource '%s' was not found.", id)
}

// ErrorCode returns the code of err if it is, or wraps, an *Error; EINTERNAL otherwise, and ""
// for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err; internal errors get a generic message so
// that nothing of the server's insides leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return ProblemMessage
}

// ErrorDetails returns the details of err if it is, or wraps, an *Error.
func ErrorDetails(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}

// ErrorProblems returns the details of err if it is, or wraps, an *Error, each with the field it
// concerns ("" where the error names none).
func ErrorProblems(err error) []Problem {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	out := make([]Problem, len(e.Details))
	for i, d := range e.Details {
		out[i].Message = d
		if i < len(e.Fields) {
			out[i].Field = e.Fields[i]
		}
	}
	return out
}

// statusByCode is the one table between error codes and HTTP statuses; the server reads it one
// way and the client the other.
var statusByCode = map[string]int{
	EINVALID:         400,
	EUNAUTHORIZED:    401,
	EFORBIDDEN:       403,
	ENOTFOUND:        404,
	ENOTALLOWED:      405,
	ECONFLICT:        409,
	ETOOLARGE:        413,
	EUNSUPPORTED:     415,
	ETOOMANYREQUESTS: 429,
	EINTERNAL:        500,
	EUNAVAILABLE:     503,
}

// HTTPStatus returns the HTTP status for an error code; 500 for an unknown code.
func HTTPStatus(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return 500
}

// CodeForHTTPStatus returns the error code for an HTTP status: the code that HTTPStatus maps to
// it, EINVALID for any other 4xx and EINTERNAL for any other status.
func CodeForHTTPStatus(status int) string {
	for code, s := range statusByCode {
		if s == status {
			return code
		}
	}
	if status >= 400 && status < 500 {
		return EINVALID
	}
	return EINTERNAL
}
