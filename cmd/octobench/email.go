package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// emailResult is what one round of the email benchmark measured.
type emailResult struct {
	plain, emailed float64 // invitations created per second, without and with an address
	delivered      float64 // emailed invitations per second from the first creation to the last delivery
	created        int     // emailed invitations created in the round
}

// runEmail measures email: octoinvite runs with mailpit as its mail server; each round creates
// invitations without an address, then with one, at the largest -concurrency for -duration
// each, and waits until mailpit received a message for every emailed invitation. It returns
// the report.
func (b *bench) runEmail(ctx context.Context) (string, error) {
	conc := slices.Max(b.cfg.Concurrency)
	b.binary = filepath.Join(b.work, "octoinvite")
	b.logf("building octoinvite into %s", b.binary)
	build := exec.CommandContext(ctx, "go", "build", "-o", b.binary, "./cmd/octoinvite")
	build.Stdout, build.Stderr = b.log, b.log
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building octoinvite: %w", err)
	}
	smtpAddr, apiAddr := freeAddr(), freeAddr()
	mailpit := exec.CommandContext(ctx, b.cfg.Email, "--smtp", smtpAddr, "--listen", apiAddr, "--database", filepath.Join(b.work, "mailpit.db"),
		"--max", "0", "--disable-version-check", "--quiet", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	if err := mailpit.Start(); err != nil {
		return "", fmt.Errorf("starting mailpit: %w", err)
	}
	defer func() { _ = mailpit.Process.Kill(); _ = mailpit.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := mailpitTotal("http://" + apiAddr); err == nil {
			break
		} else if time.Now().After(deadline) {
			return "", fmt.Errorf("mailpit did not answer: %w", err)
		}
	}
	data := filepath.Join(b.work, "data-email")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", err
	}
	octo, _, err := startOctoinvite(ctx, b.binary, data, adminKey, "--smtp-url", "smtp://"+smtpAddr+"?tls=none",
		"--smtp-from", "octobench <bench@example.com>", "--public-url", "http://octobench.example.com")
	if err != nil {
		return "", err
	}
	defer octo.stop()
	var results []emailResult
	var sent atomic.Int64
	for round := 1; round <= b.cfg.Rounds; round++ {
		var r emailResult
		if r.plain, _, err = b.createInvitations(octo.url, conc, func(int64) string { return invitationBody }); err != nil {
			return "", err
		}
		before, err := mailpitTotal("http://" + apiAddr)
		if err != nil {
			return "", err
		}
		start := time.Now()
		r.emailed, r.created, err = b.createInvitations(octo.url, conc, func(int64) string {
			return fmt.Sprintf(`{"AddToTeamIds":["teams-everyone"],"SpaceId":"Spaces-1","EmailAddress":"bench-%d@example.com"}`, sent.Add(1))
		})
		if err != nil {
			return "", err
		}
		for {
			total, err := mailpitTotal("http://" + apiAddr)
			if err != nil {
				return "", err
			}
			if total-before >= r.created {
				break
			}
			if time.Since(start) > 10*b.cfg.Duration+time.Minute {
				return "", fmt.Errorf("round %d: %d of %d emails arrived", round, total-before, r.created)
			}
			time.Sleep(5 * time.Millisecond)
		}
		r.delivered = float64(r.created) / time.Since(start).Seconds()
		b.logf("round %d: %.0f invitations/s without email, %.0f/s with, %d emails delivered at %.0f/s",
			round, r.plain, r.emailed, r.created, r.delivered)
		results = append(results, r)
	}
	median := func(f func(emailResult) float64) float64 {
		v := make([]float64, len(results))
		for i, r := range results {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	plain, emailed, delivered := median(func(r emailResult) float64 { return r.plain }), median(func(r emailResult) float64 { return r.emailed }),
		median(func(r emailResult) float64 { return r.delivered })
	var out strings.Builder
	fmt.Fprintf(&out, "| %d connections, median of %d rounds of %s | per second | ratio to without email |\n| --- | ---: | ---: |\n", conc, b.cfg.Rounds, b.cfg.Duration)
	fmt.Fprintf(&out, "| invitations created, without email | %.0f | 1.00 |\n", plain)
	fmt.Fprintf(&out, "| invitations created, each with an address | %.0f | %.2f |\n", emailed, emailed/plain)
	fmt.Fprintf(&out, "| emailed invitations created and delivered to mailpit | %.0f | %.2f |\n", delivered, delivered/plain)
	return out.String(), nil
}

// createInvitations posts invitations with conc connections for the round's duration and
// returns the rate of 201s and their number; any other answer is an error.
func (b *bench) createInvitations(base string, conc int, body func(int64) string) (float64, int, error) {
	header := http.Header{"X-Octopus-Apikey": {adminKey}, "Content-Type": {"application/json"}}
	var n atomic.Int64
	targets := func(t *vegeta.Target) error {
		t.Method, t.Header, t.Body, t.URL = http.MethodPost, header, []byte(body(n.Add(1))), base+"/api/Spaces-1/users/invitations"
		return nil
	}
	attacker := vegeta.NewAttacker(vegeta.Workers(uint64(conc)), vegeta.MaxWorkers(uint64(conc)),
		vegeta.Connections(conc), vegeta.MaxConnections(conc), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	start := time.Now()
	var created int
	var last time.Time
	for res := range attacker.Attack(targets, vegeta.ConstantPacer{}, b.cfg.Duration, "create") {
		if res.Code != http.StatusCreated {
			return 0, 0, fmt.Errorf("creating an invitation: %d %s %s", res.Code, res.Error, res.Body)
		}
		created++
		if end := res.Timestamp.Add(res.Latency); end.After(last) {
			last = end
		}
	}
	return float64(created) / last.Sub(start).Seconds(), created, nil
}

// mailpitTotal returns how many messages mailpit holds.
func mailpitTotal(api string) (int, error) {
	resp, err := http.Get(api + "/api/v1/messages?limit=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var page struct {
		Total int `json:"total"`
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return 0, fmt.Errorf("mailpit: %s", b)
	}
	return page.Total, nil
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}
