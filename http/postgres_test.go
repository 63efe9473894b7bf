package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/octoinvite/octoinvite/internal/pgtest"
	"github.com/octoinvite/octoinvite/internal/servertest"
	"github.com/octoinvite/octoinvite/sqldb"
)

// unavailableBody is the answer to every request while the database cannot be reached.
const unavailableBody = `{"ErrorMessage":"The database is unavailable; try again shortly."}`

// startOnPostgres starts a test server on its own pool of connections to the database at dbURL.
func startOnPostgres(t *testing.T, dbURL string) *servertest.Env {
	t.Helper()
	db, err := sqldb.OpenPostgres(context.Background(), dbURL, servertest.MasterKey)
	if err != nil {
		t.Fatalf("opening the PostgreSQL store: %v", err)
	}
	return servertest.StartWithDB(t, db)
}

// adminAsync is admin for a goroutine other than the test's: it returns the failure to send
// instead of ending the test.
func adminAsync(env *servertest.Env, method, path, body string) (response, error) {
	r, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	r.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

const createInvitation = `{"AddToTeamIds":["teams-everyone"]}`

// TestTwoServersOnOnePostgres runs two servers, each with its own pool, on one database, as
// two instances behind a load balancer.
func TestTwoServersOnOnePostgres(t *testing.T) {
	dbURL := pgtest.NewDatabase(t, "pool_max_conns=6")
	servers := []*servertest.Env{startOnPostgres(t, dbURL), startOnPostgres(t, dbURL)}
	// Behind a load balancer, every instance is reached at one public address.
	public, _ := url.Parse("https://octoinvite.example")
	for _, s := range servers {
		s.API.PublicURL = public
	}
	if a, b := servers[0].DB.InstallationID(), servers[1].DB.InstallationID(); a != b {
		t.Fatalf("installation IDs: got %s and %s, want one", a, b)
	}

	t.Run("CreatedOnOneLoadedOnTheOther", func(t *testing.T) {
		created := admin(t, servers[0], "POST", "/api/Spaces-1/users/invitations", createInvitation)
		if created.status != http.StatusCreated {
			t.Fatalf("create: got %d %s, want 201", created.status, created.body)
		}
		var inv struct{ Id string }
		created.decode(t, &inv)
		admin(t, servers[1], "GET", "/api/Spaces-1/users/invitations/"+inv.Id, "").wantJSON(t, http.StatusOK, created.body)
	})

	t.Run("ConcurrentCreatesGetDistinctIDs", func(t *testing.T) {
		const creates = 40
		ids := make([]string, creates)
		errs := make([]error, creates)
		var wg sync.WaitGroup
		for i := range creates {
			wg.Go(func() {
				resp, err := adminAsync(servers[i%2], "POST", "/api/Spaces-1/users/invitations", createInvitation)
				if err == nil && resp.status != http.StatusCreated {
					err = fmt.Errorf("got %d %s, want 201", resp.status, resp.body)
				}
				if err == nil {
					var inv struct{ Id string }
					err = jsonDecode(resp.body, &inv)
					ids[i] = inv.Id
				}
				errs[i] = err
			})
		}
		wg.Wait()
		want := make([]string, creates)
		for i := range creates {
			if errs[i] != nil {
				t.Errorf("create %d through server %d: %v", i, i%2, errs[i])
			}
			// Invitations-1 is the one the previous subtest created.
			want[i] = fmt.Sprintf("Invitations-%d", i+2)
		}
		sort.Slice(ids, func(i, j int) bool { return len(ids[i]) < len(ids[j]) || len(ids[i]) == len(ids[j]) && ids[i] < ids[j] })
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("IDs: got %v, want %v", ids, want)
		}
	})

	t.Run("OneCodeRedeemedOnceAcrossServers", func(t *testing.T) {
		space := "Spaces-1"
		team := servers[0].CreateTeam(t, "Developers", &space)
		inv := invite(t, servers[1], &space, team.ID)
		before := userCount(t, servers[0])
		const n = 50
		if counts := raceRegistrations(t, servers, inv.InvitationCode, n); counts[http.StatusCreated] != 1 || counts[http.StatusBadRequest] != n-1 {
			t.Errorf("got statuses %v, want one 201 and %d 400", counts, n-1)
		}
		for _, env := range servers {
			if got := userCount(t, env); got != before+1 {
				t.Errorf("got %d users, want %d", got, before+1)
			}
		}
		if got := members(t, servers[1], team.ID); len(got) != 1 {
			t.Errorf("got members %v, want exactly the one registered user", got)
		}
	})
}

