package http_test

import (
	"fmt"
	"testing"
	"time"

	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestEvents reads the audit log over HTTP: an invitation created by the administrator's key
// and a registration with its code, each with the caller's address and client.
func TestEvents(t *testing.T) {
	env := servertest.Start(t)
	created := call(t, env, "POST", "/api/users/invitations", servertest.AdminKey, `{"AddToTeamIds":["teams-everyone"]}`, "User-Agent", "octo-test/1.0")
	created.want(t, 201, "")
	var inv struct{ InvitationCode string }
	created.decode(t, &inv)
	env.Clock.Advance(90 * 1e9)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode), "User-Agent", "Firefox/1 <b>").want(t, 201, "")

	t.Run("OneEvent", func(t *testing.T) {
		call(t, env, "GET", "/api/events/events-2", servertest.AdminKey, "").wantJSON(t, 200, `{"Id":"Events-2","SpaceId":"Spaces-1","Category":"Created",
			"UserId":"Users-1","Username":"admin","IsService":false,"IdentityEstablishedWith":"API key","UserAgent":"octo-test/1.0",
			"Occurred":"2026-11-26T10:00:00.000+00:00","Message":"Invitation Invitations-1 was created to add a user to teams-everyone in space Spaces-1",
			"MessageHtml":"Invitation Invitations-1 was created to add a user to teams-everyone in space Spaces-1",
			"MessageReferences":[{"ReferencedDocumentId":"Invitations-1","StartIndex":11,"Length":13},{"ReferencedDocumentId":"teams-everyone","StartIndex":54,"Length":14},
			{"ReferencedDocumentId":"Spaces-1","StartIndex":78,"Length":8}],
			"Comments":null,"Details":null,"ChangeDetails":null,"IpAddress":"127.0.0.1",
			"RelatedDocumentIds":["Invitations-1","teams-everyone","Spaces-1"],"Links":{"Self":"/api/events/Events-2"}}`)
	})

	t.Run("NewestFirstPaged", func(t *testing.T) {
		call(t, env, "GET", "/api/events?take=1&regarding=Users-2", servertest.AdminKey, "").wantJSON(t, 200, `{"ItemType":"Event","TotalResults":3,
			"ItemsPerPage":1,"NumberOfPages":3,"LastPageNumber":2,"Items":[{"Id":"Events-5","SpaceId":null,"Category":"LoginSucceeded",
			"UserId":"Users-2","Username":"jane","IsService":false,"IdentityEstablishedWith":"Invitation code","UserAgent":"Firefox/1 <b>",
			"Occurred":"2026-11-26T10:01:30.000+00:00","Message":"User Users-2 (jane) signed in","MessageHtml":"User Users-2 (jane) signed in",
			"MessageReferences":[{"ReferencedDocumentId":"Users-2","StartIndex":5,"Length":7}],"Comments":null,"Details":null,"ChangeDetails":null,
			"IpAddress":"127.0.0.1","RelatedDocumentIds":["Users-2"],"Links":{"Self":"/api/events/Events-5"}}],
			"Links":{"Self":"/api/events?skip=0&take=1&regarding=Users-2","Template":"/api/events{?skip,take,from,to,regarding,users,spaces}",
			"Page.All":"/api/events?skip=0&take=2147483647&regarding=Users-2","Page.Current":"/api/events?skip=0&take=1&regarding=Users-2",
			"Page.Last":"/api/events?skip=2&take=1&regarding=Users-2","Page.Next":"/api/events?skip=1&take=1&regarding=Users-2"}}`)
	})

	t.Run("Filters", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"Events-5", "Events-4", "Events-3", "Events-2", "Events-1"}},
			{"?users=Users-1", []string{"Events-2"}},
			{"?users=users-system", []string{"Events-1"}},
			{"?regarding=Invitations-1", []string{"Events-4", "Events-3", "Events-2"}},
			{"?regarding=Invitations-1,Users-1&users=Users-2", []string{"Events-4", "Events-3"}},
			{"?from=2026-11-26T10:01:00%2B00:00", []string{"Events-5", "Events-4", "Events-3"}},
			{"?to=2026-11-26T10:00:00Z", []string{"Events-2", "Events-1"}},
			{"?from=2026-11-27", []string{}},
			{"?spaces=Spaces-1", []string{"Events-4", "Events-2"}},
			{"?spaces=Spaces-2", []string{}},
			{"?spaces=spaces-1&users=USERS-2&regarding=invitations-1", []string{"Events-4"}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				r := call(t, env, "GET", "/api/events"+tc.query, servertest.AdminKey, "")
				r.want(t, 200, "")
				var page struct{ Items []struct{ Id string } }
				r.decode(t, &page)
				got := []string{}
				for _, e := range page.Items {
					got = append(got, e.Id)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}
	})

	t.Run("ErrInvalidDate", func(t *testing.T) {
		call(t, env, "GET", "/api/events?from=yesterday", servertest.AdminKey, "").wantJSON(t, 400,
			`{"ErrorMessage":"There was a problem with your request.","Errors":["The parameter 'from' must be a date such as 2026-11-28 or 2026-11-28T10:00:00+00:00."]}`)
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		_, key := env.CreateUser(t, "bob")
		forbidden := `{"ErrorMessage":"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: EventView"}`
		call(t, env, "GET", "/api/events", key, "").wantJSON(t, 403, forbidden)
		call(t, env, "GET", "/api/events/Events-1", key, "").wantJSON(t, 403, forbidden)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		call(t, env, "GET", "/api/events/Events-999", servertest.AdminKey, "").wantJSON(t, 404,
			`{"ErrorMessage":"The resource 'Events-999' was not found."}`)
	})
}

