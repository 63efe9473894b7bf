package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/sqldb"
)

// adminKey is the administrator key of the benchmark's installations.
const adminKey = "API-BENCHMARKADMINISTRATOR0001"

// Scenarios, in the order they run.
const (
	scenarioGet      = "GET invitation"
	scenarioPost     = "POST invitation"
	scenarioMix      = "90/10 GET/POST"
	scenarioRegister = "registration"
)

var scenarios = []string{scenarioGet, scenarioPost, scenarioMix, scenarioRegister}

// invitationBody is what every POST of an invitation sends.
const invitationBody = `{"AddToTeamIds":["teams-everyone"],"SpaceId":"Spaces-1"}`

// measurement is what one server did in one scenario at one size and concurrency, over every round.
type measurement struct {
	rates   []float64 // requests per second of each round
	cpu     []float64 // the server's CPU time per request in each round, seconds
	metrics vegeta.Metrics
	// peakAnon and peakFile are the peaks of the anonymous and the file-backed resident memory
	// over the rounds (RssAnon, RssFile), sampled while the load runs, bytes.
	peakAnon, peakFile int64
	errors             map[string]int
}

func (m *measurement) rate() float64 {
	if len(m.rates) == 0 {
		return 0
	}
	r := slices.Clone(m.rates)
	slices.Sort(r)
	return r[len(r)/2]
}

// key names a row of the results.
type key struct {
	size, concurrency int
	scenario          string
}

