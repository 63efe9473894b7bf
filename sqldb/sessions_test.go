package sqldb

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// setClock makes the store's clock read testEpoch plus *offset, and returns a function that
// moves it.
func setClock(db *DB) func(d time.Duration) {
	var offset time.Duration
	db.Now = func() time.Time { return testEpoch.Add(offset) }
	return func(d time.Duration) { offset += d }
}

// TestStoreSessionTimeouts ends a session that no request used for the idle timeout, keeps one
// that requests use alive until the absolute timeout, and records uses at most once a
// SessionTouchInterval.
func TestStoreSessionTimeouts(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := octoinvite.NewContextWithRequestInfo(context.Background(), octoinvite.RequestInfo{IPAddress: "192.0.2.7", UserAgent: "Firefox/140"})
		db.SessionLifetime, db.SessionIdleTimeout = 2*time.Hour, 30*time.Minute
		advance := setClock(db)
		s, err := db.CreateSession(ctx, octoinvite.AdminUserID)
		mustDo(t, err)
		if s.IPAddress != "192.0.2.7" || s.UserAgent != "Firefox/140" || len(s.ID) != 32 ||
			!s.LastUsed.Equal(testEpoch) || !s.IdleExpires.Equal(testEpoch.Add(30*time.Minute)) || !s.Expires.Equal(testEpoch.Add(2*time.Hour)) {
			t.Fatalf("got %+v, want the request's address and client, a 32-character ID, idle until 10:30 and ending at 12:00", s)
		}

		// Used every 20 minutes, it lives to its absolute timeout and no further.
		for i := 1; i <= 5; i++ {
			advance(20 * time.Minute)
			_, got, err := db.AuthenticateSession(ctx, s.Token)
			if err != nil {
				t.Fatalf("use %d, %d minutes after sign-in: got %v, want the session", i, 20*i, err)
			}
			if now := testEpoch.Add(time.Duration(20*i) * time.Minute); !got.LastUsed.Equal(now) {
				t.Errorf("use %d: got LastUsed %s, want %s", i, got.LastUsed, now)
			}
		}
		advance(20 * time.Minute)
		if _, _, err := db.AuthenticateSession(ctx, s.Token); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
			t.Errorf("at the absolute timeout: got %v, want EUNAUTHORIZED", err)
		}

		t.Run("ErrIdle", func(t *testing.T) {
			idle, err := db.CreateSession(ctx, octoinvite.AdminUserID)
			mustDo(t, err)
			advance(30 * time.Minute)
			if _, _, err := db.AuthenticateSession(ctx, idle.Token); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
				t.Errorf("after 30 idle minutes: got %v, want EUNAUTHORIZED", err)
			}
		})
		t.Run("UseRecordedOncePerInterval", func(t *testing.T) {
			fresh, err := db.CreateSession(ctx, octoinvite.AdminUserID)
			mustDo(t, err)
			advance(octoinvite.SessionTouchInterval - time.Second)
			_, got, err := db.AuthenticateSession(ctx, fresh.Token)
			mustDo(t, err)
			if !got.LastUsed.Equal(fresh.Created.Time) {
				t.Errorf("within the interval: got LastUsed %s, want it unchanged at %s", got.LastUsed, fresh.Created)
			}
			sessions, err := db.FindSessions(ctx, octoinvite.AdminUserID)
			mustDo(t, err)
			if len(sessions) != 1 || !sessions[0].LastUsed.Equal(fresh.Created.Time) {
				t.Errorf("stored: got %s, want LastUsed unchanged", dump(sessions))
			}
		})
	})
}

