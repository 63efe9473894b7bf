package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop the database

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/sqldb"
)

// scaleConfig configures the benchmark of lists at scale (-scale): a store loaded with many
// invitations and events, the time of each listing's first page and of deep pages, and the time
// of the purge with creates running meanwhile.
type scaleConfig struct {
	// Store is "sqlite" (a data folder in the work folder) or the URL of a PostgreSQL server, on
	// which a fresh database is created, and dropped at the end.
	Store       string
	Invitations int
	Events      int
	// Repetitions is how many times each query is timed, after one warm-up run.
	Repetitions int
	// CreateRate is how many invitations per second are created, each in its own request,
	// during the purge (and before it, for comparison).
	CreateRate int
	// Retention is the retention the purge is given.
	Retention time.Duration
	// Keep keeps the store (-keep), for looking into it after the run.
	Keep bool
	// Purge runs the purge after the queries; without it the store keeps everything it was
	// loaded with.
	Purge bool
}

// scaleFlags registers the flags of the benchmark of lists at scale.
func scaleFlags(f *flag.FlagSet, cfg *scaleConfig) {
	f.StringVar(&cfg.Store, "scale", "", `run the benchmark of lists at scale instead, on "sqlite" or on a fresh database of the PostgreSQL server at this URL (postgres://user@host:port/db)`)
	f.IntVar(&cfg.Invitations, "scale-invitations", 1_000_000, "invitations stored for -scale")
	f.IntVar(&cfg.Events, "scale-events", 5_000_000, "events stored for -scale")
	f.IntVar(&cfg.Repetitions, "scale-repetitions", 7, "timed runs of each query of -scale, after a warm-up run")
	f.IntVar(&cfg.CreateRate, "scale-create-rate", 50, "invitations created per second during the purge of -scale")
	f.BoolVar(&cfg.Purge, "scale-purge", true, "run the purge of -scale after its queries")
	f.DurationVar(&cfg.Retention, "scale-retention", 30*24*time.Hour, "the retention the purge of -scale is given")
}

// The shape of the data the benchmark of lists at scale stores: invitations created evenly
// over scaleSpan up to now, in scaleSpaces spaces of scaleTeamsPerSpace teams each, by or for
// scaleUsers users.
const (
	scaleSpan          = 60 * 24 * time.Hour
	scaleSpaces        = 10
	scaleTeamsPerSpace = 4
	scaleUsers         = 1000
)

// scaleData names what the benchmark stored.
type scaleData struct {
	start  time.Time // the time of the first invitation and of the first event
	spaces []string
	teams  [][]string // by space, as spaces
	n      int        // invitations
}

func (d *scaleData) user(k int) (id, username string) {
	n := k%scaleUsers + 2
	return fmt.Sprintf("Users-%d", n), fmt.Sprintf("user%d", n)
}

// invitation makes the i-th invitation: in space i mod 10, adding users to one of its teams and,
// for one in three, to Everyone; valid for the default lifetime; one in twenty revoked an hour
// after its creation, one in ten redeemed two hours after it; the rest Pending or Expired by
// their age.
func (d *scaleData) invitation(i int, inv *octoinvite.Invitation) {
	created := d.start.Add(time.Duration(int64(scaleSpan) / int64(d.n) * int64(i)))
	space := i % len(d.spaces)
	inv.SpaceID = &d.spaces[space]
	inv.AddToTeamIDs = []string{d.teams[space][(i/len(d.spaces))%scaleTeamsPerSpace]}
	if i%3 == 0 {
		inv.AddToTeamIDs = append(inv.AddToTeamIDs, octoinvite.EveryoneTeamID)
	}
	inv.LastModifiedOn = octoinvite.NewTime(created)
	inv.LastModifiedBy = "admin"
	inv.Expires = octoinvite.NewTime(created.Add(octoinvite.DefaultInvitationLifetime))
	switch {
	case i%20 == 7:
		t := octoinvite.NewTime(created.Add(time.Hour))
		inv.RevokedOn, inv.RevokedBy = &t, ptr("admin")
	case i%10 == 3:
		t := octoinvite.NewTime(created.Add(2 * time.Hour))
		_, username := d.user(i)
		inv.Uses, inv.RedeemedOn, inv.RedeemedBy = 1, &t, &username
	}
}

