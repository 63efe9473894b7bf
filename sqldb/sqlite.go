package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePragmas make every commit durable (WAL with synchronous=FULL fsyncs the log at each
// commit), enforce foreign keys, and wait for a lock instead of failing at once.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"

// OpenSQLite opens, creating if need be, the SQLite database at path, applies its migrations and
// creates a fresh installation's documents. masterKey seals invitation codes; a database opened
// with another key than the one it was created with fails with ErrWrongMasterKey.
func OpenSQLite(ctx context.Context, path string, masterKey []byte) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	// Writes take the lock when they begin (_txlock=immediate), so that two writers never
	// deadlock upgrading read locks; one connection serialises them within the process.
	writeConnector, err := newStatementCache(dsn + "&_txlock=immediate&_pragma=temp_store(2)")
	if err != nil {
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	readConnector, err := newStatementCache(dsn + "&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("sqldb: %w", err)
	}
	write := sql.OpenDB(writeConnector)
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read := sql.OpenDB(readConnector)
	// Reads are CPU-bound (the pages are in the OS cache): more connections than twice the
	// CPUs would only add page caches.
	readers := 2 * runtime.GOMAXPROCS(0)
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db, err := newDB(read, write, sqliteDialect, masterKey)
	if err != nil {
		read.Close()
		write.Close()
		return nil, err
	}
	if err := db.open(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.auth, db.spaces = newReadCache(cloneUser), newReadCache(cloneSpace)
	db.invitations = newBoundedReadCache(cloneInvitation, invitationCacheEntries)
	db.writer = newGroupCommitter(db, func(changes cacheChanges) {
		if changes.reads {
			db.auth.invalidate()
			db.spaces.invalidate()
		}
		if changes.allInvitations {
			db.invitations.invalidate()
		} else if len(changes.invitations) > 0 {
			db.invitations.evict(changes.invitations)
		}
	})
	return db, nil
}

// open migrates the database and bootstraps it.
func (db *DB) open(ctx context.Context, opts ...goose.ProviderOption) error {
	if err := db.migrate(ctx, opts...); err != nil {
		return err
	}
	if err := db.bootstrap(ctx); err != nil {
		if errors.Is(err, ErrWrongMasterKey) {
			return err
		}
		return fmt.Errorf("sqldb: %w", err)
	}
	return nil
}

var sqliteDialect = dialect{
	name:   "sqlite",
	goose:  goose.DialectSQLite3,
	rebind: func(q string) string { return q },
	isUnique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isForeignKey: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	},
	classify:  func(err error) error { return err },
	retryable: func(error, bool) bool { return false },
	// A list is a JSON array, whose elements json_each returns as rows.
	inList: func(expr string) string { return expr + " IN (SELECT value FROM json_each(?))" },
	listArg: func(values []string) any {
		b, _ := json.Marshal(values) // a []string always marshals
		return string(b)
	},
}
