package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/delivery"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/prometheus"
	"github.com/octoinvite/octoinvite/smtp"
	"github.com/octoinvite/octoinvite/sqldb"
	"github.com/octoinvite/octoinvite/web"
)

// serveConfig is the configuration of the server, from flags and environment variables.
type serveConfig struct {
	Listen       string
	Data         string
	Database     string
	DatabaseWait time.Duration
	AdminAPIKey  string
	MasterKey    string
	// AdminAPIKeyFile and MasterKeyFile name files holding the keys instead: unlike a flag's
	// value, a file's content is not shown to other users in the process list.
	AdminAPIKeyFile    string
	MasterKeyFile      string
	InvitationLifetime time.Duration
	// InvitationMaxLifetime bounds the lifetime a creator may ask for; InvitationMaxUses the
	// uses. InvitationRetention is how long closed invitations are kept before the purge, which
	// runs every PurgeInterval; 0 keeps them for ever.
	InvitationMaxLifetime time.Duration
	InvitationMaxUses     int
	InvitationRetention   time.Duration
	PurgeInterval         time.Duration
	// MetricsListen, if set, is a private address serving /metrics, /healthz and /readyz
	// without authentication.
	MetricsListen string
	// PprofListen, if set, is a loopback address serving net/http/pprof's profiles, without
	// authentication: they show what the process holds and does (its command line, goroutines,
	// call stacks and allocations).
	PprofListen       string
	LogFormat         string
	MaxBodyBytes      int64
	ShutdownTimeout   time.Duration
	AuthFailureLimit  int
	AuthFailureWindow time.Duration
	TrustedProxies    []string
	trustedProxies    []netip.Prefix
	IPv6Prefix        int
	// PublicURL is the address people reach the server at, which invitation links are built
	// on; InstanceName names the installation on its pages.
	PublicURL    string
	publicURL    *url.URL
	InstanceName string
	// AdminPassword, read from AdminPasswordFile when that is set, becomes the first
	// administrator's password if they have none yet.
	AdminPassword     string
	AdminPasswordFile string
	// SessionLifetime and SessionIdleTimeout bound every session: from sign-in, and without
	// a request.
	SessionLifetime    time.Duration
	SessionIdleTimeout time.Duration
	// SMTPURL, if set, names the mail server that invitations sent to an address go through,
	// as SMTPFrom; EmailTemplates names a folder of templates replacing the built-in ones.
	// A message is retried for EmailRetryFor, the first retry after EmailRetryDelay.
	// NotifyInviter emails the creator of an invitation sent to an address when it is
	// accepted.
	SMTPURL         string
	SMTPFrom        string
	EmailTemplates  string
	EmailRetryFor   time.Duration
	EmailRetryDelay time.Duration
	// EmailLease is how long an instance holds the messages it claimed: one that dies while
	// sending leaves them to another after it.
	EmailLease    time.Duration
	NotifyInviter bool
	smtp          *smtp.Config
	templates     *smtp.Templates
}

// defaultMemoryLimit is the server's soft memory limit unless GOMEMLIMIT sets one: the garbage
// collector works harder near it instead of letting the heap double, which keeps a burst of
// registrations (each Argon2id hash takes 19 MiB) within a small footprint.
const defaultMemoryLimit = 48 << 20

// defaultGCPercent is the server's GOGC unless GOGC sets one. The live heap is a few MiB, so
// Go's default of 100 collects after every few MiB allocated: dozens of times a second under
// load. 400 collects a quarter as often; the soft memory limit still bounds the heap.
const defaultGCPercent = 400