// event makes the i-th of n events, occurring evenly over the span: by turns the creation of an
// invitation (naming it, its team and its space), a sign-in (naming the user), a change to an
// invitation (it and its space), a change to a team's members (the team, a user and the
// space), and a registration (the user, the invitation, its team and its space).
func (d *scaleData) event(i, n int, e *octoinvite.Event) {
	e.Occurred = octoinvite.NewTime(d.start.Add(time.Duration(int64(scaleSpan) / int64(n) * int64(i))))
	e.UserID, e.Username = d.user(i / 5)
	e.IPAddress, e.UserAgent, e.IdentityEstablishedWith = "10.0.0.1", "octopus-cli/9.0", "API key"
	// The invitation of the turn: the one created at about this time, or one before it.
	k := int(int64(i/5) * int64(d.n) / int64(max(n/5, 1)))
	if i%5 != 0 {
		k = (k * 7919) % max(k, 1)
	}
	invitation := octoinvite.FormatID(octoinvite.KindInvitation, int64(k+1))
	space := k % len(d.spaces)
	team := d.teams[space][(k/len(d.spaces))%scaleTeamsPerSpace]
	e.SpaceID = &d.spaces[space]
	// Each turn names another user: every user is named about as often in each kind of event.
	user, _ := d.user(i/5 + i%5*333)
	switch i % 5 {
	case 0:
		e.Category = octoinvite.EventCreated
		e.Message = fmt.Sprintf("Invitation %s was created to add a user to %s in space %s", invitation, team, d.spaces[space])
		e.RelatedDocumentIDs = []string{invitation, team, d.spaces[space]}
	case 1:
		e.Category, e.SpaceID = "LoginSucceeded", nil
		e.Message = fmt.Sprintf("User %s signed in", user)
		e.RelatedDocumentIDs = []string{user}
	case 2:
		e.Category = octoinvite.EventModified
		e.Message = fmt.Sprintf("Invitation %s was given a new code in space %s", invitation, d.spaces[space])
		e.RelatedDocumentIDs = []string{invitation, d.spaces[space]}
	case 3:
		e.Category = octoinvite.EventModified
		e.Message = fmt.Sprintf("Team %s was given the member %s in space %s", team, user, d.spaces[space])
		e.RelatedDocumentIDs = []string{team, user, d.spaces[space]}
	case 4:
		e.Category = octoinvite.EventCreated
		e.Message = fmt.Sprintf("User %s registered with invitation %s and joined %s in space %s", user, invitation, team, d.spaces[space])
		e.RelatedDocumentIDs = []string{user, invitation, team, d.spaces[space]}
	}
}

func ptr(s string) *string { return &s }

// scaleQuery is a query the benchmark times.
type scaleQuery struct {
	name string
	run  func(ctx context.Context) (items, total int, err error)
}

// scaleResult is what a query measured.
type scaleResult struct {
	name          string
	median, worst time.Duration
	items, total  int
}