// bench runs the benchmark and holds its results.
type bench struct {
	cfg    config
	work   string
	log    io.Writer
	binary string
	// variants are the builds of -against, driven beside octoinvite.
	variants []variant

	startup  map[int][]time.Duration // every start's time, by size
	seedTime map[int]time.Duration
	results  map[key]map[string]*measurement // by server name
	users    atomic.Int64
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func (b *bench) run(ctx context.Context) error {
	b.startup = map[int][]time.Duration{}
	b.seedTime = map[int]time.Duration{}
	b.results = map[key]map[string]*measurement{}
	b.binary = filepath.Join(b.work, "octoinvite")
	b.logf("building octoinvite into %s", b.binary)
	build := exec.CommandContext(ctx, "go", "build", "-o", b.binary, "./cmd/octoinvite")
	build.Stdout, build.Stderr = b.log, b.log
	if err := build.Run(); err != nil {
		return fmt.Errorf("building octoinvite: %w", err)
	}
	if err := b.buildVariants(ctx); err != nil {
		return err
	}
	for _, size := range b.cfg.Sizes {
		if err := b.runSize(ctx, size); err != nil {
			return err
		}
	}
	return nil
}

// runSize seeds a fresh installation with size invitations and runs every scenario on it.
func (b *bench) runSize(ctx context.Context, size int) error {
	data := filepath.Join(b.work, fmt.Sprintf("data-%d", size))
	if err := os.RemoveAll(data); err != nil {
		return err
	}
	start := time.Now()
	if err := seed(ctx, data, size); err != nil {
		return err
	}
	b.seedTime[size] = time.Since(start)
	b.logf("seeded %d invitations in %s", size, b.seedTime[size].Round(time.Millisecond))

	// The first start also records the answers the reference server gives.
	octo, err := b.startOctoinvite(ctx, size, data)
	if err != nil {
		return err
	}
	getBody, postBody, err := sampleAnswers(octo.url)
	octo.stop()
	if err != nil {
		return err
	}
	getFile, postFile := filepath.Join(b.work, "get.json"), filepath.Join(b.work, "post.json")
	if err := os.WriteFile(getFile, getBody, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(postFile, postBody, 0o644); err != nil {
		return err
	}

	var pg *postgresStore
	if b.cfg.Store != "" {
		start := time.Now()
		if pg, err = b.createPostgres(ctx, size); err != nil {
			return err
		}
		defer pg.drop()
		b.logf("seeded %d invitations on PostgreSQL in %s", size, time.Since(start).Round(time.Millisecond))
	}
	for _, scenario := range b.cfg.Scenarios {
		for _, conc := range b.cfg.Concurrency {
			if err := b.runScenario(ctx, key{size: size, concurrency: conc, scenario: scenario}, data, getFile, postFile, pg); err != nil {
				return err
			}
		}
	}
	return nil
}

// startOctoinvite starts octoinvite on the data folder, with extra flags, and records how long
// it took.
func (b *bench) startOctoinvite(ctx context.Context, size int, data string, extra ...string) (*server, error) {
	octo, startup, err := startOctoinvite(ctx, b.binary, data, adminKey, extra...)
	if err != nil {
		return nil, err
	}
	b.startup[size] = append(b.startup[size], startup)
	return octo, nil
}

// runScenario runs the rounds of one scenario at one concurrency on freshly started servers, so
// that each one's peak memory is its own.
func (b *bench) runScenario(ctx context.Context, k key, data, getFile, postFile string, pg *postgresStore) error {
	var extra []string
	if b.cfg.PprofListen != "" {
		extra = []string{"--pprof-listen", b.cfg.PprofListen}
	}
	octo, err := b.startOctoinvite(ctx, k.size, data, extra...)
	if err != nil {
		return err
	}
	defer octo.stop()
	ref, err := startReference(ctx, getFile, postFile)
	if err != nil {
		return err
	}
	defer ref.stop()
	others, err := b.startVariants(ctx, k.size, data)
	if err != nil {
		return err
	}
	defer stopAll(others)
	pgs, err := b.startPostgres(ctx, k.scenario, pg)
	if err != nil {
		return err
	}
	defer stopAll(pgs)
	builds := append([]*server{octo}, others...)
	for _, s := range pgs {
		if s.name != serverPostgresPair+" (second)" {
			builds = append(builds, s)
		}
	}
	b.results[k] = map[string]*measurement{}
	for round := 1; round <= b.cfg.Rounds; round++ {
		for _, s := range roundOrder(ref, builds, round) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			targets, err := b.targeter(k.scenario, s, k.size, k.concurrency)
			if err != nil {
				return err
			}
			m := b.results[k][s.name]
			if m == nil {
				m = &measurement{errors: map[string]int{}}
				b.results[k][s.name] = m
			}
			if s == octo && b.cfg.PprofListen != "" {
				b.logf("driving octoinvite for %s (%d invitations, %s, %d connections): its profiles are at http://%s/debug/pprof/",
					b.cfg.Duration, k.size, k.scenario, k.concurrency, b.cfg.PprofListen)
			}
			if err := b.attack(s, targets, k.concurrency, m); err != nil {
				return err
			}
		}
	}
	o, r := b.results[k]["octoinvite"], b.results[k]["reference"]
	b.logf("%d invitations, %s, %d connections: octoinvite %.0f/s, reference %.0f/s, octoinvite errors %v",
		k.size, k.scenario, k.concurrency, o.rate(), r.rate(), o.errors)
	for _, s := range builds[1:] {
		m := b.results[k][s.name]
		b.logf("  %s %.0f/s (octoinvite / it: %.2f), errors %v", s.name, m.rate(), medianFloat(roundRatios(o.rates, m.rates)), m.errors)
	}
	return nil
}

// seed creates an installation in data, with its master key file, holding size invitations.
func seed(ctx context.Context, data string, size int) error {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	masterKey := make([]byte, sqldb.MasterKeySize)
	if _, err := crand.Read(masterKey); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data, "master.key"), []byte(base64.StdEncoding.EncodeToString(masterKey)+"\n"), 0o600); err != nil {
		return err
	}
	db, err := sqldb.OpenSQLite(ctx, filepath.Join(data, "octoinvite.db"), masterKey)
	if err != nil {
		return err
	}
	defer db.Close()
	space := "Spaces-1"
	return db.SeedInvitations(ctx, size, octoinvite.Invitation{
		SpaceID:        &space,
		AddToTeamIDs:   []string{octoinvite.EveryoneTeamID},
		LastModifiedBy: "admin",
	})
}

// sampleAnswers returns octoinvite's answers to a GET of the first invitation and to a POST of a
// new one, which the reference server then answers byte for byte.
func sampleAnswers(base string) (get, post []byte, err error) {
	post, err = call(http.MethodPost, base+"/api/Spaces-1/users/invitations", invitationBody, http.StatusCreated)
	if err != nil {
		return nil, nil, err
	}
	get, err = call(http.MethodGet, base+"/api/Spaces-1/users/invitations/Invitations-1", "", http.StatusOK)
	return get, post, err
}

func call(method, url, body string, want int) ([]byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Octopus-ApiKey", adminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: got %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	return b, nil
}

// targeter returns the requests of a scenario against s. Reads pick a seeded invitation at
// random, so that the whole table is read.
func (b *bench) targeter(scenario string, s *server, size, conc int) (vegeta.Targeter, error) {
	header := http.Header{"X-Octopus-Apikey": {adminKey}, "Content-Type": {"application/json"}}
	get := func(t *vegeta.Target) {
		t.Method, t.Header, t.Body = http.MethodGet, header, nil
		t.URL = fmt.Sprintf("%s/api/Spaces-1/users/invitations/Invitations-%d", s.base(), 1+rand.IntN(size))
	}
	post := func(t *vegeta.Target) {
		t.Method, t.Header, t.Body = http.MethodPost, header, []byte(invitationBody)
		t.URL = s.base() + "/api/Spaces-1/users/invitations"
	}
	switch scenario {
	case scenarioGet:
		return func(t *vegeta.Target) error { get(t); return nil }, nil
	case scenarioPost:
		return func(t *vegeta.Target) error { post(t); return nil }, nil
	case scenarioMix:
		return func(t *vegeta.Target) error {
			if rand.IntN(10) == 0 {
				post(t)
			} else {
				get(t)
			}
			return nil
		}, nil
	case scenarioRegister:
		return b.registrations(s, conc)
	}
	return nil, fmt.Errorf("unknown scenario %q", scenario)
}