// TestPostgresSessionsTerminatedMidTraffic ends every database session while requests are in
// flight: each request either succeeds or answers 503 with an Octopus body, and afterwards the
// server serves again without a restart.
func TestPostgresSessionsTerminatedMidTraffic(t *testing.T) {
	dbURL := pgtest.NewDatabase(t, "pool_max_conns=4")
	env := startOnPostgres(t, dbURL)

	const workers, requestsEach = 4, 30
	var mu sync.Mutex
	var succeeded, unavailable int
	var unexpected []string
	terminate := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range requestsEach {
				if w == 0 && i == requestsEach/3 {
					close(terminate)
				}
				method, path, body := "GET", "/api/users/me", ""
				if i%2 == 1 {
					method, path, body = "POST", "/api/Spaces-1/users/invitations", createInvitation
				}
				resp, err := adminAsync(env, method, path, body)
				mu.Lock()
				switch {
				case err != nil:
					unexpected = append(unexpected, fmt.Sprintf("%s %s: %v", method, path, err))
				case resp.status == http.StatusOK || resp.status == http.StatusCreated:
					succeeded++
				case resp.status == http.StatusServiceUnavailable && resp.body == unavailableBody:
					unavailable++
				default:
					unexpected = append(unexpected, fmt.Sprintf("%s %s: got %d %s", method, path, resp.status, resp.body))
				}
				mu.Unlock()
			}
		})
	}
	<-terminate
	if n := pgtest.TerminateBackends(t, dbURL); n == 0 {
		t.Errorf("terminated sessions: got 0, want the server's sessions")
	}
	wg.Wait()
	for _, u := range unexpected {
		t.Errorf("%s, want success or 503 %s", u, unavailableBody)
	}
	t.Logf("around the termination: %d requests succeeded, %d answered 503", succeeded, unavailable)

	for i := range 10 {
		if resp := admin(t, env, "GET", "/api/users/me", ""); resp.status != http.StatusOK {
			t.Fatalf("request %d after the termination: got %d %s, want 200", i, resp.status, resp.body)
		}
	}
}

// TestPostgresUnreachable cuts the database off: every request answers 503 with an Octopus body
// until it is back, and then the server serves again without a restart.
func TestPostgresUnreachable(t *testing.T) {
	dbURL := pgtest.NewDatabase(t, "pool_max_conns=4")
	proxy, proxied := pgtest.NewProxy(t, dbURL)
	env := startOnPostgres(t, proxied)
	if resp := admin(t, env, "GET", "/api/users/me", ""); resp.status != http.StatusOK {
		t.Fatalf("before the outage: got %d %s, want 200", resp.status, resp.body)
	}

	proxy.Stop()
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/users/me", ""},
		{"GET", "/api/spaces", ""},
		{"POST", "/api/Spaces-1/users/invitations", createInvitation},
		{"GET", "/api/users/invitations/Invitations-1", ""},
	} {
		t.Run("Outage"+r.method+strings.ReplaceAll(r.path, "/", "_"), func(t *testing.T) {
			resp := admin(t, env, r.method, r.path, r.body)
			resp.wantJSON(t, http.StatusServiceUnavailable, unavailableBody)
			if got := resp.header.Get("Retry-After"); got != "5" {
				t.Errorf("got Retry-After %q, want \"5\"", got)
			}
		})
	}

	t.Run("OutageProbes", func(t *testing.T) {
		call(t, env, "GET", "/healthz", "", "").want(t, http.StatusOK, `{"Status":"Alive"}`)
		resp := call(t, env, "GET", "/readyz", "", "")
		resp.want(t, http.StatusServiceUnavailable, notReadyBody)
		if got := resp.header.Get("Retry-After"); got != "5" {
			t.Errorf("got Retry-After %q, want \"5\"", got)
		}
	})

	proxy.Start(t)
	call(t, env, "GET", "/readyz", "", "").want(t, http.StatusOK, `{"Status":"Ready"}`)
	resp := admin(t, env, "POST", "/api/Spaces-1/users/invitations", createInvitation)
	if resp.status != http.StatusCreated || !strings.HasPrefix(resp.body, `{"Id":"Invitations-1",`) {
		t.Errorf("after the outage: got %d %s, want 201 for Invitations-1", resp.status, resp.body)
	}
}

// TestPostgresTeamsOfMalformedSpaces lists the teams of spaces named only by malformed IDs: no
// space's teams match, and the system teams, included by default, remain.
func TestPostgresTeamsOfMalformedSpaces(t *testing.T) {
	env := startOnPostgres(t, pgtest.NewDatabase(t, "pool_max_conns=4"))
	admin(t, env, "GET", "/api/teams?spaces=bogus", "").wantJSON(t, http.StatusOK, `{"ItemType":"Team","TotalResults":2,"ItemsPerPage":30,
		"NumberOfPages":1,"LastPageNumber":0,"Items":[
		{"Id":"teams-administrators","Name":"Octopus Administrators","Description":"Octopus Administrators can do anything in the system.",
		 "MemberUserIds":["Users-1"],"ExternalSecurityGroups":[],"CanBeDeleted":false,"CanBeRenamed":false,"CanChangeRoles":false,
		 "CanChangeMembers":true,"SpaceId":null,"Links":{"Self":"/api/teams/teams-administrators"}},
		{"Id":"teams-everyone","Name":"Everyone","Description":"All users are members of this team.","MemberUserIds":["Users-1"],
		 "ExternalSecurityGroups":[],"CanBeDeleted":false,"CanBeRenamed":false,"CanChangeRoles":true,"CanChangeMembers":false,"SpaceId":null,
		 "Links":{"Self":"/api/teams/teams-everyone"}}],
		"Links":{"Page.All":"/api/teams?skip=0&take=2147483647&spaces=bogus","Page.Current":"/api/teams?skip=0&take=30&spaces=bogus",
		"Page.Last":"/api/teams?skip=0&take=30&spaces=bogus","Self":"/api/teams?skip=0&take=30&spaces=bogus",
		"Template":"/api/teams{?skip,take,ids,partialName,spaces,includeSystem}"}}`)
}

func jsonDecode(body string, v any) error {
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("decoding %s: %w", body, err)
	}
	return nil
}