// tuneRuntime sets the server's soft memory limit and GOGC, each unless the environment
// (GOMEMLIMIT, GOGC) sets it: an operator's choice wins.
func tuneRuntime(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

func newServeCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server",
		Long: `Run the server on the embedded SQLite store in the data folder, creating it on first start,
or, with --database, on a PostgreSQL database that several servers may share behind a load
balancer. Every server on one database needs the same master key (--master-key).

On first start the server creates the default space, the system teams and the administrator
(Users-1, "admin"). Unless an administrator's key is configured, it prints a generated
administrator API key once, on standard error: keep it.

Every flag may also be given by the environment variable named in its help. Give the keys by
their environment variables or in files (--admin-api-key-file, --master-key-file) rather than
as flags, which every user of the machine can read in the process list.

The server runs in the foreground until SIGINT (Ctrl-C) or SIGTERM. The data folder and its
files are made readable by their owner only, and one server at a time may use it.`,
		Example: `  octoinvite serve
  OCTOINVITE_ADMIN_API_KEY=API-ADMINISTRATOR0000000001 octoinvite serve --listen 0.0.0.0:8080 --data /var/lib/octoinvite
  octoinvite serve --master-key-file /run/secrets/octoinvite-master-key --database postgres://octoinvite@db.internal:5432/octoinvite`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			vars := map[string]string{
				"listen":                  "OCTOINVITE_LISTEN",
				"data":                    "OCTOINVITE_DATA",
				"database":                "OCTOINVITE_DATABASE",
				"database-wait":           "OCTOINVITE_DATABASE_WAIT",
				"admin-api-key":           "OCTOINVITE_ADMIN_API_KEY",
				"admin-api-key-file":      "OCTOINVITE_ADMIN_API_KEY_FILE",
				"master-key":              "OCTOINVITE_MASTER_KEY",
				"master-key-file":         "OCTOINVITE_MASTER_KEY_FILE",
				"invitation-lifetime":     "OCTOINVITE_INVITATION_LIFETIME",
				"invitation-max-lifetime": "OCTOINVITE_INVITATION_MAX_LIFETIME",
				"invitation-max-uses":     "OCTOINVITE_INVITATION_MAX_USES",
				"invitation-retention":    "OCTOINVITE_INVITATION_RETENTION",
				"purge-interval":          "OCTOINVITE_PURGE_INTERVAL",
				"metrics-listen":          "OCTOINVITE_METRICS_LISTEN",
				"pprof-listen":            "OCTOINVITE_PPROF_LISTEN",
				"log-format":              "OCTOINVITE_LOG_FORMAT",
				"max-body-bytes":          "OCTOINVITE_MAX_BODY_BYTES",
				"shutdown-timeout":        "OCTOINVITE_SHUTDOWN_TIMEOUT",
				"auth-failure-limit":      "OCTOINVITE_AUTH_FAILURE_LIMIT",
				"auth-failure-window":     "OCTOINVITE_AUTH_FAILURE_WINDOW",
				"trusted-proxies":         "OCTOINVITE_TRUSTED_PROXIES",
				"ipv6-prefix":             "OCTOINVITE_IPV6_PREFIX",
				"public-url":              "OCTOINVITE_PUBLIC_URL",
				"smtp-url":                "OCTOINVITE_SMTP_URL",
				"smtp-from":               "OCTOINVITE_SMTP_FROM",
				"email-templates":         "OCTOINVITE_EMAIL_TEMPLATES",
				"email-retry-for":         "OCTOINVITE_EMAIL_RETRY_FOR",
				"email-retry-delay":       "OCTOINVITE_EMAIL_RETRY_DELAY",
				"notify-inviter":          "OCTOINVITE_NOTIFY_INVITER",
				"email-lease":             "OCTOINVITE_EMAIL_LEASE",
				"instance-name":           "OCTOINVITE_INSTANCE_NAME",
				"admin-password":          "OCTOINVITE_ADMIN_PASSWORD",
				"admin-password-file":     "OCTOINVITE_ADMIN_PASSWORD_FILE",
				"session-lifetime":        "OCTOINVITE_SESSION_LIFETIME",
				"session-idle-timeout":    "OCTOINVITE_SESSION_IDLE_TIMEOUT",
			}
			// A key given on the command line, as a value or a file, wins over both
			// variables of that key.
			for _, pair := range [][2]string{{"admin-api-key", "admin-api-key-file"}, {"master-key", "master-key-file"}, {"admin-password", "admin-password-file"}} {
				if cmd.Flags().Changed(pair[0]) || cmd.Flags().Changed(pair[1]) {
					delete(vars, pair[0])
					delete(vars, pair[1])
				}
			}
			// A value the configuration refuses is a usage error, as the other commands'
			// invalid values are.
			if err := envFallbacks(cmd.Flags(), getenv, vars); err != nil {
				return &usageError{err}
			}
			if err := cfg.readKeyFiles(); err != nil {
				return &usageError{err}
			}
			if err := cfg.validate(); err != nil {
				return &usageError{err}
			}
			tuneRuntime(getenv)
			return serve(cmd.Context(), cfg, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", "127.0.0.1:8080", "address to listen on (OCTOINVITE_LISTEN)")
	f.StringVar(&cfg.Data, "data", "./octoinvite-data", "folder for the database and the master key file (OCTOINVITE_DATA)")
	f.StringVar(&cfg.Database, "database", "", "postgres:// URL of a PostgreSQL database to use instead of SQLite in --data (OCTOINVITE_DATABASE)")
	f.DurationVar(&cfg.DatabaseWait, "database-wait", 30*time.Second, "how long to retry at start while the PostgreSQL database does not answer (OCTOINVITE_DATABASE_WAIT)")
	f.StringVar(&cfg.AdminAPIKey, "admin-api-key", "", "the administrator's API key, API- and upper-case letters and digits; other users see flags in the process list: prefer the variable or --admin-api-key-file (OCTOINVITE_ADMIN_API_KEY)")
	f.StringVar(&cfg.AdminAPIKeyFile, "admin-api-key-file", "", "a file holding the administrator's API key (OCTOINVITE_ADMIN_API_KEY_FILE)")
	f.StringVar(&cfg.MasterKey, "master-key", "", "base64 of the 32-byte master key that seals invitation codes; default: the key file in the data folder; other users see flags in the process list: prefer the variable or --master-key-file (OCTOINVITE_MASTER_KEY)")
	f.StringVar(&cfg.MasterKeyFile, "master-key-file", "", "a file holding the base64 of the master key (OCTOINVITE_MASTER_KEY_FILE)")
	f.DurationVar(&cfg.InvitationLifetime, "invitation-lifetime", octoinvite.DefaultInvitationLifetime, "how long an invitation code stays valid (OCTOINVITE_INVITATION_LIFETIME)")
	f.DurationVar(&cfg.InvitationMaxLifetime, "invitation-max-lifetime", octoinvite.DefaultInvitationMaxLifetime, "the longest lifetime an invitation's creator may ask for with Expires (OCTOINVITE_INVITATION_MAX_LIFETIME)")
	f.IntVar(&cfg.InvitationMaxUses, "invitation-max-uses", octoinvite.DefaultInvitationMaxUses, "the most registrations one invitation may allow with MaxUses (OCTOINVITE_INVITATION_MAX_USES)")
	f.DurationVar(&cfg.InvitationRetention, "invitation-retention", 30*24*time.Hour, "how long used-up, revoked and expired invitations are kept before they are purged; 0 keeps them (OCTOINVITE_INVITATION_RETENTION)")
	f.DurationVar(&cfg.PurgeInterval, "purge-interval", time.Hour, "how often the purge of old invitations runs (OCTOINVITE_PURGE_INTERVAL)")
	f.StringVar(&cfg.MetricsListen, "metrics-listen", "", "a private address serving /metrics, /healthz and /readyz without a key, such as 127.0.0.1:9090; on the main address /metrics needs an administrator's key (OCTOINVITE_METRICS_LISTEN)")
	f.StringVar(&cfg.PprofListen, "pprof-listen", "", "a loopback address serving Go's profiles (/debug/pprof/) without a key, such as 127.0.0.1:6060; off by default; profiles show what the process holds and does, so any other address is refused (OCTOINVITE_PPROF_LISTEN)")
	f.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json (OCTOINVITE_LOG_FORMAT)")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", ohttp.DefaultMaxBodyBytes, "largest request body accepted (OCTOINVITE_MAX_BODY_BYTES)")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long to let in-flight requests finish on SIGINT or SIGTERM (OCTOINVITE_SHUTDOWN_TIMEOUT)")
	f.IntVar(&cfg.AuthFailureLimit, "auth-failure-limit", ohttp.DefaultAuthFailureLimit, "failed authentications and registrations one client address may make at once before it is answered 429 (OCTOINVITE_AUTH_FAILURE_LIMIT)")
	f.DurationVar(&cfg.AuthFailureWindow, "auth-failure-window", ohttp.DefaultAuthFailureWindow, "time over which an address's failure budget refills (OCTOINVITE_AUTH_FAILURE_WINDOW)")
	f.StringSliceVar(&cfg.TrustedProxies, "trusted-proxies", nil, "comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For names the client; by default it is never read (OCTOINVITE_TRUSTED_PROXIES)")
	f.IntVar(&cfg.IPv6Prefix, "ipv6-prefix", ohttp.DefaultIPv6Prefix, "length of the prefix by which IPv6 clients share a failure budget, 32 to 128 (OCTOINVITE_IPV6_PREFIX)")
	f.StringVar(&cfg.PublicURL, "public-url", "", "the address people reach the server at, such as https://octo.example.com: invitation links, on the pages and in emails, are built on it, and cookies are Secure when it is https; required with --smtp-url; by default links use the address each request reached, which behind a proxy is the proxy's (OCTOINVITE_PUBLIC_URL)")
	f.StringVar(&cfg.InstanceName, "instance-name", "octoinvite", "the name of this installation, shown on its pages and in its emails (OCTOINVITE_INSTANCE_NAME)")
	f.StringVar(&cfg.AdminPassword, "admin-password", "", "the first administrator's password, set at start if they have none yet; other users see flags in the process list: prefer the variable or --admin-password-file (OCTOINVITE_ADMIN_PASSWORD)")
	f.StringVar(&cfg.AdminPasswordFile, "admin-password-file", "", "a file holding the first administrator's password (OCTOINVITE_ADMIN_PASSWORD_FILE)")
	f.DurationVar(&cfg.SessionLifetime, "session-lifetime", octoinvite.DefaultSessionLifetime, "how long a session signed in with a password lasts, however much it is used (OCTOINVITE_SESSION_LIFETIME)")
	f.DurationVar(&cfg.SessionIdleTimeout, "session-idle-timeout", octoinvite.DefaultSessionIdleTimeout, "how long a session lasts without a request (OCTOINVITE_SESSION_IDLE_TIMEOUT)")
	f.StringVar(&cfg.SMTPURL, "smtp-url", "", "the mail server that emails invitations: smtp://user:password@host:587 (STARTTLS required), smtps://user:password@host:465 (TLS), or smtp://127.0.0.1:1025?tls=none; it holds a password: prefer the variable (OCTOINVITE_SMTP_URL)")
	f.StringVar(&cfg.SMTPFrom, "smtp-from", "", "the sender of emails, such as \"octoinvite <noreply@example.com>\" (OCTOINVITE_SMTP_FROM)")
	f.StringVar(&cfg.EmailTemplates, "email-templates", "", "a folder of templates replacing the built-in ones, checked at start: invitation.subject.tmpl, invitation.txt.tmpl, invitation.html.tmpl, and the same for accepted (OCTOINVITE_EMAIL_TEMPLATES)")
	f.DurationVar(&cfg.EmailRetryFor, "email-retry-for", octoinvite.DefaultEmailRetryFor, "how long an email that the mail server does not take is retried before it fails (OCTOINVITE_EMAIL_RETRY_FOR)")
	f.DurationVar(&cfg.EmailRetryDelay, "email-retry-delay", octoinvite.DefaultEmailRetryDelay, "the pause after an email's first failure, doubled after each further one up to an hour, less random jitter (OCTOINVITE_EMAIL_RETRY_DELAY)")
	f.DurationVar(&cfg.EmailLease, "email-lease", delivery.DefaultLease, "how long an instance holds the emails it is sending; a message being sent by an instance that stops is sent by another after it; one send may take half of it (OCTOINVITE_EMAIL_LEASE)")
	f.BoolVar(&cfg.NotifyInviter, "notify-inviter", true, "email the creator of an invitation sent to an address when it is accepted, if the creator has an address (OCTOINVITE_NOTIFY_INVITER)")
	return cmd
}

