// Package delivery sends the emails of the outbox: a worker claims due messages for a lease,
// composes and sends each, and records its outcome, retrying temporary failures with
// exponential backoff and jitter for a bounded time. It depends on the domain's Outbox and
// EmailSender only, so that it runs the same against any store and any mail server.
package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Outcomes of an attempt, as an Observer is told them.
const (
	Sent      = "sent"
	Failed    = "failed"
	Retried   = "retried"
	Cancelled = "cancelled"
)

// Observer is told the outcome of every attempt, for the metrics.
type Observer interface {
	ObserveEmail(outcome string)
}

// Defaults of a Worker's settings.
const (
	DefaultPollInterval = time.Second
	DefaultLease        = time.Minute
	DefaultBatch        = 32
	DefaultConcurrency  = 8
)

// Worker sends the outbox's emails. Several workers, in one process or in several sharing a
// database, may run at once: each message is held by one claim at a time.
type Worker struct {
	Outbox octoinvite.Outbox
	Sender octoinvite.EmailSender
	// PublicURL is the address people reach the server at, such as
	// https://octoinvite.example.com; the links of invitation emails start with it.
	PublicURL string
	// Product names the server in the messages.
	Product string
	// Wake, when set, signals that messages were queued, so that the worker need not wait for
	// its next poll.
	Wake <-chan struct{}
	// PollInterval is how often the worker looks for due messages without a signal.
	PollInterval time.Duration
	// Lease is how long a claim holds its messages: a worker that stops mid-send leaves them
	// to another after it. Sending one message may take at most half of it.
	Lease time.Duration
	// Batch is how many messages one claim takes; Concurrency how many of them are sent at
	// once, each over a connection of its own.
	Batch       int
	Concurrency int
	// RetryDelay is the pause after a message's first failure (octoinvite.EmailRetryDelay
	// doubles it each time); RetryFor is how long after it was queued a message stops being
	// retried and fails.
	RetryDelay time.Duration
	RetryFor   time.Duration
	// Now is the clock, the store's own; time.Now by default.
	Now func() time.Time
	// Jitter draws the random part of retry delays, in [0, 1); math/rand by default.
	Jitter   func() float64
	Observer Observer
	Logger   *slog.Logger
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Run sends due messages until ctx ends, polling every PollInterval and whenever Wake
// signals. A message being sent when ctx ends is finished and recorded first.
func (w *Worker) Run(ctx context.Context) {
	poll := time.NewTicker(orDefault(w.PollInterval, DefaultPollInterval))
	defer poll.Stop()
	for {
		for {
			n, err := w.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.logger().Warn("email outbox", slog.String("error", err.Error()))
			}
			// A full batch suggests more are due at once.
			if err != nil || n < orDefault(w.Batch, DefaultBatch) || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-w.Wake:
		}
	}
}

// RunOnce claims one batch of due messages and sends them, and returns how many it claimed.
// Messages whose lease would run out before they are sent are left for the next claim.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	lease := orDefault(w.Lease, DefaultLease)
	claimed := w.now()
	msgs, err := w.Outbox.ClaimEmails(ctx, newOwner(), lease, orDefault(w.Batch, DefaultBatch))
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, orDefault(w.Concurrency, DefaultConcurrency))
	for _, msg := range msgs {
		slots <- struct{}{}
		if ctx.Err() != nil || w.now().After(claimed.Add(lease/2)) {
			break // the lease ends before another send could: the rest go to the next claim
		}
		wg.Go(func() {
			defer func() { <-slots }()
			w.deliver(ctx, msg, lease/2)
		})
	}
	wg.Wait()
	return len(msgs), nil
}

// newOwner returns the token of a claim: random, so that no two claims share one.
func newOwner() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// deliver composes and sends one claimed message and records the outcome. Once begun it runs
// to the end even if ctx ends, within timeout: a message sent is then recorded as sent.
func (w *Worker) deliver(ctx context.Context, msg *octoinvite.OutboxMessage, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	log := w.logger().With(slog.String("message", msg.ID), slog.String("invitation", msg.InvitationID),
		slog.String("kind", msg.Kind), slog.Int("attempt", msg.Attempts))
	e, err := w.Outbox.ComposeEmail(ctx, msg)
	if err == nil {
		e.Product = w.Product
		if e.Kind == octoinvite.EmailInvitation {
			e.Link = octoinvite.InvitationLink(w.PublicURL, e.Invitation.InvitationCode)
		}
		err = w.Sender.SendEmail(ctx, e)
	} else if !errors.Is(err, octoinvite.ErrEmailObsolete) {
		// The store failed: the message stays claimed until its lease ends, then is tried
		// again.
		log.Warn("email not composed", slog.String("error", err.Error()))
		return
	}
	var retry time.Time
	var permanent *octoinvite.PermanentEmailError
	outcome := Sent
	switch {
	case err == nil:
	case errors.Is(err, octoinvite.ErrEmailObsolete):
		outcome = Cancelled
	case errors.As(err, &permanent):
		outcome = Failed
	default:
		next := w.now().Add(octoinvite.EmailRetryDelay(orDefault(w.RetryDelay, octoinvite.DefaultEmailRetryDelay), msg.Attempts, w.Jitter))
		if next.Before(msg.Created.Add(orDefault(w.RetryFor, octoinvite.DefaultEmailRetryFor))) {
			retry, outcome = next, Retried
		} else {
			outcome = Failed
		}
	}
	held, recErr := w.Outbox.RecordEmailOutcome(ctx, msg, err, retry)
	switch {
	case recErr != nil:
		log.Error("email outcome not recorded", slog.String("outcome", outcome), slog.String("error", recErr.Error()))
		return
	case !held:
		log.Warn("email lease lost before its outcome was recorded", slog.String("outcome", outcome))
		return
	}
	if w.Observer != nil {
		w.Observer.ObserveEmail(outcome)
	}
	switch outcome {
	case Sent:
		log.Info("email sent")
	case Cancelled:
		log.Info("email cancelled: its invitation no longer needs it")
	case Retried:
		log.Warn("email failed, will retry", slog.String("error", err.Error()), slog.Time("retry_at", retry))
	case Failed:
		log.Error("email failed", slog.String("error", err.Error()))
	}
}
