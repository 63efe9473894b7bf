package http

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Defaults of the limit on failed authentications per client address: a budget of
// DefaultAuthFailureLimit failures that refills evenly over DefaultAuthFailureWindow.
const (
	DefaultAuthFailureLimit  = 30
	DefaultAuthFailureWindow = 10 * time.Minute
)

// maxLimitedAddresses bounds the addresses the limiter remembers (about 40 bytes each).
const maxLimitedAddresses = 100_000

// failureLimiter is a token bucket per client address that only failures drain: each address
// may fail limit times at once, and earns one more attempt every window/limit. Successful
// requests cost nothing, so legitimate traffic is never slowed. An address with no attempt
// left is refused until it earns one.
type failureLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// refill returns the bucket's tokens at now.
func (b *bucket) refill(now time.Time, limit int, window time.Duration) float64 {
	earned := float64(now.Sub(b.last)) / float64(window) * float64(limit)
	return min(float64(limit), b.tokens+max(earned, 0))
}

// wait returns how long the address must wait before its next attempt, 0 if it may try now.
func (l *failureLimiter) wait(addr string, now time.Time, limit int, window time.Duration) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		return 0
	}
	tokens := b.refill(now, limit, window)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(limit) * float64(window))
}

// fail spends one attempt of the address.
func (l *failureLimiter) fail(addr string, now time.Time, limit int, window time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= maxLimitedAddresses {
			l.evict(now, limit, window)
		}
		b = &bucket{tokens: float64(limit), last: now}
		l.buckets[addr] = b
	}
	b.tokens = max(b.refill(now, limit, window)-1, 0)
	b.last = now
}

// evict forgets the addresses whose budget has refilled, which the limiter need not remember;
// if every address is still limited, it starts afresh rather than grow.
func (l *failureLimiter) evict(now time.Time, limit int, window time.Duration) {
	for addr, b := range l.buckets {
		if b.refill(now, limit, window) >= float64(limit) {
			delete(l.buckets, addr)
		}
	}
	if len(l.buckets) >= maxLimitedAddresses {
		l.buckets = map[string]*bucket{}
	}
}

func (s *Server) authFailureLimit() (int, time.Duration) {
	limit, window := s.AuthFailureLimit, s.AuthFailureWindow
	if limit <= 0 {
		limit = DefaultAuthFailureLimit
	}
	if window <= 0 {
		window = DefaultAuthFailureWindow
	}
	return limit, window
}

// checkAddress returns ETOOMANYREQUESTS, and sets Retry-After, if the request's address has
// failed to authenticate too often.
func (s *Server) checkAddress(w http.ResponseWriter, r *http.Request) error {
	limit, window := s.authFailureLimit()
	wait := s.failures.wait(clientAddress(r), s.now(), limit, window)
	if wait <= 0 {
		return nil
	}
	seconds := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	return octoinvite.Errorf(octoinvite.ETOOMANYREQUESTS,
		"Too many failed attempts to sign in or register from your address. Try again in %d seconds.", seconds)
}

// failAddress counts a failed authentication or registration against the request's address.
func (s *Server) failAddress(r *http.Request) {
	limit, window := s.authFailureLimit()
	s.failures.fail(clientAddress(r), s.now(), limit, window)
}

// clientAddress returns the address recorded for the request by withRequestInfo.
func clientAddress(r *http.Request) string {
	return octoinvite.RequestInfoFromContext(r.Context()).IPAddress
}

// remoteAddress returns the client's IP address: the connection's peer, or, when the peer is
// one of the trusted proxies, the right-most address of X-Forwarded-For that is not a trusted
// proxy. Without trusted proxies, forwarded headers are never read: anyone can write them.
func (s *Server) remoteAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer.String()
		}
		peer = hop.Unmap()
		if !s.trusted(peer) {
			return peer.String()
		}
	}
	return peer.String()
}

func (s *Server) trusted(addr netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// withRequestInfo puts the request's origin (address and User-Agent) in its context, for the
// audit log and the limits.
func (s *Server) withRequestInfo(ctx context.Context, r *http.Request) context.Context {
	info := octoinvite.RequestInfo{
		IPAddress: s.remoteAddress(r),
		UserAgent: octoinvite.CleanText(r.UserAgent(), 512),
	}
	return octoinvite.NewContextWithRequestInfo(ctx, info)
}

// withIdentity records in the request's context how its caller authenticated.
func withIdentity(r *http.Request, how string) *http.Request {
	return r.WithContext(contextWithIdentity(r.Context(), how))
}

// contextWithIdentity records in ctx how the request's caller authenticated.
func contextWithIdentity(ctx context.Context, how string) context.Context {
	info := octoinvite.RequestInfoFromContext(ctx)
	info.IdentityEstablishedWith = how
	return octoinvite.NewContextWithRequestInfo(ctx, info)
}

// Ways a caller authenticates, as events record them.
const (
	identityAPIKey     = "API key"
	identitySession    = "Session cookie"
	identityPassword   = "Username and password"
	identityInvitation = "Invitation code"
)

// limitWeb applies the address limit to the invitee's pages: a page or form that fails with
// a client error (an unknown code, a rejected registration) counts as a failure, and a limited
// address is refused before the page does any work.
func (s *Server) limitWeb(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkAddress(w, r); err != nil {
			s.writeError(w, r, err)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, withIdentity(r, identityInvitation))
		if sw.status >= 400 && sw.status < 500 {
			s.failAddress(r)
		}
	})
}