// readKeyFiles reads the keys that the configuration names files of into AdminAPIKey and
// MasterKey. A key given both ways is refused.
func (cfg *serveConfig) readKeyFiles() error {
	for _, k := range []struct {
		flag, fileFlag, path string
		dst                  *string
	}{
		{"--admin-api-key", "--admin-api-key-file", cfg.AdminAPIKeyFile, &cfg.AdminAPIKey},
		{"--master-key", "--master-key-file", cfg.MasterKeyFile, &cfg.MasterKey},
	} {
		if k.path == "" {
			continue
		}
		if *k.dst != "" {
			return fmt.Errorf("give %s or %s, not both", k.flag, k.fileFlag)
		}
		key, err := readSecretFile(k.fileFlag, k.path)
		if err != nil {
			return err
		}
		*k.dst = key
	}
	if cfg.AdminPasswordFile != "" {
		if cfg.AdminPassword != "" {
			return errors.New("give --admin-password or --admin-password-file, not both")
		}
		b, err := os.ReadFile(cfg.AdminPasswordFile)
		if err != nil {
			return fmt.Errorf("invalid --admin-password-file: %v", err)
		}
		// Only the line's end is not part of the password: spaces may be.
		cfg.AdminPassword = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if cfg.AdminPassword == "" {
			return fmt.Errorf("invalid --admin-password-file: the file %s is empty", cfg.AdminPasswordFile)
		}
	}
	return nil
}

