package smtp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/mailpittest"
)

// TestMain says on one line, in the output of go test ./..., how many tests skipped for want of
// mailpit.
func TestMain(m *testing.M) { mailpittest.Main(m) }

func TestParseURL(t *testing.T) {
	t.Parallel()
	const from = "octoinvite <noreply@example.com>"
	for _, c := range []struct {
		url, from string
		want      Config
		err       string
	}{
		{url: "smtp://user:p%40ss@mail.example.com:587", from: from, want: Config{Host: "mail.example.com", Port: 587, Security: STARTTLS, Username: "user", Password: "p@ss"}},
		{url: "smtp://mail.example.com", from: from, want: Config{Host: "mail.example.com", Port: 587, Security: STARTTLS}},
		{url: "smtps://u:p@mail.example.com", from: from, want: Config{Host: "mail.example.com", Port: 465, Security: ImplicitTLS, Username: "u", Password: "p"}},
		{url: "smtp://127.0.0.1:1025?tls=none", from: "noreply@example.com", want: Config{Host: "127.0.0.1", Port: 1025, Security: NoTLS}},
		{url: "smtps://mail.example.com?tls=none", from: from, err: "invalid --smtp-url: tls=none is the one setting of tls, and only with smtp://"},
		{url: "smtp://mail.example.com?tls=yes", from: from, err: "invalid --smtp-url: tls=none is the one setting of tls, and only with smtp://"},
		{url: "smtp://mail.example.com?auth=plain", from: from, err: `invalid --smtp-url: unknown parameter "auth" (the one parameter is tls=none)`},
		{url: "http://mail.example.com", from: from, err: `invalid --smtp-url: the scheme must be smtp (STARTTLS) or smtps (implicit TLS), not "http"`},
		{url: "smtp://:25", from: from, err: "invalid --smtp-url: it names no host"},
		{url: "smtp://mail.example.com:99999", from: from, err: `invalid --smtp-url: the port "99999" is not a number from 1 to 65535`},
		{url: "smtp://user:secret@mail.example.com/x", from: from, err: "invalid --smtp-url: it has no path, only smtp://host:port"},
		{url: "smtp://mail.example.com", from: "", err: `--smtp-from is required with --smtp-url: the sender's address, such as "octoinvite <noreply@example.com>"`},
		{url: "smtp://mail.example.com", from: "noreply@example.com\r\nBcc: eve@example.com", err: "invalid --smtp-from: it must be one line"},
		{url: "smtp://mail.example.com", from: "not an address", err: `invalid --smtp-from "not an address": mail: no angle-addr; give an address such as "octoinvite <noreply@example.com>"`},
	} {
		cfg, err := ParseURL(c.url, c.from)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: got %v, want %q", c.url, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: the error repeats the password: %v", c.url, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		c.want.From, c.want.Timeout = cfg.From, DefaultTimeout
		if *cfg != c.want {
			t.Errorf("%s: got %+v, want %+v", c.url, *cfg, c.want)
		}
	}
}

func TestLoadTemplates(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	t.Run("Replaced", func(t *testing.T) {
		tpl, err := LoadTemplates(write(t, map[string]string{"invitation.subject.tmpl": "Join {{.Product}}, from {{.InviterName}}"}))
		if err != nil {
			t.Fatal(err)
		}
		subject, text, html, err := tpl.Compose(sampleEmail())
		if err != nil {
			t.Fatal(err)
		}
		if subject != "Join octoinvite, from Ann <b>" || !strings.Contains(text, "https://x.example/app/register?invitation=abc") ||
			!strings.Contains(html, "Ann &lt;b&gt;") {
			t.Errorf("composed %q\n%s\n%s", subject, text, html)
		}
	})
	for _, c := range []struct {
		name  string
		files map[string]string
		err   string
	}{
		{"Unparsable", map[string]string{"invitation.html.tmpl": "{{.Link"}, "email template DIR/invitation.html.tmpl: template: DIR/invitation.html.tmpl:1: unclosed action"},
		{"UnknownField", map[string]string{"accepted.txt.tmpl": "{{.Code}}"}, `email template DIR/accepted.txt.tmpl: template: DIR/accepted.txt.tmpl:1:2: executing "DIR/accepted.txt.tmpl" at <.Code>: can't evaluate field Code in type *smtp.Message`},
		{"SubjectOfTwoLines", map[string]string{"invitation.subject.tmpl": "Hello\nBcc: eve@example.com"}, "email template DIR/invitation.subject.tmpl: the subject holds a line break"},
		{"Misspelt", map[string]string{"invitation.text.tmpl": "x"}, "email templates: DIR/invitation.text.tmpl replaces no template; the files a template folder may hold are invitation.subject.tmpl, invitation.txt.tmpl, invitation.html.tmpl, accepted.subject.tmpl, accepted.txt.tmpl, accepted.html.tmpl"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := write(t, c.files)
			_, err := LoadTemplates(dir)
			if want := strings.ReplaceAll(c.err, "DIR", dir); err == nil || err.Error() != want {
				t.Errorf("got %v, want %s", err, want)
			}
		})
	}
	if _, err := LoadTemplates(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("a missing folder: got %v", err)
	}
}

