package delivery

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
)

// fakeOutbox hands out its messages once and records the outcomes.
type fakeOutbox struct {
	msgs     []*octoinvite.OutboxMessage
	compose  error
	outcomes map[string]outcome
}

type outcome struct {
	err   error
	retry time.Time
}

func (o *fakeOutbox) ClaimEmails(ctx context.Context, owner string, lease time.Duration, limit int) ([]*octoinvite.OutboxMessage, error) {
	msgs := o.msgs
	o.msgs = nil
	return msgs, nil
}

func (o *fakeOutbox) ComposeEmail(ctx context.Context, msg *octoinvite.OutboxMessage) (*octoinvite.Email, error) {
	if o.compose != nil {
		return nil, o.compose
	}
	return &octoinvite.Email{Kind: msg.Kind, To: msg.Recipient, Invitation: &octoinvite.Invitation{InvitationCode: "c0de"}}, nil
}

func (o *fakeOutbox) RecordEmailOutcome(ctx context.Context, msg *octoinvite.OutboxMessage, err error, retry time.Time) (bool, error) {
	o.outcomes[msg.ID] = outcome{err, retry}
	return msg.Owner != "lost", nil
}

func (o *fakeOutbox) EmailOutboxStats(ctx context.Context) (octoinvite.OutboxStats, error) {
	return octoinvite.OutboxStats{}, nil
}

// fakeSender fails each message with the error named after its recipient.
type fakeSender struct {
	errs  map[string]error
	links []string
}

func (s *fakeSender) SendEmail(ctx context.Context, e *octoinvite.Email) error {
	s.links = append(s.links, e.Link)
	return s.errs[e.To]
}

type countObserver map[string]int

func (c countObserver) ObserveEmail(outcome string) { c[outcome]++ }

func TestWorker_Outcomes(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	msg := func(id, to string, attempts int, age time.Duration) *octoinvite.OutboxMessage {
		return &octoinvite.OutboxMessage{ID: id, Kind: octoinvite.EmailInvitation, Recipient: to, Attempts: attempts, Created: now.Add(-age)}
	}
	temporary, permanent := errors.New("connection refused"), &octoinvite.PermanentEmailError{Reply: "550 no"}
	outbox := &fakeOutbox{outcomes: map[string]outcome{}, msgs: []*octoinvite.OutboxMessage{
		msg("ok", "ok@x.org", 1, 0),
		msg("retry", "temp@x.org", 3, time.Hour),
		msg("late", "temp@x.org", 3, 24*time.Hour-time.Minute),
		msg("refused", "perm@x.org", 1, 0),
	}}
	sender := &fakeSender{errs: map[string]error{"temp@x.org": temporary, "perm@x.org": permanent}}
	observed := countObserver{}
	w := &Worker{Outbox: outbox, Sender: sender, PublicURL: "https://octo.example.com/", Now: func() time.Time { return now },
		Jitter: func() float64 { return 0 }, Observer: observed, Concurrency: 1}
	if n, err := w.RunOnce(context.Background()); n != 4 || err != nil {
		t.Fatalf("RunOnce: %d, %v", n, err)
	}
	want := map[string]outcome{
		"ok":      {nil, time.Time{}},
		"retry":   {temporary, now.Add(4 * time.Minute)}, // the third failure: 1m doubled twice
		"late":    {temporary, time.Time{}},              // the retry would fall after 24h: failed
		"refused": {permanent, time.Time{}},
	}
	for id, o := range want {
		if got := outbox.outcomes[id]; got != o {
			t.Errorf("%s: recorded %v, %s; want %v, %s", id, got.err, got.retry, o.err, o.retry)
		}
	}
	if observed[Sent] != 1 || observed[Retried] != 1 || observed[Failed] != 2 {
		t.Errorf("observed %v", observed)
	}
	if sender.links[0] != "https://octo.example.com/app/register?invitation=c0de" {
		t.Errorf("link %q", sender.links[0])
	}

	// An obsolete message is cancelled, unsent; an outcome of a lost claim is not counted.
	outbox.msgs = []*octoinvite.OutboxMessage{msg("obsolete", "ok@x.org", 1, 0)}
	outbox.compose = octoinvite.ErrEmailObsolete
	w.RunOnce(context.Background())
	if got := outbox.outcomes["obsolete"]; !errors.Is(got.err, octoinvite.ErrEmailObsolete) || observed[Cancelled] != 1 || len(sender.links) != 4 {
		t.Errorf("obsolete: recorded %v, observed %v, %d sends", got.err, observed, len(sender.links))
	}
	outbox.compose = nil
	lost := msg("lost", "ok@x.org", 1, 0)
	lost.Owner = "lost"
	outbox.msgs = []*octoinvite.OutboxMessage{lost}
	w.RunOnce(context.Background())
	if observed[Sent] != 1 {
		t.Errorf("a lost claim's outcome was counted: %v", observed)
	}
}