func (cfg *serveConfig) validate() error {
	cfg.trustedProxies = nil
	for _, p := range cfg.TrustedProxies {
		p = strings.TrimSpace(p)
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("invalid --trusted-proxies %q: name an address such as 10.0.0.5 or a network such as 10.0.0.0/8", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		cfg.trustedProxies = append(cfg.trustedProxies, prefix.Masked())
	}
	switch {
	case cfg.InvitationLifetime < time.Minute:
		return fmt.Errorf("invalid --invitation-lifetime %s: it must be at least 1m", cfg.InvitationLifetime)
	case cfg.InvitationMaxLifetime < cfg.InvitationLifetime:
		return fmt.Errorf("invalid --invitation-max-lifetime %s: it must be at least --invitation-lifetime (%s)", cfg.InvitationMaxLifetime, cfg.InvitationLifetime)
	case cfg.InvitationMaxUses < 1:
		return fmt.Errorf("invalid --invitation-max-uses %d: it must be at least 1", cfg.InvitationMaxUses)
	case cfg.InvitationRetention < 0:
		return fmt.Errorf("invalid --invitation-retention %s: it must not be negative", cfg.InvitationRetention)
	case cfg.PurgeInterval < time.Minute:
		return fmt.Errorf("invalid --purge-interval %s: it must be at least 1m", cfg.PurgeInterval)
	case cfg.LogFormat != "text" && cfg.LogFormat != "json":
		return fmt.Errorf("invalid --log-format %q: use text or json", cfg.LogFormat)
	case cfg.MaxBodyBytes < 1024:
		return fmt.Errorf("invalid --max-body-bytes %d: it must be at least 1024", cfg.MaxBodyBytes)
	case cfg.AdminAPIKey != "" && !octoinvite.ValidAPIKey(cfg.AdminAPIKey):
		return fmt.Errorf("invalid %s: it must be API- followed by 16 to 60 upper-case letters and digits", cfg.keyFlag("--admin-api-key", cfg.AdminAPIKeyFile))
	case cfg.Data == "":
		return errors.New("invalid --data: name a folder")
	case cfg.AuthFailureLimit < 1:
		return fmt.Errorf("invalid --auth-failure-limit %d: it must be at least 1", cfg.AuthFailureLimit)
	case cfg.AuthFailureWindow < time.Second:
		return fmt.Errorf("invalid --auth-failure-window %s: it must be at least 1s", cfg.AuthFailureWindow)
	case cfg.IPv6Prefix < 32 || cfg.IPv6Prefix > 128:
		return fmt.Errorf("invalid --ipv6-prefix %d: it must be between 32 and 128", cfg.IPv6Prefix)
	case cfg.DatabaseWait < 0:
		return fmt.Errorf("invalid --database-wait %s: it must not be negative", cfg.DatabaseWait)
	case cfg.SessionIdleTimeout < time.Minute:
		return fmt.Errorf("invalid --session-idle-timeout %s: it must be at least 1m", cfg.SessionIdleTimeout)
	case cfg.SessionLifetime < cfg.SessionIdleTimeout:
		return fmt.Errorf("invalid --session-lifetime %s: it must be at least --session-idle-timeout (%s)", cfg.SessionLifetime, cfg.SessionIdleTimeout)
	case strings.TrimSpace(cfg.InstanceName) == "" || len(cfg.InstanceName) > 100:
		return errors.New("invalid --instance-name: name the installation in 1 to 100 characters")
	case strings.ContainsFunc(cfg.InstanceName, unicode.IsControl):
		// It is the subject of emails, where a line break would start a header.
		return errors.New("invalid --instance-name: it must be one line, without control characters")
	}
	cfg.publicURL = nil
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("invalid --public-url %q: it must be an http or https address such as https://octoinvite.example.com, without a query", cfg.PublicURL)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		cfg.publicURL = u
	}
	if cfg.Database != "" {
		u, err := url.Parse(cfg.Database)
		if err != nil || (!strings.EqualFold(u.Scheme, "postgres") && !strings.EqualFold(u.Scheme, "postgresql")) || u.Host == "" {
			return errors.New("invalid --database: it must be a URL such as postgres://user:password@host:5432/database")
		}
	}
	if _, _, err := net.SplitHostPort(cfg.Listen); err != nil {
		return fmt.Errorf("invalid --listen %q: %v", cfg.Listen, err)
	}
	if err := cfg.validateEmail(); err != nil {
		return err
	}
	if cfg.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsListen); err != nil {
			return fmt.Errorf("invalid --metrics-listen %q: %v", cfg.MetricsListen, err)
		}
	}
	if cfg.PprofListen != "" {
		// A host name is refused too, even localhost: what it resolves to is not this
		// configuration's to check.
		host, _, err := net.SplitHostPort(cfg.PprofListen)
		if addr, perr := netip.ParseAddr(host); err != nil || perr != nil || !addr.Unmap().IsLoopback() {
			return fmt.Errorf("invalid --pprof-listen %q: it must be a loopback address such as 127.0.0.1:6060 or [::1]:6060, since profiles show what the process holds and does to anyone who can connect", cfg.PprofListen)
		}
	}
	return nil
}

