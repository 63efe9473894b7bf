package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

// decodeBody reads the JSON body of r into v. A body that is missing, empty or null is EINVALID
// with Octopus's "No request body was supplied."; a body over the limit is ETOOLARGE; a body
// declared as something other than JSON is EUNSUPPORTED; malformed JSON, trailing data and values
// of the wrong type are EINVALID naming the problem. Unknown fields are ignored, as Octopus does.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	limit := s.maxBodyBytes()
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return tooLarge(limit)
	} else if err != nil {
		return octoinvite.Invalid("The request body could not be read.")
	}
	// A UTF-8 byte order mark, which .NET and PowerShell clients may send, is not part of the JSON.
	trimmed := strings.TrimSpace(strings.TrimPrefix(string(body), "\ufeff"))
	if trimmed == "" || trimmed == "null" {
		return octoinvite.Invalid(octoinvite.MsgNoRequestBody)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json") {
			return octoinvite.Errorf(octoinvite.EUNSUPPORTED,
				"The request body must be JSON, sent with Content-Type: application/json; it was sent as '%s'.", octoinvite.Truncate(ct, 100))
		}
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return octoinvite.Invalid(jsonProblem(err))
	}
	if dec.More() {
		return octoinvite.Invalid("The request body must hold one JSON object and nothing after it.")
	}
	return nil
}

// A body refused as too large is read on and discarded, at most lingerBytes of it for at most
// lingerTime, after the answer is sent and before the connection closes, as nginx's lingering
// close does. A client that writes its whole request before reading the answer (Python's urllib,
// swagger-generated clients) would otherwise find the connection reset under its writes and
// never read the 413. Bodies that declare more than the limit and lingerBytes together are not
// read: the client would be cut off anyway.
const (
	lingerBytes = 4 << 20
	lingerTime  = 5 * time.Second
)

// discardRefusedBody sends the answer written so far and discards what comes of the body, within
// lingerBytes and lingerTime; the server then closes the connection.
func (s *Server) discardRefusedBody(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength > s.maxBodyBytes()+lingerBytes {
		return
	}
	rc := http.NewResponseController(w)
	if rc.Flush() != nil || rc.SetReadDeadline(time.Now().Add(lingerTime)) != nil {
		return
	}
	_, _ = io.CopyN(io.Discard, r.Body, lingerBytes)
}

// maxBodyBytes is the limit on request bodies: MaxBodyBytes, else DefaultMaxBodyBytes.
func (s *Server) maxBodyBytes() int64 {
	if s.MaxBodyBytes <= 0 {
		return DefaultMaxBodyBytes
	}
	return s.MaxBodyBytes
}

func tooLarge(limit int64) error {
	return octoinvite.Errorf(octoinvite.ETOOLARGE, "The request body is too large: the limit is %d bytes.", limit)
}

// jsonProblem words a decoding error for the client.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("The field '%s' must be %s, not %s.", octoinvite.Truncate(typeErr.Field, 100), describeType(typeErr.Type.String()), typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("The request body must be a JSON object, not %s.", typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("The request body is not valid JSON: %s at byte %d.", syntaxErr.Error(), syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The request body is not valid JSON: it ends too early."
	default:
		return "The request body is not valid JSON."
	}
}

func describeType(goType string) string {
	switch goType {
	case "string", "*string":
		return "a string"
	case "[]string":
		return "an array of strings"
	case "bool":
		return "true or false"
	case "int", "int64", "*int":
		return "a whole number"
	default:
		return "of another type"
	}
}

// query gives case-insensitive access to a request's query parameters, as Octopus binds them.
// It collects the problems its readers find, for err to report them all at once.
type query struct {
	values   map[string][]string
	problems []string
}

func queryOf(r *http.Request) *query {
	q := &query{values: map[string][]string{}}
	for name, values := range r.URL.Query() {
		q.values[strings.ToLower(name)] = append(q.values[strings.ToLower(name)], values...)
	}
	return q
}

func (q *query) get(name string) string {
	if v := q.values[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// text returns a parameter that a store matches text against (partialName, filter); a value
// that octoinvite.CheckParameter refuses is a problem that err reports.
func (q *query) text(name string) string {
	v := q.get(name)
	q.check(name, v)
	return v
}

// check records the problem with a parameter's value, if it has one, once per parameter.
func (q *query) check(name, value string) {
	if p := octoinvite.CheckParameter(name, value); p != nil && !slices.Contains(q.problems, p.Message) {
		q.problems = append(q.problems, p.Message)
	}
}

// maxListValues bounds each comma-separated filter, so that one request cannot make the
// database compare against thousands of values (nor exceed its limit on query parameters).
const maxListValues = 100

// list returns a comma-separated parameter as a list, nil if it is absent. A list longer than
// maxListValues, or with a value that octoinvite.CheckParameter refuses, is a problem that err
// reports.
func (q *query) list(name string) []string {
	v, ok := q.values[strings.ToLower(name)]
	if !ok {
		return nil
	}
	out := []string{}
	for _, s := range v {
		q.check(name, s)
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	if len(out) > maxListValues {
		q.problems = append(q.problems, fmt.Sprintf("The parameter '%s' may name at most %d values.", name, maxListValues))
		return out[:maxListValues]
	}
	return out
}

// err returns the problems the readers found, as one EINVALID error, or nil.
func (q *query) err() error {
	if len(q.problems) > 0 {
		return octoinvite.Invalid(q.problems...)
	}
	return nil
}

// boolean reads a true/false parameter, def when it is absent.
func (q *query) boolean(name string, def bool) (bool, error) {
	v := q.get(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		return false, octoinvite.Invalid(fmt.Sprintf("The parameter '%s' must be true or false.", name))
	}
	return b, nil
}

// pageRange reads skip and take; take defaults to Octopus's 30.
func (q *query) pageRange() (octoinvite.Range, error) {
	rng := octoinvite.Range{Take: octoinvite.DefaultTake}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"skip", &rng.Skip}, {"take", &rng.Take}} {
		v := q.get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return rng, octoinvite.Invalid(fmt.Sprintf("The parameter '%s' must be a whole number of at least 0.", p.name))
		}
		*p.dst = int(min(n, octoinvite.MaxTake))
	}
	return rng, nil
}

// encodeQuery writes parameters in a stable order: skip and take first, then the rest sorted,
// leaving out API keys.
func encodeQuery(r *http.Request, skip, take int) string {
	params := url.Values{}
	for name, values := range r.URL.Query() {
		switch strings.ToLower(name) {
		case "skip", "take", "apikey":
			continue
		}
		params[name] = values
	}
	s := "skip=" + strconv.Itoa(skip) + "&take=" + strconv.Itoa(take)
	if rest := params.Encode(); rest != "" {
		s += "&" + rest
	}
	return s
}
