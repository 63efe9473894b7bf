package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// maxCachedStatements bounds the statements each SQLite connection keeps prepared. The store's
// queries are few; queries with a variable number of placeholders (IN lists) take the places
// that are left, and the least recently used one makes room for the next.
const maxCachedStatements = 64

// statementCache opens SQLite connections that keep the statements they run prepared, keyed by
// the query's text, so that the parse and plan of a query is paid once per connection instead of
// at every call: SQLite's parser is the larger part of a simple lookup's cost. database/sql uses
// a connection from one goroutine at a time, so a connection's cache needs no lock.
type statementCache struct{ base driver.Connector }

func newStatementCache(dsn string) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return statementCache{base: base}, nil
}

func (c statementCache) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

func (c statementCache) Driver() driver.Driver { return c.base.Driver() }

// cachingConn forwards everything to the driver's connection, but runs queries and statements
// through prepared statements it keeps.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
	tick  uint64
}

// cachedStmt is a prepared statement, busy while rows it returned are open (a second use
// meanwhile prepares a statement of its own).
type cachedStmt struct {
	stmt     driver.Stmt
	busy     bool
	lastUsed uint64
}

// Unwrap returns the driver's connection, as modernc.org/sqlite asks of wrappers.
func (c *cachingConn) Unwrap() driver.Conn { return c.Conn }

// prepared returns the cached statement for query, preparing it if need be, or nil when its
// cached statement is busy.
func (c *cachingConn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	c.tick++
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		s.lastUsed = c.tick
		return s, nil
	}
	stmt, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(c.stmts) >= maxCachedStatements {
		c.evict()
	}
	s := &cachedStmt{stmt: stmt, lastUsed: c.tick}
	c.stmts[query] = s
	return s, nil
}

// evict closes the least recently used statement that is not busy.
func (c *cachingConn) evict() {
	var oldest string
	var found *cachedStmt
	for q, s := range c.stmts {
		if !s.busy && (found == nil || s.lastUsed < found.lastUsed) {
			oldest, found = q, s
		}
	}
	if found != nil {
		_ = found.stmt.Close()
		delete(c.stmts, oldest)
	}
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, stmt: s}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *cachingConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.Conn.Close())...)
}

// cachedRows releases its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}
