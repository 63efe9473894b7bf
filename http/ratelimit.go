package http

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Defaults of the limit on failed authentications per client address: a budget of
// DefaultAuthFailureLimit failures that refills evenly over DefaultAuthFailureWindow.
const (
	DefaultAuthFailureLimit  = 30
	DefaultAuthFailureWindow = 10 * time.Minute
)

// DefaultIPv6Prefix is the length of the prefix that IPv6 clients share a budget by: an
// Internet subscriber is commonly given a whole /64, and could otherwise fail from each of its
// addresses in turn.
const DefaultIPv6Prefix = 64

func (s *Server) authFailureRule() rule {
	limit, window := s.AuthFailureLimit, s.AuthFailureWindow
	if limit <= 0 {
		limit = DefaultAuthFailureLimit
	}
	if window <= 0 {
		window = DefaultAuthFailureWindow
	}
	return rule{limit, window}
}

// addressKey returns the key of the request's client address in the failure budgets: an IPv4
// address itself, an IPv6 address's prefix of IPv6Prefix bits. A client address that is not an
// IP address (a Unix socket's peer) has the zero key.
func (s *Server) addressKey(r *http.Request) budgetKey {
	addr, err := netip.ParseAddr(clientAddress(r))
	if err != nil {
		return budgetKey{}
	}
	if addr.Is6() {
		bits := s.IPv6Prefix
		if bits <= 0 || bits > 128 {
			bits = DefaultIPv6Prefix
		}
		prefix, _ := addr.WithZone("").Prefix(bits)
		addr = prefix.Addr()
	}
	return addr.As16()
}

// attempt is an attempt to authenticate or to use an invitation code: it holds a token of the
// client address's budget and, for a sign-in, one of the username's and the address's turn to
// check a password, from before its work starts until end. See budgets.
type attempt struct {
	s        *Server
	address  *budget
	username *budget
	passTurn func()
}

// startAttempt takes a token of the budget of the request's client address for an attempt. An
// address without budget gets ETOOMANYREQUESTS and a Retry-After header.
func (s *Server) startAttempt(w http.ResponseWriter, r *http.Request) (attempt, error) {
	b, err := s.addresses.take(r.Context(), s.addressKey(r), s.now, s.authFailureRule())
	if err != nil {
		return attempt{}, refuse(w, err, "Too many failed attempts to sign in or register from your address. Try again in %d seconds.",
			"Too many addresses are failing to sign in or register at once. Try again in %d seconds.")
	}
	return attempt{s: s, address: b}, nil
}

// end ends the attempt: one that failed leaves its tokens spent, any other outcome gives them
// back. Call it once the outcome is known, before any further work.
func (a *attempt) end(failed bool) {
	if a.passTurn != nil {
		a.passTurn()
	}
	now := a.s.now()
	if a.username != nil {
		a.s.usernames.end(a.username, failed, now, signInRule)
	}
	a.s.addresses.end(a.address, failed, now, a.s.authFailureRule())
}

// refuse sets Retry-After for a *budgetRefusal and returns the ETOOMANYREQUESTS error that
// answers it: spent when the key's own budget is spent, crowded when the table is full of keys
// locked out. Both messages take the seconds to wait.
func refuse(w http.ResponseWriter, err error, spent, crowded string) error {
	refusal := err.(*budgetRefusal)
	seconds := max(int((refusal.wait+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	message := spent
	if refusal.crowded {
		message = crowded
	}
	return octoinvite.Errorf(octoinvite.ETOOMANYREQUESTS, message, seconds)
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
	identityAPIKey     = octoinvite.IdentityAPIKey
	identitySession    = octoinvite.IdentitySession
	identityPassword   = octoinvite.IdentityPassword
	identityInvitation = octoinvite.IdentityInvitation
)
