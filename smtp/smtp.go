// Package smtp composes octoinvite's emails from templates and hands them to a mail server, over
// SMTP with github.com/wneessen/go-mail, which writes the MIME structure, encodes the headers
// and speaks the protocol (STARTTLS, implicit TLS, authentication).
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/octoinvite/octoinvite"
)

// Security is how a connection to the mail server is protected.
type Security string

// Ways of protecting the connection to the mail server.
const (
	// STARTTLS: a plain connection that must be upgraded to TLS before anything is sent
	// (smtp://, port 587 by default); a server that does not offer it is refused.
	STARTTLS Security = "starttls"
	// ImplicitTLS: TLS from the first byte (smtps://, port 465 by default).
	ImplicitTLS Security = "tls"
	// NoTLS: no encryption (smtp://...?tls=none), for a mail catcher on the same machine.
	NoTLS Security = "none"
)

// Config is where and how to send mail.
type Config struct {
	Host     string
	Port     int
	Security Security
	// Username and Password, if set, authenticate to the server.
	Username string
	Password string
	// From is the sender, such as "octoinvite <noreply@example.com>".
	From *netmail.Address
	// TLS, if set, replaces the default TLS configuration (tests trust their own authority).
	TLS *tls.Config
	// Timeout bounds connecting and each exchange with the server.
	Timeout time.Duration
}

// DefaultTimeout bounds connecting to the mail server and each exchange with it.
const DefaultTimeout = 30 * time.Second

// ParseURL reads the mail server's URL: smtp://[user:password@]host[:port] (STARTTLS required,
// port 587), smtps://[user:password@]host[:port] (implicit TLS, port 465), and
// smtp://host:port?tls=none (no encryption). from is the sender's address, with or without a
// display name. Anything else is an error that says what is expected; no error repeats the
// password.
func ParseURL(raw, from string) (*Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("invalid --smtp-url: it must be a URL such as smtp://user:password@mail.example.com:587")
	}
	cfg := &Config{Host: u.Hostname(), Timeout: DefaultTimeout}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		cfg.Security, cfg.Port = STARTTLS, 587
	case "smtps":
		cfg.Security, cfg.Port = ImplicitTLS, 465
	default:
		return nil, fmt.Errorf("invalid --smtp-url: the scheme must be smtp (STARTTLS) or smtps (implicit TLS), not %q", u.Scheme)
	}
	if cfg.Host == "" {
		return nil, errors.New("invalid --smtp-url: it names no host")
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port < 1 || cfg.Port > 65535 {
			return nil, fmt.Errorf("invalid --smtp-url: the port %q is not a number from 1 to 65535", p)
		}
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	for name, values := range u.Query() {
		switch {
		case name == "tls" && len(values) == 1 && values[0] == "none" && cfg.Security == STARTTLS:
			cfg.Security = NoTLS
		case name == "tls":
			return nil, errors.New("invalid --smtp-url: tls=none is the one setting of tls, and only with smtp://")
		default:
			return nil, fmt.Errorf("invalid --smtp-url: unknown parameter %q (the one parameter is tls=none)", name)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("invalid --smtp-url: it has no path, only smtp://host:port")
	}
	if strings.ContainsAny(from, "\r\n") {
		return nil, errors.New("invalid --smtp-from: it must be one line")
	}
	if from == "" {
		return nil, errors.New("--smtp-from is required with --smtp-url: the sender's address, such as \"octoinvite <noreply@example.com>\"")
	}
	if cfg.From, err = netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("invalid --smtp-from %q: %v; give an address such as \"octoinvite <noreply@example.com>\"", from, err)
	}
	return cfg, nil
}

// Domain returns the domain of the sender's address, the right-hand side of Message-IDs.
func (cfg *Config) Domain() string {
	return cfg.From.Address[strings.LastIndexByte(cfg.From.Address, '@')+1:]
}

// Mailer sends emails composed from its templates. Each message goes over a connection of its
// own at a time; connections are kept open between messages sent close together, so that
// messages sent side by side use as many.
type Mailer struct {
	templates *Templates
	client    *mail.Client
	from      *netmail.Address

	mu   sync.Mutex
	idle []idleConn // most recently used last
}

// idleConn is an open connection between two messages.
type idleConn struct {
	conn *gosmtp.Client
	used time.Time
}

var _ octoinvite.EmailSender = (*Mailer)(nil)

