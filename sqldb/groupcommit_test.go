package sqldb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// openSQLite opens a fresh SQLite store with its clock at testEpoch.
func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "octoinvite.db"), testKey)
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	db.Now = func() time.Time { return testEpoch }
	t.Cleanup(func() { db.Close() })
	return db
}

// insertTeam returns a write that stores a team named name, then fails with fail if not nil.
func insertTeam(name string, fail error) func(*transaction) error {
	return func(tx *transaction) error {
		ctx := context.Background()
		id, seq, err := tx.nextID(ctx, octoinvite.KindTeam)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO teams (id, seq, name, name_key, created_on) VALUES (?, ?, ?, ?, 0)`, id, seq, name, octoinvite.FoldName(name)); err != nil {
			return err
		}
		if name == "panics" {
			panic("deliberate panic")
		}
		return fail
	}
}

func storedTeams(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	mustDo(t, db.view(context.Background(), func(tx *transaction) error {
		rows, err := tx.query(context.Background(), `SELECT id, name FROM teams WHERE seq > 0 ORDER BY seq`)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var id, name string
			err := row.Scan(&id, &name)
			return id + " " + name, err
		})
		return err
	}))
	return out
}

// TestGroupCommit runs one group of writes, some failing, and checks each answer, that the
// group committed once, and that only the successful writes are stored.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	errDeliberate := errors.New("deliberate failure")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	type write struct {
		ctx     context.Context
		name    string
		fail    error
		wantErr error
		panics  bool
	}
	writes := []write{
		{ctx: context.Background(), name: "first"},
		{ctx: context.Background(), name: "fails", fail: errDeliberate, wantErr: errDeliberate},
		{ctx: canceled, name: "canceled", wantErr: context.Canceled},
		{ctx: context.Background(), name: "panics", panics: true},
		{ctx: context.Background(), name: "second"},
	}
	group := make([]*pendingWrite, len(writes))
	for i, w := range writes {
		group[i] = &pendingWrite{ctx: w.ctx, fn: insertTeam(w.name, w.fail), done: make(chan writeResult, 1)}
	}
	before := db.auth.generation
	if again := db.writer.commit(group); len(again) != 0 {
		t.Fatalf("got %d writes to run again, want none", len(again))
	}
	for i, w := range writes {
		res := <-group[i].done
		if !errors.Is(res.err, w.wantErr) || (w.wantErr == nil && res.err != nil) {
			t.Errorf("%s: got error %v, want %v", w.name, res.err, w.wantErr)
		}
		if got := res.panics != nil; got != w.panics {
			t.Errorf("%s: got panic %v, want a panic: %v", w.name, res.panics, w.panics)
		}
	}
	if got := db.auth.generation - before; got != 1 {
		t.Errorf("got %d commits, want 1", got)
	}
	want := []string{"Teams-1 first", "Teams-2 second"}
	if got := storedTeams(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("got teams %q, want %q", got, want)
	}
}

// TestGroupCommitRunsAgainAfterRollback makes a write of a group roll the whole transaction
// back, as SQLite does on some errors (an interrupted write): that write fails, and the others,
// those that had run (whose work was lost) and those not yet run, run again in a new
// transaction, and are stored once each.
func TestGroupCommitRunsAgainAfterRollback(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	runs := map[string]int{}
	counted := func(name string) func(*transaction) error {
		return func(tx *transaction) error { runs[name]++; return insertTeam(name, nil)(tx) }
	}
	rollsBack := func(tx *transaction) error {
		runs["rolls back"]++
		_, err := tx.exec(context.Background(), `ROLLBACK`)
		return err
	}
	names := []string{"first", "rolls back", "third"}
	fns := []func(*transaction) error{counted("first"), rollsBack, counted("third")}
	group := make([]*pendingWrite, len(fns))
	for i, fn := range fns {
		group[i] = &pendingWrite{ctx: context.Background(), fn: fn, done: make(chan writeResult, 1)}
	}
	again := db.writer.commit(group)
	if len(again) != 2 || again[0] != group[0] || again[1] != group[2] {
		t.Fatalf("got %d writes to run again, want first and third", len(again))
	}
	if again = db.writer.commit(again); len(again) != 0 {
		t.Fatalf("second transaction: got %d writes to run again, want none", len(again))
	}
	for i, w := range group {
		res := <-w.done
		if wantErr := names[i] == "rolls back"; (res.err != nil) != wantErr || res.panics != nil {
			t.Errorf("%s: got %v, want an error: %v", names[i], res.err, wantErr)
		}
	}
	if want := map[string]int{"first": 2, "rolls back": 1, "third": 1}; !reflect.DeepEqual(runs, want) {
		t.Errorf("got runs %v, want %v", runs, want)
	}
	if got, want := storedTeams(t, db), []string{"Teams-1 first", "Teams-2 third"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got teams %q, want %q", got, want)
	}
}

// TestGroupCommitConcurrentWrites runs many writes at once through update and checks that every
// successful one, and only those, is stored, with IDs without gaps.
func TestGroupCommitConcurrentWrites(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	errDeliberate := errors.New("deliberate failure")
	const n = 60
	errs := make(chan error, n)
	for i := range n {
		go func() {
			var fail error
			if i%3 == 0 {
				fail = errDeliberate
			}
			errs <- db.update(context.Background(), insertTeam(fmt.Sprintf("team %02d", i), fail))
		}()
	}
	var failed int
	for range n {
		switch err := <-errs; {
		case errors.Is(err, errDeliberate):
			failed++
		case err != nil:
			t.Errorf("got %v, want success or the deliberate failure", err)
		}
	}
	if failed != n/3 {
		t.Errorf("got %d failures, want %d", failed, n/3)
	}
	teams := storedTeams(t, db)
	if len(teams) != n-n/3 {
		t.Fatalf("got %d teams, want %d", len(teams), n-n/3)
	}
	for i, team := range teams {
		var seq, number int
		if _, err := fmt.Sscanf(team, "Teams-%d team %d", &seq, &number); err != nil || seq != i+1 || number%3 == 0 {
			t.Errorf("team %d: got %q, want Teams-%d of a write that succeeded", i, team, i+1)
		}
	}
}

func TestGroupCommitPanicReachesCaller(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	func() {
		defer func() {
			if v := recover(); v != "deliberate panic" {
				t.Errorf("got panic %v, want the deliberate panic", v)
			}
		}()
		_ = db.update(context.Background(), insertTeam("panics", nil))
	}()
	mustDo(t, db.update(context.Background(), insertTeam("after", nil)))
	if got, want := storedTeams(t, db), []string{"Teams-1 after"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got teams %q, want %q", got, want)
	}
}

func TestGroupCommitAfterClose(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	db.writer.close()
	if err := db.update(context.Background(), insertTeam("late", nil)); !errors.Is(err, errClosed) {
		t.Errorf("got %v, want %v", err, errClosed)
	}
}

// TestGroupCommitClearsCaches checks that a commit clears the read caches unless every write it
// stored declared that it keeps them.
func TestGroupCommitClearsCaches(t *testing.T) {
	t.Parallel()
	keeps := func(tx *transaction) error { tx.keepsCachedReads(); return insertTeam("keeps", nil)(tx) }
	failsAfterChange := insertTeam("fails", errors.New("deliberate failure"))
	tests := []struct {
		name   string
		writes []func(*transaction) error
		clears bool
	}{
		{name: "OnlyWritesThatKeepThem", writes: []func(*transaction) error{keeps, keeps}, clears: false},
		{name: "AFailedWriteRolledBack", writes: []func(*transaction) error{keeps, failsAfterChange}, clears: false},
		{name: "AWriteThatChangesThem", writes: []func(*transaction) error{keeps, insertTeam("changes", nil)}, clears: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSQLite(t)
			group := make([]*pendingWrite, len(tt.writes))
			for i, fn := range tt.writes {
				group[i] = &pendingWrite{ctx: context.Background(), fn: fn, done: make(chan writeResult, 1)}
			}
			auth, spaces := db.auth.generation, db.spaces.generation
			db.writer.commit(group)
			if got := db.auth.generation != auth && db.spaces.generation != spaces; got != tt.clears {
				t.Errorf("got caches cleared %v, want %v", got, tt.clears)
			}
		})
	}
}
