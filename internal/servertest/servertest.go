// Package servertest starts a real octoinvite server for tests: the real HTTP handler over the
// real SQLite store in a temporary folder, on a real loopback listener, with a clock and a key
// the test controls.
package servertest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/delivery"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/password"
	"github.com/octoinvite/octoinvite/prometheus"
	"github.com/octoinvite/octoinvite/smtp"
	"github.com/octoinvite/octoinvite/sqldb"
	"github.com/octoinvite/octoinvite/web"
)

// AdminKey is the administrator's API key in every test server.
const AdminKey = "API-TESTADMINISTRATOR0000000001"

// Epoch is the time a test server's clock starts at.
var Epoch = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// MasterKey is the master key of every test server.
var MasterKey = []byte("0123456789abcdef0123456789abcdef")

// FastPasswordParams make Argon2id cheap, so that tests that register users stay fast. Never
// use them outside tests.
var FastPasswordParams = password.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Clock is a settable time source, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Env is a running test server.
type Env struct {
	// URL is the server's base URL, such as http://127.0.0.1:41234.
	URL   string
	DB    *sqldb.DB
	API   *ohttp.Server
	Clock *Clock
	// Metrics are the server's metrics, which its API reports to and serves.
	Metrics *prometheus.Metrics
	// Dir is the data folder; Path the database file in it. Both are empty for a store that
	// StartWithDB was given.
	Dir  string
	Path string

	server *httptest.Server
}

// Start opens a fresh store in a temporary folder, installs AdminKey and serves the API on a
// loopback listener until the test ends.
func Start(t testing.TB) *Env {
	t.Helper()
	return StartIn(t, t.TempDir())
}

// StartIn is Start on the store in dir, which may hold a database from an earlier server.
func StartIn(t testing.TB, dir string) *Env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "octoinvite.db")
	db, err := sqldb.OpenSQLite(ctx, path, MasterKey)
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	env := StartWithDB(t, db)
	env.Dir, env.Path = dir, path
	return env
}

// StartWithDB is Start on an open store, such as a PostgreSQL one that several test servers
// share. The server takes the store over: it closes it when the test ends.
func StartWithDB(t testing.TB, db *sqldb.DB) *Env {
	t.Helper()
	ctx := context.Background()
	clock := &Clock{now: Epoch}
	db.Now = clock.Now
	db.Passwords = password.New(FastPasswordParams)
	if err := db.EnsureAdminAPIKey(ctx, AdminKey); err != nil {
		db.Close()
		t.Fatalf("installing the admin key: %v", err)
	}
	metrics := prometheus.NewMetrics(db)
	api := &ohttp.Server{
		Spaces: db, Teams: db, Users: db, Invitations: metrics.Invitations(db), Auth: db,
		Registrations: metrics.Registrations(db), Sessions: db, APIKeys: db, Events: db, Resender: db, Passwords: db,
		Application:    "octoinvite",
		Version:        "0.0.0-test",
		InstallationID: db.InstallationID(),
		Now:            clock.Now,
		// Tests send many failing requests from one address on purpose; the tests of the
		// limit itself set a small one.
		AuthFailureLimit: 1 << 20,
		Observer:         metrics,
		Metrics:          metrics.Handler(nil),
		Ping:             db.Ping,
	}
	api.Web = NewPages(api, db, clock)
	srv := serve(api)
	env := &Env{URL: srv.URL, DB: db, API: api, Clock: clock, Metrics: metrics, server: srv}
	t.Cleanup(env.Close)
	return env
}

// NewPages returns the portal's pages over api's services, as the octoinvite binary builds
// them, with the test clock.
func NewPages(api *ohttp.Server, db *sqldb.DB, clock *Clock) *web.Handler {
	return NewPagesWithUsers(api, db, clock, api.Users)
}

