// Package sqldb stores octoinvite's documents in a SQL database through database/sql: SQLite
// (the zero-set-up default) or PostgreSQL (for several servers on one database). Every method
// that writes runs in one transaction that commits durably before it returns, so an acknowledged
// change survives a crash.
package sqldb

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/password"
)

// migrations are one set for every dialect, written in the SQL that SQLite and PostgreSQL share:
// TEXT, INTEGER and BIGINT columns, booleans as 0 or 1, times as Unix milliseconds. Migrations 6,
// 10 and 12 are in Go (usernameKeyMigration, nameKeysMigration, searchKeysMigration): they
// compute what SQL cannot.
//
//go:embed migrations/*.sql
var migrations embed.FS

// MasterKeySize is the length of the master key that seals invitation codes: AES-256.
const MasterKeySize = 32

// DB is an open store. Its exported fields may be set after Open and before use; tests set Now
// and Rand to make expiry and codes exact.
type DB struct {
	read    *sql.DB // serves read-only transactions, several at once
	write   *sql.DB // serves writes; SQLite allows one writer at a time
	dialect dialect
	sealer  cipher.AEAD
	// closers release what the pools are built on, after the pools close.
	closers []func()
	// pgPool, on PostgreSQL, is the pool under read and write, for the bulk loads' COPY.
	pgPool *pgxpool.Pool
	// allocator, on PostgreSQL, is the pool that runs each allocation of IDs as a transaction
	// of its own; see transaction.allocate.
	allocator *pgxpool.Pool
	// txTimeout, if set, bounds each transaction, so that a database that stops answering
	// without closing the connection fails requests instead of holding them.
	txTimeout time.Duration

	// Now returns the current time. It defaults to time.Now.
	Now func() time.Time
	// Rand is the source of invitation codes and API keys. It defaults to crypto/rand.
	Rand io.Reader
	// InvitationLifetime is how long a new invitation's code stays valid unless its creator
	// asks for another expiry, and how long a regenerated code stays valid.
	InvitationLifetime time.Duration
	// InvitationMaxLifetime is the longest lifetime a creator may ask for; it is never less
	// than InvitationLifetime.
	InvitationMaxLifetime time.Duration
	// InvitationMaxUses caps the MaxUses a creator may ask for.
	InvitationMaxUses int
	// Passwords hashes and checks users' passwords. It defaults to Argon2id with
	// password.DefaultParams; tests set cheaper parameters.
	Passwords octoinvite.PasswordHasher
	// SessionLifetime is how long a session lasts from sign-in, however much it is used;
	// SessionIdleTimeout how long it lasts without a request (octoinvite's defaults when 0).
	SessionLifetime    time.Duration
	SessionIdleTimeout time.Duration
	// Email, when set, lets invitations be sent to an address; see EmailSettings.
	Email *EmailSettings

	// emailQueued is signalled, without waiting, after every commit that queued an email.
	emailQueued chan struct{}

	// writer, when set, runs every write transaction, sharing commits between concurrent
	// writes (SQLite); without it each write commits alone (PostgreSQL).
	writer *groupCommitter
	// auth and spaces, when set, cache verified API keys and spaces until the next committed
	// write (SQLite).
	auth   *readCache[octoinvite.User]
	spaces *readCache[octoinvite.Space]
	// invitations, when set, caches invitations by ID until a committed write changes them
	// (SQLite); their state is computed at each read, from the clock.
	invitations *readCache[octoinvite.Invitation]

	// registerHook, when set, runs inside the registration transaction after every write, so
	// that tests can make the transaction fail halfway.
	registerHook func(ctx context.Context, tx *transaction) error

	installationID string
}

