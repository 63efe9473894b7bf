package octoinvite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// APIKey lets a user call the API. Only its digest is stored: the key itself is returned once,
// when it is created, and never again.
type APIKey struct {
	ID      string `json:"Id"`
	Purpose string `json:"Purpose"`
	UserID  string `json:"UserId"`
	// APIKey is the key itself, set only in the response that creates it.
	APIKey  string `json:"ApiKey,omitempty"`
	Created Time   `json:"Created"`
	Links   Links  `json:"Links"`
}

// apiKeyAlphabet holds the characters of a key's body: Octopus keys are upper-case letters and
// digits, and go-octopusdeploy refuses any key that does not match ^API-[A-Z0-9]+$.
const apiKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// apiKeyBodyLength gives 27 characters of 36 symbols: about 139 bits.
const apiKeyBodyLength = 27

// Bounds of an acceptable key's length, prefix included.
const (
	MinAPIKeyLength = 20
	MaxAPIKeyLength = 64
)

// NewAPIKey returns a fresh key drawn from r (crypto/rand in production), without modulo bias.
func NewAPIKey(r io.Reader) (string, error) {
	out := make([]byte, 0, 4+apiKeyBodyLength)
	out = append(out, "API-"...)
	var buf [64]byte
	for len(out) < cap(out) {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("reading randomness: %w", err)
		}
		for _, b := range buf {
			// 252 is the largest multiple of 36 below 256: larger bytes would bias the draw.
			if b < 252 && len(out) < cap(out) {
				out = append(out, apiKeyAlphabet[b%36])
			}
		}
	}
	return string(out), nil
}

// ValidAPIKey reports whether s has the form of an API key: "API-" followed by upper-case letters
// and digits, MinAPIKeyLength to MaxAPIKeyLength characters in all.
func ValidAPIKey(s string) bool {
	if len(s) < MinAPIKeyLength || len(s) > MaxAPIKeyLength || s[:4] != "API-" {
		return false
	}
	for i := 4; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Digest returns the hex SHA-256 of a secret. Keys and codes carry over 128 bits of entropy, so
// a plain digest cannot be reversed; stores look secrets up by digest and never keep them.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// AuthService authenticates API keys.
type AuthService interface {
	// Authenticate returns the active user who owns the key, or EUNAUTHORIZED for a key that is
	// unknown, revoked, or belongs to an inactive user.
	Authenticate(ctx context.Context, apiKey string) (*User, error)
}
