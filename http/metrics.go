package http

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/octoinvite/octoinvite"
)

// MetricsStore is what the metrics read from the store at each scrape.
type MetricsStore interface {
	// CountInvitationsByState returns how many invitations are in each state.
	CountInvitationsByState(ctx context.Context) (map[string]int, error)
	// Pools returns the store's connection pools by name, for their statistics.
	Pools() map[string]*sql.DB
}

// Metrics holds the server's Prometheus metrics in a registry of its own, so that nothing else
// in the process adds to them. Labels never carry an ID, a key or a code: requests are labelled
// by route pattern, not path.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	invitations  *prometheus.CounterVec
	authFailures *prometheus.CounterVec
	// observers keeps the counter and histogram of each method, route and status met
	// (a requestLabels), so that a request does not look its labels up again.
	observers sync.Map
}

// requestLabels are the labels of a request's metrics.
type requestLabels struct {
	method, route string
	status        int
}

// requestObservers are the metrics of one requestLabels.
type requestObservers struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// Invitation events counted by octoinvite_invitation_events_total.
const (
	EventCreated     = "created"
	EventRedeemed    = "redeemed"
	EventRevoked     = "revoked"
	EventRegenerated = "regenerated"
	EventPurged      = "purged"
)

// NewMetrics returns the metrics of a server on store: the request, invitation and
// authentication metrics, the invitations by state and the connection pools' statistics, read
// from store at each scrape, and Go's runtime and process metrics.
func NewMetrics(store MetricsStore) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "octoinvite_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "octoinvite_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method and route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		invitations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "octoinvite_invitation_events_total",
			Help: "Invitations created, redeemed (each use), revoked, regenerated and purged by this instance.",
		}, []string{"event"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "octoinvite_authentication_failures_total",
			Help: "Requests refused for want of a valid credential, by the credential tried: none, api_key, session, password.",
		}, []string{"credential"}),
	}
	for _, e := range []string{EventCreated, EventRedeemed, EventRevoked, EventRegenerated, EventPurged} {
		m.invitations.WithLabelValues(e)
	}
	for _, c := range []string{"none", "api_key", "session", "password"} {
		m.authFailures.WithLabelValues(c)
	}
	m.registry.MustRegister(m.requests, m.duration, m.invitations, m.authFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&stateCollector{store: store, desc: prometheus.NewDesc("octoinvite_invitations",
			"Invitations stored, by state (expired ones count until purged).", []string{"state"}, nil)})
	for name, pool := range store.Pools() {
		m.registry.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	return m
}

// Handler serves the metrics in Prometheus's text format. A metric that cannot be read (the
// database is down) is left out and the rest is served.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// Gatherer returns the registry, for tests that read the metrics directly.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.registry }

// Count records n invitation events of a kind (EventCreated, ...). It does nothing on nil.
func (m *Metrics) Count(event string, n int) {
	if m != nil && n > 0 {
		m.invitations.WithLabelValues(event).Add(float64(n))
	}
}

func (m *Metrics) authFailure(credential string) {
	if m != nil {
		m.authFailures.WithLabelValues(credential).Inc()
	}
}

// credentialLabel names, for the metrics, how a refused request tried to authenticate.
func credentialLabel(how string) string {
	switch how {
	case "":
		return "none"
	case identityAPIKey:
		return "api_key"
	}
	return "session"
}

// knownMethods bounds the method label: anything else a client sends counts as OTHER.
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if !knownMethods[method] {
		method = "OTHER"
	}
	if route == "" {
		route = "unmatched"
	}
	// The labels are bounded (known methods, registered routes, the statuses the server
	// answers), so the map is too.
	labels := requestLabels{method: method, route: route, status: status}
	o, ok := m.observers.Load(labels)
	if !ok {
		o, _ = m.observers.LoadOrStore(labels, &requestObservers{
			requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(method, route),
		})
	}
	obs := o.(*requestObservers)
	obs.requests.Inc()
	obs.duration.Observe(d.Seconds())
}

// routeLabel is a mux pattern without its method: "GET /api/{space}/teams" is "/api/{space}/teams".
func routeLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// stateCollector reads the number of invitations in each state at each scrape.
type stateCollector struct {
	store MetricsStore
	desc  *prometheus.Desc
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.store.CountInvitationsByState(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, state := range octoinvite.InvitationStates {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[state]), state)
	}
}

// countingInvitations counts the invitation events of the service it wraps.
type countingInvitations struct {
	octoinvite.InvitationService
	m *Metrics
}

// Invitations returns svc, counting the invitations it creates, revokes and regenerates.
func (m *Metrics) Invitations(svc octoinvite.InvitationService) octoinvite.InvitationService {
	return &countingInvitations{InvitationService: svc, m: m}
}

func (c *countingInvitations) CreateInvitation(ctx context.Context, inv *octoinvite.Invitation) error {
	err := c.InvitationService.CreateInvitation(ctx, inv)
	if err == nil {
		c.m.Count(EventCreated, 1)
	}
	return err
}

func (c *countingInvitations) RevokeInvitation(ctx context.Context, id, by string) (*octoinvite.Invitation, error) {
	// Revoking twice is harmless and counts once: only a change of state is counted.
	before, err := c.InvitationService.FindInvitationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inv, err := c.InvitationService.RevokeInvitation(ctx, id, by)
	if err == nil && before.State != octoinvite.StateRevoked && inv.State == octoinvite.StateRevoked {
		c.m.Count(EventRevoked, 1)
	}
	return inv, err
}

func (c *countingInvitations) RegenerateInvitation(ctx context.Context, id, by string) (*octoinvite.Invitation, error) {
	inv, err := c.InvitationService.RegenerateInvitation(ctx, id, by)
	if err == nil {
		c.m.Count(EventRegenerated, 1)
	}
	return inv, err
}

// countingRegistrations counts the redemptions of the service it wraps.
type countingRegistrations struct {
	octoinvite.RegistrationService
	m *Metrics
}

// Registrations returns svc, counting each redemption of an invitation code, whether through
// the API or the invitee's page.
func (m *Metrics) Registrations(svc octoinvite.RegistrationService) octoinvite.RegistrationService {
	return &countingRegistrations{RegistrationService: svc, m: m}
}

func (c *countingRegistrations) Register(ctx context.Context, reg *octoinvite.Registration) (*octoinvite.User, error) {
	user, err := c.RegistrationService.Register(ctx, reg)
	if err == nil {
		c.m.Count(EventRedeemed, 1)
	}
	return user, err
}