// TestStoreSessionList lists a user's live sessions, most recently used first, and ends one of
// them by ID: only the user's own, only live ones.
func TestStoreSessionList(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		advance := setClock(db)
		jane, err := db.Register(ctx, registration("jane", newInvitation(t, db, nil).InvitationCode))
		mustDo(t, err)
		laptop, err := db.CreateSession(octoinvite.NewContextWithRequestInfo(ctx, octoinvite.RequestInfo{IPAddress: "192.0.2.1", UserAgent: "laptop"}), jane.ID)
		mustDo(t, err)
		advance(5 * time.Minute)
		phone, err := db.CreateSession(octoinvite.NewContextWithRequestInfo(ctx, octoinvite.RequestInfo{IPAddress: "192.0.2.2", UserAgent: "phone"}), jane.ID)
		mustDo(t, err)
		admin, err := db.CreateSession(ctx, octoinvite.AdminUserID)
		mustDo(t, err)
		advance(5 * time.Minute)
		_, _, err = db.AuthenticateSession(ctx, laptop.Token) // the laptop is now the latest used
		mustDo(t, err)

		sessions, err := db.FindSessions(ctx, jane.ID)
		mustDo(t, err)
		want := []*octoinvite.Session{
			{ID: laptop.ID, UserID: jane.ID, CSRFDigest: laptop.CSRFDigest, Created: octoinvite.NewTime(testEpoch), LastUsed: octoinvite.NewTime(testEpoch.Add(10 * time.Minute)),
				Expires: laptop.Expires, IdleExpires: octoinvite.NewTime(testEpoch.Add(40 * time.Minute)), IPAddress: "192.0.2.1", UserAgent: "laptop"},
			{ID: phone.ID, UserID: jane.ID, CSRFDigest: phone.CSRFDigest, Created: octoinvite.NewTime(testEpoch.Add(5 * time.Minute)), LastUsed: octoinvite.NewTime(testEpoch.Add(5 * time.Minute)),
				Expires: phone.Expires, IdleExpires: octoinvite.NewTime(testEpoch.Add(35 * time.Minute)), IPAddress: "192.0.2.2", UserAgent: "phone"},
		}
		if !reflect.DeepEqual(sessions, want) {
			t.Fatalf("got %s, want %s", dump(sessions), dump(want))
		}

		tests := []struct {
			name, userID, sessionID string
			want                    string
		}{
			{"ErrAnotherUsersSession", jane.ID, admin.ID, octoinvite.ENOTFOUND},
			{"ErrUnknownSession", jane.ID, "0123456789abcdef0123456789abcdef", octoinvite.ENOTFOUND},
			{"ErrUnknownUser", "Users-99", phone.ID, octoinvite.ENOTFOUND},
			{"OK", jane.ID, phone.ID, ""},
			{"ErrEndedAlready", jane.ID, phone.ID, octoinvite.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := db.DeleteUserSession(ctx, tt.userID, tt.sessionID); octoinvite.ErrorCode(err) != tt.want {
					t.Fatalf("got %v, want %q", err, tt.want)
				}
			})
		}
		if _, _, err := db.AuthenticateSession(ctx, phone.Token); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
			t.Errorf("the ended session: got %v, want EUNAUTHORIZED", err)
		}
		// The one session ended is recorded, once, by the context's user (here none: the
		// system), naming the session and its user.
		ended, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{jane.ID}, Range: octoinvite.Range{Take: 1}})
		mustDo(t, err)
		if len(ended.Items) == 0 {
			t.Fatal("no event regarding the session's user")
		}
		wantEnded := []eventLine{{ended.Items[0].ID, octoinvite.EventDeleted, octoinvite.SystemUserID, octoinvite.SystemUsername, "", "", "",
			"Session " + phone.ID + " of user " + jane.ID + " (jane) was ended", "", []string{jane.ID}, testEpoch.Add(10 * time.Minute)}}
		sameLines(t, lines(ended.Items), wantEnded)
		all, err := db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 0}})
		mustDo(t, err)
		if err := db.DeleteUserSession(ctx, jane.ID, phone.ID); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Fatalf("ending it again: got %v, want ENOTFOUND", err)
		}
		if again, err := db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 0}}); err != nil || again.Total != all.Total {
			t.Errorf("ending it again: got %d events, %v; want %d, nothing recorded", again.Total, err, all.Total)
		}
		for _, token := range []string{laptop.Token, admin.Token} {
			if _, _, err := db.AuthenticateSession(ctx, token); err != nil {
				t.Errorf("another session: got %v, want it alive", err)
			}
		}
		if _, err := db.FindSessions(ctx, "Users-99"); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			t.Errorf("the sessions of an unknown user: got %v, want ENOTFOUND", err)
		}
	})
}