// runScale runs the benchmark of lists at scale and writes its report to stdout.
func runScale(ctx context.Context, cfg scaleConfig, work string, stdout, log io.Writer) error {
	if cfg.Invitations < scaleSpaces || cfg.Events < 5 || cfg.Repetitions < 1 || cfg.CreateRate < 1 {
		return fmt.Errorf("-scale needs at least %d invitations, 5 events, 1 repetition and a create rate of 1", scaleSpaces)
	}
	var offset atomic.Int64 // the store's clock, ahead of the real one by this much
	db, storeName, location, pg, cleanup, err := openScaleStore(ctx, cfg.Store, work)
	if err != nil {
		return err
	}
	if cfg.Keep {
		fmt.Fprintf(log, "%s: the store is kept: %s\n", storeName, location)
	} else {
		defer cleanup()
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }

	admin, err := db.FindUserByID(ctx, octoinvite.AdminUserID)
	if err != nil {
		return err
	}
	ctx = octoinvite.NewContextWithUser(ctx, admin)
	data := &scaleData{start: time.Now().Add(-scaleSpan), n: cfg.Invitations, spaces: []string{"Spaces-1"}}
	for k := 2; k <= scaleSpaces; k++ {
		space := &octoinvite.Space{Name: fmt.Sprintf("Space %d", k)}
		if err := db.CreateSpace(ctx, space); err != nil {
			return err
		}
		data.spaces = append(data.spaces, space.ID)
	}
	for _, space := range data.spaces {
		var teams []string
		for k := range scaleTeamsPerSpace {
			team := &octoinvite.Team{Name: fmt.Sprintf("Team %d", k+1), SpaceID: ptr(space)}
			if err := db.CreateTeam(ctx, team); err != nil {
				return err
			}
			teams = append(teams, team.ID)
		}
		data.teams = append(data.teams, teams)
	}

	began := time.Now()
	if err := db.SeedInvitationsFrom(ctx, cfg.Invitations, data.invitation); err != nil {
		return err
	}
	seedInvitations := time.Since(began)
	fmt.Fprintf(log, "%s: %d invitations stored in %s\n", storeName, cfg.Invitations, seedInvitations.Round(time.Second))
	began = time.Now()
	if err := db.SeedEvents(ctx, cfg.Events, func(i int, e *octoinvite.Event) { data.event(i, cfg.Events, e) }); err != nil {
		return err
	}
	seedEvents := time.Since(began)
	fmt.Fprintf(log, "%s: %d events stored in %s\n", storeName, cfg.Events, seedEvents.Round(time.Second))
	// SQLite is left as a server leaves it, without ANALYZE; PostgreSQL gets what autovacuum
	// would do shortly after a bulk load.
	if pg != nil {
		if _, err := pg.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
	}

	var results []scaleResult
	for _, q := range scaleQueries(db, data, cfg) {
		r, err := timeQuery(ctx, q, cfg.Repetitions)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		fmt.Fprintf(log, "%s: %s: median %s, max %s\n", storeName, r.name, ms(r.median), ms(r.worst))
		results = append(results, r)
	}

	if !cfg.Purge {
		fmt.Fprint(stdout, scaleReport(storeName, cfg, seedInvitations, seedEvents, results, 0, 0, nil, nil))
		return nil
	}
	// The creates during the purge run on a clock a year ahead, past the retention of every
	// stored invitation: the purge deletes them all, and none of the new ones.
	offset.Store(int64(365 * 24 * time.Hour))
	baseline, err := createWhile(ctx, db, cfg.CreateRate, func(context.Context) error {
		return sleep(ctx, 5*time.Second)
	})
	if err != nil {
		return err
	}
	var purged int
	var purgeTime time.Duration
	during, err := createWhile(ctx, db, cfg.CreateRate, func(ctx context.Context) error {
		began := time.Now()
		n, err := db.PurgeInvitations(ctx, cfg.Retention)
		purged, purgeTime = n, time.Since(began)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "%s: %d invitations purged in %s\n", storeName, purged, purgeTime.Round(time.Millisecond))

	fmt.Fprint(stdout, scaleReport(storeName, cfg, seedInvitations, seedEvents, results, purged, purgeTime, baseline, during))
	return nil
}

// scaleQueries are the queries the benchmark times: the first page of the invitations under
// each filter, pages deep in the list, and the first page of the events regarding documents of
// every kind. Pages are Octopus's default, 30 items.
func scaleQueries(db *sqldb.DB, d *scaleData, cfg scaleConfig) []scaleQuery {
	invitations := func(name string, f octoinvite.InvitationFilter) scaleQuery {
		if f.Range.Take == 0 {
			f.Range.Take = octoinvite.DefaultTake
		}
		return scaleQuery{name, func(ctx context.Context) (int, int, error) {
			page, err := db.FindInvitations(ctx, f)
			return len(page.Items), page.Total, err
		}}
	}
	events := func(name string, f octoinvite.EventFilter) scaleQuery {
		f.Range.Take = octoinvite.DefaultTake
		return scaleQuery{name, func(ctx context.Context) (int, int, error) {
			page, err := db.FindEvents(ctx, f)
			return len(page.Items), page.Total, err
		}}
	}
	space, team := d.spaces[1], d.teams[1][2]
	middle := octoinvite.FormatID(octoinvite.KindInvitation, int64(cfg.Invitations/2))
	deep := cfg.Invitations / 2
	user, _ := d.user(500)
	return []scaleQuery{
		invitations("invitations: all", octoinvite.InvitationFilter{}),
		invitations("invitations: space", octoinvite.InvitationFilter{SpaceID: &space}),
		invitations("invitations: state=Pending", octoinvite.InvitationFilter{States: []string{octoinvite.StatePending}}),
		invitations("invitations: state=Expired", octoinvite.InvitationFilter{States: []string{octoinvite.StateExpired}}),
		invitations("invitations: state=Revoked", octoinvite.InvitationFilter{States: []string{octoinvite.StateRevoked}}),
		invitations("invitations: state=Redeemed", octoinvite.InvitationFilter{States: []string{octoinvite.StateRedeemed}}),
		invitations("invitations: state=Pending,Revoked", octoinvite.InvitationFilter{States: []string{octoinvite.StatePending, octoinvite.StateRevoked}}),
		invitations("invitations: team", octoinvite.InvitationFilter{TeamIDs: []string{team}}),
		invitations("invitations: team=Everyone", octoinvite.InvitationFilter{TeamIDs: []string{octoinvite.EveryoneTeamID}}),
		invitations("invitations: 3 ids", octoinvite.InvitationFilter{IDs: []string{"Invitations-1", middle, "Invitations-999999999"}}),
		invitations("invitations: space, team, state=Expired", octoinvite.InvitationFilter{SpaceID: &space, TeamIDs: []string{team}, States: []string{octoinvite.StateExpired}}),
		invitations(fmt.Sprintf("invitations: all, skip=%d", deep), octoinvite.InvitationFilter{Range: octoinvite.Range{Skip: deep, Take: octoinvite.DefaultTake}}),
		invitations(fmt.Sprintf("invitations: state=Expired, skip=%d", deep), octoinvite.InvitationFilter{States: []string{octoinvite.StateExpired}, Range: octoinvite.Range{Skip: deep, Take: octoinvite.DefaultTake}}),
		invitations(fmt.Sprintf("invitations: space, skip=%d", deep/scaleSpaces), octoinvite.InvitationFilter{SpaceID: &space, Range: octoinvite.Range{Skip: deep / scaleSpaces, Take: octoinvite.DefaultTake}}),
		invitations("invitations: all, last page", octoinvite.InvitationFilter{Range: octoinvite.Range{Skip: cfg.Invitations - octoinvite.DefaultTake, Take: octoinvite.DefaultTake}}),
		events("events: all", octoinvite.EventFilter{}),
		events("events: regarding an invitation", octoinvite.EventFilter{Regarding: []string{middle}}),
		events("events: regarding a user", octoinvite.EventFilter{Regarding: []string{user}}),
		events("events: regarding a team", octoinvite.EventFilter{Regarding: []string{team}}),
		events("events: regarding a space", octoinvite.EventFilter{Regarding: []string{space}}),
		events("events: users", octoinvite.EventFilter{Users: []string{user}}),
	}
}

// timeQuery runs q once to warm up, then reps times, and returns the median and the longest.
func timeQuery(ctx context.Context, q scaleQuery, reps int) (scaleResult, error) {
	r := scaleResult{name: q.name}
	var times []time.Duration
	for i := 0; i <= reps; i++ {
		began := time.Now()
		items, total, err := q.run(ctx)
		if err != nil {
			return r, err
		}
		if i > 0 {
			times = append(times, time.Since(began))
		}
		r.items, r.total = items, total
	}
	slices.Sort(times)
	r.median, r.worst = times[len(times)/2], times[len(times)-1]
	return r, nil
}

// latencies are the times of the creates made during a phase.
type latencies struct {
	times  []time.Duration
	failed int
	took   time.Duration
}

func (l *latencies) percentile(p float64) time.Duration {
	if len(l.times) == 0 {
		return 0
	}
	return l.times[min(len(l.times)-1, int(p*float64(len(l.times))))]
}

// createWhile creates invitations at rate per second, each in a request of its own started on
// time whether or not the previous ones have ended, until phase returns, and returns their
// latencies.
func createWhile(ctx context.Context, db *sqldb.DB, rate int, phase func(context.Context) error) (*latencies, error) {
	var (
		mu  sync.Mutex
		l   latencies
		wg  sync.WaitGroup
		end = make(chan struct{})
	)
	began := time.Now()
	ticking := make(chan struct{})
	go func() {
		defer close(ticking)
		ticker := time.NewTicker(time.Second / time.Duration(rate))
		defer ticker.Stop()
		for {
			select {
			case <-end:
				return
			case <-ticker.C:
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				began := time.Now()
				err := db.CreateInvitation(ctx, &octoinvite.Invitation{SpaceID: ptr("Spaces-1"),
					AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"})
				took := time.Since(began)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					l.failed++
					return
				}
				l.times = append(l.times, took)
			}()
		}
	}()
	err := phase(ctx)
	close(end)
	<-ticking // no create starts after this: wg.Wait then waits for every one
	wg.Wait()
	l.took = time.Since(began)
	slices.Sort(l.times)
	return &l, err
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// openScaleStore opens a fresh store: a SQLite data folder in work, or a new database on the
// PostgreSQL server of the URL. cleanup removes it.
//
// For PostgreSQL it also returns a connection to the new database, for VACUUM ANALYZE after the
// bulk load (what autovacuum would do soon after it).
func openScaleStore(ctx context.Context, store, work string) (db *sqldb.DB, name, location string, admin *sql.DB, cleanup func(), err error) {
	key := make([]byte, sqldb.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, "", "", nil, nil, err
	}
	if store == "sqlite" {
		dir, err := os.MkdirTemp(work, "scale-")
		if err != nil {
			return nil, "", "", nil, nil, err
		}
		db, err := sqldb.OpenSQLite(ctx, filepath.Join(dir, "octoinvite.db"), key)
		if err != nil {
			os.RemoveAll(dir)
			return nil, "", "", nil, nil, err
		}
		return db, "SQLite", filepath.Join(dir, "octoinvite.db"), nil, func() { os.RemoveAll(dir) }, nil
	}
	u, err := url.Parse(store)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, "", "", nil, nil, fmt.Errorf(`-scale: %q is neither "sqlite" nor a postgres:// URL`, store)
	}
	server, err := sql.Open("pgx", store)
	if err != nil {
		return nil, "", "", nil, nil, err
	}
	database := fmt.Sprintf("octobench_scale_%d", os.Getpid())
	if _, err := server.ExecContext(ctx, "CREATE DATABASE "+database); err != nil {
		server.Close()
		return nil, "", "", nil, nil, err
	}
	drop := func() {
		_, _ = server.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+database+" WITH (FORCE)")
		server.Close()
	}
	u.Path = "/" + database
	if db, err = sqldb.OpenPostgres(ctx, u.String(), key); err != nil {
		drop()
		return nil, "", "", nil, nil, err
	}
	target, err := sql.Open("pgx", u.String())
	if err != nil {
		db.Close()
		drop()
		return nil, "", "", nil, nil, err
	}
	dropDB := drop
	drop = func() {
		target.Close()
		dropDB()
	}
	return db, "PostgreSQL", u.String(), target, drop, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// scaleReport is the benchmark's report, in Markdown.
func scaleReport(store string, cfg scaleConfig, seedInvitations, seedEvents time.Duration, results []scaleResult,
	purged int, purgeTime time.Duration, baseline, during *latencies) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s: %d invitations, %d events\n\n", store, cfg.Invitations, cfg.Events)
	fmt.Fprintf(&b, "Stored in %s (invitations) and %s (events).\n\n", seedInvitations.Round(time.Second), seedEvents.Round(time.Second))
	fmt.Fprintf(&b, "| query (%d items a page) | median | max | items | TotalResults |\n| --- | ---: | ---: | ---: | ---: |\n", octoinvite.DefaultTake)
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d |\n", r.name, ms(r.median), ms(r.worst), r.items, r.total)
	}
	if baseline == nil {
		return b.String()
	}
	fmt.Fprintf(&b, "\nPurge of %d invitations: %s.\n\n", purged, purgeTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "| creates at %d/s | count | failed | p50 | p99 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n", cfg.CreateRate)
	for _, row := range []struct {
		name string
		l    *latencies
	}{{"before the purge", baseline}, {"during the purge", during}} {
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s |\n", row.name, len(row.l.times), row.l.failed,
			ms(row.l.percentile(0.5)), ms(row.l.percentile(0.99)), ms(row.l.percentile(1)))
	}
	return b.String()
}
