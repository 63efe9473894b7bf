package main

import (
	"strings"
	"sync/atomic"
	"testing"
)

func TestRoundOrder(t *testing.T) {
	ref, a, b, c := &server{name: "reference"}, &server{name: "octoinvite"}, &server{name: "x"}, &server{name: "y"}
	want := []string{"reference octoinvite x y", "reference x y octoinvite", "reference y octoinvite x", "reference octoinvite x y"}
	for round := 1; round <= len(want); round++ {
		var names []string
		for _, s := range roundOrder(ref, []*server{a, b, c}, round) {
			names = append(names, s.name)
		}
		if got := strings.Join(names, " "); got != want[round-1] {
			t.Errorf("round %d: got %q, want %q", round, got, want[round-1])
		}
	}
}

func TestCompareReport(t *testing.T) {
	b := &bench{
		cfg:      config{Rounds: 3, Concurrency: []int{64}, Sizes: []int{1000}},
		variants: []variant{{rev: "main~1", name: "octoinvite@main~1"}},
		results: map[key]map[string]*measurement{{1000, 64, scenarioGet}: {
			"octoinvite":        {rates: []float64{110, 90, 120}, cpu: []float64{20e-6, 22e-6, 21e-6}},
			"octoinvite@main~1": {rates: []float64{100, 100, 100}, cpu: []float64{25e-6, 24e-6, 30e-6}},
		}},
	}
	want := "| 1000 | GET invitation | 64 | 110 | `main~1` | 100 | 1.10 | 1.10, 0.90, 1.20 | 21.0 | 25.0 | 1.19 |\n"
	if got := b.compareReport(); !strings.HasSuffix(got, want) {
		t.Errorf("got %s\nwant it to end with %s", got, want)
	}
}

func TestBaseSplitsTheLoad(t *testing.T) {
	single := &server{url: "http://a"}
	pair := &server{url: "http://a", urls: []string{"http://a", "http://b"}, next: new(atomic.Uint64)}
	var got []string
	for range 4 {
		got = append(got, single.base()+" "+pair.base())
	}
	if want := "http://a http://b,http://a http://a,http://a http://b,http://a http://a"; strings.Join(got, ",") != want {
		t.Errorf("got %q, want %q", strings.Join(got, ","), want)
	}
}
