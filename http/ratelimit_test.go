package http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/internal/servertest"
	"github.com/octoinvite/octoinvite/password"
)

// limited starts a server whose addresses may fail 3 times at once and earn one attempt back
// every 10 seconds.
func limited(t *testing.T, proxies ...string) *servertest.Env {
	t.Helper()
	env := servertest.Start(t)
	env.API.AuthFailureLimit = 3
	env.API.AuthFailureWindow = 30 * time.Second
	for _, p := range proxies {
		env.API.TrustedProxies = append(env.API.TrustedProxies, netip.MustParsePrefix(p))
	}
	return servertest.Serve(t, env)
}

func (r response) wantLimited(t *testing.T, retryAfter string) {
	t.Helper()
	r.wantJSON(t, 429, `{"ErrorMessage":"Too many failed attempts to sign in or register from your address. Try again in `+retryAfter+` seconds."}`)
	if got := r.header.Get("Retry-After"); got != retryAfter {
		t.Errorf("got Retry-After %q, want %q", got, retryAfter)
	}
}

const unknownKey = "API-UNKNOWNKEY00000000000000"

// TestAuthFailureLimit exhausts an address's budget with unknown keys: the address is refused,
// even with a good key, until it earns an attempt back; other failures and successes behave as
// documented.
func TestAuthFailureLimit(t *testing.T) {
	t.Run("UnknownKeysThenRefused", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "").wantLimited(t, "10")
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "10")
		call(t, env, "POST", "/api/users/login", "", `{"Username":"admin","Password":"whatever whatever"}`).wantLimited(t, "10")
		env.Clock.Advance(4 * time.Second)
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "6")
		env.Clock.Advance(6 * time.Second)
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").want(t, 200, "")
		call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "10")
		env.Clock.Advance(30 * time.Second)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "").wantLimited(t, "10")
	})

	t.Run("SuccessesCostNothing", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 50; i++ {
			call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").want(t, 200, "")
		}
		// Requests without any credentials are not attempts.
		for i := 0; i < 10; i++ {
			call(t, env, "GET", "/api/users/me", "", "").want(t, 401, "")
		}
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "").wantLimited(t, "10")
	})

	t.Run("EachKindOfFailureCounts", func(t *testing.T) {
		env := limited(t)
		user, key := env.CreateUser(t, "bob")
		call(t, env, "DELETE", "/api/users/"+user.ID+"/apikeys/APIKeys-2", servertest.AdminKey, "").want(t, 204, "")
		call(t, env, "GET", "/api/users/me", key, "").want(t, 401, "") // revoked
		call(t, env, "POST", "/api/users/login", "", `{"Username":"bob","Password":"not bob's password"}`).want(t, 401, "")
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, "NOSUCHCODE")).want(t, 400, "")
		call(t, env, "GET", "/api/users/me", "", "", "Cookie", "OctopusIdentificationToken_"+env.DB.InstallationID()+"=forged").wantLimited(t, "10")
	})

	t.Run("BadSessionCounts", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", "", "", "Cookie", "OctopusIdentificationToken_"+env.DB.InstallationID()+"=forged").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "").wantLimited(t, "10")
	})

	t.Run("WebPageCounts", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			r := call(t, env, "GET", "/app/register?invitation=NOSUCHCODE", "", "")
			if r.status != 404 {
				t.Fatalf("got status %d, want 404", r.status)
			}
		}
		// Pages answer with a page.
		r := call(t, env, "GET", "/app/register?invitation=NOSUCHCODE", "", "")
		if r.status != 429 || r.header.Get("Retry-After") != "10" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(r.body, "Too many failed attempts to sign in or register from your address. Try again in 10 seconds.") {
			t.Errorf("got %d, Retry-After %q, %s:\n%s\nwant the 429 page with Retry-After 10", r.status, r.header.Get("Retry-After"), r.header.Get("Content-Type"), r.body)
		}
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, "NOSUCHCODE")).wantLimited(t, "10")
	})

	t.Run("ForwardedForIgnoredWithoutTrustedProxies", func(t *testing.T) {
		env := limited(t)
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.1").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.2").wantLimited(t, "10")
	})

	t.Run("IPv6ClientsShareTheirPrefix", func(t *testing.T) {
		env := limited(t, "127.0.0.0/8")
		for i := 1; i <= 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%d", i)).want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "2001:db8:1:2:ffff:ffff:ffff:ffff").wantLimited(t, "10")
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "2001:db8:1:3::1").want(t, 401, "")

		// Configured to /128, each address has a budget of its own.
		env.API.IPv6Prefix = 128
		env = servertest.Serve(t, env)
		for i := 1; i <= 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "2001:db8:9::1").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "2001:db8:9::1").wantLimited(t, "10")
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "2001:db8:9::2").want(t, 401, "")
	})

	t.Run("ForwardedForFromTrustedProxy", func(t *testing.T) {
		env := limited(t, "127.0.0.0/8", "10.0.0.0/8")
		for i := 0; i < 3; i++ {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.1, 10.1.2.3").want(t, 401, "")
		}
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "203.0.113.1").wantLimited(t, "10")
		// A client cannot escape by prepending addresses: the right-most untrusted hop counts.
		call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", "198.51.100.7, 203.0.113.1").wantLimited(t, "10")
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "", "X-Forwarded-For", "203.0.113.2", "User-Agent", "proxied").want(t, 200, "")
		call(t, env, "POST", "/api/users/invitations", servertest.AdminKey, `{"AddToTeamIds":["teams-everyone"]}`, "X-Forwarded-For", "203.0.113.2").want(t, 201, "")
		r := call(t, env, "GET", "/api/events?take=1", servertest.AdminKey, "", "X-Forwarded-For", "203.0.113.2")
		var page struct{ Items []struct{ IpAddress string } }
		r.decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].IpAddress != "203.0.113.2" {
			t.Errorf("got events %+v, want the invitation's event from 203.0.113.2", page.Items)
		}
	})
}

