package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/delivery"
	"github.com/octoinvite/octoinvite/internal/mailpittest"
	"github.com/octoinvite/octoinvite/internal/pgtest"
	"github.com/octoinvite/octoinvite/internal/servertest"
	"github.com/octoinvite/octoinvite/sqldb"
)

// TestMain says on one line, in the output of go test ./..., how many tests skipped for want of
// mailpit or PostgreSQL.
func TestMain(m *testing.M) {
	code := m.Run()
	mailpittest.SaySkipped()
	pgtest.SaySkipped()
	os.Exit(code)
}

// counts is a delivery.Observer that counts outcomes.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) ObserveEmail(outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[outcome]++
}

func (c *counts) get(outcome string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[outcome]
}

// runWorker runs a delivery worker on db, sending to mailpit, until the test ends.
func runWorker(t *testing.T, db *sqldb.DB, mp *mailpittest.Server, publicURL string, observer delivery.Observer) {
	t.Helper()
	servertest.RunEmailWorker(t, db, mp.SMTP, publicURL, observer)
}

// emailEnv is a test server whose store sends email to mailpit, on the wall clock, so that
// retries fall due as time passes.
type emailEnv struct {
	*servertest.Env
	mail   *mailpittest.Server
	admin  *client.Client
	counts *counts
}

func startEmailEnv(t *testing.T, mp *mailpittest.Server) *emailEnv {
	t.Helper()
	env := servertest.Start(t)
	env.DB.Now = time.Now
	c := &counts{}
	env.API.Application = "octoinvite"
	runWorker(t, env.DB, mp, env.URL, c)
	admin, err := client.New(env.URL, client.WithAPIKey(servertest.AdminKey))
	if err != nil {
		t.Fatal(err)
	}
	return &emailEnv{Env: env, mail: mp, admin: admin, counts: c}
}

// invite creates an invitation into the space's teams, sent to address.
func (e *emailEnv) invite(t *testing.T, c *client.Client, address string, teams ...string) *octoinvite.Invitation {
	t.Helper()
	inv := &octoinvite.Invitation{AddToTeamIDs: append([]string{}, teams...), SpaceID: ptr("Spaces-1"), EmailAddress: address}
	if err := c.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatalf("inviting %s: %v", address, err)
	}
	return inv
}

