package main

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"time"
)

// report returns the results as Markdown: the table, the start-up times and the targets.
func (b *bench) report() string {
	var w strings.Builder
	fmt.Fprintf(&w, "Each figure: the median of %d rounds of %s per server; latencies over all rounds; peak resident memory over all rounds, anonymous + file-backed (RssAnon, RssFile, sampled every %s).\n\n",
		b.cfg.Rounds, b.cfg.Duration, memorySampleInterval)
	fmt.Fprintln(&w, "| invitations | scenario | conns | reference req/s | p50 | p99 | peak RSS anon + file | octoinvite req/s | p50 | p99 | peak RSS anon + file | ratio | octoinvite errors |")
	fmt.Fprintln(&w, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, size := range b.cfg.Sizes {
		for _, scenario := range scenarios {
			for _, conc := range b.cfg.Concurrency {
				ms := b.results[key{size, conc, scenario}]
				if ms == nil {
					continue
				}
				r, o := ms["reference"], ms["octoinvite"]
				r.metrics.Close()
				o.metrics.Close()
				fmt.Fprintf(&w, "| %d | %s | %d | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %.2f | %s |\n",
					size, scenario, conc,
					r.rate(), latency(r.metrics.Latencies.P50), latency(r.metrics.Latencies.P99), anonFile(r),
					o.rate(), latency(o.metrics.Latencies.P50), latency(o.metrics.Latencies.P99), anonFile(o),
					o.rate()/r.rate(), errorSummary(o.errors))
			}
		}
	}
	fmt.Fprintln(&w)
	for _, size := range b.cfg.Sizes {
		fmt.Fprintf(&w, "- %d invitations: seeded in %s; start-up (process start to the first answer of GET /api/) over %d starts: median %s, slowest %s.\n",
			size, b.seedTime[size].Round(time.Millisecond), len(b.startup[size]),
			median(b.startup[size]).Round(time.Millisecond), slices.Max(b.startup[size]).Round(time.Millisecond))
	}
	targets := b.targets()
	if len(targets) == 0 {
		return w.String()
	}
	fmt.Fprintln(&w)
	fmt.Fprintln(&w, "| target | measured | met |")
	fmt.Fprintln(&w, "| --- | --- | --- |")
	for _, t := range targets {
		met := "no"
		if t.met {
			met = "yes"
		}
		fmt.Fprintf(&w, "| %s | %s | %s |\n", t.name, t.measured, met)
	}
	return w.String()
}

// target is one of the targets, checked against the results.
type target struct {
	name, measured string
	met            bool
}

// targets checks each target whose inputs this run measured: a run of some scenarios, sizes or
// concurrencies checks only the targets about them.
func (b *bench) targets() []target {
	rate := func(size, conc int, scenario string) (octo, ref float64, ok bool) {
		ms := b.results[key{size, conc, scenario}]
		if ms == nil {
			return 0, 0, false
		}
		return ms["octoinvite"].rate(), ms["reference"].rate(), true
	}
	lo, hi := slices.Min(b.cfg.Concurrency), slices.Max(b.cfg.Concurrency)
	var out []target
	ratio := func(name string, got, want float64) {
		out = append(out, target{name: name, measured: fmt.Sprintf("%.2f", got), met: got >= want})
	}
	for _, size := range b.cfg.Sizes {
		if octo, ref, ok := rate(size, hi, scenarioGet); ok {
			ratio(fmt.Sprintf("GET at %d conns, %d invitations: ≥ 0.75 of the reference", hi, size), octo/ref, 0.75)
		}
		octoHi, refHi, okHi := rate(size, hi, scenarioPost)
		if okHi {
			ratio(fmt.Sprintf("POST at %d conns, %d invitations: ≥ 0.5 of the reference", hi, size), octoHi/refHi, 0.5)
		}
		if octoLo, _, okLo := rate(size, lo, scenarioPost); okHi && okLo && lo != hi {
			ratio(fmt.Sprintf("POST at %d conns ≥ 3 × POST at %d conn, %d invitations", hi, lo, size), octoHi/octoLo, 3)
		}
	}
	small, large := slices.Min(b.cfg.Sizes), slices.Max(b.cfg.Sizes)
	if small != large {
		for _, scenario := range []string{scenarioGet, scenarioPost, scenarioMix} {
			for _, conc := range b.cfg.Concurrency {
				octoLarge, _, okLarge := rate(large, conc, scenario)
				octoSmall, _, okSmall := rate(small, conc, scenario)
				if okLarge && okSmall {
					ratio(fmt.Sprintf("%s at %d conns: %d invitations ≥ 0.9 of %d", scenario, conc, large, small), octoLarge/octoSmall, 0.9)
				}
			}
		}
	}
	out = append(out, b.postgresTargets()...)
	if starts := b.startup[large]; len(starts) > 0 {
		slowest := slices.Max(starts)
		out = append(out, target{
			name:     fmt.Sprintf("start-up at %d invitations < 1 s (slowest of %d starts)", large, len(starts)),
			measured: slowest.Round(time.Millisecond).String(),
			met:      slowest < time.Second,
		})
	}
	var peak int64
	var ran []string
	for _, scenario := range scenarios {
		for _, conc := range b.cfg.Concurrency {
			if ms := b.results[key{large, conc, scenario}]; ms != nil {
				peak = max(peak, ms["octoinvite"].peakAnon)
				if !slices.Contains(ran, scenario) {
					ran = append(ran, scenario)
				}
			}
		}
	}
	if len(ran) > 0 {
		which := "every scenario"
		if len(ran) < len(scenarios) {
			which = strings.Join(ran, ", ")
		}
		out = append(out, target{
			name:     fmt.Sprintf("peak anonymous RSS at %d invitations, %s ≤ 100 MiB", large, which),
			measured: mib(peak), met: peak <= 100<<20,
		})
	}
	return out
}

func latency(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
}

// anonFile shows a measurement's peak anonymous and file-backed resident memory.
func anonFile(m *measurement) string {
	return fmt.Sprintf("%.0f + %.0f MiB", float64(m.peakAnon)/(1<<20), float64(m.peakFile)/(1<<20))
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func errorSummary(errs map[string]int) string {
	if len(errs) == 0 {
		return ""
	}
	var parts []string
	for msg, n := range errs {
		parts = append(parts, fmt.Sprintf("%d × %s", n, strings.ReplaceAll(msg, "|", "/")))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// chart draws, for each store size, requests per second against connections (log scale) of
// each scenario, octoinvite on SQLite in solid lines, on PostgreSQL (with -store) dotted and the
// reference dashed.
func (b *bench) chart() string {
	const panelW, panelH, left, top, bottom, gap = 420, 300, 70, 40, 50, 80
	colors := map[string]string{scenarioGet: "#1f77b4", scenarioPost: "#d62728", scenarioMix: "#2ca02c", scenarioRegister: "#9467bd"}
	width := left + len(b.cfg.Sizes)*(panelW+gap) + 180
	height := top + panelH + bottom
	var yMax float64
	for _, ms := range b.results {
		for _, m := range ms {
			yMax = max(yMax, m.rate())
		}
	}
	yMax = niceCeil(yMax)
	concs := slices.Clone(b.cfg.Concurrency)
	slices.Sort(concs)
	xOf := func(c int) float64 {
		lo, hi := math.Log2(float64(concs[0])), math.Log2(float64(concs[len(concs)-1]))
		if hi == lo {
			return panelW / 2
		}
		return (math.Log2(float64(c)) - lo) / (hi - lo) * panelW
	}
	yOf := func(v float64) float64 { return panelH - v/yMax*panelH }

	var w strings.Builder
	fmt.Fprintf(&w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&w, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	for i, size := range b.cfg.Sizes {
		x0 := float64(left + i*(panelW+gap))
		fmt.Fprintf(&w, `<g transform="translate(%.0f,%d)">`+"\n", x0, top)
		fmt.Fprintf(&w, `<text x="%d" y="-15" text-anchor="middle" font-weight="bold">%d stored invitations</text>`+"\n", panelW/2, size)
		for t := 0; t <= 4; t++ {
			v := yMax * float64(t) / 4
			fmt.Fprintf(&w, `<line x1="0" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="-6" y="%.1f" text-anchor="end" dy="4">%.0f</text>`+"\n",
				panelW, yOf(v), yOf(v), yOf(v), v)
		}
		for _, c := range concs {
			fmt.Fprintf(&w, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", xOf(c), panelH+18, c)
		}
		fmt.Fprintf(&w, `<text x="%d" y="%d" text-anchor="middle">connections</text>`+"\n", panelW/2, panelH+38)
		if i == 0 {
			fmt.Fprintf(&w, `<text transform="rotate(-90)" x="%d" y="-52" text-anchor="middle">requests per second</text>`+"\n", -panelH/2)
		}
		fmt.Fprintf(&w, `<rect width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", panelW, panelH)
		for _, scenario := range scenarios {
			for _, srv := range []string{"reference", "octoinvite", serverPostgres} {
				if srv == "reference" && scenario == scenarioRegister {
					continue // the reference answers registrations as it answers any POST
				}
				var pts []string
				for _, c := range concs {
					if m := b.results[key{size, c, scenario}][srv]; m != nil {
						pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(c), yOf(m.rate())))
					}
				}
				if len(pts) == 0 {
					continue
				}
				dash := ""
				switch srv {
				case "reference":
					dash = ` stroke-dasharray="6 4"`
				case serverPostgres:
					dash = ` stroke-dasharray="2 3"`
				}
				fmt.Fprintf(&w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), colors[scenario], dash)
				for _, p := range pts {
					xy := strings.Split(p, ",")
					fmt.Fprintf(&w, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", xy[0], xy[1], colors[scenario])
				}
			}
		}
		fmt.Fprintln(&w, `</g>`)
	}
	lx := left + len(b.cfg.Sizes)*(panelW+gap)
	for i, scenario := range scenarios {
		y := top + 10 + i*20
		fmt.Fprintf(&w, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d" dy="4">%s</text>`+"\n",
			lx, lx+24, y, y, colors[scenario], lx+30, y, html.EscapeString(scenario))
	}
	y := top + 10 + len(scenarios)*20 + 10
	fmt.Fprintf(&w, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000" stroke-width="2"/><text x="%d" y="%d" dy="4">octoinvite (SQLite)</text>`+"\n", lx, lx+24, y, y, lx+30, y)
	if b.cfg.Store != "" {
		y += 20
		fmt.Fprintf(&w, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000" stroke-width="2" stroke-dasharray="2 3"/><text x="%d" y="%d" dy="4">octoinvite (PostgreSQL)</text>`+"\n", lx, lx+24, y, y, lx+30, y)
	}
	fmt.Fprintf(&w, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000" stroke-width="2" stroke-dasharray="6 4"/><text x="%d" y="%d" dy="4">reference</text>`+"\n", lx, lx+24, y+20, y+20, lx+30, y+20)
	fmt.Fprintln(&w, `</svg>`)
	return w.String()
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