// registrationsPerRound bounds the invitations created ahead of a round of registrations;
// Argon2id makes registrations far slower than this in a round of a few seconds.
const registrationsPerRound = 1000

// registrations creates invitations on an octoinvite (outside the measurement) and returns a
// targeter that registers one user with each. The reference gets the same bodies.
func (b *bench) registrations(s *server, conc int) (vegeta.Targeter, error) {
	n := min(registrationsPerRound, max(50, int(b.cfg.Duration.Seconds()*float64(40+conc))))
	if s.name == "reference" {
		n = math.MaxInt32 // the reference needs no invitations: the round's duration ends it
	}
	codes := make([]string, min(n, registrationsPerRound))
	if s.name != "reference" {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		next := atomic.Int64{}
		for range 16 {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					body, err := call(http.MethodPost, s.url+"/api/Spaces-1/users/invitations", invitationBody, http.StatusCreated)
					var inv struct{ InvitationCode string }
					if err == nil {
						err = json.Unmarshal(body, &inv)
					}
					if err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					codes[i] = inv.InvitationCode
				}
			})
		}
		wg.Wait()
		if firstErr != nil {
			return nil, firstErr
		}
	}
	var next atomic.Int64
	header := http.Header{"Content-Type": {"application/json"}}
	return func(t *vegeta.Target) error {
		i := int(next.Add(1)) - 1
		if i >= n {
			return vegeta.ErrNoTargets
		}
		user := b.users.Add(1)
		var code string
		if i < len(codes) {
			code = codes[i]
		}
		body, _ := json.Marshal(octoinvite.Registration{
			Username:       fmt.Sprintf("bench-%d", user),
			DisplayName:    fmt.Sprintf("Benchmark user %d", user),
			EmailAddress:   fmt.Sprintf("bench-%d@example.com", user),
			Password:       fmt.Sprintf("a long benchmark passphrase %d", user),
			InvitationCode: code,
		})
		t.Method, t.Header, t.Body = http.MethodPost, header, body
		t.URL = s.url + "/api/users/register"
		return nil
	}, nil
}

// attack drives s with conc connections for one round, adding what it measured to m.
func (b *bench) attack(s *server, targets vegeta.Targeter, conc int, m *measurement) error {
	attacker := vegeta.NewAttacker(
		vegeta.Workers(uint64(conc)), vegeta.MaxWorkers(uint64(conc)),
		vegeta.Connections(conc), vegeta.MaxConnections(conc),
		vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second), vegeta.Redirects(vegeta.NoFollow),
	)
	cpuBefore, err := s.cpuTime()
	if err != nil {
		return err
	}
	sampled := make(chan rss, 1)
	stopSampling := make(chan struct{})
	go func() { sampled <- s.sampleMemory(stopSampling) }()
	start := time.Now()
	var n int
	var last time.Time
	for res := range attacker.Attack(targets, vegeta.ConstantPacer{}, b.cfg.Duration, s.name) {
		if res.Error == vegeta.ErrNoTargets.Error() {
			continue // the registrations' invitations ran out before the round's end
		}
		m.metrics.Add(res)
		n++
		if end := res.Timestamp.Add(res.Latency); end.After(last) {
			last = end
		}
		if res.Code < 200 || res.Code > 299 {
			msg := res.Error
			if msg == "" {
				msg = strings.TrimSpace(string(bytes.Clone(res.Body)))
			}
			m.errors[fmt.Sprintf("%d %s", res.Code, octoinvite.Truncate(msg, 120))]++
		}
	}
	close(stopSampling)
	mem := <-sampled
	m.peakAnon, m.peakFile = max(m.peakAnon, mem.anon), max(m.peakFile, mem.file)
	cpuAfter, err := s.cpuTime()
	if err != nil {
		return err
	}
	if n > 0 {
		m.rates = append(m.rates, float64(n)/last.Sub(start).Seconds())
		m.cpu = append(m.cpu, (cpuAfter-cpuBefore).Seconds()/float64(n))
	}
	return nil
}