// validateEmail checks the email settings and loads the templates, so that a mistake in
// either stops the start with a message saying what is wrong.
func (cfg *serveConfig) validateEmail() error {
	if cfg.SMTPURL == "" {
		if cfg.SMTPFrom != "" || cfg.EmailTemplates != "" {
			return errors.New("--smtp-from and --email-templates need --smtp-url: the mail server to send through")
		}
		return nil
	}
	var err error
	if cfg.smtp, err = smtp.ParseURL(cfg.SMTPURL, cfg.SMTPFrom); err != nil {
		return err
	}
	switch {
	case cfg.PublicURL == "":
		return errors.New("--public-url is required with --smtp-url: the address people open the links of emails at, such as https://octoinvite.example.com")
	case cfg.EmailRetryFor < time.Minute:
		return fmt.Errorf("invalid --email-retry-for %s: it must be at least 1m", cfg.EmailRetryFor)
	case cfg.EmailRetryDelay < 10*time.Millisecond || cfg.EmailRetryDelay > cfg.EmailRetryFor:
		return fmt.Errorf("invalid --email-retry-delay %s: it must be at least 10ms and at most --email-retry-for", cfg.EmailRetryDelay)
	case cfg.EmailLease < time.Second:
		return fmt.Errorf("invalid --email-lease %s: it must be at least 1s", cfg.EmailLease)
	}
	cfg.templates, err = smtp.LoadTemplates(cfg.EmailTemplates)
	return err
}

