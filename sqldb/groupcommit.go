package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// maxGroup bounds how many writes share one commit.
const maxGroup = 256

// errClosed answers writes that arrive after Close.
var errClosed = errors.New("sqldb: the store is closed")

// groupCommitter runs the writes of a SQLite store on one goroutine and lets concurrent writes
// share a commit: SQLite allows one writer at a time anyway, and a durable commit costs an fsync
// whatever it holds, so committing the writes that queued during the previous commit together
// multiplies the write rate. Each write runs in a SAVEPOINT of the group's transaction, so that
// one that fails is rolled back alone; every write is answered only after the commit that holds
// it has returned, so an acknowledged write is on disk.
type groupCommitter struct {
	db      *DB
	writes  chan *pendingWrite
	closing chan struct{}
	stopped chan struct{}
	// committed runs after every commit that stored a write that changed what the read caches
	// hold (see transaction.keepsCachedReads and transaction.changesInvitations), before any write of the group is
	// answered.
	committed func(cacheChanges)
}

// pendingWrite is a write waiting for its group.
type pendingWrite struct {
	ctx  context.Context
	fn   func(*transaction) error
	done chan writeResult
}

type writeResult struct {
	err    error
	panics any
}

func newGroupCommitter(db *DB, committed func(cacheChanges)) *groupCommitter {
	g := &groupCommitter{
		db:        db,
		writes:    make(chan *pendingWrite),
		closing:   make(chan struct{}),
		stopped:   make(chan struct{}),
		committed: committed,
	}
	go g.loop()
	return g
}

// update queues fn and returns once the commit that holds it returned, or fn failed. A panic in
// fn is raised again in the caller's goroutine.
func (g *groupCommitter) update(ctx context.Context, fn func(*transaction) error) error {
	w := &pendingWrite{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	select {
	case g.writes <- w:
	case <-g.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the write is waited for even if ctx ends: the caller must not be told it
	// failed while the group that holds it may still commit.
	res := <-w.done
	if res.panics != nil {
		panic(res.panics)
	}
	return res.err
}

// close stops the writer once the group it is running is committed.
func (g *groupCommitter) close() {
	select {
	case <-g.closing:
	default:
		close(g.closing)
	}
	<-g.stopped
}

func (g *groupCommitter) loop() {
	defer close(g.stopped)
	for {
		var first *pendingWrite
		select {
		case first = <-g.writes:
		case <-g.closing:
			return
		}
		group := []*pendingWrite{first}
	gather:
		for len(group) < maxGroup {
			select {
			case w := <-g.writes:
				group = append(group, w)
			default:
				break gather
			}
		}
		for len(group) > 0 {
			group = g.commit(group)
		}
	}
}

// commit runs the group in one transaction and answers its writes. If the transaction breaks
// (SQLite rolls a whole transaction back on some errors, such as an interrupted statement), the
// writes it had not answered are returned, to run again in a new transaction.
func (g *groupCommitter) commit(group []*pendingWrite) (again []*pendingWrite) {
	ctx := context.Background()
	sqlTx, err := g.db.write.BeginTx(ctx, nil)
	if err != nil {
		for _, w := range group {
			w.done <- writeResult{err: err}
		}
		return nil
	}
	var ran []*pendingWrite
	var changes cacheChanges
	for i, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.done <- writeResult{err: err}
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
			return g.broken(sqlTx, ran, w, writeResult{err: err}, group[i+1:])
		}
		tx := &transaction{tx: sqlTx, db: g.db, now: g.db.Now().UTC().Truncate(time.Millisecond)}
		res := runWrite(w.fn, tx)
		if res.err == nil && res.panics == nil {
			if _, err := sqlTx.ExecContext(ctx, `RELEASE write`); err != nil {
				return g.broken(sqlTx, ran, w, writeResult{err: err}, group[i+1:])
			}
			ran = append(ran, w)
			changes.add(tx)
			continue
		}
		// ROLLBACK TO undoes the write's changes and leaves the savepoint open; RELEASE ends it.
		if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
			return g.broken(sqlTx, ran, w, res, group[i+1:])
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE write`); err != nil {
			return g.broken(sqlTx, ran, w, res, group[i+1:])
		}
		w.done <- res
	}
	if len(ran) == 0 {
		_ = sqlTx.Rollback()
		return nil
	}
	err = sqlTx.Commit()
	// Even a commit that failed clears: whether its writes reached the disk is not certain.
	if changes.any() && g.committed != nil {
		g.committed(changes)
	}
	for _, w := range ran {
		w.done <- writeResult{err: err}
	}
	return nil
}

// broken handles a group transaction that can no longer commit (SQLite rolls a whole
// transaction back on some errors, such as an interrupted statement): it rolls it back, answers
// the write at which it broke with res, and returns the others, those that had run (their work
// is lost) and those not yet run, to run again in a new transaction.
func (g *groupCommitter) broken(sqlTx *sql.Tx, ran []*pendingWrite, at *pendingWrite, res writeResult, rest []*pendingWrite) []*pendingWrite {
	_ = sqlTx.Rollback()
	if res.err != nil && res.panics == nil {
		res.err = fmt.Errorf("sqldb: group commit: %w", res.err)
	}
	at.done <- res
	return append(ran, rest...)
}

// runWrite runs fn, turning a panic into a result so that the writer goroutine survives it and
// the caller's goroutine raises it.
func runWrite(fn func(*transaction) error, tx *transaction) (res writeResult) {
	defer func() {
		if v := recover(); v != nil {
			res = writeResult{panics: v}
		}
	}()
	return writeResult{err: fn(tx)}
}
