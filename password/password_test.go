package password_test

import (
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/password"
)

var cheap = password.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestHasher(t *testing.T) {
	h := password.New(cheap)
	hash, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(hash, "correct") {
		t.Fatalf("got hash %q, want a PHC-encoded Argon2id hash", hash)
	}
	again, _ := h.Hash("correct horse battery")
	if again == hash {
		t.Fatal("got the same hash twice, want a fresh salt each time")
	}
	tests := []struct {
		name, password, hash string
		want                 bool
		wantErr              bool
	}{
		{"OK", "correct horse battery", hash, true, false},
		{"ErrWrongPassword", "correct horse batterz", hash, false, false},
		{"ErrNoHash", "correct horse battery", "", false, false},
		{"ErrMalformedHash", "correct horse battery", "$argon2id$nonsense", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Compare(tt.password, tt.hash)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("got %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	t.Run("OKOtherParams", func(t *testing.T) {
		other := password.New(password.Params{Memory: 2048, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32})
		if ok, err := other.Compare("correct horse battery", hash); !ok || err != nil {
			t.Fatalf("got %v, %v; want a hash of other parameters to verify", ok, err)
		}
	})
}

// BenchmarkHashDefault measures one hash with the production parameters, the cost of each
// registration and sign-in.
func BenchmarkHashDefault(b *testing.B) {
	h := password.New(password.DefaultParams)
	for b.Loop() {
		if _, err := h.Hash("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}