func sampleEmail() *octoinvite.Email {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	return &octoinvite.Email{Kind: octoinvite.EmailInvitation, To: "jane@example.com", MessageID: "m.1@example.com", Product: "octoinvite",
		InviterName: "Ann <b>", Invitation: &octoinvite.Invitation{ID: "Invitations-1", Expires: octoinvite.NewTime(now.Add(48 * time.Hour))},
		SpaceName: "Default", TeamNames: []string{"A", "B"}, Link: "https://x.example/app/register?invitation=abc", Now: now}
}

// TestCompose_NoHeaderInjection: no field of an email can add a header.
func TestCompose_NoHeaderInjection(t *testing.T) {
	t.Parallel()
	tpl, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseURL("smtp://127.0.0.1:1?tls=none", "octoinvite <noreply@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMailer(cfg, tpl)
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(e *octoinvite.Email){
		"Recipient":   func(e *octoinvite.Email) { e.To = "jane@example.com\r\nBcc: eve@example.com" },
		"MessageID":   func(e *octoinvite.Email) { e.MessageID = "m@x>\r\nBcc: eve@example.com" },
		"InviterName": func(e *octoinvite.Email) { e.InviterName = "Ann\r\nBcc: eve@example.com" },
		"Product":     func(e *octoinvite.Email) { e.Product = "x\nBcc: eve@example.com" },
	} {
		e := sampleEmail()
		change(e)
		err := m.SendEmail(context.Background(), e)
		var permanent *octoinvite.PermanentEmailError
		if !errors.As(err, &permanent) {
			t.Errorf("%s with a line break: got %v, want a permanent refusal before any connection", name, err)
		}
	}
	// Every header of a message composed from ordinary fields is one the mailer set.
	msg, err := m.Compose(sampleEmail())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := msg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(b.String(), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		if strings.EqualFold(name, "Bcc") || strings.EqualFold(name, "Cc") {
			t.Errorf("unexpected header %q", line)
		}
	}
	if !strings.Contains(head, "Message-ID: <m.1@example.com>") || !strings.Contains(head, "Subject: Ann <b> invited you to octoinvite") {
		t.Errorf("headers:\n%s", head)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and returns their paths
// and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestMailer_TLS sends through mailpit with STARTTLS and with implicit TLS, with a password,
// and refuses a server that offers no STARTTLS when the URL asks for it.
func TestMailer_TLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	tpl, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	send := func(t *testing.T, url string) error {
		cfg, err := ParseURL(url, "octoinvite <noreply@example.com>")
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
		m, err := NewMailer(cfg, tpl)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		return m.SendEmail(context.Background(), sampleEmail())
	}
	t.Run("STARTTLS", func(t *testing.T) {
		mp := mailpittest.Start(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls")
		if err := send(t, "smtp://user:secret@"+mp.SMTP); err != nil {
			t.Fatal(err)
		}
		if msgs := mp.WaitFor(t, 1, 10*time.Second); msgs[0].To[0].Address != "jane@example.com" {
			t.Errorf("received %+v", msgs)
		}
	})
	t.Run("ImplicitTLS", func(t *testing.T) {
		mp := mailpittest.Start(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-tls")
		if err := send(t, "smtps://user:secret@"+mp.SMTP); err != nil {
			t.Fatal(err)
		}
		mp.WaitFor(t, 1, 10*time.Second)
	})
	t.Run("STARTTLSRequired", func(t *testing.T) {
		mp := mailpittest.Start(t)
		err := send(t, "smtp://"+mp.SMTP)
		var permanent *octoinvite.PermanentEmailError
		if err == nil || errors.As(err, &permanent) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("a server without STARTTLS: got %v, want a temporary failure naming STARTTLS", err)
		}
		if n := len(mp.Messages(t)); n != 0 {
			t.Errorf("%d messages went out without TLS", n)
		}
	})
}
