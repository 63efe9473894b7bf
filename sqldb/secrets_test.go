package sqldb

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// storedSecrets creates one of each secret the store handles (an API key, an invitation code,
// a password, a session token and its CSRF token) and returns their values, with the master key's.
func storedSecrets(t *testing.T, db *DB, masterKey []byte) map[string]string {
	t.Helper()
	ctx := context.Background()
	cheapPasswords(db)
	key, err := db.CreateAPIKey(ctx, octoinvite.AdminUserID, "secrets test")
	mustDo(t, err)
	unused := newInvitation(t, db, nil, octoinvite.EveryoneTeamID)
	redeemed := newInvitation(t, db, nil, octoinvite.EveryoneTeamID)
	const pw = "correct horse battery staple"
	reg := registration("jane", redeemed.InvitationCode)
	reg.Password = pw
	user, err := db.Register(ctx, reg)
	mustDo(t, err)
	session, err := db.CreateSession(ctx, user.ID)
	mustDo(t, err)
	return map[string]string{
		"API key":                  key.APIKey,
		"unused invitation code":   unused.InvitationCode,
		"redeemed invitation code": redeemed.InvitationCode,
		"password":                 pw,
		"session token":            session.Token,
		"CSRF token":               session.CSRFToken,
		"master key":               string(masterKey),
		"master key (base64)":      base64.StdEncoding.EncodeToString(masterKey),
		"master key (hex)":         hex.EncodeToString(masterKey),
	}
}

// findSecrets reports every secret that appears in data, as is or in lower case.
func findSecrets(t *testing.T, where string, data []byte, secrets map[string]string) {
	t.Helper()
	for name, value := range secrets {
		if bytes.Contains(data, []byte(value)) || bytes.Contains(bytes.ToLower(data), []byte(strings.ToLower(value))) {
			t.Errorf("%s holds the %s", where, name)
		}
	}
}

// TestStoreSecretsAtRest_SQLite: a copy of the database files (main file, write-ahead log and
// shared memory), taken while the store is open and again after it closed and checkpointed,
// holds none of the secrets.
func TestStoreSecretsAtRest_SQLite(t *testing.T) {
	t.Parallel()
	b := backends[0]
	path := b.fresh(t)
	db := openStore(t, b, path, testKey)
	secrets := storedSecrets(t, db, testKey)
	read := func(stage string) {
		t.Helper()
		found, all := 0, []byte{}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			data, err := os.ReadFile(path + suffix)
			if os.IsNotExist(err) {
				continue
			}
			mustDo(t, err)
			found += len(data)
			all = append(all, data...)
			findSecrets(t, stage+": "+path+suffix, data, secrets)
		}
		if found == 0 || !bytes.Contains(all, []byte("jane")) {
			t.Fatalf("%s: the files read miss the registered user: not the database", stage)
		}
	}
	read("open")
	mustDo(t, db.Close())
	read("closed")
}

// TestStoreSecretsAtRest_PostgreSQL: every row of every table, as text, holds none of the secrets.
func TestStoreSecretsAtRest_PostgreSQL(t *testing.T) {
	t.Parallel()
	b := backends[1]
	db := openStore(t, b, b.fresh(t), testKey)
	secrets := storedSecrets(t, db, testKey)
	ctx := context.Background()
	rows, err := db.read.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	mustDo(t, err)
	tables, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var name string
		return name, row.Scan(&name)
	})
	mustDo(t, err)
	if len(tables) < 10 {
		t.Fatalf("got tables %v, want every table of the schema", tables)
	}
	var dump bytes.Buffer
	for _, table := range tables {
		rows, err := db.read.QueryContext(ctx, `SELECT CAST(t AS TEXT) FROM "`+table+`" t`)
		mustDo(t, err)
		lines, err := collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var line string
			return line, row.Scan(&line)
		})
		mustDo(t, err)
		dump.WriteString(strings.Join(lines, "\n"))
	}
	if !strings.Contains(dump.String(), "jane") {
		t.Fatalf("the dump misses the registered user: %s", dump.String())
	}
	findSecrets(t, "the PostgreSQL database", dump.Bytes(), secrets)
}

// TestStoreSecretsLookedUpByDigest: keys, session tokens and codes are found by the SHA-256
// digest of the whole value, the only form stored, so a near miss (a prefix, one character
// changed, another case) takes the same path as a wild guess and gets the same answer.
func TestStoreSecretsLookedUpByDigest(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		key, err := db.CreateAPIKey(ctx, octoinvite.AdminUserID, "digest test")
		mustDo(t, err)
		session, err := db.CreateSession(ctx, octoinvite.AdminUserID)
		mustDo(t, err)
		inv := newInvitation(t, db, nil, octoinvite.EveryoneTeamID)
		var digests int
		mustDo(t, db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT
			(SELECT count(*) FROM api_keys WHERE digest = ?) + (SELECT count(*) FROM sessions WHERE digest = ?) +
			(SELECT count(*) FROM invitations WHERE code_digest = ?)`),
			octoinvite.Digest(key.APIKey), octoinvite.Digest(session.Token), octoinvite.Digest(inv.InvitationCode)).Scan(&digests))
		if digests != 3 {
			t.Fatalf("got %d rows by digest, want the key, the session and the invitation", digests)
		}
		nearMisses := func(s string) []string {
			last := s[len(s)-1:]
			other := "A"
			if last == "A" {
				other = "B"
			}
			return []string{s[:len(s)-1], s[:len(s)/2], s[:len(s)-1] + other, strings.ToLower(s), s + "A", "API-WILDGUESS0000000000000001"}
		}
		for _, miss := range nearMisses(key.APIKey) {
			if _, err := db.Authenticate(ctx, miss); err != errBadKey {
				t.Errorf("key %q: got %v, want errBadKey", miss, err)
			}
		}
		for _, miss := range nearMisses(session.Token) {
			if _, _, err := db.AuthenticateSession(ctx, miss); err != errNoSession {
				t.Errorf("session %q: got %v, want errNoSession", miss, err)
			}
		}
		for _, miss := range nearMisses(inv.InvitationCode) {
			if _, err := db.PreviewInvitation(ctx, miss); err != octoinvite.ErrInvitationUnknown {
				t.Errorf("code %q: got %v, want ErrInvitationUnknown", miss, err)
			}
		}
	})
}
