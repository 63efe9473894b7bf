package http_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
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
		t.Run("Page", func(t *testing.T) {
			// A form over the pages' 64 KiB, sent whole before the answer is read: the 413
			// page, not a reset connection.
			form := "username=jane&password=" + strings.Repeat("x", 2<<20)
			page := "POST /app/users/sign-in HTTP/1.1\r\nHost: octoinvite\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			resp := rawExchange(t, env, page+fmt.Sprintf("Content-Length: %d\r\n\r\n", len(form))+form)
			if resp.status != 413 || !strings.Contains(resp.body, "The form sent more than the 64 KiB this site accepts from one form.") {
				t.Errorf("got %d %.300s, want 413 with the page of a form too large", resp.status, resp.body)
			}
		})
	})
	if page, err := env.DB.FindInvitations(t.Context(), octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 1}}); err != nil || page.Total != 0 {
		t.Errorf("got %d invitations (%v), want none created", page.Total, err)
	}
}

// TestAnswersBeforeRouting sends, over raw connections, requests that net/http refuses before
// any handler runs, and paths that are not in clean form: API paths are answered with Octopus
// error bodies, pages with pages, and each is logged.
func TestAnswersBeforeRouting(t *testing.T) {
	env := servertest.Start(t)
	var logBuf bytes.Buffer
	env.API.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
	env = servertest.Serve(t, env)
	pad := strings.Repeat("x", 80<<10) // over the 64 KiB of header fields
	key := "X-Octopus-ApiKey: " + servertest.AdminKey + "\r\n"
	json := func(message string) string { return `{"ErrorMessage":` + strconv.Quote(message) + `}` }
	tests := []struct {
		name     string
		request  string
		status   int
		want     string // the JSON body, or for a page a fragment of it
		page     bool
		location string
	}{
		{"HeaderTooLarge", "GET /api/users/me HTTP/1.1\r\nHost: octoinvite\r\nX-Pad: " + pad + "\r\n\r\n",
			431, json("The request's header fields are too large."), false, ""},
		{"HeaderTooLargePage", "GET /app/register?invitation=X HTTP/1.1\r\nHost: octoinvite\r\nCookie: pad=" + pad + "\r\n\r\n",
			431, "Clear this site&#39;s cookies in your browser", true, ""},
		{"NoHost", "GET /api HTTP/1.1\r\n\r\n",
			400, json("The request could not be read: missing required Host header."), false, ""},
		{"NotHTTP", "HELLO\r\n\r\n",
			400, json("The request could not be read: it is not a well-formed HTTP request."), false, ""},
		{"MalformedHeader", "GET /api/users/me HTTP/1.1\r\nHost: octoinvite\r\nNo colon here\r\n\r\n",
			400, json("The request could not be read: it is not a well-formed HTTP request."), false, ""},
		{"MalformedHeaderPage", "GET /app/register HTTP/1.1\r\nHost: octoinvite\r\nNo colon here\r\n\r\n",
			400, "The request could not be read: it is not a well-formed HTTP request.", true, ""},
		{"UnknownTransferEncoding", "POST /api/users/invitations HTTP/1.1\r\nHost: octoinvite\r\n" + key + "Transfer-Encoding: gzip\r\n\r\n",
			501, json("The request's transfer encoding is not supported: send the body as is, or chunked."), false, ""},
		{"DoubleSlash", "GET //api/users/me HTTP/1.1\r\nHost: octoinvite\r\n" + key + "\r\n",
			307, json("The address '//api/users/me' has empty or dot segments; the resource is at '/api/users/me'."), false, "/api/users/me"},
		{"DoubleSlashInside", "DELETE /api//users/invitations/Invitations-1?x=1 HTTP/1.1\r\nHost: octoinvite\r\n" + key + "\r\n",
			307, json("The address '/api//users/invitations/Invitations-1' has empty or dot segments; the resource is at '/api/users/invitations/Invitations-1'."), false, "/api/users/invitations/Invitations-1?x=1"},
		{"DotSegments", "GET /api/spaces/../Spaces-1/./teams HTTP/1.1\r\nHost: octoinvite\r\n" + key + "\r\n",
			307, json("The address '/api/spaces/../Spaces-1/./teams' has empty or dot segments; the resource is at '/api/Spaces-1/teams'."), false, "/api/Spaces-1/teams"},
		{"DoubleSlashNowhere", "GET //nowhere HTTP/1.1\r\nHost: octoinvite\r\n\r\n",
			404, json("There is no resource at '//nowhere'."), false, ""},
		{"DoubleSlashPage", "GET //app/register?invitation=X HTTP/1.1\r\nHost: octoinvite\r\n\r\n",
			307, `<a href="/app/register?invitation=X">`, true, "/app/register?invitation=X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := rawExchange(t, env, tt.request)
			switch {
			case tt.page:
				if resp.status != tt.status || resp.header.Get("Content-Type") != "text/html; charset=utf-8" ||
					resp.header.Get("Content-Security-Policy") == "" || !strings.Contains(resp.body, tt.want) {
					t.Errorf("got %d %q (Content-Security-Policy %q):\n%s\nwant %d, a page with %q", resp.status,
						resp.header.Get("Content-Type"), resp.header.Get("Content-Security-Policy"), resp.body, tt.status, tt.want)
				}
			default:
				resp.wantJSON(t, tt.status, tt.want)
			}
			if got := resp.header.Get("Location"); got != tt.location {
				t.Errorf("got Location %q, want %q", got, tt.location)
			}
			if resp.header.Get("X-Request-Id") == "" {
				t.Error("got no X-Request-Id")
			}
		})
	}
	// The invitation was not revoked through a path that was not clean: the client must follow.
	if inv, err := env.DB.FindInvitationByID(t.Context(), "Invitations-1"); err == nil && inv.State == octoinvite.StateRevoked {
		t.Error("a request to a path that was not clean revoked an invitation")
	}
	log := logBuf.String()
	for _, want := range []string{"method=GET path=/api/users/me query=\"\" status=431", "status=400", "status=501", `problem="The request could not be read: missing required Host header."`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log misses %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, servertest.AdminKey) {
		t.Errorf("the log holds the key:\n%s", log)
	}
}

