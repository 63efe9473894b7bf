package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/sqldb"
)

// The names, in the results, of octoinvite on PostgreSQL (-store): one instance, and two
// instances on the same database with the requests split between them in turn.
const (
	serverPostgres     = "PostgreSQL"
	serverPostgresPair = "PostgreSQL ×2"
)

// postgresScenarios are the scenarios driven on PostgreSQL too.
var postgresScenarios = []string{scenarioGet, scenarioPost, scenarioMix}

// postgresStore is a fresh PostgreSQL database of one run and size, seeded as the SQLite store
// is, with a data folder per instance holding its master key.
type postgresStore struct {
	url     string
	folders [2]string
	drop    func()
}

// createPostgres creates a fresh database on the server of -store, named after the process and
// the size, and seeds it with size invitations through the store's bulk path.
func (b *bench) createPostgres(ctx context.Context, size int) (*postgresStore, error) {
	u, err := url.Parse(b.cfg.Store)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-store: %q is not a postgres:// URL", b.cfg.Store)
	}
	server, err := sql.Open("pgx", b.cfg.Store)
	if err != nil {
		return nil, err
	}
	database := fmt.Sprintf("octobench_%d_%d", os.Getpid(), size)
	if _, err := server.ExecContext(ctx, "CREATE DATABASE "+database); err != nil {
		server.Close()
		return nil, fmt.Errorf("-store: %w", err)
	}
	p := &postgresStore{drop: func() {
		_, _ = server.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+database+" WITH (FORCE)")
		server.Close()
	}}
	u.Path = "/" + database
	p.url = u.String()
	masterKey := make([]byte, sqldb.MasterKeySize)
	if _, err := crand.Read(masterKey); err != nil {
		p.drop()
		return nil, err
	}
	for i := range p.folders {
		p.folders[i] = filepath.Join(b.work, fmt.Sprintf("postgres-%d-%d", size, i+1))
		if err := os.MkdirAll(p.folders[i], 0o700); err != nil {
			p.drop()
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(p.folders[i], "master.key"), []byte(base64.StdEncoding.EncodeToString(masterKey)+"\n"), 0o600); err != nil {
			p.drop()
			return nil, err
		}
	}
	db, err := sqldb.OpenPostgres(ctx, p.url, masterKey)
	if err != nil {
		p.drop()
		return nil, err
	}
	defer db.Close()
	space := "Spaces-1"
	if err := db.SeedInvitations(ctx, size, octoinvite.Invitation{
		SpaceID: &space, AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin",
	}); err != nil {
		p.drop()
		return nil, err
	}
	// What autovacuum would do soon after a bulk load: statistics for the planner.
	target, err := sql.Open("pgx", p.url)
	if err == nil {
		_, err = target.ExecContext(ctx, "VACUUM ANALYZE")
		target.Close()
	}
	if err != nil {
		p.drop()
		return nil, err
	}
	return p, nil
}

// startPostgres starts, for a scenario driven on PostgreSQL, one instance and a pair on the
// database (the pair's first instance answers for both in the results: its memory and CPU
// time are one instance's).
func (b *bench) startPostgres(ctx context.Context, scenario string, p *postgresStore) ([]*server, error) {
	if p == nil || !slices.Contains(postgresScenarios, scenario) {
		return nil, nil
	}
	var started []*server
	for i := range 3 {
		folder := p.folders[min(i, 1)]
		s, _, err := startOctoinvite(ctx, b.binary, folder, adminKey, "--database", p.url)
		if err != nil {
			stopAll(started)
			return nil, fmt.Errorf("octoinvite on PostgreSQL: %w", err)
		}
		started = append(started, s)
	}
	one, first, second := started[0], started[1], started[2]
	one.name = serverPostgres
	first.name = serverPostgresPair
	first.urls = []string{first.url, second.url}
	first.next = new(atomic.Uint64)
	second.name = serverPostgresPair + " (second)"
	return started, nil
}

// base returns the address a request goes to: the server's, or, for a pair, each of the
// pair's in turn.
func (s *server) base() string {
	if len(s.urls) == 0 {
		return s.url
	}
	return s.urls[int(s.next.Add(1)%uint64(len(s.urls)))]
}

// postgresReport returns the figures of octoinvite on PostgreSQL beside the reference and
// SQLite in the same rounds, with -store.
func (b *bench) postgresReport() string {
	if b.cfg.Store == "" {
		return ""
	}
	var w strings.Builder
	fmt.Fprintf(&w, "\noctoinvite on PostgreSQL (%s), driven in the same rounds as the reference and octoinvite on SQLite; "+
		"%s is two instances on the same database, each request sent to the next in turn (memory: one instance's):\n\n",
		redactURL(b.cfg.Store), serverPostgresPair)
	fmt.Fprintln(&w, "| invitations | scenario | conns | reference req/s | SQLite req/s | PostgreSQL req/s | p50 | p99 | peak RSS anon + file | ratio to reference | 2 instances req/s | 2 instances / 1 | PostgreSQL errors |")
	fmt.Fprintln(&w, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, size := range b.cfg.Sizes {
		for _, scenario := range postgresScenarios {
			for _, conc := range b.cfg.Concurrency {
				ms := b.results[key{size, conc, scenario}]
				if ms == nil || ms[serverPostgres] == nil {
					continue
				}
				r, o, p, pair := ms["reference"], ms["octoinvite"], ms[serverPostgres], ms[serverPostgresPair]
				p.metrics.Close()
				errs := map[string]int{}
				for _, m := range []*measurement{p, pair} {
					for msg, n := range m.errors {
						errs[msg] += n
					}
				}
				fmt.Fprintf(&w, "| %d | %s | %d | %.0f | %.0f | %.0f | %s | %s | %s | %.2f | %.0f | %.2f | %s |\n",
					size, scenario, conc, r.rate(), o.rate(), p.rate(),
					latency(p.metrics.Latencies.P50), latency(p.metrics.Latencies.P99), anonFile(p),
					p.rate()/r.rate(), pair.rate(), pair.rate()/p.rate(), errorSummary(errs))
			}
		}
	}
	return w.String()
}

// postgresTargets checks the targets of octoinvite on PostgreSQL that the run measured.
func (b *bench) postgresTargets() []target {
	var out []target
	lo, hi := slices.Min(b.cfg.Concurrency), slices.Max(b.cfg.Concurrency)
	for _, size := range b.cfg.Sizes {
		if ms := b.results[key{size, hi, scenarioGet}]; ms[serverPostgres] != nil {
			got := ms[serverPostgres].rate() / ms["reference"].rate()
			out = append(out, target{name: fmt.Sprintf("PostgreSQL: GET at %d conns, %d invitations: ≥ 0.5 of the reference", hi, size),
				measured: fmt.Sprintf("%.2f", got), met: got >= 0.5})
		}
		msHi, msLo := b.results[key{size, hi, scenarioPost}], b.results[key{size, lo, scenarioPost}]
		if lo != hi && msHi[serverPostgres] != nil && msLo[serverPostgres] != nil {
			got := msHi[serverPostgres].rate() / msLo[serverPostgres].rate()
			out = append(out, target{name: fmt.Sprintf("PostgreSQL: POST at %d conns ≥ 3 × POST at %d conn, %d invitations", hi, lo, size),
				measured: fmt.Sprintf("%.2f", got), met: got >= 3})
		}
	}
	return out
}

// redactURL returns the URL without its password, for the report.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the -store URL"
	}
	return u.Redacted()
}
