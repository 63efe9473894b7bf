package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// measured returns a measurement of rounds at the given rates and peak anonymous memory.
func measured(peak int64, rates ...float64) *measurement {
	return &measurement{rates: rates, peakAnon: peak, peakFile: 1 << 20, errors: map[string]int{}}
}

func TestTargets(t *testing.T) {
	b := &bench{
		cfg:     config{Concurrency: []int{1, 64}, Sizes: []int{1000, 1000000}},
		startup: map[int][]time.Duration{1000000: {5 * time.Millisecond, 1200 * time.Millisecond}},
		results: map[key]map[string]*measurement{},
	}
	set := func(size, conc int, scenario string, octo, ref float64, peak int64) {
		b.results[key{size, conc, scenario}] = map[string]*measurement{
			"octoinvite": measured(peak, octo/2, octo, octo*3), // the median is octo
			"reference":  measured(1, ref),
		}
	}
	for _, size := range []int{1000, 1000000} {
		set(size, 1, scenarioGet, 500, 1000, 10)
		set(size, 64, scenarioGet, 800, 1000, 10)
		set(size, 1, scenarioPost, 100, 1000, 10)
		set(size, 64, scenarioPost, 400, 1000, 10)
		set(size, 1, scenarioMix, 300, 1000, 10)
		set(size, 64, scenarioMix, 300, 1000, 10)
		set(size, 64, scenarioRegister, 50, 1000, 101<<20)
	}
	set(1000000, 64, scenarioGet, 700, 1000, 10)
	want := map[string]string{
		"GET at 64 conns, 1000 invitations: ≥ 0.75 of the reference":          "0.80 yes",
		"POST at 64 conns, 1000 invitations: ≥ 0.5 of the reference":          "0.40 no",
		"POST at 64 conns ≥ 3 × POST at 1 conn, 1000 invitations":             "4.00 yes",
		"GET at 64 conns, 1000000 invitations: ≥ 0.75 of the reference":       "0.70 no",
		"GET invitation at 64 conns: 1000000 invitations ≥ 0.9 of 1000":       "0.88 no",
		"90/10 GET/POST at 1 conns: 1000000 invitations ≥ 0.9 of 1000":        "1.00 yes",
		"start-up at 1000000 invitations < 1 s (slowest of 2 starts)":         "1.2s no",
		"peak anonymous RSS at 1000000 invitations, every scenario ≤ 100 MiB": "101 MiB no",
	}
	got := map[string]string{}
	for _, tg := range b.targets() {
		met := "no"
		if tg.met {
			met = "yes"
		}
		got[tg.name] = tg.measured + " " + met
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %q, want %q", name, got[name], w)
		}
	}
}

// TestTargets_Subset runs one scenario at one size and one concurrency: only the targets about
// it are checked, and none reads NaN.
func TestTargets_Subset(t *testing.T) {
	b := &bench{
		cfg:      config{Concurrency: []int{64}, Sizes: []int{1000}, Scenarios: []string{scenarioGet}, Rounds: 1, Duration: time.Second},
		startup:  map[int][]time.Duration{1000: {80 * time.Millisecond}},
		seedTime: map[int]time.Duration{1000: time.Second},
		results: map[key]map[string]*measurement{{1000, 64, scenarioGet}: {
			"octoinvite": measured(30<<20, 900), "reference": measured(10<<20, 1000),
		}},
	}
	var got []string
	for _, tg := range b.targets() {
		got = append(got, tg.name+": "+tg.measured)
	}
	want := []string{
		"GET at 64 conns, 1000 invitations: ≥ 0.75 of the reference: 0.90",
		"start-up at 1000 invitations < 1 s (slowest of 1 starts): 80ms",
		"peak anonymous RSS at 1000 invitations, GET invitation ≤ 100 MiB: 30 MiB",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got targets\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if report := b.report(); strings.Contains(report, "NaN") || !strings.Contains(report, "| GET at 64 conns, 1000 invitations: ≥ 0.75 of the reference | 0.90 | yes |") {
		t.Errorf("got the report\n%s\nwant the GET target and no NaN", report)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{name: "OK", args: []string{"-concurrency", "1, 8,64", "-sizes", "10", "-scenarios", "GET invitation,registration"}},
		{name: "ErrConcurrency", args: []string{"-concurrency", "1,x"}, err: `invalid -concurrency: "x" is not a positive number`},
		{name: "ErrSize", args: []string{"-sizes", "0"}, err: `invalid -sizes: "0" is not a positive number`},
		{name: "ErrScenario", args: []string{"-scenarios", "DELETE"}, err: `invalid -scenarios: "DELETE" is none of`},
		{name: "ErrDuration", args: []string{"-duration", "1ms"}, err: "-duration must be at least 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, io.Discard)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)):
				t.Fatalf("got %v, want an error starting %q", err, tt.err)
			case tt.err == "" && (len(cfg.Concurrency) != 3 || cfg.Concurrency[1] != 8 || len(cfg.Scenarios) != 2):
				t.Errorf("got %+v, want concurrency [1 8 64] and two scenarios", cfg)
			case tt.err == "" && cfg.Chart != "":
				t.Errorf("got the chart %q, want none unless asked: the tracked chart is redrawn only on purpose", cfg.Chart)
			}
		})
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{{0, 1}, {7, 10}, {74589, 100000}, {120, 200}, {4100, 5000}, {1000, 1000}} {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseRSS(t *testing.T) {
	status := "Name:\toctoinvite\nVmHWM:\t   80000 kB\nVmRSS:\t   70000 kB\nRssAnon:\t   51200 kB\nRssFile:\t   18000 kB\nRssShmem:\t       0 kB\n"
	got, err := parseRSS(status)
	if err != nil || got != (rss{anon: 51200 << 10, file: 18000 << 10}) {
		t.Errorf("got %+v, %v, want 50 MiB anonymous and 18000 KiB file-backed", got, err)
	}
	if _, err := parseRSS("VmRSS:\t1 kB\n"); err == nil {
		t.Error("got no error for a status without RssAnon and RssFile")
	}
}
