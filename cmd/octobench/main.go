// Command octobench measures octoinvite against a bare net/http server that answers the same
// bytes, side by side on this machine, and, with -chart, draws the chart of docs/benchmarks.md.
//
// In one run it builds octoinvite from this module, and for each store size seeds a fresh data
// folder through the store's bulk path (real schema, real sealing), starts octoinvite on it as a
// separate process (so that its memory is its own), measures the start-up, starts the reference
// server, and drives both with the same load generator (vegeta) at each concurrency, alternating
// reference and octoinvite for several rounds. Everything listens on loopback only.
//
// With -against, it also builds octoinvite at other git revisions (a worktree of each, removed
// after the build) and drives each beside the checkout's in every round, on a copy of the same
// data, so that a change is measured against the code without it in the same run: the report
// then gives, per scenario, the median of the rounds' ratios and the CPU time per request.
//
// With -pprof-listen, the checkout's octoinvite serves its profiles (serve --pprof-listen) while
// it is measured, for go tool pprof to read (docs/benchmarks.md, "Profiling the server").
//
//	go run ./cmd/octobench -duration 5s -rounds 3
//	go run ./cmd/octobench -chart docs/benchmark.svg -results results.md
//	go run ./cmd/octobench -scale sqlite
//	go run ./cmd/octobench -scenarios 'GET invitation' -sizes 1000 -concurrency 64 -rounds 5 -against main~1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is the benchmark's configuration, from flags.
type config struct {
	Duration    time.Duration
	Rounds      int
	Concurrency []int
	Sizes       []int
	Scenarios   []string
	Chart       string
	Results     string
	Work        string
	Keep        bool
	// Store, if set, is the URL of a PostgreSQL server on which octoinvite is driven too, on a
	// fresh database per size.
	Store string
	// Against lists git revisions whose octoinvite is driven beside the checkout's.
	Against []string
	// Email, if set, runs the email benchmark instead, with the mailpit binary it names.
	Email string
	// PprofListen, if set, is the loopback address where the checkout's octoinvite serves its
	// profiles (serve --pprof-listen) while it is measured.
	PprofListen string
	// Scale, if its Store is set, runs the benchmark of lists at scale instead (scale.go).
	Scale scaleConfig
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == referenceCommand {
		if err := runReference(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "octobench reference:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "octobench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	work := cfg.Work
	if work == "" {
		if work, err = os.MkdirTemp("", "octobench-"); err != nil {
			return err
		}
		if !cfg.Keep {
			defer os.RemoveAll(work)
		}
	}
	if cfg.Scale.Store != "" {
		cfg.Scale.Keep = cfg.Keep
		return runScale(ctx, cfg.Scale, work, stdout, stderr)
	}
	b := &bench{cfg: cfg, work: work, log: stderr}
	if cfg.Email != "" {
		report, err := b.runEmail(ctx)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, report)
		return nil
	}
	if err := b.run(ctx); err != nil {
		return err
	}
	report := b.report() + b.postgresReport() + b.compareReport()
	fmt.Fprint(stdout, report)
	if cfg.Results != "" {
		if err := os.WriteFile(cfg.Results, []byte(report), 0o644); err != nil {
			return err
		}
	}
	if cfg.Chart != "" {
		if err := os.WriteFile(cfg.Chart, []byte(b.chart()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "chart written to %s\n", cfg.Chart)
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var concurrency, sizes, only, against string
	f := flag.NewFlagSet("octobench", flag.ContinueOnError)
	f.SetOutput(stderr)
	f.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each server is driven per round of a scenario")
	f.IntVar(&cfg.Rounds, "rounds", 3, "rounds per scenario, each running the reference, then octoinvite and every -against build in an order that turns each round")
	f.StringVar(&concurrency, "concurrency", "1,64", "comma-separated numbers of connections")
	f.StringVar(&sizes, "sizes", "1000,1000000", "comma-separated numbers of stored invitations")
	f.StringVar(&only, "scenarios", strings.Join(scenarios, ","), "comma-separated scenarios to run")
	f.StringVar(&cfg.Chart, "chart", "", "SVG file to draw the chart into, such as docs/benchmark.svg (default: none)")
	f.StringVar(&cfg.Results, "results", "", "file to write the results table into, besides standard output")
	f.StringVar(&cfg.Work, "work", "", "folder for the binary and the data folders (default: a temporary folder, removed at the end)")
	f.BoolVar(&cfg.Keep, "keep", false, "keep the temporary folder")
	f.StringVar(&cfg.Store, "store", "", "also drive octoinvite on PostgreSQL, one instance and two sharing the load, on a fresh database per size created on the server of this URL (postgres://user@host:port/db) and dropped at the end; GET, POST and 90/10 only")
	f.StringVar(&against, "against", "", "comma-separated git revisions (such as main~1) whose octoinvite is built and driven beside the checkout's in every round, on a copy of the same data, for a side-by-side ratio")
	f.StringVar(&cfg.Email, "email", "", "run the email benchmark instead, with this mailpit binary (go install github.com/axllent/mailpit@v1.33.1): invitations created per second with and without email, and emails delivered per second, at the largest -concurrency")
	f.StringVar(&cfg.PprofListen, "pprof-listen", "", "serve the profiles of the checkout's octoinvite at this loopback address while it is measured (serve --pprof-listen), such as 127.0.0.1:6060, and log when each of its loads begins; profiling costs the server some of its rate")
	scaleFlags(f, &cfg.Scale)
	if err := f.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Concurrency, err = parseInts(concurrency); err != nil {
		return cfg, fmt.Errorf("invalid -concurrency: %w", err)
	}
	if cfg.Sizes, err = parseInts(sizes); err != nil {
		return cfg, fmt.Errorf("invalid -sizes: %w", err)
	}
	for _, name := range strings.Split(only, ",") {
		if !slices.Contains(scenarios, strings.TrimSpace(name)) {
			return cfg, fmt.Errorf("invalid -scenarios: %q is none of %q", name, scenarios)
		}
		cfg.Scenarios = append(cfg.Scenarios, strings.TrimSpace(name))
	}
	for _, rev := range strings.Split(against, ",") {
		if rev = strings.TrimSpace(rev); rev != "" {
			cfg.Against = append(cfg.Against, rev)
		}
	}
	if cfg.Duration < 100*time.Millisecond || cfg.Rounds < 1 {
		return cfg, errors.New("-duration must be at least 100ms and -rounds at least 1")
	}
	return cfg, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", p)
		}
		out = append(out, n)
	}
	return out, nil
}
