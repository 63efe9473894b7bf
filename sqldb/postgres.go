package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/octoinvite/octoinvite"
)

// defaultPostgresMaxConns is the size of each server's pool of connections unless the URL sets
// pool_max_conns. The database must accept it, plus postgresAllocatorConns, times the number of
// servers (PostgreSQL's default max_connections is 100).
const defaultPostgresMaxConns = 20

// postgresAllocatorConns is the size of each server's pool of connections that allocate IDs. An
// allocation holds a connection for one round trip that does not wait for the disk.
const postgresAllocatorConns = 4

// postgresTxTimeout bounds each transaction of a PostgreSQL store. The store's transactions
// take milliseconds; one that takes this long is waiting on a database that stopped answering.
const postgresTxTimeout = 15 * time.Second

// postgresConnectTimeout bounds a connection attempt when the URL sets no connect_timeout, so
// that a request to an unreachable database fails with 503 rather than hanging.
const postgresConnectTimeout = 5 * time.Second

// migrationLockID is the PostgreSQL advisory lock that the instance applying migrations holds,
// so that instances starting together apply them once: the others wait, then find them applied.
const migrationLockID = 0x6f63746f696e76 // "octoinv"

// ErrUnavailable is the error of every operation that cannot reach the database. It maps to 503;
// the condition passes by itself when the database answers again.
var ErrUnavailable = octoinvite.Errorf(octoinvite.EUNAVAILABLE, "The database is unavailable; try again shortly.")

// OpenPostgres connects to the PostgreSQL database at url (postgres://user:password@host:port/db,
// or any connection string pgx accepts), applies its migrations and creates a fresh
// installation's documents. Several servers may open the same database at once: one applies the
// migrations while the others wait, and exactly one creates the installation. masterKey seals
// invitation codes; every server on the database needs the same one, and a database opened with
// another key than the one it was created with fails with ErrWrongMasterKey. A database that
// cannot be reached gives an error that wraps ErrUnavailable.
func OpenPostgres(ctx context.Context, url string, masterKey []byte) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("sqldb: the PostgreSQL URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultPostgresMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = postgresConnectTimeout
	}
	// pgxpool connects lazily, pings a connection idle for over a second before lending it,
	// and destroys one that failed, so that the store recovers by itself when the database
	// returns after an outage.
	pgPool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	pool := stdlib.OpenDBFromPool(pgPool)
	// IDs are allocated on connections of their own: a transaction waiting for an allocation
	// must not wait for a connection that another such transaction holds.
	allocCfg := cfg.Copy()
	allocCfg.MaxConns = postgresAllocatorConns
	allocator, err := pgxpool.NewWithConfig(ctx, allocCfg)
	if err != nil {
		pgPool.Close()
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	closeAll := func() {
		pool.Close()
		pgPool.Close()
		allocator.Close()
	}
	// One pool serves reads and writes: PostgreSQL runs concurrent writers itself.
	db, err := newDB(pool, pool, postgresDialect, masterKey)
	if err != nil {
		closeAll()
		return nil, err
	}
	db.closers = append(db.closers, pgPool.Close, allocator.Close)
	db.pgPool = pgPool
	db.allocator = allocator
	db.txTimeout = postgresTxTimeout
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID),
		// Try for the lock every second for up to ten minutes: the instance holding it is
		// applying migrations, which take seconds.
		lock.WithLockTimeout(1, 600),
		lock.WithUnlockTimeout(1, 60),
	)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	if err := db.Ping(ctx); err != nil {
		closeAll()
		return nil, err
	}
	if err := db.open(ctx, goose.WithSessionLocker(locker)); err != nil {
		closeAll()
		return nil, postgresDialect.classify(err)
	}
	return db, nil
}