// dialect holds what differs between the SQL databases the store speaks.
type dialect struct {
	name  string
	goose goose.Dialect
	// rebind turns the ? placeholders the queries are written with into the database's own.
	rebind func(string) string
	// isUnique reports whether err is a violation of a unique constraint.
	isUnique func(error) bool
	// isForeignKey reports whether err is a violation of a foreign key: a row names a
	// document that another transaction deleted meanwhile.
	isForeignKey func(error) bool
	// classify turns a driver error into a domain error where one fits (an unreachable database
	// is EUNAVAILABLE); it returns err unchanged otherwise.
	classify func(error) error
	// inList returns the condition that expr is one of the values of the list parameter it
	// holds, and listArg that parameter's value (see in).
	inList  func(expr string) string
	listArg func(values []string) any
	// skipLocked ends a SELECT whose rows a claim locks, so that rows a concurrent claim
	// holds are passed over ("" where one writer runs at a time).
	skipLocked string
	// retryable reports whether a transaction that failed with err may simply run again: the
	// database rolled it back whole to resolve a conflict with another transaction, or it failed
	// to begin (begun is false) on a pooled connection that the database had dropped.
	retryable func(err error, begun bool) bool
}

// maxAttempts bounds how often a transaction runs when the database asks for a retry.
const maxAttempts = 5

func newDB(read, write *sql.DB, d dialect, masterKey []byte) (*DB, error) {
	if len(masterKey) != MasterKeySize {
		return nil, fmt.Errorf("sqldb: the master key must be %d bytes, not %d", MasterKeySize, len(masterKey))
	}
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, fmt.Errorf("sqldb: master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sqldb: master key: %w", err)
	}
	return &DB{
		read:                  read,
		write:                 write,
		dialect:               d,
		sealer:                aead,
		Now:                   time.Now,
		Rand:                  rand.Reader,
		InvitationLifetime:    octoinvite.DefaultInvitationLifetime,
		InvitationMaxLifetime: octoinvite.DefaultInvitationMaxLifetime,
		InvitationMaxUses:     octoinvite.DefaultInvitationMaxUses,
		Passwords:             password.New(password.DefaultParams),
		SessionLifetime:       octoinvite.DefaultSessionLifetime,
		emailQueued:           make(chan struct{}, 1),
		SessionIdleTimeout:    octoinvite.DefaultSessionIdleTimeout,
	}, nil
}

// migrations returns the provider of the database's migrations: the embedded SQL files and the
// migrations written in Go.
func (db *DB) migrations(opts ...goose.ProviderOption) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	opts = append(opts, goose.WithGoMigrations(usernameKeyMigration(db.dialect), nameKeysMigration(db.dialect), searchKeysMigration(db.dialect)))
	p, err := goose.NewProvider(db.dialect.goose, db.write, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("sqldb: migrations: %w", err)
	}
	return p, nil
}

// migrate applies the embedded migrations not yet recorded in the database, in order.
func (db *DB) migrate(ctx context.Context, opts ...goose.ProviderOption) error {
	p, err := db.migrations(opts...)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqldb: applying migrations: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	if db.writer != nil {
		db.writer.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	for _, release := range db.closers {
		release()
	}
	return err
}

// Pools returns the store's connection pools by name, for their statistics: "sqlite_read" and
// "sqlite_write" for SQLite, "postgres" for PostgreSQL.
func (db *DB) Pools() map[string]*sql.DB {
	if db.read == db.write {
		return map[string]*sql.DB{db.dialect.name: db.write}
	}
	return map[string]*sql.DB{db.dialect.name + "_read": db.read, db.dialect.name + "_write": db.write}
}

// InstallationID returns the UUID chosen when the database was created.
func (db *DB) InstallationID() string { return db.installationID }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return db.dialect.classify(err)
	}
	return nil
}

// transaction is a transaction of the store with the time it began, so that every timestamp it
// writes agrees.
type transaction struct {
	tx  querier
	db  *DB
	now time.Time
	// keepsCaches is set by a write that changes nothing the read caches hold (see readCache).
	keepsCaches bool
	// invitationsDeclared is set by a write that declared the invitations it changes, listed in
	// changedInvitations (see changesInvitations).
	invitationsDeclared bool
	changedInvitations  []string
	// queuedEmail is set by a write that added a message to the outbox.
	queuedEmail bool
}