// waitDelivery waits until the invitation's email is in the state, and returns the invitation.
func (e *emailEnv) waitDelivery(t *testing.T, id, state string) *octoinvite.Invitation {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		inv, err := e.DB.FindInvitationByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Delivery != nil && inv.Delivery.State == state {
			return inv
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: delivery %+v, want %s", id, inv.Delivery, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ptr(s string) *string { return &s }

// TestEmail_InvitationArrivesAndRegisters follows an invitation from its creation to the
// mailbox and to a registration with the link it carries.
func TestEmail_InvitationArrivesAndRegisters(t *testing.T) {
	t.Parallel()
	e := startEmailEnv(t, mailpittest.Start(t))
	ctx := context.Background()
	team := e.CreateTeam(t, "Developers", ptr("Spaces-1"))
	inv := e.invite(t, e.admin, "  Jane.Doe@Example.org ", team.ID)
	if inv.EmailAddress != "Jane.Doe@Example.org" || inv.Delivery == nil || inv.Delivery.State != octoinvite.DeliveryQueued || inv.Delivery.MessageID == "" {
		t.Fatalf("created: address %q, delivery %+v; want the trimmed address, queued", inv.EmailAddress, inv.Delivery)
	}

	msgs := e.mail.WaitFor(t, 1, 20*time.Second)
	m := e.mail.Message(t, msgs[0].ID)
	link := e.URL + "/app/register?invitation=" + inv.InvitationCode
	if len(m.To) != 1 || m.To[0].Address != "Jane.Doe@Example.org" {
		t.Errorf("To: got %+v, want Jane.Doe@Example.org", m.To)
	}
	if m.From.Address != "noreply@octoinvite.test" || m.From.Name != "octoinvite" {
		t.Errorf("From: got %+v, want octoinvite <noreply@octoinvite.test>", m.From)
	}
	if want := "Administrator invited you to octoinvite"; m.Subject != want {
		t.Errorf("Subject: got %q, want %q", m.Subject, want)
	}
	if m.MessageID != inv.Delivery.MessageID {
		t.Errorf("Message-ID: got %q, want the invitation's %q", m.MessageID, inv.Delivery.MessageID)
	}
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"HTML", m.HTML}} {
		for _, want := range []string{link, "Administrator", "Default", "Developers", "expires in 2 days"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("the %s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	if strings.Count(m.Text, "http") != 1 {
		t.Errorf("the text part has %d links, want the one:\n%s", strings.Count(m.Text, "http"), m.Text)
	}
	h := e.mail.Headers(t, msgs[0].ID)
	if got := h["Auto-Submitted"]; len(got) != 1 || got[0] != "auto-generated" {
		t.Errorf("Auto-Submitted: got %v, want auto-generated", got)
	}

	sent := e.waitDelivery(t, inv.ID, octoinvite.DeliverySent)
	if d := sent.Delivery; d.Attempts != 1 || d.SentOn == nil || d.LastError != "" || d.NextAttemptOn != nil {
		t.Errorf("delivery after sending: %+v, want 1 attempt, SentOn set, no error", d)
	}

	// The link opens the registration page, and the registration takes the invitation's address.
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET the link: %d, want 200", resp.StatusCode)
	}
	anon, _ := client.New(e.URL)
	reg := &octoinvite.Registration{Username: "jane", DisplayName: "Jane Doe", Password: "correct horse battery staple", InvitationCode: inv.InvitationCode}
	reg.EmailAddress = "someone.else@example.org"
	if _, err := anon.Register(ctx, reg); octoinvite.ErrorCode(err) != octoinvite.EINVALID ||
		!strings.Contains(strings.Join(octoinvite.ErrorDetails(err), " "), "This invitation was sent to Jane.Doe@Example.org") {
		t.Fatalf("registering with another address: got %v, want the invitation's address required", err)
	}
	reg.EmailAddress = ""
	user, err := anon.Register(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	if user.EmailAddress != "Jane.Doe@Example.org" {
		t.Errorf("registered with %q, want the invitation's address", user.EmailAddress)
	}

	events, err := e.DB.FindEvents(ctx, octoinvite.EventFilter{Regarding: []string{inv.ID}, Range: octoinvite.Range{Take: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var sentEvents []string
	for _, ev := range events.Items {
		if ev.Category == octoinvite.EventEmailSent {
			sentEvents = append(sentEvents, ev.Message)
		}
	}
	if want := fmt.Sprintf("The invitation email of %s was sent to Jane.Doe@Example.org in space Spaces-1", inv.ID); len(sentEvents) != 1 || sentEvents[0] != want {
		t.Errorf("EmailSent events: got %q, want [%q]", sentEvents, want)
	}
	if got := e.counts.get(delivery.Sent); got != 1 {
		t.Errorf("sent: observed %d, want 1", got)
	}
}

// TestEmail_InviterToldOfAcceptance: the creator of an invitation sent to an address is
// emailed when it is accepted, if they have an address.
func TestEmail_InviterToldOfAcceptance(t *testing.T) {
	t.Parallel()
	e := startEmailEnv(t, mailpittest.Start(t))
	ctx := context.Background()
	anon, _ := client.New(e.URL)
	// An administrator with an address: registered through an invitation into the administrators.
	boss := e.invite(t, e.admin, "boss@example.org", octoinvite.AdministratorsTeamID)
	e.waitDelivery(t, boss.ID, octoinvite.DeliverySent) // a registration first would cancel it
	bossUser, err := anon.Register(ctx, &octoinvite.Registration{Username: "boss", DisplayName: "The Boss", Password: "correct horse battery staple", InvitationCode: boss.InvitationCode})
	if err != nil {
		t.Fatal(err)
	}
	key, err := e.DB.CreateAPIKey(ctx, bossUser.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	bossClient, _ := client.New(e.URL, client.WithAPIKey(key.APIKey))
	inv := e.invite(t, bossClient, "jane@example.org")
	e.waitDelivery(t, inv.ID, octoinvite.DeliverySent) // as above: sent before it is accepted
	if _, err := anon.Register(ctx, &octoinvite.Registration{Username: "jane", DisplayName: "Jane Doe", Password: "correct horse battery staple", InvitationCode: inv.InvitationCode}); err != nil {
		t.Fatal(err)
	}
	// The administrator's invitation, boss's, and the news of jane's acceptance; none of
	// boss's own acceptance, since its creator (admin) has no address.
	msgs := e.mail.WaitFor(t, 3, 20*time.Second)
	time.Sleep(5 * servertest.EmailPoll)
	if msgs = e.mail.Messages(t); len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	var news *mailpittest.Message
	for _, s := range msgs {
		if strings.Contains(s.Subject, "accepted") {
			news = e.mail.Message(t, s.ID)
		}
	}
	if news == nil || news.To[0].Address != "boss@example.org" || news.Subject != "Jane Doe accepted your invitation to octoinvite" ||
		!strings.Contains(news.Text, "Jane Doe (jane, jane@example.org) accepted your invitation "+inv.ID) {
		t.Fatalf("the news of the acceptance: got %+v", news)
	}
}

// TestEmail_RecipientRefused: a permanent refusal fails the message at once, keeping the
// server's reply, and it is not tried again.
func TestEmail_RecipientRefused(t *testing.T) {
	t.Parallel()
	e := startEmailEnv(t, mailpittest.Start(t, "--smtp-allowed-recipients", `@example\.org$`))
	inv := e.invite(t, e.admin, "nobody@refused.test")
	ok := e.invite(t, e.admin, "jane@example.org")
	failed := e.waitDelivery(t, inv.ID, octoinvite.DeliveryFailed)
	e.waitDelivery(t, ok.ID, octoinvite.DeliverySent)
	time.Sleep(10 * servertest.EmailRetryDelay)
	again, err := e.DB.FindInvitationByID(context.Background(), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := again.Delivery
	if d.State != octoinvite.DeliveryFailed || d.Attempts != 1 || !strings.HasPrefix(d.LastError, "550 ") || d.NextAttemptOn != nil || d.SentOn != nil {
		t.Errorf("delivery: got %+v (first seen %+v), want failed after 1 attempt with the 550 reply", d, failed.Delivery)
	}
	if got := e.counts.get(delivery.Failed); got != 1 {
		t.Errorf("failed: observed %d, want 1", got)
	}
	events, err := e.DB.FindEvents(context.Background(), octoinvite.EventFilter{Regarding: []string{inv.ID}, Range: octoinvite.Range{Take: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := events.Items[0]; ev.Category != octoinvite.EventEmailFailed || !strings.Contains(ev.Message, "to nobody@refused.test failed after 1 attempts: 550 ") {
		t.Errorf("latest event: %s %q, want EmailFailed with the reply", ev.Category, ev.Message)
	}
}

// TestEmail_ServerDownThenBack: invitations created while the mail server is down are each
// delivered exactly once when it returns.
func TestEmail_ServerDownThenBack(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	mp.Stop()
	e := startEmailEnv(t, mp)
	var ids []string
	for i := range 20 {
		ids = append(ids, e.invite(t, e.admin, fmt.Sprintf("user%d@example.org", i)).ID)
	}
	// Each message fails, and waits for its retry, saying why.
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range ids {
		for {
			inv, err := e.DB.FindInvitationByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if d := inv.Delivery; d.State == octoinvite.DeliveryQueued && d.Attempts >= 1 && d.NextAttemptOn != nil &&
				strings.Contains(d.LastError, "connection refused") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: delivery %+v, want queued after a refused connection", id, inv.Delivery)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(time.Second)
	mp.Start()
	for _, id := range ids {
		e.waitDelivery(t, id, octoinvite.DeliverySent)
	}
	msgs := mp.Messages(t)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.To[0].Address]++
	}
	for i := range 20 {
		if n := seen[fmt.Sprintf("user%d@example.org", i)]; n != 1 {
			t.Errorf("user%d@example.org received %d messages, want 1", i, n)
		}
	}
	if len(msgs) != 20 {
		t.Errorf("got %d messages, want 20", len(msgs))
	}
	if e.counts.get(delivery.Retried) < 20 {
		t.Errorf("retried: observed %d, want at least 20", e.counts.get(delivery.Retried))
	}
}

// TestEmail_RegenerateAndResend: regenerating emails the new code; a resend sends the same code
// again under a new Message-ID, at most once a minute.
func TestEmail_RegenerateAndResend(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	e := startEmailEnv(t, mp)
	clock := &servertest.Clock{}
	clock.Set(time.Now())
	e.DB.Now = clock.Now
	ctx := context.Background()
	inv := e.invite(t, e.admin, "jane@example.org")
	e.waitDelivery(t, inv.ID, octoinvite.DeliverySent)

	regenerated, err := e.admin.RegenerateInvitation(ctx, inv.ID, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if regenerated.Delivery == nil || regenerated.Delivery.State != octoinvite.DeliveryQueued || regenerated.Delivery.MessageID == inv.Delivery.MessageID {
		t.Fatalf("regenerated delivery: %+v, want a new message queued", regenerated.Delivery)
	}
	e.waitDelivery(t, inv.ID, octoinvite.DeliverySent)
	msgs := mp.WaitFor(t, 2, 20*time.Second)
	newest := mp.Message(t, msgs[0].ID)
	if !strings.Contains(newest.Text, "invitation="+regenerated.InvitationCode) || strings.Contains(newest.Text, inv.InvitationCode) {
		t.Errorf("the regenerated invitation's email does not carry the new code alone:\n%s", newest.Text)
	}

	// Too soon after the regeneration's message: 429 with Retry-After.
	resp := post(t, e.URL+"/api/users/invitations/"+inv.ID+"/resend")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" {
		t.Errorf("resend at once: got %d, Retry-After %q; want 429, 60", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	clock.Advance(octoinvite.ResendInterval)
	resp = post(t, e.URL+"/api/users/invitations/"+inv.ID+"/resend")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("resend a minute later: got %d, want 200", resp.StatusCode)
	}
	e.waitDelivery(t, inv.ID, octoinvite.DeliverySent)
	msgs = mp.WaitFor(t, 3, 20*time.Second)
	resent := mp.Message(t, msgs[0].ID)
	if resent.MessageID == newest.MessageID || !strings.Contains(resent.Text, "invitation="+regenerated.InvitationCode) {
		t.Errorf("the resent message: Message-ID %q (before %q), want a new one carrying the same code", resent.MessageID, newest.MessageID)
	}

	// No resend of a revoked invitation, nor of one without an address.
	if _, _, err := e.admin.RevokeInvitation(ctx, inv.ID, ""); err != nil {
		t.Fatal(err)
	}
	clock.Advance(octoinvite.ResendInterval)
	if resp := post(t, e.URL+"/api/users/invitations/"+inv.ID+"/resend"); resp.StatusCode != http.StatusConflict {
		t.Errorf("resend a revoked invitation: got %d, want 409", resp.StatusCode)
	}
	plain := e.invite(t, e.admin, "")
	if plain.Delivery != nil || plain.EmailAddress != "" {
		t.Errorf("an invitation without an address has a delivery: %+v", plain.Delivery)
	}
	if resp := post(t, e.URL+"/api/users/invitations/"+plain.ID+"/resend"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("resend an invitation without an address: got %d, want 400", resp.StatusCode)
	}
}

// TestEmail_RevokedBeforeSending: a message whose invitation was revoked before it went out is
// cancelled, not sent.
func TestEmail_RevokedBeforeSending(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	mp.Stop()
	e := startEmailEnv(t, mp)
	inv := e.invite(t, e.admin, "jane@example.org")
	if _, _, err := e.DB.RevokeInvitation(context.Background(), inv.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	mp.Start()
	got := e.waitDelivery(t, inv.ID, octoinvite.DeliveryCancelled)
	if got.Delivery.SentOn != nil {
		t.Errorf("cancelled delivery: %+v", got.Delivery)
	}
	if n := len(mp.Messages(t)); n != 0 {
		t.Errorf("got %d messages, want none", n)
	}
}

func post(t *testing.T, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, nil)
	req.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestEmail_NotConfigured: a store that sends no email refuses an invitation with an address,
// saying so, and an address that could add a header is refused everywhere.
func TestEmail_NotConfigured(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	ctx := context.Background()
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, EmailAddress: "jane@example.org", LastModifiedBy: "admin"}
	err := env.DB.CreateInvitation(ctx, inv)
	if details := octoinvite.ErrorDetails(err); octoinvite.ErrorCode(err) != octoinvite.EINVALID || len(details) != 1 || details[0] != octoinvite.MsgEmailNotConfigured {
		t.Errorf("an address without email: got %v, want %q", err, octoinvite.MsgEmailNotConfigured)
	}
	env.DB.Email = &sqldb.EmailSettings{MessageIDDomain: "example.org"}
	for _, address := range []string{"jane@example.org\r\nBcc: eve@example.org", "jane@example.org\nX: y", "Jane <jane@example.org>", "jane@example.org, eve@example.org", "jane"} {
		inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, EmailAddress: address, LastModifiedBy: "admin"}
		err := env.DB.CreateInvitation(ctx, inv)
		if details := octoinvite.ErrorDetails(err); len(details) != 1 || details[0] != octoinvite.MsgEmailAddressInvalid {
			t.Errorf("address %q: got %v, want %q", address, err, octoinvite.MsgEmailAddressInvalid)
		}
	}
	inv = &octoinvite.Invitation{AddToTeamIDs: []string{}, EmailAddress: "jane@example.org", MaxUses: 2, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(ctx, inv); !errors.Is(err, err) || len(octoinvite.ErrorDetails(err)) != 1 || octoinvite.ErrorDetails(err)[0] != octoinvite.MsgEmailAddressUses {
		t.Errorf("an address with MaxUses 2: got %v, want %q", err, octoinvite.MsgEmailAddressUses)
	}
}

// TestEmail_TwoInstancesOnPostgres: two servers on one PostgreSQL database share 500 queued
// messages; each is delivered once, and both take part.
func TestEmail_TwoInstancesOnPostgres(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	location := pgtest.NewDatabase(t, "pool_max_conns=8")
	ctx := context.Background()
	var stores []*sqldb.DB
	var observers []*counts
	for range 2 {
		db, err := sqldb.OpenPostgres(ctx, location, servertest.MasterKey)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Email = &sqldb.EmailSettings{MessageIDDomain: "octoinvite.test"}
		stores = append(stores, db)
		observers = append(observers, &counts{})
	}
	const n = 500
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin", EmailAddress: fmt.Sprintf("user%d@example.org", i)}
				if err := stores[i%2].CreateInvitation(ctx, inv); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// The workers start once everything is queued, so that both find work waiting.
	for i, db := range stores {
		runWorker(t, db, mp, "https://octoinvite.test", observers[i])
	}
	msgs := mp.WaitFor(t, n, 2*time.Minute)
	time.Sleep(10 * servertest.EmailPoll)
	msgs = mp.Messages(t)
	byRecipient, byID := map[string]int{}, map[string]int{}
	for _, m := range msgs {
		byRecipient[m.To[0].Address]++
		byID[m.MessageID]++
	}
	if len(msgs) != n || len(byRecipient) != n || len(byID) != n {
		t.Errorf("got %d messages to %d recipients with %d Message-IDs, want %d of each", len(msgs), len(byRecipient), len(byID), n)
	}
	sent0, sent1 := observers[0].get(delivery.Sent), observers[1].get(delivery.Sent)
	if sent0+sent1 != n || sent0 == 0 || sent1 == 0 {
		t.Errorf("instances sent %d and %d, want %d between them, both some", sent0, sent1, n)
	}
}

// TestEmail_Metrics: the metrics count the outcomes and show the queue's depth and age.
func TestEmail_Metrics(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	mp.Stop()
	env := servertest.Start(t)
	env.DB.Now = time.Now
	runWorker(t, env.DB, mp, env.URL, env.Metrics)
	admin, _ := client.New(env.URL, client.WithAPIKey(servertest.AdminKey))
	e := &emailEnv{Env: env, mail: mp, admin: admin}
	inv := e.invite(t, admin, "jane@example.org")
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := metrics(t, env.URL)
		if strings.Contains(m, "octoinvite_email_queue_depth 1\n") && !strings.Contains(m, "octoinvite_email_queue_oldest_seconds 0\n") &&
			!strings.Contains(m, `octoinvite_emails_total{outcome="retried"} 0`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics while the mail server is down:\n%s", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mp.Start()
	e.waitDelivery(t, inv.ID, octoinvite.DeliverySent)
	m := metrics(t, env.URL)
	for _, want := range []string{`octoinvite_emails_total{outcome="sent"} 1`, `octoinvite_emails_total{outcome="failed"} 0`,
		"octoinvite_email_queue_depth 0\n", "octoinvite_email_queue_oldest_seconds 0\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
}

func metrics(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	req.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestEmail_TemporaryRefusal: a 4xx reply is retried, with the reply kept meanwhile, and the
// message goes out once the server takes it.
func TestEmail_TemporaryRefusal(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t, "--enable-chaos")
	mp.RefuseRecipients(t, 451, true)
	e := startEmailEnv(t, mp)
	inv := e.invite(t, e.admin, "jane@example.org")
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := e.DB.FindInvitationByID(context.Background(), inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := got.Delivery; d.State == octoinvite.DeliveryQueued && d.Attempts >= 2 && strings.HasPrefix(d.LastError, "451 ") && d.NextAttemptOn != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %+v, want retried after 451 replies", got.Delivery)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mp.RefuseRecipients(t, 451, false)
	sent := e.waitDelivery(t, inv.ID, octoinvite.DeliverySent)
	if n := len(mp.Messages(t)); n != 1 || sent.Delivery.LastError != "" {
		t.Errorf("got %d messages, delivery %+v; want 1, sent", n, sent.Delivery)
	}
}