// burst sends n requests at once (each as build makes it, from the address it names through a
// trusted proxy's X-Forwarded-For) and returns their responses in order.
func burst(t *testing.T, env *servertest.Env, n int, build func(i int) (method, path, key, body, from string)) []response {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	responses := make([]response, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		method, path, key, body, from := build(i)
		req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("X-Octopus-ApiKey", key)
		}
		req.Header.Set("X-Forwarded-For", from)
		wg.Go(func() {
			<-start
			resp, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			responses[i], errs[i] = response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d of the burst: %v", i, err)
		}
	}
	return responses
}

// statuses counts the responses by status.
func statuses(responses []response) map[int]int {
	counts := map[int]int{}
	for _, r := range responses {
		counts[r.status]++
	}
	return counts
}

// countingHasher counts the passwords compared, each an Argon2 computation, and the most
// compared at once.
type countingHasher struct {
	octoinvite.PasswordHasher
	compared, comparing, mostAtOnce atomic.Int64
}

func (h *countingHasher) Compare(password, hash string) (bool, error) {
	h.compared.Add(1)
	n := h.comparing.Add(1)
	defer h.comparing.Add(-1)
	for most := h.mostAtOnce.Load(); n > most && !h.mostAtOnce.CompareAndSwap(most, n); most = h.mostAtOnce.Load() {
	}
	return h.PasswordHasher.Compare(password, hash)
}

// gate holds each key check, code look-up and registration until all of a burst have arrived
// (or a second has passed), as a slow database would: every request of the burst that reaches
// the store is then in flight at once, whatever the machine's speed.
type gate struct {
	mu      sync.Mutex
	waiting int
	open    chan struct{}
	close   func()
}

// expect arms the gate for a burst of n; it opens when n have arrived, or after a second.
func (g *gate) expect(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	open := make(chan struct{})
	g.waiting, g.open, g.close = n, open, sync.OnceFunc(func() { close(open) })
	time.AfterFunc(time.Second, g.close)
}