// keyFlag names where a key came from, for a message about it: the flag of its value, or the
// flag of its file when it came from one.
func (cfg *serveConfig) keyFlag(flag, file string) string {
	if file != "" {
		return flag + "-file " + file
	}
	return flag
}

func serve(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	// Every request writes a log line: a goroutine of its own writes them, many per write.
	logOutput := newLogWriter(stderr)
	defer logOutput.Close()
	var handler slog.Handler = slog.NewTextHandler(logOutput, nil)
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(logOutput, nil)
	}
	logger := slog.New(handler)

	// Bind first: a port that is taken fails the start before anything is created, rather than
	// after a new installation printed its administrator's key, which no second start prints.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	defer ln.Close()
	var opsLn net.Listener
	if cfg.MetricsListen != "" {
		if opsLn, err = net.Listen("tcp", cfg.MetricsListen); err != nil {
			return fmt.Errorf("listening on %s (--metrics-listen): %w", cfg.MetricsListen, err)
		}
		defer opsLn.Close()
	}
	var pprofLn net.Listener
	if cfg.PprofListen != "" {
		if pprofLn, err = net.Listen("tcp", cfg.PprofListen); err != nil {
			return fmt.Errorf("listening on %s (--pprof-listen): %w", cfg.PprofListen, err)
		}
		defer pprofLn.Close()
	}

	if cfg.Database == "" || cfg.MasterKey == "" {
		if err := makeDataFolder(cfg.Data); err != nil {
			return err
		}
	}
	if cfg.Database == "" {
		lock, err := lockDataFolder(cfg.Data)
		if err != nil {
			return err
		}
		defer lock.Close() // after the store closes: deferred calls run last first
	}
	db, where, masterKey, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Database == "" || cfg.MasterKey == "" {
		warnOpenModes(cfg.Data, logger)
	}
	db.InvitationLifetime = cfg.InvitationLifetime
	db.InvitationMaxLifetime = cfg.InvitationMaxLifetime
	db.InvitationMaxUses = cfg.InvitationMaxUses
	db.SessionLifetime = cfg.SessionLifetime
	db.SessionIdleTimeout = cfg.SessionIdleTimeout
	var mailer *smtp.Mailer
	if cfg.smtp != nil {
		if mailer, err = smtp.NewMailer(cfg.smtp, cfg.templates); err != nil {
			return err
		}
		defer mailer.Close()
		db.Email = &sqldb.EmailSettings{MessageIDDomain: cfg.smtp.Domain(), NotifyInviter: cfg.NotifyInviter}
		if cfg.smtp.Security == smtp.NoTLS && !smtp.Loopback(cfg.smtp.Host) {
			logger.Warn("emails go to the mail server unencrypted (tls=none): use it only for a server on this machine", slog.String("host", cfg.smtp.Host))
		}
	}

	if err := ensureAdminKey(ctx, db, cfg.AdminAPIKey, stderr); err != nil {
		return err
	}
	if err := ensureAdminPassword(ctx, db, cfg, logger); err != nil {
		return err
	}

	metrics := prometheus.NewMetrics(db)
	api := &ohttp.Server{
		Spaces: db, Teams: db, Users: db, Invitations: metrics.Invitations(db), Auth: db,
		Registrations: metrics.Registrations(db), Sessions: db, APIKeys: db, Events: db, Resender: db, Passwords: db,
		Logger:            logger,
		Application:       "octoinvite",
		Version:           version(),
		InstallationID:    db.InstallationID(),
		MaxBodyBytes:      cfg.MaxBodyBytes,
		AuthFailureLimit:  cfg.AuthFailureLimit,
		AuthFailureWindow: cfg.AuthFailureWindow,
		TrustedProxies:    cfg.trustedProxies,
		IPv6Prefix:        cfg.IPv6Prefix,
		Observer:          metrics,
		Metrics:           metrics.Handler(logger),
		Ping:              db.Ping,
		PublicURL:         cfg.publicURL,
	}
	api.Web = web.New(web.Config{
		Accounts: api, Registrations: api.Registrations, Sessions: api.Sessions, Users: api.Users, APIKeys: api.APIKeys,
		Passwords: api.Passwords, Invitations: api.Invitations, Spaces: api.Spaces, Teams: api.Teams, Events: api.Events,
		Resender: api.Resender, EmailEnabled: func() bool { return db.Email != nil },
		InstanceName: cfg.InstanceName, Application: api.Application, Secret: masterKey, Logger: logger,
		InvitationLifetime: cfg.InvitationLifetime, InvitationMaxLifetime: cfg.InvitationMaxLifetime, InvitationMaxUses: cfg.InvitationMaxUses,
	})
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    ohttp.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	attrs := []any{slog.String("address", "http://"+ln.Addr().String()), slog.String("database", where), slog.String("version", version())}
	if opsLn != nil {
		attrs = append(attrs, slog.String("metrics_address", "http://"+opsLn.Addr().String()))
	}
	if pprofLn != nil {
		attrs = append(attrs, slog.String("pprof_address", "http://"+pprofLn.Addr().String()))
	}
	if cfg.smtp != nil {
		attrs = append(attrs, slog.String("smtp", redactURL(cfg.SMTPURL)))
	}
	logger.Info("listening", attrs...)

	jobCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	if cfg.InvitationRetention > 0 {
		job := &purgeJob{store: db, retention: cfg.InvitationRetention, interval: cfg.PurgeInterval, logger: logger, metrics: metrics}
		go func() { defer close(jobsDone); job.run(jobCtx) }()
	} else {
		close(jobsDone)
	}
	emailDone := make(chan struct{})
	if mailer != nil {
		worker := &delivery.Worker{Outbox: db, Sender: mailer, PublicURL: cfg.publicURL.String(), Product: cfg.InstanceName,
			Wake: db.EmailQueued(), RetryDelay: cfg.EmailRetryDelay, RetryFor: cfg.EmailRetryFor, Lease: cfg.EmailLease, Now: db.Now,
			Observer: metrics, Logger: logger}
		go func() { defer close(emailDone); worker.Run(jobCtx) }()
	} else {
		close(emailDone)
	}
	// The purge and the email worker stop before the store closes, whatever way serve returns.
	defer func() { stopJobs(); <-jobsDone; <-emailDone }()

	errc := make(chan error, 3)
	go func() { errc <- srv.Serve(api.Listener(ln)) }()
	var opsSrv *http.Server
	if opsLn != nil {
		opsSrv = &http.Server{Handler: api.OperationsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second,
			ErrorLog: slog.NewLogLogger(handler, slog.LevelWarn)}
		go func() { errc <- opsSrv.Serve(api.Listener(opsLn)) }()
	}
	if pprofLn != nil {
		// No write timeout: a CPU profile or a trace answers after the seconds it was asked
		// for, and net/http/pprof refuses a duration beyond the server's WriteTimeout.
		pprofSrv := &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(handler, slog.LevelWarn)}
		// Closed rather than drained: a profile being taken when the server stops is cut
		// short, rather than holding the shutdown for as many seconds as it was asked for.
		defer pprofSrv.Close()
		go func() { errc <- pprofSrv.Serve(pprofLn) }()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", slog.Duration("timeout", cfg.ShutdownTimeout))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	stopJobs()
	if opsSrv != nil {
		_ = opsSrv.Shutdown(shutdownCtx)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// pprofHandler serves net/http/pprof's handlers under /debug/pprof/, on a mux of its own:
// importing net/http/pprof also registers them on http.DefaultServeMux, which no server of
// octoinvite serves.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // the index, and every profile by its name (heap, allocs, goroutine...)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// openStore opens the store the configuration names and returns it with a description of where
// it is, for the log (the SQLite file in the data folder, or the PostgreSQL database), and the
// master key, from which the pages derive the key of their forms' tokens.
func openStore(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*sqldb.DB, string, []byte, error) {
	if cfg.Database == "" {
		dbPath := filepath.Join(cfg.Data, databaseFile)
		masterKey, _, err := loadMasterKey(cfg, dbPath)
		if err != nil {
			return nil, "", nil, err
		}
		if err := createPrivate(dbPath); err != nil {
			return nil, "", nil, fmt.Errorf("creating the database %s: %w", dbPath, err)
		}
		db, err := sqldb.OpenSQLite(ctx, dbPath, masterKey)
		if err != nil {
			return nil, "", nil, fmt.Errorf("opening the database %s: %w", dbPath, err)
		}
		return db, dbPath, masterKey, nil
	}
	where := redactURL(cfg.Database)
	masterKey, created, err := loadMasterKey(cfg, "")
	if err != nil {
		return nil, "", nil, err
	}
	db, err := openPostgres(ctx, cfg, logger, where, masterKey)
	if err != nil && created {
		// The key file made for a new database is of no use with an existing one, or with
		// none: leave the data folder as it was.
		_ = os.Remove(filepath.Join(cfg.Data, masterKeyFile))
	}
	if errors.Is(err, sqldb.ErrWrongMasterKey) {
		return nil, "", nil, fmt.Errorf("%w (every server on one database needs the same --master-key)", err)
	} else if err != nil {
		return nil, "", nil, err
	}
	return db, where, masterKey, nil
}

// openPostgres opens the PostgreSQL database, retrying with growing pauses while it does not
// answer, for at most cfg.DatabaseWait: a server often starts alongside its database.
func openPostgres(ctx context.Context, cfg serveConfig, logger *slog.Logger, where string, masterKey []byte) (*sqldb.DB, error) {
	deadline := time.Now().Add(cfg.DatabaseWait)
	pause := 250 * time.Millisecond
	for {
		db, err := sqldb.OpenPostgres(ctx, cfg.Database, masterKey)
		if err == nil {
			return db, nil
		} else if !errors.Is(err, sqldb.ErrUnavailable) {
			return nil, fmt.Errorf("opening the database %s: %w", where, err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("the database %s did not answer within %s (--database-wait): %w", where, cfg.DatabaseWait, err)
		}
		pause = min(pause, left)
		logger.Warn("waiting for the database", slog.String("database", where), slog.Duration("retry_in", pause), slog.String("error", err.Error()))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("opening the database %s: %w", where, ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// redactURL returns the database URL with its password hidden, for messages and the log.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the --database URL"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// loadMasterKey returns the master key: from the configuration if given, else from the key file
// in the data folder, which is created (0600) with a fresh key, and created reported, when none
// exists. With SQLite (dbPath not empty), a database without its key file is refused: a new key
// could not open its secrets. With PostgreSQL the database decides: it refuses a key other than
// the one it was created with.
func loadMasterKey(cfg serveConfig, dbPath string) (key []byte, created bool, err error) {
	if cfg.MasterKey != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.MasterKey))
		if err != nil || len(key) != sqldb.MasterKeySize {
			return nil, false, usagef("invalid %s: it must be the base64 of %d bytes", cfg.keyFlag("--master-key", cfg.MasterKeyFile), sqldb.MasterKeySize)
		}
		return key, false, nil
	}
	path := filepath.Join(cfg.Data, masterKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != sqldb.MasterKeySize {
			return nil, false, fmt.Errorf("the master key file %s is damaged: it must hold the base64 of %d bytes", path, sqldb.MasterKeySize)
		}
		return key, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, fmt.Errorf("reading the master key file: %w", err)
	}
	if dbPath != "" {
		if _, err := os.Stat(dbPath); err == nil {
			return nil, false, fmt.Errorf("the master key file %s is missing, but the database %s exists: restore the key file, or give the key with --master-key", path, dbPath)
		}
	}
	key = make([]byte, sqldb.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, err
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), dataFileMode); err != nil {
		return nil, false, fmt.Errorf("writing the master key file: %w", err)
	}
	return key, true, nil
}

// ensureAdminKey installs the configured administrator key, or, when none is configured and the
// administrator has no key yet, generates one and prints it once.
func ensureAdminKey(ctx context.Context, db *sqldb.DB, configured string, stderr io.Writer) error {
	if configured != "" {
		if err := db.EnsureAdminAPIKey(ctx, configured); err != nil {
			if details := octoinvite.ErrorDetails(err); len(details) > 0 {
				return fmt.Errorf("installing the administrator API key: %s", strings.Join(details, " "))
			}
			return fmt.Errorf("installing the administrator API key: %w", err)
		}
		return nil
	}
	n, err := db.CountActiveAPIKeys(ctx, octoinvite.AdminUserID)
	if err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	key, err := db.CreateAPIKey(ctx, octoinvite.AdminUserID, "Generated at first start")
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "\nThe administrator's API key, shown this once (keep it; only its digest is stored):\n\n    %s\n\n", key.APIKey)
	return nil
}

// ensureAdminPassword gives the first administrator the configured password if they have none
// yet. A password set before, at an earlier start or by the administrator, is kept: the
// configuration sets the first password, and never undoes a change.
func ensureAdminPassword(ctx context.Context, db *sqldb.DB, cfg serveConfig, logger *slog.Logger) error {
	if cfg.AdminPassword == "" {
		return nil
	}
	set, err := db.SetInitialPassword(ctx, octoinvite.AdminUserID, cfg.AdminPassword, []string{"octoinvite", cfg.InstanceName})
	if details := octoinvite.ErrorDetails(err); octoinvite.ErrorCode(err) == octoinvite.EINVALID && len(details) > 0 {
		return usagef("invalid administrator password (OCTOINVITE_ADMIN_PASSWORD or --admin-password-file): %s",
			strings.Replace(strings.Join(details, " "), " (Password)", "", 1))
	} else if err != nil {
		return fmt.Errorf("setting the administrator's password: %w", err)
	}
	if set {
		logger.Info("the administrator's password was set from the configuration", slog.String("user", octoinvite.AdminUserID))
	} else {
		logger.Info("the administrator has a password already: the configured one is not used", slog.String("user", octoinvite.AdminUserID))
	}
	return nil
}
