// Package pgtest gives tests a PostgreSQL database of their own: created with a random name on
// the server that OCTOINVITE_TEST_POSTGRES names (or on one answering at 127.0.0.1:5432), and
// dropped when the test ends. Without a server, tests skip and say why: each in its own skip
// message, and all at once, on one line that go test ./... shows, when the package's TestMain
// calls Main.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/octoinvite/octoinvite/internal/testnote"
)

// EnvVar names the variable holding the URL of the PostgreSQL server for tests, such as
// postgres://postgres@127.0.0.1:5432/test. Any database on the server serves to connect; each
// test creates its own.
const EnvVar = "OCTOINVITE_TEST_POSTGRES"

// localURL is the server tried when EnvVar is unset, so that CI and a developer machine with a
// local PostgreSQL run the tests without configuration.
const localURL = "postgres://postgres@127.0.0.1:5432/postgres?connect_timeout=2"

var server struct {
	once sync.Once
	url  string
	skip string // why tests skip, when url is ""
	fail string // why tests fail: EnvVar names a server that does not answer
}

// serverURL returns the URL of the server to create databases on.
func serverURL() (string, string, string) {
	server.once.Do(func() {
		u := os.Getenv(EnvVar)
		configured := u != ""
		if !configured {
			u = localURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", u)
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		switch {
		case err == nil:
			server.url = u
		case configured:
			server.fail = fmt.Sprintf("%s names a PostgreSQL server that does not answer: %v", EnvVar, err)
		default:
			server.skip = fmt.Sprintf("no PostgreSQL: %s is unset and no server answers at 127.0.0.1:5432", EnvVar)
		}
	})
	return server.url, server.skip, server.fail
}

// skipped counts the tests that skipped for want of a server.
var skipped atomic.Int64

// Main runs the tests of a package that uses NewDatabase, and exits with their outcome; call it
// from the package's TestMain. When some skipped for want of a server, it says how many and why
// on one line that go test ./... shows (see testnote), where t.Skip's message shows only with -v.
func Main(m *testing.M) {
	code := m.Run()
	SaySkipped()
	os.Exit(code)
}

// SaySkipped says, as Main does, how many tests skipped for want of a server, if any did: for
// a TestMain that reports other skips too.
func SaySkipped() {
	if n := skipped.Load(); n > 0 {
		_, reason := Available()
		testnote.Say(fmt.Sprintf("%s: %s skipped: %s", testnote.Package(), testnote.Count(n, "PostgreSQL test"), reason))
	}
}

// Available reports whether tests can have a PostgreSQL database, and if not, why.
func Available() (ok bool, reason string) {
	u, skip, fail := serverURL()
	if u != "" {
		return true, ""
	}
	if fail != "" {
		return false, fail
	}
	return false, skip
}

// NewDatabase creates an empty database with a random name, drops it when the test ends, and
// returns its URL with extra (such as "pool_max_conns=8") added to the query. It skips the test
// when no server is available, and fails it when EnvVar names one that does not answer.
func NewDatabase(t testing.TB, extra ...string) string {
	t.Helper()
	u, skip, fail := serverURL()
	switch {
	case fail != "":
		t.Fatal(fail)
	case u == "":
		skipped.Add(1)
		t.Skip(skip)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "octoinvite_test_" + hex.EncodeToString(b)
	admin := open(t, u)
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("creating the test database: %v", err)
	}
	t.Cleanup(func() {
		admin := open(t, u)
		defer admin.Close()
		// WITH (FORCE) ends the sessions a failed test left open.
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("dropping the test database %s: %v", name, err)
		}
	})
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("parsing %s: %v", EnvVar, err)
	}
	parsed.Path = "/" + name
	q := parsed.Query()
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		q.Set(k, v)
	}
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

func open(t testing.TB, u string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	return db
}

// TerminateBackends ends every session on the database at dbURL, as an outage or a failover
// would, and returns how many it ended. Their next statement fails.
func TerminateBackends(t testing.TB, dbURL string) int {
	t.Helper()
	parsed, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := parsed.Path[1:]
	u, _, _ := serverURL()
	admin := open(t, u)
	defer admin.Close()
	var n int
	err = admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, name).Scan(&n)
	if err != nil {
		t.Fatalf("terminating the sessions on %s: %v", name, err)
	}
	return n
}

// Proxy forwards connections to the PostgreSQL server at a fixed loopback address, so that a test
// can cut the database off (Stop), as a network failure or a database restart would, and bring
// it back (Start).
type Proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	frozen bool
	wg     sync.WaitGroup
	// flow is held for writing while the proxy is frozen; each forwarded chunk holds it for
	// reading.
	flow sync.RWMutex
}

// NewProxy starts a proxy to the server of dbURL and returns it with dbURL rewritten to go
// through it. The proxy stops when the test ends.
func NewProxy(t testing.TB, dbURL string) (*Proxy, string) {
	t.Helper()
	parsed, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{target: parsed.Host, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Stop)
	parsed.Host = p.addr
	return p, parsed.String()
}

// Freeze stops forwarding data while keeping every connection open, as a network partition
// does: the database neither answers nor closes. Thaw undoes it.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.frozen {
		p.flow.Lock()
		p.frozen = true
	}
}

// Thaw resumes forwarding after Freeze.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen {
		p.frozen = false
		p.flow.Unlock()
	}
}

// Stop closes the proxy's listener and every connection through it: new connections are
// refused until Start.
func (p *Proxy) Stop() {
	p.Thaw()
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Start listens again at the proxy's address.
func (p *Proxy) Start(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("restarting the proxy at %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", p.target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			if p.ln != ln {
				p.mu.Unlock()
				client.Close()
				server.Close()
				return
			}
			p.conns[client], p.conns[server] = struct{}{}, struct{}{}
			p.mu.Unlock()
			pipe := func(dst, src net.Conn) {
				buf := make([]byte, 32<<10)
				for {
					n, err := src.Read(buf)
					if n > 0 {
						p.flow.RLock()
						_, werr := dst.Write(buf[:n])
						p.flow.RUnlock()
						if werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				dst.Close()
				src.Close()
				p.mu.Lock()
				delete(p.conns, dst)
				delete(p.conns, src)
				p.mu.Unlock()
			}
			p.wg.Go(func() { pipe(server, client) })
			p.wg.Go(func() { pipe(client, server) })
		}
	})
}