func (g *gate) pass() {
	g.mu.Lock()
	open := g.open
	if g.waiting--; g.waiting == 0 {
		g.close()
	}
	g.mu.Unlock()
	if open != nil {
		<-open
	}
}

type gatedAuth struct {
	octoinvite.AuthService
	gate *gate
}

func (a gatedAuth) Authenticate(ctx context.Context, key string) (*octoinvite.User, error) {
	a.gate.pass()
	return a.AuthService.Authenticate(ctx, key)
}

type gatedRegistrations struct {
	octoinvite.RegistrationService
	gate *gate
}

func (r gatedRegistrations) PreviewInvitation(ctx context.Context, code string) (*octoinvite.InvitationPreview, error) {
	r.gate.pass()
	return r.RegistrationService.PreviewInvitation(ctx, code)
}

func (r gatedRegistrations) Register(ctx context.Context, reg *octoinvite.Registration) (*octoinvite.User, error) {
	r.gate.pass()
	return r.RegistrationService.Register(ctx, reg)
}

// TestAuthFailureLimit_bursts sends bursts of concurrent failures: each attempt takes its token
// before it starts, so a burst gets exactly the budget's worth of attempts, whatever the timing,
// and the rest are refused without their work being done.
func TestAuthFailureLimit_bursts(t *testing.T) {
	// started serves with the default budgets (30 failures per address, 10 per username) behind
	// a trusted proxy on loopback, counting the passwords compared and holding key checks and
	// codes at the gate.
	started := func(t *testing.T) (*servertest.Env, *countingHasher, *gate) {
		t.Helper()
		env := servertest.Start(t)
		env.API.AuthFailureLimit = ohttp.DefaultAuthFailureLimit
		env.API.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		hasher := &countingHasher{PasswordHasher: env.DB.Passwords}
		env.DB.Passwords = hasher
		g := &gate{}
		env.API.Auth = gatedAuth{env.API.Auth, g}
		env.API.Registrations = gatedRegistrations{env.API.Registrations, g}
		env.API.Web = servertest.NewPages(env.API, env.DB, env.Clock)
		return servertest.Serve(t, env), hasher, g
	}
	const attacker = "203.0.113.66"
	limit := ohttp.DefaultAuthFailureLimit
	login := func(username, password string) string {
		return `{"Username":"` + username + `","Password":"` + password + `"}`
	}
	addressSpent := func(r response) bool {
		return r.status == 429 && strings.Contains(r.body, "from your address")
	}

	t.Run("UnknownKeys", func(t *testing.T) {
		env, _, g := started(t)
		g.expect(100)
		got := burst(t, env, 100, func(int) (string, string, string, string, string) {
			return "GET", "/api/users/me", unknownKey, "", attacker
		})
		if counts := statuses(got); counts[401] != limit || counts[429] != 100-limit {
			t.Errorf("got %v, want %d × 401 and %d × 429", counts, limit, 100-limit)
		}
		for _, r := range got {
			if r.status == 429 && !addressSpent(r) {
				t.Errorf("got 429 %s, want the address's refusal", r.body)
			}
		}
		// One token earned back lets one attempt through, not a burst.
		env.Clock.Advance(ohttp.DefaultAuthFailureWindow / time.Duration(limit))
		g.expect(50)
		got = burst(t, env, 50, func(int) (string, string, string, string, string) {
			return "GET", "/api/users/me", unknownKey, "", attacker
		})
		if counts := statuses(got); counts[401] != 1 || counts[429] != 49 {
			t.Errorf("after one token earned back: got %v, want 1 × 401 and 49 × 429", counts)
		}
		call(t, env, "GET", "/api/users/me", servertest.AdminKey, "", "X-Forwarded-For", "198.51.100.1").want(t, 200, "")
	})

	t.Run("OneUsername", func(t *testing.T) {
		env, hasher, _ := started(t)
		inv := invite(t, env, nil)
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
		hasher.compared.Store(0)
		got := burst(t, env, 100, func(int) (string, string, string, string, string) {
			return "POST", "/api/users/login", "", login("jane", "wrong horse battery"), attacker
		})
		want := `{"ErrorMessage":"Too many failed sign-ins for this username. Try again in 90 seconds, or use an API key."}`
		if counts := statuses(got); counts[401] != ohttp.MaxFailedSignIns || counts[429] != 100-ohttp.MaxFailedSignIns {
			t.Errorf("got %v, want %d × 401 and %d × 429", counts, ohttp.MaxFailedSignIns, 100-ohttp.MaxFailedSignIns)
		}
		for _, r := range got {
			if r.status == 429 && r.body != want {
				t.Errorf("got 429 %s, want %s", r.body, want)
			}
		}
		if n := hasher.compared.Load(); n != ohttp.MaxFailedSignIns {
			t.Errorf("got %d passwords compared, want %d: refused sign-ins must cost no Argon2", n, ohttp.MaxFailedSignIns)
		}
		// The right password from 59 other addresses: the username has no budget left.
		got = burst(t, env, 59, func(i int) (string, string, string, string, string) {
			return "POST", "/api/users/login", "", login("JANE", goodPassword), fmt.Sprintf("198.51.100.%d", i+1)
		})
		for _, r := range got {
			if r.status != 429 || r.body != want {
				t.Errorf("right password from another address: got %d %s, want 429 %s", r.status, r.body, want)
				break
			}
		}
		if n := hasher.compared.Load(); n != ohttp.MaxFailedSignIns {
			t.Errorf("got %d passwords compared, want still %d", n, ohttp.MaxFailedSignIns)
		}
		// The attacker spent 10 of the address's 30 tokens; the username earns one back in 90 s.
		env.Clock.Advance(ohttp.SignInWindow / ohttp.MaxFailedSignIns)
		call(t, env, "POST", "/api/users/login", "", login("jane", goodPassword), "X-Forwarded-For", "198.51.100.1").want(t, 200, "")
	})

	t.Run("ManyUsernames", func(t *testing.T) {
		env, hasher, _ := started(t)
		got := burst(t, env, 100, func(i int) (string, string, string, string, string) {
			return "POST", "/api/users/login", "", login(fmt.Sprintf("user%d", i), "wrong horse battery"), attacker
		})
		if counts := statuses(got); counts[401] != limit || counts[429] != 100-limit {
			t.Errorf("got %v, want %d × 401 and %d × 429", counts, limit, 100-limit)
		}
		if n := hasher.compared.Load(); n != int64(limit) {
			t.Errorf("got %d passwords compared, want %d", n, limit)
		}
		// One address checks one password at a time, so that its burst holds one of the
		// hasher's slots and sign-ins from elsewhere need not queue behind it.
		if n := hasher.mostAtOnce.Load(); n != 1 {
			t.Errorf("got %d passwords compared at once for one address, want 1", n)
		}
		// Sign-ins from other addresses are untouched.
		inv := invite(t, env, nil)
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode), "X-Forwarded-For", "198.51.100.1").want(t, 201, "")
		call(t, env, "POST", "/api/users/login", "", login("jane", goodPassword), "X-Forwarded-For", "198.51.100.2").want(t, 200, "")
	})

	t.Run("LegitimateSignInDuringBurst", func(t *testing.T) {
		env, hasher, _ := started(t)
		inv := invite(t, env, nil)
		call(t, env, "POST", "/api/users/register", "", registerBody("jane", goodPassword, inv.InvitationCode)).want(t, 201, "")
		hasher.compared.Store(0)
		got := burst(t, env, 101, func(i int) (string, string, string, string, string) {
			if i == 50 {
				return "POST", "/api/users/login", "", login("jane", goodPassword), "198.51.100.1"
			}
			return "POST", "/api/users/login", "", login(fmt.Sprintf("user%d", i), "wrong horse battery"), attacker
		})
		if got[50].status != 200 {
			t.Errorf("the legitimate sign-in got %d %s, want 200", got[50].status, got[50].body)
		}
		if counts := statuses(got); counts[401] != limit || counts[429] != 100-limit {
			t.Errorf("got %v, want 1 × 200, %d × 401 and %d × 429", counts, limit, 100-limit)
		}
		if n := hasher.compared.Load(); n != int64(limit)+1 {
			t.Errorf("got %d passwords compared, want %d", n, limit+1)
		}
	})

	t.Run("Registrations", func(t *testing.T) {
		env, _, g := started(t)
		g.expect(100)
		got := burst(t, env, 100, func(i int) (string, string, string, string, string) {
			return "POST", "/api/users/register", "", registerBody(fmt.Sprintf("jane%d", i), goodPassword, "NOSUCHCODE"), attacker
		})
		if counts := statuses(got); counts[400] != limit || counts[429] != 100-limit {
			t.Errorf("got %v, want %d × 400 and %d × 429", counts, limit, 100-limit)
		}
	})

	t.Run("InviteePage", func(t *testing.T) {
		env, _, g := started(t)
		g.expect(100)
		got := burst(t, env, 100, func(i int) (string, string, string, string, string) {
			return "GET", fmt.Sprintf("/app/register?invitation=NOSUCHCODE%d", i), "", "", attacker
		})
		if counts := statuses(got); counts[404] != limit || counts[429] != 100-limit {
			t.Errorf("got %v, want %d × 404 and %d × 429", counts, limit, 100-limit)
		}
	})

	t.Run("SuccessesWaitRatherThanFail", func(t *testing.T) {
		// Two tokens left: a burst of 40 valid keys takes them in turn, each giving its token
		// back, and none is refused.
		env, _, _ := started(t)
		for range limit - 2 {
			call(t, env, "GET", "/api/users/me", unknownKey, "", "X-Forwarded-For", attacker).want(t, 401, "")
		}
		got := burst(t, env, 40, func(int) (string, string, string, string, string) {
			return "GET", "/api/users/me", servertest.AdminKey, "", attacker
		})
		if counts := statuses(got); counts[200] != 40 {
			t.Errorf("got %v, want 40 × 200", counts)
		}
	})
}

