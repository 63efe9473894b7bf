package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/octoinvite/octoinvite/prometheus"
)

// invitationPurger is the store's side of the housekeeping purge.
type invitationPurger interface {
	PurgeInvitations(ctx context.Context, retention time.Duration) (int, error)
}

// purgeJob deletes, at each interval, the invitations that were used up, revoked or expired
// more than retention ago. Every instance on a shared database may run it: the store's purge is
// idempotent, so instances that run at once delete each invitation once between them.
type purgeJob struct {
	store     invitationPurger
	retention time.Duration
	interval  time.Duration
	logger    *slog.Logger
	metrics   *prometheus.Metrics
}

// runOnce purges once and logs what it did; a failure is logged and left for the next run.
func (j *purgeJob) runOnce(ctx context.Context) (int, error) {
	n, err := j.store.PurgeInvitations(ctx, j.retention)
	j.metrics.Count(prometheus.InvitationsPurged, n)
	switch {
	case err != nil && ctx.Err() == nil:
		j.logger.Warn("purging invitations", slog.Int("purged", n), slog.String("error", err.Error()))
	case n > 0:
		j.logger.Info("purged invitations", slog.Int("purged", n), slog.Duration("retention", j.retention))
	}
	return n, err
}

// run purges at start and then at each interval until ctx is done; it returns once no purge is
// running, so that the store can be closed after it.
func (j *purgeJob) run(ctx context.Context) {
	ticker := time.NewTicker(j.interval)
	defer ticker.Stop()
	for {
		_, _ = j.runOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