// keepsCachedReads declares that the write changes no API key, user, membership or space, so
// that its commit need not clear the caches of verified keys and spaces. A write that does not
// call it clears them.
func (tx *transaction) keepsCachedReads() { tx.keepsCaches = true }

// changesInvitations declares that the write changes or deletes the invitations of ids and no
// other stored invitation (creating new ones is no change), so that its commit evicts only
// those from the cache of invitations. A write that does not call it clears that cache.
func (tx *transaction) changesInvitations(ids ...string) {
	tx.invitationsDeclared = true
	tx.changedInvitations = append(tx.changedInvitations, ids...)
}

// querier runs a transaction's statements: a database/sql transaction, or the read pool for a
// read of one statement (see viewOne).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (tx *transaction) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.dialect.rebind(query), args...)
}

func (tx *transaction) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.dialect.rebind(query), args...)
}

func (tx *transaction) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.dialect.rebind(query), args...)
}

// update runs fn in a write transaction and commits it if fn succeeds; it returns once the
// commit has returned. fn may run more than once, and on SQLite it shares its transaction, in a
// savepoint of its own, with concurrent writes (see groupCommitter).
func (db *DB) update(ctx context.Context, fn func(*transaction) error) error {
	queued := false
	run := func(tx *transaction) error {
		err := fn(tx)
		queued = err == nil && tx.queuedEmail
		return err
	}
	var err error
	if db.writer != nil {
		err = db.writer.update(ctx, run)
	} else {
		err = db.run(ctx, db.write, false, run)
	}
	if err == nil && queued {
		select {
		case db.emailQueued <- struct{}{}:
		default:
		}
	}
	if err != nil && db.dialect.isForeignKey(err) {
		return errDeletedMeanwhile
	}
	return err
}

// errDeletedMeanwhile answers a write that named a document (a space, a team, a user) that a
// concurrent request deleted after the write checked it: the foreign keys refused the row.
var errDeletedMeanwhile = octoinvite.Conflict("A space, team or user the request names was deleted meanwhile by another request; check the request and send it again.")

// EmailQueued returns a channel that receives after commits that queued an email, so that a
// sender need not wait for its next poll; several commits may give one signal.
func (db *DB) EmailQueued() <-chan struct{} { return db.emailQueued }

// view runs fn in a read-only transaction.
func (db *DB) view(ctx context.Context, fn func(*transaction) error) error {
	return db.run(ctx, db.read, true, fn)
}

// viewOne runs fn, which must run exactly one statement, and only reads, on the read pool
// without a transaction of its own: one statement reads one consistent snapshot by itself, and a
// lookup then costs no BEGIN and COMMIT (on PostgreSQL, two round trips to the server). On
// PostgreSQL the statement runs under ctx bounded by the transaction time, whatever context fn
// gives it, so that a database that stops answering fails the lookup as it fails a transaction;
// and a statement that met a pooled connection the database had dropped runs again on another,
// which a read may always do.
func (db *DB) viewOne(ctx context.Context, fn func(*transaction) error) error {
	if db.dialect.name == "sqlite" {
		return fn(&transaction{tx: db.read, db: db, now: db.Now().UTC().Truncate(time.Millisecond)})
	}
	if db.txTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, db.txTimeout)
		defer cancel()
	}
	for attempt := 1; ; attempt++ {
		err := fn(&transaction{tx: boundQuerier{pool: db.read, ctx: ctx}, db: db, now: db.Now().UTC().Truncate(time.Millisecond)})
		if err == nil || attempt == maxAttempts || !db.dialect.retryable(err, false) || ctx.Err() != nil {
			return db.dialect.classify(err)
		}
	}
}

// boundQuerier runs statements on a pool under its own context in place of theirs.
type boundQuerier struct {
	pool *sql.DB
	ctx  context.Context
}