// TestStoreChangePassword changes a password: the current one is checked when the change
// requires it, the policy applies with the user's names, every other session of the user ends,
// API keys keep working, and the change is audited.
func TestStoreChangePassword(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		jane, err := db.Register(ctx, registration("jane", newInvitation(t, db, nil).InvitationCode))
		mustDo(t, err)
		key, err := db.CreateAPIKey(ctx, jane.ID, "CI")
		mustDo(t, err)
		kept, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		other, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		admin, err := db.CreateSession(ctx, octoinvite.AdminUserID)
		mustDo(t, err)

		change := func(current, pw string) *octoinvite.PasswordChange {
			return &octoinvite.PasswordChange{UserID: jane.ID, Password: pw, CurrentPassword: current, RequireCurrent: true, KeepSessionID: kept.ID}
		}
		tests := []struct {
			name   string
			change *octoinvite.PasswordChange
			field  string
		}{
			{"ErrCurrentMissing", change("", "purple elephant umbrella"), "CurrentPassword"},
			{"ErrCurrentWrong", change("wrong horse battery", "purple elephant umbrella"), "CurrentPassword"},
			{"ErrTooShort", change("correct horse battery", "short"), "Password"},
			{"ErrMadeOfName", change("correct horse battery", "janejanejanejane"), "Password"},
			{"ErrEmpty", change("correct horse battery", ""), "Password"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.ChangePassword(ctx, tt.change)
				if p := octoinvite.ErrorProblems(err); octoinvite.ErrorCode(err) != octoinvite.EINVALID || len(p) != 1 || p[0].Field != tt.field {
					t.Fatalf("got %v, want EINVALID naming %s", err, tt.field)
				}
			})
		}
		if _, err := db.Login(ctx, "jane", "correct horse battery"); err != nil {
			t.Fatalf("after refused changes: got %v, want the old password to work", err)
		}
		if _, _, err := db.AuthenticateSession(ctx, other.Token); err != nil {
			t.Fatalf("after refused changes: got %v, want every session alive", err)
		}

		mustDo(t, db.ChangePassword(ctx, change("correct horse battery", "purple elephant umbrella")))
		events, err := db.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{jane.ID}, Range: octoinvite.Range{Take: 1}})
		mustDo(t, err)
		if len(events.Items) != 1 || events.Items[0].Message != "The password of user "+jane.ID+" (jane) was changed" || events.Items[0].Category != octoinvite.EventModified {
			t.Errorf("got the latest event %s, want the change", dump(events.Items))
		}

		if _, err := db.Login(ctx, "jane", "correct horse battery"); err != octoinvite.ErrBadCredentials {
			t.Errorf("the old password: got %v, want ErrBadCredentials", err)
		}
		if _, err := db.Login(ctx, "jane", "purple elephant umbrella"); err != nil {
			t.Errorf("the new password: got %v, want it to sign in", err)
		}
		for name, token := range map[string]string{"the session kept": kept.Token, "another user's session": admin.Token} {
			if _, _, err := db.AuthenticateSession(ctx, token); err != nil {
				t.Errorf("%s: got %v, want it alive", name, err)
			}
		}
		if _, _, err := db.AuthenticateSession(ctx, other.Token); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
			t.Errorf("the user's other session: got %v, want it ended", err)
		}
		if u, err := db.Authenticate(ctx, key.APIKey); err != nil || u.ID != jane.ID {
			t.Errorf("the user's API key: got %v, %v, want it to keep working", u, err)
		}
		t.Run("AdministratorWithoutCurrent", func(t *testing.T) {
			mustDo(t, db.ChangePassword(ctx, &octoinvite.PasswordChange{UserID: jane.ID, Password: "orange giraffe teapot"}))
			if _, _, err := db.AuthenticateSession(ctx, kept.Token); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
				t.Errorf("with no session to keep: got %v, want every session of the user ended", err)
			}
		})
		t.Run("FirstPasswordNeedsNoCurrent", func(t *testing.T) {
			mustDo(t, db.ChangePassword(ctx, &octoinvite.PasswordChange{UserID: octoinvite.AdminUserID, Password: "silver kettle morning", RequireCurrent: true}))
			if _, err := db.Login(ctx, "admin", "silver kettle morning"); err != nil {
				t.Errorf("got %v, want the administrator to sign in", err)
			}
		})
		t.Run("ErrUnknownUser", func(t *testing.T) {
			if err := db.ChangePassword(ctx, &octoinvite.PasswordChange{UserID: "Users-99", Password: "silver kettle morning"}); octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
				t.Errorf("got %v, want ENOTFOUND", err)
			}
		})
	})
}

// TestStoreSetInitialPassword gives a user without a password one, once.
func TestStoreSetInitialPassword(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		cheapPasswords(db)
		if _, err := db.SetInitialPassword(ctx, octoinvite.AdminUserID, "octoinvite2026!", []string{"octoinvite"}); octoinvite.ErrorCode(err) != octoinvite.EINVALID {
			t.Fatalf("a password made of the server's name: got %v, want EINVALID", err)
		}
		set, err := db.SetInitialPassword(ctx, octoinvite.AdminUserID, "silver kettle morning", nil)
		if err != nil || !set {
			t.Fatalf("got %v, %v, want the password set", set, err)
		}
		set, err = db.SetInitialPassword(ctx, octoinvite.AdminUserID, "another kettle evening", nil)
		if err != nil || set {
			t.Fatalf("a second time: got %v, %v, want the first password kept", set, err)
		}
		if _, err := db.Login(ctx, "admin", "silver kettle morning"); err != nil {
			t.Errorf("got %v, want the administrator to sign in with the first password", err)
		}
	})
}

