// Package prometheus counts what the server does in Prometheus metrics and serves them: the
// requests and authentication failures the http package reports through its Observer, the
// invitation events counted by decorators of the domain's services, the invitations stored by
// state, the store's connection pools and Go's runtime.
package prometheus

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/delivery"
	ohttp "github.com/octoinvite/octoinvite/http"
)

// Store is what the metrics read from the store at each scrape.
type Store interface {
	// CountInvitationsByState returns how many invitations are in each state.
	CountInvitationsByState(ctx context.Context) (map[string]int, error)
	// Pools returns the store's connection pools by name, for their statistics.
	Pools() map[string]*sql.DB
	// EmailOutboxStats returns the depth and age of the queue of emails.
	EmailOutboxStats(ctx context.Context) (octoinvite.OutboxStats, error)
}

// Metrics holds the server's Prometheus metrics in a registry of its own, so that nothing else
// in the process adds to them. Labels never carry an ID, a key or a code: requests are labelled
// by route pattern, not path. It is the http package's Observer.
type Metrics struct {
	registry     *prom.Registry
	requests     *prom.CounterVec
	duration     *prom.HistogramVec
	invitations  *prom.CounterVec
	authFailures *prom.CounterVec
	emails       *prom.CounterVec
}

var (
	_ ohttp.Observer    = (*Metrics)(nil)
	_ delivery.Observer = (*Metrics)(nil)
)

// InvitationEvent is the label of octoinvite_invitation_events_total that says what happened to
// invitations: not to be confused with the categories of the audit log (octoinvite.EventCreated,
// ...), which are Octopus's words for events of any document.
type InvitationEvent string

// What happened to invitations, as octoinvite_invitation_events_total counts it.
const (
	InvitationsCreated     InvitationEvent = "created"
	InvitationsRedeemed    InvitationEvent = "redeemed"
	InvitationsRevoked     InvitationEvent = "revoked"
	InvitationsRegenerated InvitationEvent = "regenerated"
	InvitationsPurged      InvitationEvent = "purged"
)

// NewMetrics returns the metrics of a server on store: the request, invitation and
// authentication metrics, the invitations by state and the connection pools' statistics, read
// from store at each scrape, and Go's runtime and process metrics.
func NewMetrics(store Store) *Metrics {
	m := &Metrics{
		registry: prom.NewRegistry(),
		requests: prom.NewCounterVec(prom.CounterOpts{
			Name: "octoinvite_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "octoinvite_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method and route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		invitations: prom.NewCounterVec(prom.CounterOpts{
			Name: "octoinvite_invitation_events_total",
			Help: "Invitations created, redeemed (each use), revoked, regenerated and purged by this instance.",
		}, []string{"event"}),
		authFailures: prom.NewCounterVec(prom.CounterOpts{
			Name: "octoinvite_authentication_failures_total",
			Help: "Requests refused for want of a valid credential, by the credential tried: none, api_key, session, password.",
		}, []string{"credential"}),
	}
	m.emails = prom.NewCounterVec(prom.CounterOpts{
		Name: "octoinvite_emails_total",
		Help: "Attempts to send an email by this instance, by outcome: sent, retried (failed, to be tried again), failed (for good), cancelled (no longer needed).",
	}, []string{"outcome"})
	for _, o := range []string{delivery.Sent, delivery.Retried, delivery.Failed, delivery.Cancelled} {
		m.emails.WithLabelValues(o)
	}
	for _, e := range []InvitationEvent{InvitationsCreated, InvitationsRedeemed, InvitationsRevoked, InvitationsRegenerated, InvitationsPurged} {
		m.invitations.WithLabelValues(string(e))
	}
	for _, c := range ohttp.Credentials {
		m.authFailures.WithLabelValues(c)
	}
	m.registry.MustRegister(m.requests, m.duration, m.invitations, m.authFailures, m.emails, newOutboxCollector(store),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&stateCollector{store: store, desc: prom.NewDesc("octoinvite_invitations",
			"Invitations stored, by state (expired ones count until purged).", []string{"state"}, nil)})
	for name, pool := range store.Pools() {
		m.registry.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	return m
}

// Handler serves the metrics in Prometheus's text format. A metric that cannot be read (the
// database is down) is left out and the rest is served; the problem goes to logger.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// Gatherer returns the registry, for tests that read the metrics directly.
func (m *Metrics) Gatherer() prom.Gatherer { return m.registry }

// Count records n invitation events of a kind. It does nothing on nil.
func (m *Metrics) Count(event InvitationEvent, n int) {
	if m != nil && n > 0 {
		m.invitations.WithLabelValues(string(event)).Add(float64(n))
	}
}

// ObserveEmail counts an attempt to send an email by its outcome; see delivery.Observer.
func (m *Metrics) ObserveEmail(outcome string) {
	m.emails.WithLabelValues(outcome).Inc()
}

// ObserveAuthenticationFailure counts a request refused for want of a valid credential.
func (m *Metrics) ObserveAuthenticationFailure(credential string) {
	m.authFailures.WithLabelValues(credential).Inc()
}

// knownMethods bounds the method label: anything else a client sends counts as OTHER.
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true}

// ObserveRequest counts a request answered and the time it took. A method the server does not
// serve is labelled OTHER, and a request that no route served "unmatched".
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "OTHER"
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// stateCollector reads the number of invitations in each state at each scrape.
type stateCollector struct {
	store Store
	desc  *prom.Desc
}

func (c *stateCollector) Describe(ch chan<- *prom.Desc) { ch <- c.desc }

func (c *stateCollector) Collect(ch chan<- prom.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.store.CountInvitationsByState(ctx)
	if err != nil {
		ch <- prom.NewInvalidMetric(c.desc, err)
		return
	}
	for _, state := range octoinvite.InvitationStates {
		ch <- prom.MustNewConstMetric(c.desc, prom.GaugeValue, float64(counts[state]), state)
	}
}

// outboxCollector reads the depth and age of the queue of emails at each scrape.
type outboxCollector struct {
	store      Store
	depth, age *prom.Desc
}

func newOutboxCollector(store Store) *outboxCollector {
	return &outboxCollector{store: store,
		depth: prom.NewDesc("octoinvite_email_queue_depth", "Emails waiting in the outbox to be sent, by every instance.", nil, nil),
		age:   prom.NewDesc("octoinvite_email_queue_oldest_seconds", "How long the oldest email waiting in the outbox has waited; 0 when none waits.", nil, nil)}
}

func (c *outboxCollector) Describe(ch chan<- *prom.Desc) { ch <- c.depth; ch <- c.age }

func (c *outboxCollector) Collect(ch chan<- prom.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := c.store.EmailOutboxStats(ctx)
	if err != nil {
		ch <- prom.NewInvalidMetric(c.depth, err)
		return
	}
	ch <- prom.MustNewConstMetric(c.depth, prom.GaugeValue, float64(stats.Queued))
	ch <- prom.MustNewConstMetric(c.age, prom.GaugeValue, stats.OldestAge.Seconds())
}
