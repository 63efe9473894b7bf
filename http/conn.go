package http

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Listener returns ln with the answers that net/http writes by itself, before any handler runs,
// put in the server's shape: a request whose header fields are too large (431), that cannot be
// read (400), whose transfer encoding is unknown (501) or whose Expect header is other than
// 100-continue (417) is answered with an Octopus error body, or with a page when it asked for one
// (a path under /app/), and logged and observed as every other request is. Serve Handler on it.
func (s *Server) Listener(ln net.Listener) net.Listener {
	return &listener{Listener: ln, s: s}
}

type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, s: l.s}, nil
}

// maxRequestHead bounds what a conn keeps of a request's first bytes, to read its method and
// path from.
const maxRequestHead = 2 << 10

// conn is a connection that recognises net/http's own answers among the writes and writes its
// server's answer instead. It keeps the first bytes of the request being read (from the first
// read after an answer), for the method and path.
type conn struct {
	net.Conn
	s *Server

	mu      sync.Mutex
	head    []byte
	started time.Time
	// answered is set by a write: the next read begins another request.
	answered bool
}

func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.mu.Lock()
		if c.answered || c.started.IsZero() {
			c.head, c.answered, c.started = c.head[:0], false, time.Now()
		}
		if room := maxRequestHead - len(c.head); room > 0 {
			c.head = append(c.head, b[:min(n, room)]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *conn) Write(b []byte) (int, error) {
	if status, problem, ok := ownAnswer(b); ok {
		if err := c.answer(status, problem); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	c.mu.Lock()
	c.answered = true
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// CloseWrite half-closes the connection, as net/http does before it closes a connection whose
// client may still be writing.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ownAnswerHeaders follow the status line of every answer net/http writes by itself to a
// request it could not read; an answer of a handler has a Date header and its headers in order,
// Connection before Content-Type.
const ownAnswerHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// expectationFailed is how net/http's answer to a request whose Expect is not 100-continue
// begins (after "HTTP/1.1 ", or "HTTP/1.0 " for an HTTP/1.0 request); a Date header's value and
// an end follow. It is written through the response writer, like a handler's answer, but with no
// Content-Type and no body, which no handler of the server answers.
const expectationFailed = "417 Expectation Failed\r\nConnection: close\r\nDate: "

// expectationFailedEnds are the ends of net/http's 417 after the Date header's value: with an
// empty Content-Length, or, to a HEAD request, without one.
var expectationFailedEnds = []string{"\r\nContent-Length: 0\r\n\r\n", "\r\n\r\n"}

// ownAnswer reports whether b is an answer net/http writes by itself, with its status and what
// its status line says of the problem after the status text ("" if nothing).
func ownAnswer(b []byte) (status int, problem string, ok bool) {
	if isExpectationFailed(b) {
		return http.StatusExpectationFailed, "", true
	}
	rest, ok := bytes.CutPrefix(b, []byte("HTTP/1.1 "))
	if !ok {
		return 0, "", false
	}
	end := bytes.IndexByte(rest, '\r') // of the status line, which a header block follows
	if end < 3 || !bytes.HasPrefix(rest[end:], []byte(ownAnswerHeaders)) {
		return 0, "", false
	}
	line := rest[:end]
	status, err := strconv.Atoi(string(line[:3]))
	if err != nil {
		return 0, "", false
	}
	_, problem, _ = strings.Cut(string(line), ": ")
	return status, problem, true
}

// isExpectationFailed reports whether b is the whole of net/http's 417 to a request whose Expect
// it does not meet.
func isExpectationFailed(b []byte) bool {
	rest, ok := bytes.CutPrefix(b, []byte("HTTP/1.1 "+expectationFailed))
	if !ok {
		rest, ok = bytes.CutPrefix(b, []byte("HTTP/1.0 "+expectationFailed))
	}
	// The Date header's value, in http.TimeFormat, is always 29 bytes long.
	const dateLen = len("Mon, 02 Jan 2006 15:04:05 GMT")
	if !ok || len(rest) < dateLen {
		return false
	}
	return slices.Contains(expectationFailedEnds, string(rest[dateLen:]))
}

// answer writes the server's answer to a request that net/http refused before any handler ran,
// and logs and observes it.
func (c *conn) answer(status int, problem string) error {
	c.mu.Lock()
	head, started := string(c.head), c.started
	c.answered = true
	c.mu.Unlock()
	method, target := requestLine(head)
	path, query, _ := strings.Cut(target, "?")

	message, advice := refusalWords(status, problem)
	id := c.s.requestIDs.next()
	rec := httptest.NewRecorder()
	if pages, ok := c.s.Web.(problemPages); ok && isPagePath(path) {
		pages.Problem(rec, status, message, advice)
	} else {
		writeJSON(rec, status, ErrorResponse{ErrorMessage: message})
	}
	h := rec.Header()
	h["X-Request-Id"] = []string{id}
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	h.Set("Connection", "close")
	elapsed := time.Duration(0)
	if !started.IsZero() {
		elapsed = time.Since(started)
	}
	c.s.observeRequest(method, "", status, elapsed)
	logger := c.s.logger()
	if logger.Enabled(context.Background(), slog.LevelInfo) {
		logger.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("request_id", id),
			slog.String("method", octoinvite.Truncate(method, 20)),
			slog.String("path", octoinvite.Truncate(path, 200)),
			slog.String("query", octoinvite.Truncate(redactQuery(query), 200)),
			slog.Int("status", status),
			slog.Int("bytes", rec.Body.Len()),
			slog.Duration("duration", elapsed),
			slog.String("remote", c.RemoteAddr().String()),
			slog.String("problem", message),
		)
	}
	// Logged before it is sent, as a handler's answer is.
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(&out)
	out.WriteString("\r\n")
	if method != http.MethodHead { // an answer to HEAD has no body, but says how long it would be
		out.Write(rec.Body.Bytes())
	}
	_, err := c.Conn.Write(out.Bytes())
	return err
}

// refusalWords returns what to tell a client whose request net/http refused with the status
// (and the problem its status line named, if any), and what to advise a person on a page.
func refusalWords(status int, problem string) (message, advice string) {
	const again = "Open the link you were sent again."
	switch {
	case status == http.StatusRequestHeaderFieldsTooLarge:
		return "The request's header fields are too large.", "Clear this site's cookies in your browser, then open the link again."
	case status == http.StatusNotImplemented:
		return "The request's transfer encoding is not supported: send the body as is, or chunked.", again
	case status == http.StatusExpectationFailed:
		return "The request's expectation cannot be met: the only Expect the server supports is 100-continue.", again
	case problem != "":
		return "The request could not be read: " + problem + ".", again
	}
	return "The request could not be read: it is not a well-formed HTTP request.", again
}

// problemPages is what a Web handler that can show a problem as a page does (web.Handler).
type problemPages interface {
	Problem(w http.ResponseWriter, status int, message, advice string)
}

// requestLine returns the method and target of the request line at the start of head, as far
// as they can be read ("" otherwise).
func requestLine(head string) (method, target string) {
	line, _, _ := strings.Cut(head, "\n")
	method, rest, ok := strings.Cut(strings.TrimSuffix(line, "\r"), " ")
	if !ok {
		return "", ""
	}
	target, _, _ = strings.Cut(rest, " ")
	return method, target
}

// isPagePath reports whether a request for the path asks for a page.
func isPagePath(path string) bool {
	clean := cleanPath(path)
	return clean == "/app" || strings.HasPrefix(clean, pagesPattern)
}