var postgresDialect = dialect{
	name:     "postgres",
	goose:    goose.DialectPostgres,
	rebind:   rebindDollar,
	isUnique: func(err error) bool { return pgCode(err) == "23505" },
	// A foreign key violation is SQLSTATE 23503.
	isForeignKey: func(err error) bool { return pgCode(err) == "23503" },
	classify:     classifyPostgres,
	retryable:    retryablePostgres,
	skipLocked:   " FOR UPDATE SKIP LOCKED",
	// A list is a text[] parameter (pgx encodes a []string as one).
	inList:  func(expr string) string { return expr + " = ANY(?)" },
	listArg: func(values []string) any { return values },
}

// retryablePostgres reports whether a transaction may run again after err. A serialization
// failure or a deadlock rolls it back whole (READ COMMITTED, PostgreSQL's default, raises
// neither for the store's transactions today, but a future one may). A transaction that could
// not begin on a pooled connection the database had dropped, as after a restart or a failover,
// did nothing: the next attempt takes another connection. A failure to open a new connection is
// not retried here, so that a request to an unreachable database fails at once.
func retryablePostgres(err error, begun bool) bool {
	if code := pgCode(err); code == "40001" || code == "40P01" {
		return true
	}
	var connectErr *pgconn.ConnectError
	return !begun && unreachable(err) && !errors.As(err, &connectErr)
}

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// classifyPostgres returns an error that wraps both ErrUnavailable and err when err says the
// database cannot be reached or has dropped the connection; err otherwise.
func classifyPostgres(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || !unreachable(err) {
		return err
	}
	return &unavailableError{cause: err}
}

// unavailableError is ErrUnavailable, which callers see, with the failure behind it, which the
// log shows.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string {
	return "the database is unavailable: " + oneLine(e.cause.Error())
}

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }

// unreachable reports whether err is the failure of a connection rather than of a statement.
func unreachable(err error) bool {
	switch code := pgCode(err); {
	case strings.HasPrefix(code, "08"), // connection exception
		code == "57P01", // admin_shutdown: the backend was terminated
		code == "57P02", // crash_shutdown
		code == "57P03", // cannot_connect_now: starting up or shutting down
		code == "53300": // too_many_connections
		return true
	case code != "":
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		pgconn.Timeout(err) ||
		// The transaction's deadline passed while it waited for a connection or an answer.
		errors.Is(err, context.DeadlineExceeded) ||
		// pgx reports a use of a connection it has already closed after a fatal error this way.
		strings.Contains(err.Error(), "conn closed")
}

// oneLine joins the lines of a message: pgx lists each address it tried on a line of its own.
func oneLine(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch prev := b.String(); {
		case line == "":
			continue
		case i == 0:
		case strings.HasSuffix(prev, ":"):
			b.WriteString(" ")
		default:
			b.WriteString("; ")
		}
		b.WriteString(line)
	}
	return b.String()
}

// rebindDollar turns the ? placeholders of a query into PostgreSQL's $1, $2, ... in order. A ?
// inside a string literal, a quoted identifier or a comment is left alone.
func rebindDollar(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// A quote doubled inside the literal escapes itself; the scan resumes after the
			// closing quote either way.
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+4])
			i += end + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// allocateApart takes the next n numbers of the kind's counter in a transaction of its own, on
// the allocator's connections, and returns the last of them. The transaction commits without
// waiting for its flush to disk; see transaction.allocate for why that loses nothing
// acknowledged. Its statements go in one round trip. If one fails, the connection is left in a
// failed transaction and the pool closes it rather than lend it again. An attempt that failed
// on a pooled connection the database had dropped, as after a restart, or on a deadlock, is made
// again, as retryablePostgres allows a transaction that had not begun: an allocation repeated
// after its commit only leaves a gap.
func allocateApart(ctx context.Context, allocator *pgxpool.Pool, kind string, n int) (last int64, err error) {
	for attempt := 1; ; attempt++ {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue("SET LOCAL synchronous_commit TO OFF")
		b.Queue(rebindDollar(allocateIDs), kind, n, n).QueryRow(func(row pgx.Row) error {
			return row.Scan(&last)
		})
		b.Queue("COMMIT")
		err = allocator.SendBatch(ctx, b).Close()
		if err == nil || attempt == maxAttempts || !retryablePostgres(err, false) || ctx.Err() != nil {
			return last, err
		}
	}
}