// TestStoreSignOut ends sessions by their tokens: a session that would have authenticated is
// removed and its user's sign-out recorded once, with the request's origin, in the same
// transaction; a token that authenticates no one (unknown, ended, idle too long, of an inactive
// user) records nothing, and an ended session is removed all the same.
func TestStoreSignOut(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		cheapPasswords(db)
		ctx := context.Background()
		db.SessionLifetime, db.SessionIdleTimeout = 2*time.Hour, 30*time.Minute
		advance := setClock(db)
		jane, err := db.Register(ctx, registration("jane", newInvitation(t, db, nil).InvitationCode))
		mustDo(t, err)
		john, err := db.Register(ctx, registration("john", newInvitation(t, db, nil).InvitationCode))
		mustDo(t, err)
		laptop, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		phone, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		idle, err := db.CreateSession(ctx, jane.ID)
		mustDo(t, err)
		johns, err := db.CreateSession(ctx, john.ID)
		mustDo(t, err)

		// sessionRows counts the stored rows of sessions, live or not.
		sessionRows := func(sessions ...*octoinvite.Session) int {
			t.Helper()
			n := 0
			for _, s := range sessions {
				var c int
				mustDo(t, db.view(ctx, func(tx *transaction) error {
					return tx.queryRow(ctx, `SELECT count(*) FROM sessions WHERE digest = ?`, octoinvite.Digest(s.Token)).Scan(&c)
				}))
				n += c
			}
			return n
		}
		// signOuts returns the recorded sign-outs, newest first.
		signOuts := func() []eventLine {
			t.Helper()
			page, err := db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 100}})
			mustDo(t, err)
			var out []eventLine
			for _, l := range lines(page.Items) {
				if l.Category == octoinvite.EventLogoutSucceeded {
					out = append(out, l)
				}
			}
			return out
		}
		before, err := db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 0}})
		mustDo(t, err)

		advance(10 * time.Minute)
		from := octoinvite.RequestInfo{IPAddress: "192.0.2.9", UserAgent: "Firefox/141", IdentityEstablishedWith: "Session cookie"}
		reqCtx := octoinvite.NewContextWithRequestInfo(ctx, from)
		mustDo(t, db.DeleteSession(reqCtx, laptop.Token))
		signedOut := eventLine{"", octoinvite.EventLogoutSucceeded, jane.ID, "jane", "Session cookie", "Firefox/141", "192.0.2.9",
			"User " + jane.ID + " (jane) signed out", "", []string{jane.ID}, testEpoch.Add(10 * time.Minute)}
		got := signOuts()
		if len(got) == 1 {
			signedOut.ID = got[0].ID
		}
		sameLines(t, got, []eventLine{signedOut})
		if n := sessionRows(laptop); n != 0 {
			t.Errorf("the signed-out session: got %d rows, want none", n)
		}
		if _, _, err := db.AuthenticateSession(ctx, laptop.Token); octoinvite.ErrorCode(err) != octoinvite.EUNAUTHORIZED {
			t.Errorf("the signed-out session: got %v, want EUNAUTHORIZED", err)
		}

		t.Run("NothingRecorded", func(t *testing.T) {
			// An ended session, an unknown or overlong token, a session of an inactive user and one
			// idle too long sign no one out.
			mustDo(t, db.DeleteSession(reqCtx, laptop.Token))
			mustDo(t, db.DeleteSession(reqCtx, "no-such-token"))
			mustDo(t, db.DeleteSession(reqCtx, ""))
			mustDo(t, db.DeleteSession(reqCtx, string(make([]byte, 4*octoinvite.MaxIDLength))))
			mustDo(t, db.update(ctx, func(tx *transaction) error {
				_, err := tx.exec(ctx, `UPDATE users SET is_active = 0 WHERE id = ?`, john.ID)
				return err
			}))
			mustDo(t, db.DeleteSession(reqCtx, johns.Token))
			_, _, err := db.AuthenticateSession(ctx, phone.Token) // phone stays in use; idle does not
			mustDo(t, err)
			advance(25 * time.Minute)
			mustDo(t, db.DeleteSession(reqCtx, idle.Token))
			sameLines(t, signOuts(), []eventLine{signedOut})
			if n := sessionRows(johns, idle); n != 0 {
				t.Errorf("ended sessions signed out: got %d rows, want none", n)
			}
			after, err := db.FindEvents(ctx, octoinvite.EventFilter{Range: octoinvite.Range{Take: 0}})
			mustDo(t, err)
			if after.Total != before.Total+1 {
				t.Errorf("got %d events, want %d: the one sign-out more", after.Total, before.Total+1)
			}
			sessions, err := db.FindSessions(ctx, jane.ID)
			mustDo(t, err)
			if len(sessions) != 1 || sessions[0].ID != phone.ID {
				t.Errorf("got sessions %s, want the phone's alone", dump(sessions))
			}
		})
	})
}
