package sqldb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/pgtest"
)

// The hot paths of the API, on SQLite: the key check of every request, the load of an
// invitation, and the commit of a new one, alone and with concurrent writers sharing commits.

const benchKey = "API-BENCHMARKKEY00000000000001"

// benchStore opens a fresh SQLite store holding the benchmark key and n invitations.
func benchStore(b *testing.B, n int) *DB {
	b.Helper()
	ctx := context.Background()
	db, err := OpenSQLite(ctx, filepath.Join(b.TempDir(), "octoinvite.db"), testKey)
	if err != nil {
		b.Fatalf("opening the store: %v", err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.EnsureAdminAPIKey(ctx, benchKey); err != nil {
		b.Fatalf("EnsureAdminAPIKey: %v", err)
	}
	if n > 0 {
		if err := db.SeedInvitations(ctx, n, benchInvitation()); err != nil {
			b.Fatalf("SeedInvitations: %v", err)
		}
	}
	return db
}

func benchInvitation() octoinvite.Invitation {
	space := "Spaces-1"
	return octoinvite.Invitation{SpaceID: &space, AddToTeamIDs: []string{octoinvite.EveryoneTeamID}, LastModifiedBy: "admin"}
}

func BenchmarkAuthenticate(b *testing.B) {
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			db := benchStore(b, 0)
			if !cached {
				db.auth = nil
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := db.Authenticate(ctx, benchKey); err != nil {
						b.Fatalf("Authenticate: %v", err)
					}
				}
			})
		})
	}
}

func BenchmarkFindInvitationByID(b *testing.B) {
	const n = 1000
	// cached=false is the database path, which every lookup takes when the invitations outnumber
	// the cache.
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			db := benchStore(b, n)
			if !cached {
				db.invitations = nil
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprintf("Invitations-%d", 1+rand.IntN(n))
					if _, err := db.FindInvitationByID(ctx, id); err != nil {
						b.Fatalf("FindInvitationByID(%q): %v", id, err)
					}
				}
			})
		})
	}
}

func BenchmarkCreateInvitation(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db := benchStore(b, 0)
			ctx := context.Background()
			b.ReportAllocs()
			// RunParallel starts parallelism × GOMAXPROCS goroutines.
			b.SetParallelism(max(1, writers/max(1, runtimeProcs())))
			if writers == 1 {
				for b.Loop() {
					inv := benchInvitation()
					if err := db.CreateInvitation(ctx, &inv); err != nil {
						b.Fatalf("CreateInvitation: %v", err)
					}
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					inv := benchInvitation()
					if err := db.CreateInvitation(ctx, &inv); err != nil {
						b.Fatalf("CreateInvitation: %v", err)
					}
				}
			})
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkPostgresCreateInvitation commits creates on PostgreSQL, alone and 64 at once, with
// IDs allocated apart from the create's transaction (allocation=apart, the store's way) and
// inside it (allocation=in-transaction, the counter's row then held until the create's commit),
// side by side in one run.
func BenchmarkPostgresCreateInvitation(b *testing.B) {
	for _, allocation := range []string{"apart", "in-transaction"} {
		for _, writers := range []int{1, 64} {
			b.Run(fmt.Sprintf("allocation=%s/writers=%d", allocation, writers), func(b *testing.B) {
				ctx := context.Background()
				db, err := OpenPostgres(ctx, pgtest.NewDatabase(b), testKey)
				if err != nil {
					b.Fatalf("opening the store: %v", err)
				}
				b.Cleanup(func() { db.Close() })
				if allocation == "in-transaction" {
					db.allocator = nil
				}
				create := func() {
					inv := benchInvitation()
					if err := db.CreateInvitation(ctx, &inv); err != nil {
						b.Fatalf("CreateInvitation: %v", err)
					}
				}
				if writers == 1 {
					for b.Loop() {
						create()
					}
					return
				}
				b.SetParallelism(max(1, writers/max(1, runtimeProcs())))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						create()
					}
				})
			})
		}
	}
}

// BenchmarkLogin signs in with the default Argon2id parameters, with the password as it was
// registered (composed) and in other spellings: a password that is its own prepared form costs
// one comparison, right or wrong; a wrong one typed otherwise costs two (see comparePassword).
func BenchmarkLogin(b *testing.B) {
	db := benchStore(b, 0)
	ctx := context.Background()
	inv := benchInvitation()
	if err := db.CreateInvitation(ctx, &inv); err != nil {
		b.Fatalf("CreateInvitation: %v", err)
	}
	reg := &octoinvite.Registration{Username: "jane", DisplayName: "Jane", Password: passwordNFC, InvitationCode: inv.InvitationCode}
	if _, err := db.Register(ctx, reg); err != nil {
		b.Fatalf("Register: %v", err)
	}
	for _, tc := range []struct {
		name, password string
		ok             bool
	}{
		{"ASCIIWrong", "correct horse battery", false},
		{"Composed", passwordNFC, true},
		{"Decomposed", passwordNFD, true},
		{"ComposedWrong", "crème brûlée à la mode", false},
		{"DecomposedWrong", "cre\u0300me bru\u0302le\u0301e a\u0300 la mode", false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Login(ctx, "jane", tc.password); (err == nil) != tc.ok {
					b.Fatalf("Login: %v", err)
				}
			}
		})
	}
}
