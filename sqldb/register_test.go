package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/password"
)

var testParams = password.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// countingHasher counts the comparisons of a real hasher.
type countingHasher struct {
	*password.Hasher
	compares atomic.Int64
}

func (h *countingHasher) Compare(pw, hash string) (bool, error) {
	h.compares.Add(1)
	return h.Hasher.Compare(pw, hash)
}

func openTestDB(t *testing.T) (*DB, *countingHasher) {
	t.Helper()
	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "test.db"), []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	h := &countingHasher{Hasher: password.New(testParams)}
	db.Passwords = h
	return db, h
}

// TestRegister_failureHalfway makes the registration transaction fail after every write: no
// user may remain, no membership, and the code must still register someone afterwards.
func TestRegister_failureHalfway(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	space := octoinvite.DefaultSpaceID
	team := &octoinvite.Team{Name: "Developers", SpaceID: &space}
	if err := db.CreateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{team.ID}, SpaceID: &space, LastModifiedBy: "admin"}
	if err := db.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	reg := func() *octoinvite.Registration {
		return &octoinvite.Registration{Username: "jane", DisplayName: "Jane", Password: "correct horse battery", InvitationCode: inv.InvitationCode}
	}

	injected := errors.New("injected failure")
	db.registerHook = func(context.Context, *Tx) error { return injected }
	if _, err := db.Register(ctx, reg()); !errors.Is(err, injected) {
		t.Fatalf("got error %v, want the injected failure", err)
	}
	users, err := db.FindUsers(ctx, octoinvite.UserFilter{Range: octoinvite.Range{Take: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if users.Total != 1 {
		t.Fatalf("got %d users, want only the administrator", users.Total)
	}
	got, err := db.FindTeamByID(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.MemberUserIDs) != 0 {
		t.Fatalf("got members %v, want none", got.MemberUserIDs)
	}
	stored, err := db.FindInvitationByID(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.RedeemedOn != nil || stored.RedeemedBy != nil {
		t.Fatalf("got redeemed %v by %v, want not redeemed", stored.RedeemedOn, stored.RedeemedBy)
	}

	db.registerHook = nil
	user, err := db.Register(ctx, reg())
	if err != nil {
		t.Fatalf("got %v, want the code still usable", err)
	}
	// The failed attempt consumed no visible ID: the counter update rolled back with the rest.
	if user.ID != "Users-2" {
		t.Errorf("got %s, want Users-2", user.ID)
	}
	got, err = db.FindTeamByID(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.MemberUserIDs) != 1 || got.MemberUserIDs[0] != user.ID {
		t.Errorf("got members %v, want [%s]", got.MemberUserIDs, user.ID)
	}
}

// TestLogin_sameWork checks that a sign-in with an unknown username spends one password
// comparison, as a known one does, so that its timing does not tell the two apart.
func TestLogin_sameWork(t *testing.T) {
	ctx := context.Background()
	db, h := openTestDB(t)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}
	if err := db.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Register(ctx, &octoinvite.Registration{Username: "jane", DisplayName: "Jane",
		Password: "correct horse battery", InvitationCode: inv.InvitationCode}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, username, password string
		wantErr                  error
	}{
		{"OK", "Jane", "correct horse battery", nil},
		{"ErrWrongPassword", "jane", "wrong horse battery", octoinvite.ErrBadCredentials},
		{"ErrUnknownUser", "john", "correct horse battery", octoinvite.ErrBadCredentials},
		{"ErrNoPassword", "admin", "", octoinvite.ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.compares.Load()
			_, err := db.Login(ctx, tt.username, tt.password)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if got := h.compares.Load() - before; got != 1 {
				t.Errorf("got %d password comparisons, want 1", got)
			}
		})
	}
}
