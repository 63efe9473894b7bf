package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// variant is octoinvite built from another revision of this repository (-against), driven beside
// the checkout's octoinvite and the reference in every round, on a copy of the same data.
type variant struct {
	rev    string // the revision as given
	name   string // the server's name in the results: "octoinvite@rev"
	binary string
}

// buildVariants builds octoinvite at each revision of -against: a detached git worktree of the
// revision in the work folder, built there and removed again.
func (b *bench) buildVariants(ctx context.Context) error {
	top, err := exec.CommandContext(ctx, "git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return fmt.Errorf("-against needs a git checkout: %w", err)
	}
	repo := strings.TrimSpace(string(top))
	for i, rev := range b.cfg.Against {
		v := variant{rev: rev, name: "octoinvite@" + rev, binary: filepath.Join(b.work, fmt.Sprintf("octoinvite-against-%d", i+1))}
		if slices.ContainsFunc(b.variants, func(o variant) bool { return o.name == v.name }) {
			return fmt.Errorf("-against names %s twice", rev)
		}
		tree := filepath.Join(b.work, fmt.Sprintf("against-%d", i+1))
		b.logf("building %s into %s", v.name, v.binary)
		steps := [][]string{
			{"git", "-C", repo, "worktree", "add", "--detach", "--quiet", tree, rev},
			{"go", "build", "-C", tree, "-o", v.binary, "./cmd/octoinvite"},
		}
		for _, step := range steps {
			cmd := exec.CommandContext(ctx, step[0], step[1:]...)
			cmd.Stdout, cmd.Stderr = b.log, b.log
			if err := cmd.Run(); err != nil {
				_ = exec.Command("git", "-C", repo, "worktree", "remove", "--force", tree).Run()
				return fmt.Errorf("building %s: %s: %w", v.name, strings.Join(step, " "), err)
			}
		}
		if err := exec.Command("git", "-C", repo, "worktree", "remove", "--force", tree).Run(); err != nil {
			return fmt.Errorf("removing the worktree of %s: %w", rev, err)
		}
		b.variants = append(b.variants, v)
	}
	return nil
}

// variantData returns the data folder of the i-th variant at a size: a copy of the seeded
// folder, made once, since a data folder serves one process at a time.
func (b *bench) variantData(size, i int, seeded string) (string, error) {
	dst := filepath.Join(b.work, fmt.Sprintf("data-%d-against-%d", size, i+1))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(seeded)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copyFile(filepath.Join(seeded, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return "", err
		}
	}
	return dst, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// startVariants starts every variant on its copy of the data.
func (b *bench) startVariants(ctx context.Context, size int, data string) ([]*server, error) {
	var started []*server
	for i, v := range b.variants {
		dir, err := b.variantData(size, i, data)
		if err != nil {
			stopAll(started)
			return nil, err
		}
		s, _, err := startOctoinvite(ctx, v.binary, dir, adminKey)
		if err != nil {
			stopAll(started)
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		s.name = v.name
		started = append(started, s)
	}
	return started, nil
}

func stopAll(servers []*server) {
	for _, s := range servers {
		s.stop()
	}
}

// roundOrder returns the servers in the order a round drives them: the reference first, then
// octoinvite and the variants, in turn one place further each round, so that no build always
// runs right after the reference or last.
func roundOrder(ref *server, builds []*server, round int) []*server {
	order := []*server{ref}
	shift := (round - 1) % len(builds)
	return append(append(order, builds[shift:]...), builds[:shift]...)
}

// compareReport returns, with -against, octoinvite's rate against each variant's in each
// scenario: the median of the rounds' ratios (each round's pair ran back to back), and the
// ratio of each round; then the CPU time each server spent per request (the median of the
// rounds), which other work on the machine disturbs less than the rate, and the variant's over
// the checkout's (above 1: the checkout spends less).
func (b *bench) compareReport() string {
	if len(b.variants) == 0 {
		return ""
	}
	var w strings.Builder
	fmt.Fprintf(&w, "\nThe checkout against other revisions, side by side in the same rounds (a ratio above 1: the checkout is faster; the median of the %d rounds' ratios):\n\n", b.cfg.Rounds)
	fmt.Fprintln(&w, "| invitations | scenario | conns | octoinvite req/s | against | its req/s | ratio | each round | octoinvite CPU µs/req | its CPU µs/req | CPU ratio |")
	fmt.Fprintln(&w, "| ---: | --- | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: |")
	for _, size := range b.cfg.Sizes {
		for _, scenario := range scenarios {
			for _, conc := range b.cfg.Concurrency {
				ms := b.results[key{size, conc, scenario}]
				if ms == nil {
					continue
				}
				o := ms["octoinvite"]
				for _, v := range b.variants {
					m := ms[v.name]
					if m == nil {
						continue
					}
					ratios := roundRatios(o.rates, m.rates)
					each := make([]string, len(ratios))
					for i, r := range ratios {
						each[i] = fmt.Sprintf("%.2f", r)
					}
					oc, mc := medianFloat(o.cpu), medianFloat(m.cpu)
					fmt.Fprintf(&w, "| %d | %s | %d | %.0f | `%s` | %.0f | %.2f | %s | %.1f | %.1f | %.2f |\n",
						size, scenario, conc, o.rate(), v.rev, m.rate(), medianFloat(ratios), strings.Join(each, ", "),
						oc*1e6, mc*1e6, mc/oc)
				}
			}
		}
	}
	return w.String()
}

// roundRatios divides each round's rate of a by the same round's rate of b.
func roundRatios(a, b []float64) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}

func medianFloat(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}