// BenchmarkSignInDuringBurst measures a legitimate sign-in, with Argon2id's default parameters,
// alone and while one address sends 100 wrong passwords at once for 100 usernames: it waits
// for at most the address's budget of hashes (30), not for the whole burst. It reports both
// durations and their ratio.
func BenchmarkSignInDuringBurst(b *testing.B) {
	env := servertest.Start(b)
	env.API.AuthFailureLimit = ohttp.DefaultAuthFailureLimit
	env.API.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	env.DB.Passwords = password.New(password.DefaultParams)
	env = servertest.Serve(b, env)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(b.Context(), inv); err != nil {
		b.Fatal(err)
	}
	if _, err := env.DB.Register(b.Context(), &octoinvite.Registration{Username: "jane", DisplayName: "Jane",
		Password: goodPassword, InvitationCode: inv.InvitationCode}); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	signIn := func(username, password, from string) int {
		req, _ := http.NewRequest("POST", env.URL+"/api/users/login",
			strings.NewReader(`{"Username":"`+username+`","Password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	var idle, during time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if got := signIn("jane", goodPassword, "198.51.100.1"); got != 200 {
			b.Fatalf("idle sign-in: got %d, want 200", got)
		}
		idle += time.Since(start)

		var wg sync.WaitGroup
		for j := range 100 {
			wg.Go(func() { signIn(fmt.Sprintf("user%d-%d", i, j), "wrong horse battery", "203.0.113.66") })
		}
		time.Sleep(20 * time.Millisecond) // let the burst reach the server first
		start = time.Now()
		if got := signIn("jane", goodPassword, "198.51.100.1"); got != 200 {
			b.Fatalf("sign-in during the burst: got %d, want 200", got)
		}
		during += time.Since(start)
		wg.Wait()
		env.Clock.Advance(ohttp.DefaultAuthFailureWindow)
	}
	n := float64(b.N)
	b.ReportMetric(float64(idle.Milliseconds())/n, "idle-ms")
	b.ReportMetric(float64(during.Milliseconds())/n, "burst-ms")
	b.ReportMetric(float64(during)/float64(idle), "ratio")
}