// NewPagesWithUsers is NewPages reading users through users rather than api's service, such as
// a wrapper that records what the pages ask of it.
func NewPagesWithUsers(api *ohttp.Server, db *sqldb.DB, clock *Clock, users octoinvite.UserService) *web.Handler {
	return web.New(web.Config{
		Accounts: api, Registrations: api.Registrations, Sessions: api.Sessions, Users: users, APIKeys: api.APIKeys,
		Passwords: api.Passwords, Invitations: api.Invitations, Spaces: api.Spaces, Teams: api.Teams, Events: api.Events,
		Resender: api.Resender, EmailEnabled: func() bool { return db.Email != nil },
		Application: api.Application, Secret: MasterKey, Now: clock.Now,
		InvitationLifetime: db.InvitationLifetime, InvitationMaxLifetime: db.InvitationMaxLifetime, InvitationMaxUses: db.InvitationMaxUses,
	})
}

// Close stops the server and closes the store; calling it twice is harmless.
func (e *Env) Close() {
	if e.server != nil {
		e.server.Close()
		e.DB.Close()
		e.server = nil
	}
}

// CreateTeam stores a team in the space (nil for a system team) and returns it.
func (e *Env) CreateTeam(t testing.TB, name string, spaceID *string) *octoinvite.Team {
	t.Helper()
	team := &octoinvite.Team{Name: name, SpaceID: spaceID}
	if err := e.DB.CreateTeam(context.Background(), team); err != nil {
		t.Fatalf("creating team %q: %v", name, err)
	}
	return team
}

// CreateSpace stores a space and returns it.
func (e *Env) CreateSpace(t testing.TB, name string) *octoinvite.Space {
	t.Helper()
	space := &octoinvite.Space{Name: name}
	if err := e.DB.CreateSpace(context.Background(), space); err != nil {
		t.Fatalf("creating space %q: %v", name, err)
	}
	return space
}

// CreateUser stores an ordinary user (no permissions) and returns it with a fresh API key.
func (e *Env) CreateUser(t testing.TB, username string) (*octoinvite.User, string) {
	t.Helper()
	ctx := context.Background()
	user := &octoinvite.User{Username: username, DisplayName: username}
	if err := e.DB.CreateUser(ctx, user); err != nil {
		t.Fatalf("creating user %q: %v", username, err)
	}
	key, err := e.DB.CreateAPIKey(ctx, user.ID, "test")
	if err != nil {
		t.Fatalf("creating a key for %q: %v", username, err)
	}
	return user, key.APIKey
}

// Serve starts another listener for env's API, built anew from env.API so that changes to its
// fields (such as Logger) take effect; it stops when the test ends. The store is shared.
func Serve(t testing.TB, env *Env) *Env {
	t.Helper()
	srv := serve(env.API)
	t.Cleanup(srv.Close)
	clone := *env
	clone.URL = srv.URL
	clone.server = nil
	return &clone
}

// serve serves api on a loopback listener as the octoinvite binary does: on api's Listener,
// with the binary's limit on header bytes.
func serve(api *ohttp.Server) *httptest.Server {
	srv := httptest.NewUnstartedServer(api.Handler())
	srv.Listener = api.Listener(srv.Listener)
	srv.Config.MaxHeaderBytes = ohttp.MaxHeaderBytes
	srv.Start()
	return srv
}

// Email retry settings of test workers: the minute of production is 100ms here, so that a mail
// server's outage and return take a second.
const (
	EmailRetryDelay = 100 * time.Millisecond
	EmailPoll       = 50 * time.Millisecond
)

// RunEmailWorker makes db send email through the SMTP server at smtpAddr (without TLS), with
// links to publicURL, and runs a delivery worker on it, reporting to observer (which may be
// nil), until the test ends.
func RunEmailWorker(t testing.TB, db *sqldb.DB, smtpAddr, publicURL string, observer delivery.Observer) {
	t.Helper()
	cfg, err := smtp.ParseURL("smtp://"+smtpAddr+"?tls=none", "octoinvite <noreply@octoinvite.test>")
	if err != nil {
		t.Fatal(err)
	}
	templates, err := smtp.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := smtp.NewMailer(cfg, templates)
	if err != nil {
		t.Fatal(err)
	}
	db.Email = &sqldb.EmailSettings{MessageIDDomain: cfg.Domain(), NotifyInviter: true}
	w := &delivery.Worker{Outbox: db, Sender: mailer, PublicURL: publicURL, Product: "octoinvite", Wake: db.EmailQueued(),
		PollInterval: EmailPoll, RetryDelay: EmailRetryDelay, RetryFor: time.Minute, Now: db.Now, Observer: observer}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; mailer.Close() })
}