// TestAnswersBeforeRouting_keepAlive checks that a connection that served a request answers
// a second one, refused by net/http, by the second one's path.
func TestAnswersBeforeRouting_keepAlive(t *testing.T) {
	env := servertest.Start(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	rd := bufio.NewReader(conn)
	for _, step := range []struct {
		request, contentType string
		status               int
	}{
		{"GET /api HTTP/1.1\r\nHost: octoinvite\r\n\r\n", "application/json; charset=utf-8", 200},
		{"GET /app/register HTTP/1.1\r\nHost: octoinvite\r\nNo colon here\r\n\r\n", "text/html; charset=utf-8", 400},
	} {
		if _, err := io.WriteString(conn, step.request); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.status || resp.Header.Get("Content-Type") != step.contentType {
			t.Errorf("got %d %s, want %d %s", resp.StatusCode, resp.Header.Get("Content-Type"), step.status, step.contentType)
		}
	}
}

// TestExpectationFailed sends requests whose Expect header net/http does not meet (any value but
// 100-continue, as far as the first Expect field says): each is answered 417 with an Octopus
// error body, or a page under /app/, logged, and creates nothing; 100-continue is served.
func TestExpectationFailed(t *testing.T) {
	env := servertest.Start(t)
	var logBuf bytes.Buffer
	env.API.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
	env = servertest.Serve(t, env)
	const body = `{"AddToTeamIds":["teams-everyone"]}`
	post := func(proto, expect string) string {
		return "POST /api/users/invitations " + proto + "\r\nHost: octoinvite\r\nX-Octopus-ApiKey: " + servertest.AdminKey +
			"\r\nContent-Type: application/json\r\n" + expect + "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	const want = `{"ErrorMessage":"The request's expectation cannot be met: the only Expect the server supports is 100-continue."}`
	tests := []struct {
		name    string
		request string
	}{
		{"Unknown", post("HTTP/1.1", "Expect: 200-ok\r\n")},
		{"ContinueMisspelt", post("HTTP/1.1", "Expect: 100-continued\r\n")},
		{"FirstFieldCounts", post("HTTP/1.1", "Expect: something\r\nExpect: 100-continue\r\n")},
		{"HTTP10", post("HTTP/1.0", "Expect: 200-ok\r\n")},
		{"NoBody", "GET /api/users/me HTTP/1.1\r\nHost: octoinvite\r\nX-Octopus-ApiKey: " + servertest.AdminKey + "\r\nExpect: x\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := rawExchange(t, env, tt.request)
			resp.wantJSON(t, http.StatusExpectationFailed, want)
			if got := resp.header.Get("Content-Length"); got != strconv.Itoa(len(resp.body)) {
				t.Errorf("got Content-Length %q, want %d", got, len(resp.body))
			}
			if resp.header.Get("X-Request-Id") == "" {
				t.Error("got no X-Request-Id")
			}
		})
	}
	t.Run("Head", func(t *testing.T) {
		// An answer to HEAD says how long its body would be, and has none.
		conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(conn, "HEAD /api HTTP/1.1\r\nHost: octoinvite\r\nExpect: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		all, err := io.ReadAll(conn)
		if err != nil {
			t.Fatal(err)
		}
		head, rest, _ := strings.Cut(string(all), "\r\n\r\n")
		if !strings.HasPrefix(head, "HTTP/1.1 417 Expectation Failed\r\n") || rest != "" ||
			!strings.Contains(head, "\r\nContent-Type: application/json; charset=utf-8\r\n") ||
			!strings.Contains(head, "\r\nContent-Length: "+strconv.Itoa(len(want))+"\r\n") {
			t.Errorf("got\n%s\nwant a 417 of JSON, Content-Length %d, and no body", all, len(want))
		}
	})
	t.Run("Page", func(t *testing.T) {
		resp := rawExchange(t, env, "GET /app/users/sign-in HTTP/1.1\r\nHost: octoinvite\r\nExpect: x\r\n\r\n")
		if resp.status != http.StatusExpectationFailed || resp.header.Get("Content-Type") != "text/html; charset=utf-8" ||
			resp.header.Get("Content-Security-Policy") == "" || !strings.Contains(resp.body, "the only Expect the server supports is 100-continue") {
			t.Errorf("got %d %q:\n%s\nwant 417, a page saying why", resp.status, resp.header.Get("Content-Type"), resp.body)
		}
	})
	ctx := t.Context()
	if page, err := env.DB.FindInvitations(ctx, octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 1}}); err != nil || page.Total != 0 {
		t.Fatalf("got %d invitations (%v), want none created by a refused request", page.Total, err)
	}
	log := logBuf.String()
	for _, want := range []string{"method=POST path=/api/users/invitations query=\"\" status=417", "method=HEAD path=/api query=\"\" status=417",
		`problem="The request's expectation cannot be met: the only Expect the server supports is 100-continue."`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log misses %q:\n%s", want, log)
		}
	}
	t.Run("Continue", func(t *testing.T) {
		// 100-continue, in any case and among other expectations, is met: net/http answers 100
		// Continue when the handler reads the body.
		conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(conn, post("HTTP/1.1", "Expect: 100-Continue, x-other\r\n")); err != nil {
			t.Fatal(err)
		}
		rd := bufio.NewReader(conn)
		var statuses []int
		for len(statuses) < 2 {
			resp, err := http.ReadResponse(rd, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
		if !slices.Equal(statuses, []int{http.StatusContinue, http.StatusCreated}) {
			t.Fatalf("got %v, want 100 Continue then 201", statuses)
		}
		page, err := env.DB.FindInvitations(ctx, octoinvite.InvitationFilter{Range: octoinvite.Range{Take: 10}})
		if err != nil || page.Total != 1 {
			t.Fatalf("got %d invitations (%v), want the one created", page.Total, err)
		}
	})
}