func (q boundQuerier) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return q.pool.ExecContext(q.ctx, query, args...)
}

func (q boundQuerier) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.pool.QueryContext(q.ctx, query, args...)
}

func (q boundQuerier) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return q.pool.QueryRowContext(q.ctx, query, args...)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*transaction) error) error {
	if db.txTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, db.txTimeout)
		defer cancel()
	}
	for attempt := 1; ; attempt++ {
		begun, err := db.runOnce(ctx, pool, readOnly, fn)
		if err != nil && ctx.Err() != nil && errors.Is(err, sql.ErrTxDone) {
			// database/sql rolls back a transaction whose context ends and then answers its
			// statements and its commit with sql.ErrTxDone: the context's error says why.
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		if err == nil || attempt == maxAttempts || !db.dialect.retryable(err, begun) || ctx.Err() != nil {
			return db.dialect.classify(err)
		}
	}
}

// runOnce runs fn in a transaction and reports whether the transaction began.
func (db *DB) runOnce(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*transaction) error) (begun bool, err error) {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && db.dialect.name != "sqlite"})
	if err != nil {
		return false, err
	}
	tx := &transaction{tx: sqlTx, db: db, now: db.Now().UTC().Truncate(time.Millisecond)}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return true, err
	}
	return true, sqlTx.Commit()
}

// allocateIDs takes the next numbers of a kind's counter (arguments: the kind, how many, how
// many again) and returns the last of them. One statement creates the counter or increments
// it: two transactions allocating the first IDs of a kind at once must not both try to create
// it. The counter's row stays locked until the statement's transaction ends, so concurrent
// transactions, on any instance, never receive the same number.
const allocateIDs = `INSERT INTO counters (kind, value) VALUES (?, ?)
	ON CONFLICT (kind) DO UPDATE SET value = counters.value + ? RETURNING value`

// nextID allocates the next ID of a kind.
func (tx *transaction) nextID(ctx context.Context, kind string) (string, int64, error) {
	n, err := tx.allocate(ctx, kind, 1)
	if err != nil {
		return "", 0, err
	}
	return octoinvite.FormatID(kind, n), n, nil
}

// allocate takes the next n numbers of the kind's counter and returns the last of them.
//
// On SQLite the counter moves inside tx, so a transaction that fails gives its numbers back and
// IDs have no gaps: writes run one at a time there, and the counter's row costs no waiting. On
// PostgreSQL the counter moves in a transaction of its own, on the allocator's connections: a
// create that held its kind's row (and the events' row, for its audit event) until its own
// commit would make every concurrent write queue behind that commit's flush to disk. A
// transaction that fails then leaves a gap, as Octopus Server's own block allocation of IDs
// does. The allocation commits without waiting for its flush: the write that uses the numbers
// commits after it, and PostgreSQL's log is written in order, so a write that is on disk has
// its allocation on disk before it; an allocation lost in a crash was used by no write that
// was acknowledged.
func (tx *transaction) allocate(ctx context.Context, kind string, n int) (last int64, err error) {
	if tx.db.allocator != nil {
		last, err = allocateApart(ctx, tx.db.allocator, kind, n)
	} else {
		err = tx.queryRow(ctx, allocateIDs, kind, n, n).Scan(&last)
	}
	if err != nil {
		return 0, fmt.Errorf("allocating %d IDs of %s: %w", n, kind, err)
	}
	return last, nil
}

