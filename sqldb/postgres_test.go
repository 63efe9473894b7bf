package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/pgtest"
)

// TestPostgresReplacesDroppedConnections ends the sessions of a warm pool, as a database restart
// or failover does: the next operations begin on connections the database has dropped, and
// must run again on fresh ones instead of failing.
func TestPostgresReplacesDroppedConnections(t *testing.T) {
	const conns = 4
	dbURL := pgtest.NewDatabase(t, "pool_max_conns=4")
	db, err := OpenPostgres(context.Background(), dbURL, testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// Hold every connection at once, so that the pool keeps four idle ones afterwards.
	var wg, begun sync.WaitGroup
	start := make(chan struct{})
	begun.Add(conns)
	for range conns {
		wg.Go(func() {
			err := db.view(ctx, func(tx *transaction) error {
				begun.Done()
				<-start
				_, err := tx.exec(ctx, `SELECT 1`)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	begun.Wait()
	close(start)
	wg.Wait()
	if n := pgtest.TerminateBackends(t, dbURL); n < conns {
		t.Fatalf("terminated sessions: got %d, want at least %d", n, conns)
	}
	for i := range conns + 1 {
		if _, err := db.FindUserByID(ctx, "Users-1"); err != nil {
			t.Fatalf("operation %d after the termination: got %v, want success", i, err)
		}
	}
}

// TestPostgresUnansweringDatabase freezes the connections to the database, as a network
// partition does: neither answers nor closes come. Operations fail with ErrUnavailable when the
// transaction's time is up, and succeed again once the database answers.
func TestPostgresUnansweringDatabase(t *testing.T) {
	dbURL := pgtest.NewDatabase(t, "pool_max_conns=2")
	proxy, proxied := pgtest.NewProxy(t, dbURL)
	db, err := OpenPostgres(context.Background(), proxied, testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.FindUserByID(ctx, "Users-1"); err != nil {
		t.Fatalf("before the partition: %v", err)
	}

	// A frozen database never answers, so a transaction's time must be short for the test to
	// end soon; each operation's outcome is awaited for far longer, so that a machine under
	// load cannot make the test fail.
	const outcomeDeadline = time.Minute
	db.txTimeout = 300 * time.Millisecond
	proxy.Freeze()
	for _, op := range []struct {
		name string
		run  func() error
	}{
		{"Read", func() error { _, err := db.FindUserByID(ctx, "Users-1"); return err }},
		{"Lookup", func() error { _, err := db.FindSpaceByID(ctx, "Spaces-1"); return err }},
		{"Write", func() error { return db.CreateTeam(ctx, &octoinvite.Team{Name: "Ops", SpaceID: ptr("Spaces-1")}) }},
	} {
		if err := within(t, outcomeDeadline, op.run); !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s during the partition: got %v, want ErrUnavailable", op.name, err)
		}
	}

	proxy.Thaw()
	db.txTimeout = postgresTxTimeout
	team := &octoinvite.Team{Name: "Ops", SpaceID: ptr("Spaces-1")}
	if err := within(t, outcomeDeadline, func() error { return db.CreateTeam(ctx, team) }); err != nil || team.ID != "Teams-1" {
		t.Errorf("after the partition: got %s, %v, want Teams-1", team.ID, err)
	}
}

// within returns what run returns, failing the test if that takes longer than deadline.
func within(t *testing.T, deadline time.Duration, run func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- run() }()
	select {
	case err := <-done:
		return err
	case <-time.After(deadline):
		t.Fatalf("no outcome after %s", deadline)
		return nil
	}
}

// TestPostgresTransactionPastItsDeadline ends a transaction's time while it runs: database/sql
// rolls it back and answers what follows with sql.ErrTxDone, which must be the 503 of a
// database that did not answer in time, not an internal error.
func TestPostgresTransactionPastItsDeadline(t *testing.T) {
	db, err := OpenPostgres(context.Background(), pgtest.NewDatabase(t, "pool_max_conns=2"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name string
		// after runs in the transaction once its deadline has passed and database/sql has
		// rolled it back.
		after func(ctx context.Context, tx *transaction) error
	}{
		{"NextStatement", func(ctx context.Context, tx *transaction) error {
			_, err := tx.exec(context.Background(), `SELECT 1`)
			return err
		}},
		{"Commit", func(context.Context, *transaction) error { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newExpiring()
			err := db.run(ctx, db.write, false, func(tx *transaction) error {
				if _, err := tx.exec(ctx, `SELECT 1`); err != nil {
					return err
				}
				ctx.expire()
				// The rollback runs on a goroutine of database/sql's: wait for it, as long as
				// it takes, by asking the transaction whether it is over.
				sqlTx := tx.tx.(*sql.Tx)
				for give := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
					if _, err := sqlTx.ExecContext(context.Background(), `SELECT 1`); errors.Is(err, sql.ErrTxDone) {
						return tc.after(ctx, tx)
					} else if time.Now().After(give) {
						return fmt.Errorf("the transaction is still open after its deadline: %v", err)
					}
				}
			})
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, sql.ErrTxDone) {
				t.Errorf("got %v, want ErrUnavailable wrapping sql.ErrTxDone", err)
			}
		})
	}
}

// expiring is a context whose deadline passes when the test says so (expire), whatever the
// time, so that a test of what follows a deadline does not race the clock.
type expiring struct {
	context.Context
	done chan struct{}
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (c *expiring) expire()               { close(c.done) }
func (c *expiring) Done() <-chan struct{} { return c.done }

func (c *expiring) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestClassifyPostgres(t *testing.T) {
	tests := []struct {
		name            string
		err             error
		wantUnavailable bool
	}{
		{"BackendTerminated", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"ConnectionFailure", fmt.Errorf("query: %w", &pgconn.PgError{Code: "08006"}), true},
		{"StartingUp", &pgconn.PgError{Code: "57P03"}, true},
		{"TooManyConnections", &pgconn.PgError{Code: "53300"}, true},
		{"ConnectionReset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"UnexpectedEOF", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{"BadConnection", driver.ErrBadConn, true},
		{"Deadline", context.DeadlineExceeded, true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"UndefinedTable", &pgconn.PgError{Code: "42P01"}, false},
		{"WrongPassword", &pgconn.PgError{Code: "28P01"}, false},
		{"Canceled", context.Canceled, false},
		{"Other", errors.New("boom"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := classifyPostgres(tc.err)
			if unavailable := errors.Is(got, ErrUnavailable); unavailable != tc.wantUnavailable {
				t.Fatalf("got unavailable %v, want %v (%v)", unavailable, tc.wantUnavailable, got)
			}
			if !tc.wantUnavailable {
				if got != tc.err {
					t.Errorf("got %v, want the error unchanged", got)
				}
				return
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("got %v, want it to wrap its cause", got)
			}
			if code, msg := octoinvite.ErrorCode(got), octoinvite.ErrorMessage(got); code != octoinvite.EUNAVAILABLE || msg != "The database is unavailable; try again shortly." {
				t.Errorf("got %s %q, want %s %q", code, msg, octoinvite.EUNAVAILABLE, "The database is unavailable; try again shortly.")
			}
		})
	}
	t.Run("OneLineForTheLog", func(t *testing.T) {
		err := classifyPostgres(fmt.Errorf("failed to connect:\n\t10.0.0.1:5432: refused\n\t10.0.0.2:5432: %w", io.EOF))
		const want = "the database is unavailable: failed to connect: 10.0.0.1:5432: refused; 10.0.0.2:5432: EOF"
		if err.Error() != want {
			t.Errorf("got %q, want %q", err.Error(), want)
		}
	})
}

// TestPostgresCreatesDoNotQueueOnCounters holds a write open after it has taken its IDs, an
// invitation's and its audit event's: a create on another connection takes the next IDs and
// commits without waiting for it, and the held write's IDs stay its own.
func TestPostgresCreatesDoNotQueueOnCounters(t *testing.T) {
	db, err := OpenPostgres(context.Background(), pgtest.NewDatabase(t, "pool_max_conns=4"), testKey)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	held, release := make(chan [2]string, 1), make(chan struct{})
	heldDone := make(chan error, 1)
	go func() {
		heldDone <- db.update(ctx, func(tx *transaction) error {
			inv, _, err := tx.nextID(ctx, octoinvite.KindInvitation)
			if err != nil {
				return err
			}
			ev, _, err := tx.nextID(ctx, octoinvite.KindEvent)
			if err != nil {
				return err
			}
			held <- [2]string{inv, ev}
			<-release
			return nil
		})
	}()
	var ids [2]string
	select {
	case ids = <-held:
	case err := <-heldDone:
		t.Fatalf("the held write ended early: %v", err)
	}
	if ids != [2]string{"Invitations-1", "Events-1"} {
		t.Fatalf("the held write took %v, want [Invitations-1 Events-1]", ids)
	}
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"}
	err = within(t, 5*time.Second, func() error { return db.CreateInvitation(ctx, inv) })
	close(release)
	if err != nil {
		t.Fatalf("a create beside the held write: %v", err)
	}
	if inv.ID != "Invitations-2" {
		t.Errorf("the create beside the held write: got %s, want Invitations-2", inv.ID)
	}
	if err := <-heldDone; err != nil {
		t.Fatal(err)
	}
	events, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{inv.ID}, Range: octoinvite.Range{Take: 10}})
	mustDo(t, err)
	if len(events.Items) != 1 || events.Items[0].ID != "Events-2" {
		t.Errorf("the create's events: got %v, want Events-2 alone", lines(events.Items))
	}
}
