package http_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// rawExchange writes request on a new connection to the server, all of it, before reading
// anything (as Python's urllib and swagger-generated clients do), then reads the answer.
func rawExchange(t *testing.T, env *servertest.Env, request string) response {
	t.Helper()
	return pacedExchange(t, env, request, 0)
}

// pacedExchange is rawExchange writing the request in pieces of 32 KiB, pausing between them:
// as over a network, where a large body is still on its way when the server answers (over
// loopback it would fit in the kernels' buffers at once).
func pacedExchange(t *testing.T, env *servertest.Env, request string, pause time.Duration) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A generous deadline: the test waits for an outcome, not for a time.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	for rest := request; rest != ""; {
		n := len(rest)
		if pause > 0 {
			n = min(n, 32<<10)
			time.Sleep(pause)
		}
		if _, err := io.WriteString(conn, rest[:n]); err != nil {
			t.Fatalf("writing the request, %d bytes before its end: %v", len(rest), err)
		}
		rest = rest[n:]
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer's body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// chunked encodes body in chunks of 32 KiB, as a client streaming it would.
func chunked(body string) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(len(body), 32<<10)
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	return b.String() + "0\r\n\r\n"
}

// TestBodyTooLarge_ClientWritesFirst sends a 2 MiB body, over the 1 MiB limit, from a client
// that writes the whole request before it reads: it must read the 413, not a reset connection.
func TestBodyTooLarge_ClientWritesFirst(t *testing.T) {
	env := servertest.Start(t)
	body := `{"AddToTeamIds":[],"Pad":"` + strings.Repeat("x", 2<<20) + `"}`
	head := "POST /api/users/invitations HTTP/1.1\r\nHost: octoinvite\r\nX-Octopus-ApiKey: " + servertest.AdminKey +
		"\r\nContent-Type: application/json\r\n"
	const want = `{"ErrorMessage":"The request body is too large: the limit is 1048576 bytes."}`
	// 2 MiB in 64 pieces, 40 ms apart: about 800 KiB/s, an ordinary upload.
	const pause = 40 * time.Millisecond
	t.Run("group", func(t *testing.T) {
		t.Run("ContentLength", func(t *testing.T) {
			t.Parallel()
			pacedExchange(t, env, head+fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))+body, pause).wantJSON(t, 413, want)
		})
		t.Run("Chunked", func(t *testing.T) {
			t.Parallel()
			pacedExchange(t, env, head+"Transfer-Encoding: chunked\r\n\r\n"+chunked(body), pause).wantJSON(t, 413, want)
		})
		t.Run("Registration", func(t *testing.T) {
			reg := "POST /api/users/register HTTP/1.1\r\nHost: octoinvite\r\nContent-Type: application/json\r\n"
			rawExchange(t, env, reg+fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))+body).wantJSON(t, 413, want)
		})
		t.Run("AtOnce", func(t *testing.T) {
			rawExchange(t, env, head+fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))+body).wantJSON(t, 413, want)
		})
	})
	if page, err := env.DB.FindInvitations(t.Context(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 1}}); err != nil || page.Total != 0 {
		t.Errorf("got %d invitations (%v), want none created", page.Total, err)
	}
}
