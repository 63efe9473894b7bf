package http

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"

	"github.com/octoinvite/octoinvite"
)

// ErrorResponse is the body of every error, in Octopus's shape. Octopus.Client reads ErrorMessage
// and Errors; go-octopusdeploy treats an empty error body as success, so there is always one.
type ErrorResponse struct {
	ErrorMessage string   `json:"ErrorMessage"`
	Errors       []string `json:"Errors,omitempty"`
	// FullException is set for internal errors only, and then holds no internals: it names the
	// request whose log entry does.
	FullException string `json:"FullException,omitempty"`
}

// writeError answers err with its status and an Octopus error body. Internal errors are logged
// with their details and answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := octoinvite.ErrorCode(err)
	resp := ErrorResponse{ErrorMessage: octoinvite.ErrorMessage(err), Errors: octoinvite.ErrorDetails(err)}
	switch code {
	case octoinvite.EINVALID, octoinvite.ECONFLICT:
		if len(resp.Errors) == 0 {
			resp.Errors = []string{resp.ErrorMessage}
		}
	case octoinvite.EINTERNAL:
		id := requestID(r.Context())
		s.logger().LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", id), slog.String("error", err.Error()))
		resp.FullException = "The server could not complete the request. Its log holds the details under request ID " + id + "."
	case octoinvite.EUNAVAILABLE:
		s.logger().LogAttrs(r.Context(), slog.LevelWarn, "unavailable",
			slog.String("request_id", requestID(r.Context())), slog.String("error", err.Error()))
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	writeJSON(w, octoinvite.HTTPStatus(code), resp)
}

// retryAfterSeconds is the Retry-After of a 503: long enough for a database failover or
// restart to progress, short enough that a client retrying does not wait in vain.
const retryAfterSeconds = "5"

// writeJSON answers v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	e := jsonEncoders.Get().(*jsonEncoder)
	defer e.release()
	var b []byte
	var err error
	if inv, ok := v.(*octoinvite.Invitation); ok {
		b, err = appendInvitation(e.buf.AvailableBuffer(), inv)
		if err == nil {
			// Keep the grown memory for the next answer.
			e.buf.Write(b)
			b = e.buf.Bytes()
		}
	} else {
		err = e.enc.Encode(v)
		b = bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))
	}
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"ErrorMessage":"There was a problem with your request.","FullException":"The response could not be encoded."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// jsonEncoder is an encoder with its buffer, kept in jsonEncoders between answers so that an
// answer reuses the memory of an earlier one.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// maxPooledJSON bounds the buffers kept for reuse, so that one large answer does not keep its
// memory for good.
const maxPooledJSON = 64 << 10

var jsonEncoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	// Links hold query strings: keep their & readable rather than \u0026.
	e.enc.SetEscapeHTML(false)
	return e
}}

// release returns the encoder to the pool once its bytes are written (a ResponseWriter's Write
// does not keep them).
func (e *jsonEncoder) release() {
	if e.buf.Cap() > maxPooledJSON {
		return
	}
	e.buf.Reset()
	jsonEncoders.Put(e)
}