// seal encrypts a secret under the master key, bound to the document it belongs to (aad) so that
// a sealed value copied onto another row does not open.
func (db *DB) seal(aad, secret string) (string, error) {
	nonce := make([]byte, db.sealer.NonceSize(), db.sealer.NonceSize()+len(secret)+db.sealer.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(db.sealer.Seal(nonce, nonce, []byte(secret), []byte(aad))), nil
}

// ErrWrongMasterKey reports a master key other than the one the database was created with.
var ErrWrongMasterKey = errors.New("the master key does not open this database's secrets: " +
	"start the server with the master key this database was created with")

func (db *DB) unseal(aad, sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < db.sealer.NonceSize() {
		return "", fmt.Errorf("sealed value of %s is damaged", aad)
	}
	n := db.sealer.NonceSize()
	plain, err := db.sealer.Open(nil, b[:n], b[n:], []byte(aad))
	if err != nil {
		return "", fmt.Errorf("opening the sealed value of %s: %w", aad, ErrWrongMasterKey)
	}
	return string(plain), nil
}

// masterKeyCheck is sealed into the settings at creation; opening it at start proves the key.
const masterKeyCheck = "octoinvite master key check"

// bootstrap creates the documents of a fresh installation, once, and checks the master key
// against an existing one. Servers starting together on a fresh database may all run it: the
// first to insert the installation ID creates the rest; the others' inserts wait for its commit,
// do nothing, and then check their key against what it stored.
func (db *DB) bootstrap(ctx context.Context) error {
	return db.update(ctx, func(tx *transaction) error {
		candidate := uuid.NewString()
		res, err := tx.exec(ctx, `INSERT INTO settings (name, value) VALUES ('installation_id', ?) ON CONFLICT (name) DO NOTHING`, candidate)
		if err != nil {
			return fmt.Errorf("creating the installation: %w", err)
		}
		if created, err := res.RowsAffected(); err != nil {
			return err
		} else if created == 0 {
			var id, check string
			if err := tx.queryRow(ctx, `SELECT value FROM settings WHERE name = 'installation_id'`).Scan(&id); err != nil {
				return fmt.Errorf("reading the installation ID: %w", err)
			}
			if err := tx.queryRow(ctx, `SELECT value FROM settings WHERE name = 'master_key_check'`).Scan(&check); err != nil {
				return fmt.Errorf("reading the master key check: %w", err)
			}
			if plain, err := db.unseal("settings:master_key_check", check); err != nil || plain != masterKeyCheck {
				return ErrWrongMasterKey
			}
			db.installationID = id
			return nil
		}
		sealed, err := db.seal("settings:master_key_check", masterKeyCheck)
		if err != nil {
			return err
		}
		now := tx.now.UnixMilli()
		stmts := []struct {
			query string
			args  []any
		}{
			{`INSERT INTO settings (name, value) VALUES ('master_key_check', ?)`, []any{sealed}},
			{`INSERT INTO counters (kind, value) VALUES ('Spaces', 1), ('Users', 1)`, nil},
			{`INSERT INTO spaces (id, seq, name, name_key, slug, slug_key, description, is_default, managers_teams, created_on)
			  VALUES ('Spaces-1', 1, 'Default', ?, 'default', ?, '', 1, '["teams-administrators"]', ?)`,
				[]any{octoinvite.FoldName("Default"), octoinvite.FoldName("default"), now}},
			{`INSERT INTO users (id, seq, username, username_key, display_name, email_address, search_key, created_on)
			  VALUES ('Users-1', 1, 'admin', 'admin', 'Administrator', '', ?, ?)`,
				[]any{userSearchKey(&octoinvite.User{Username: "admin", DisplayName: "Administrator"}), now}},
			{`INSERT INTO teams (id, seq, name, name_key, description, space_id, can_be_deleted, can_be_renamed, can_change_roles, can_change_members, created_on)
			  VALUES ('teams-everyone', 0, 'Everyone', ?, 'All users are members of this team.', NULL, 0, 0, 1, 0, ?),
			         ('teams-administrators', 0, 'Octopus Administrators', ?, 'Octopus Administrators can do anything in the system.', NULL, 0, 0, 0, 1, ?)`,
				[]any{octoinvite.FoldName("Everyone"), now, octoinvite.FoldName("Octopus Administrators"), now}},
			{`INSERT INTO team_members (team_id, user_id) VALUES ('teams-everyone', 'Users-1'), ('teams-administrators', 'Users-1')`, nil},
		}
		for _, s := range stmts {
			if _, err := tx.exec(ctx, s.query, s.args...); err != nil {
				return fmt.Errorf("creating the installation: %w", err)
			}
		}
		db.installationID = candidate
		return nil
	})
}

// in returns the condition that expr is one of values, and the one argument it takes: the
// list travels as a single array parameter whatever its length, so that no list reaches a
// database's limit on parameters (32,766 on SQLite, 65,535 on PostgreSQL) and lists of every
// length share one prepared statement. An empty list matches nothing. Every IN of a list
// goes through it.
func (d dialect) in(expr string, values []string) (cond string, arg any) {
	if values == nil {
		values = []string{}
	}
	return d.inList(expr), d.listArg(values)
}

// maxRowsParameters bounds the parameters of one statement of insertRows, well within
// SQLite's 32,766 and PostgreSQL's 65,535.
const maxRowsParameters = 8192

// insertRows inserts rows into table: values holds one value per column of columns (a list
// such as "a, b, c") for each row, row after row. Many rows share a statement, each statement
// within maxRowsParameters, so that a bulk write costs a few statements rather than one per
// row.
func (tx *transaction) insertRows(ctx context.Context, table, columns string, values []any) error {
	width := strings.Count(columns, ",") + 1
	if len(values)%width != 0 {
		return fmt.Errorf("inserting into %s: %d values do not make rows of %d", table, len(values), width)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	perStatement := maxRowsParameters / width * width
	for len(values) > 0 {
		chunk := values[:min(perStatement, len(values))]
		values = values[len(chunk):]
		rows := strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)/width), ", ")
		if _, err := tx.exec(ctx, `INSERT INTO `+table+` (`+columns+`) VALUES `+rows, chunk...); err != nil {
			return err
		}
	}
	return nil
}