// idleTimeout is how long an unused connection is kept for the next message; servers close
// idle ones after a few minutes.
const idleTimeout = 30 * time.Second

// NewMailer returns a Mailer that sends as cfg says, composing with templates.
func NewMailer(cfg *Config, templates *Templates) (*Mailer, error) {
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout)}
	switch cfg.Security {
	case STARTTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	tlsConfig := cfg.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	opts = append(opts, mail.WithTLSConfig(tlsConfig))
	client, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &Mailer{templates: templates, client: client, from: cfg.From}, nil
}

// Compose returns the message of the email, ready to send.
func (m *Mailer) Compose(e *octoinvite.Email) (*mail.Msg, error) {
	subject, text, html, err := m.templates.Compose(e)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(e.To, "\r\n") || strings.ContainsAny(e.MessageID, "\r\n<> ") {
		return nil, errors.New("smtp: a recipient or Message-ID holds a line break")
	}
	msg := mail.NewMsg()
	msg.FromMailAddress(m.from)
	if err := msg.To(e.To); err != nil {
		return nil, fmt.Errorf("smtp: the recipient %q: %w", e.To, err)
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(e.MessageID)
	msg.SetDateWithValue(e.Now)
	// Automatic messages: no out-of-office replies to them (RFC 3834).
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(mail.TypeTextPlain, text)
	msg.AddAlternativeString(mail.TypeTextHTML, html)
	return msg, nil
}

// SendEmail composes the email and hands it to the server; see octoinvite.EmailSender. A 5xx
// reply to the message is a *octoinvite.PermanentEmailError holding the reply; a message that
// cannot be composed is one too, since sending it again would fail the same way.
func (m *Mailer) SendEmail(ctx context.Context, e *octoinvite.Email) error {
	msg, err := m.Compose(e)
	if err != nil {
		return &octoinvite.PermanentEmailError{Reply: err.Error()}
	}
	for {
		conn := m.take()
		reused := conn != nil
		if !reused {
			if conn, err = m.client.DialToSMTPClientWithContext(ctx); err != nil {
				return fmt.Errorf("connecting to the mail server: %w", err)
			}
		}
		err = m.client.SendWithSMTPClient(conn, msg)
		var sendErr *mail.SendError
		switch {
		case err == nil:
			m.put(conn)
			return nil
		case errors.As(err, &sendErr) && sendErr.ErrorCode() >= 500 && sendErr.Reason != mail.ErrConnCheck:
			m.put(conn) // the server answered; go-mail sent RSET, and the connection stays usable
			return &octoinvite.PermanentEmailError{Reply: reply(sendErr)}
		case errors.As(err, &sendErr) && sendErr.ErrorCode() >= 400 && sendErr.Reason != mail.ErrConnCheck:
			m.put(conn)
			return errors.New(reply(sendErr))
		}
		// The connection failed: a reused one may simply have been closed by the server
		// while idle, so the message is tried once on a new one.
		_ = m.client.CloseWithSMTPClient(conn)
		if !reused {
			return err
		}
	}
}

// take returns the most recently used idle connection, closing those idle too long; nil if
// none is left.
func (m *Mailer) take() *gosmtp.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.idle) > 0 {
		c := m.idle[len(m.idle)-1]
		m.idle = m.idle[:len(m.idle)-1]
		if time.Since(c.used) <= idleTimeout {
			return c.conn
		}
		_ = m.client.CloseWithSMTPClient(c.conn)
	}
	return nil
}

// put keeps a connection for the next message.
func (m *Mailer) put(conn *gosmtp.Client) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.idle = append(m.idle, idleConn{conn: conn, used: time.Now()})
}

// reply returns the server's reply in a send error, such as "550 5.1.0 mailbox unavailable":
// go-mail's message with the reason it prefixes and the recipients and Message-ID it appends
// taken off.
func reply(e *mail.SendError) string {
	s := strings.TrimPrefix(e.Error(), e.Reason.String()+": ")
	for _, suffix := range []string{", affected recipient(s): ", ", affected message ID: "} {
		if i := strings.Index(s, suffix); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

// Close ends the idle connections with QUIT.
func (m *Mailer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.idle {
		_ = m.client.CloseWithSMTPClient(c.conn)
	}
	m.idle = nil
	return nil
}

// Loopback reports whether the host is this machine, where a connection without TLS stays.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