// TestEvents_signOut signs out over the API (Events-1 to Events-6 are the administrator's key,
// the invitation, the registration with its use and sign-in, and the sign-in): the session ends
// and the sign-out is recorded once, by the user, with the request's address, client and how
// it authenticated. A sign-out with an API key alone, or with a session that has ended, records
// nothing.
func TestEvents_signOut(t *testing.T) {
	env := servertest.Start(t)
	inv := invite(t, env, nil)
	call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
	cookie, csrf := login(t, env, "jane", goodPassword)
	env.Clock.Advance(90 * time.Second)
	call(t, env, "POST", "/api/users/logout", "", "", "Cookie", cookie, ohttp.HeaderCSRF, csrf, "User-Agent", "Firefox/2").want(t, 204, "")

	const want = `{"Id":"Events-7","SpaceId":null,"Category":"LogoutSucceeded","UserId":"Users-2","Username":"jane","IsService":false,
		"IdentityEstablishedWith":"Session cookie","UserAgent":"Firefox/2","Occurred":"2026-11-26T10:01:30.000+00:00",
		"Message":"User Users-2 (jane) signed out","MessageHtml":"User Users-2 (jane) signed out",
		"MessageReferences":[{"ReferencedDocumentId":"Users-2","StartIndex":5,"Length":7}],"Comments":null,"Details":null,"ChangeDetails":null,
		"IpAddress":"127.0.0.1","RelatedDocumentIds":["Users-2"],"Links":{"Self":"/api/events/Events-7"}}`
	latest := func(t *testing.T) {
		t.Helper()
		call(t, env, "GET", "/api/events?take=1", servertest.AdminKey, "").wantJSON(t, 200, `{"ItemType":"Event","TotalResults":7,
			"ItemsPerPage":1,"NumberOfPages":7,"LastPageNumber":6,"Items":[`+want+`],
			"Links":{"Self":"/api/events?skip=0&take=1","Template":"/api/events{?skip,take,from,to,regarding,users,spaces}",
			"Page.All":"/api/events?skip=0&take=2147483647","Page.Current":"/api/events?skip=0&take=1",
			"Page.Last":"/api/events?skip=6&take=1","Page.Next":"/api/events?skip=1&take=1"}}`)
	}
	latest(t)
	call(t, env, "GET", "/api/events/Events-7", servertest.AdminKey, "").wantJSON(t, 200, want)
	// The session that registration started is still there; the one that signed out is not.
	if sessions, err := env.DB.FindSessions(t.Context(), "Users-2"); err != nil || len(sessions) != 1 {
		t.Errorf("got %d sessions (%v), want the registration's alone", len(sessions), err)
	}

	t.Run("NothingRecorded", func(t *testing.T) {
		call(t, env, "POST", "/api/users/logout", "", "", "Cookie", cookie, ohttp.HeaderCSRF, csrf).want(t, 401, "")
		call(t, env, "POST", "/api/users/logout", servertest.AdminKey, "").want(t, 204, "")
		latest(t)
	})
}