// conditions builds a WHERE clause: conditions joined by AND, with their arguments in order.
type conditions struct {
	dialect dialect
	conds   []string
	args    []any
}

// add adds cond, which takes args.
func (c *conditions) add(cond string, args ...any) {
	c.conds = append(c.conds, cond)
	c.args = append(c.args, args...)
}

// in adds the condition that expr is one of values; an empty list matches nothing (see
// dialect.in).
func (c *conditions) in(expr string, values []string) {
	cond, arg := c.dialect.in(expr, values)
	c.add(cond, arg)
}

// where returns the clause, with a leading space, or "" for no condition.
func (c *conditions) where() string {
	if len(c.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.conds, " AND ")
}

// containsPattern returns a LIKE pattern that matches s anywhere, as it is, with LIKE's
// wildcards in s taken literally. Use it with ESCAPE '\', on a column of keys folded as s is.
func containsPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// canonicalIDs parses ids as IDs of kind and drops those that cannot name a document.
func canonicalIDs(kind string, ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, s := range ids {
		if id, ok := octoinvite.ParseID(kind, s); ok {
			out = append(out, id)
		}
	}
	return out
}

// canonicalDocumentIDs parses ids as IDs of documents of any kind and drops those that cannot
// name a document.
func canonicalDocumentIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, s := range ids {
		if id, ok := octoinvite.ParseDocumentID(s); ok {
			out = append(out, id)
		}
	}
	return out
}

func millis(ms int64) octoinvite.Time { return octoinvite.NewTime(time.UnixMilli(ms)) }

func nullString(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

func stringPtr(ns sql.NullString) *string {
	if !ns.Valid {
		return nil
	}
	s := ns.String
	return &s
}

// wrap gives err the context of the operation that failed; domain errors pass through unchanged
// so that their code and message reach the caller.
func wrap(err *error, format string, args ...any) {
	if *err == nil {
		return
	}
	var e *octoinvite.Error
	if errors.As(*err, &e) {
		return
	}
	*err = fmt.Errorf("sqldb: "+format+": %w", append(args, *err)...)
}

// boolInt stores a boolean as the 0 or 1 of an INTEGER column, the one form both dialects share.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
