package http

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// maxBudgets bounds the keys one table of budgets remembers (client addresses, or usernames).
const maxBudgets = 100_000

// rule sizes a failure budget: limit attempts at once, earned back evenly over window.
type rule struct {
	limit  int
	window time.Duration
}

// interval is the time it takes to earn one attempt back, in nanoseconds; span is limit of them.
func (r rule) interval() int64 { return int64(r.window) / int64(r.limit) }
func (r rule) span() int64     { return r.interval() * int64(r.limit) }

// budgetKey names a budget: a client address (in 16-byte form, see Server.addressKey) or the
// digest of a username (see throttleKey). A fixed size keeps every entry small, whatever the
// length of the name tried.
type budgetKey [16]byte

// budgets holds a failure budget per key: a token bucket of rule.limit attempts that refills
// evenly over rule.window.
//
// An attempt takes its token before it starts and gives it back unless it fails, so attempts in
// flight count against the budget as failures do: a burst of concurrent failures gets no more
// attempts than the budget holds, and a token earned back lets one attempt through, not a burst.
// An attempt that finds the budget empty while others are in flight waits for them to end (one
// may succeed and give its token back); with none in flight it is refused at once, before any
// work is done for it.
//
// The table remembers at most max keys (maxBudgets if zero). A key whose budget is full with
// nothing in flight is forgotten at once: remembering it would change nothing. When the table is
// full, a new key displaces the key closest to a full budget, if that one has a token left (so
// forgetting it gives back less than any other would); if even that one has none, every key
// remembered is locked out, and the new key is refused rather than let a locked key be forgotten
// before its time.
type budgets struct {
	max int

	mu      sync.Mutex
	entries map[budgetKey]*budget
	// closest orders the entries by when their budget is full again, the soonest first.
	closest budgetHeap
	// waiting holds, for each key that attempts wait on, the channel closed when one of its
	// attempts in flight ends.
	waiting map[budgetKey]chan struct{}
}

// budget is the failure budget of one key, kept as the one time at which it is full again (as
// the generic cell rate algorithm keeps a token bucket): at time t it holds
// (t - (full - span)) / interval tokens, at most limit. Taking a token moves full one interval
// later; giving it back, one interval earlier.
type budget struct {
	key  budgetKey
	full int64 // Unix nanoseconds
	// inFlight counts the attempts that hold a token.
	inFlight int32
	// index is the budget's place in the heap; -1 once the table has forgotten it.
	index int32
}

// budgetRefusal is why take refused an attempt, and how long to wait before the next.
type budgetRefusal struct {
	wait time.Duration
	// crowded is set when the key is new and the table is full of keys locked out.
	crowded bool
}

func (e *budgetRefusal) Error() string { return "failure budget spent" }

// take takes a token of key's budget for an attempt, waiting while the budget is empty only
// because of attempts in flight (or until ctx is done). It returns the budget to end the
// attempt with, or a *budgetRefusal.
func (bs *budgets) take(ctx context.Context, key budgetKey, now func() time.Time, r rule) (*budget, error) {
	for {
		bs.mu.Lock()
		t := now().UnixNano()
		b, err := bs.entry(key, t, r)
		if err != nil {
			bs.mu.Unlock()
			return nil, err
		}
		// At least one token: full is at most span - interval away.
		lockedFor := b.full - t - (r.span() - r.interval())
		if lockedFor <= 0 {
			b.full = max(b.full, t) + r.interval()
			b.inFlight++
			heap.Fix(&bs.closest, int(b.index))
			bs.mu.Unlock()
			return b, nil
		}
		if b.inFlight == 0 {
			bs.mu.Unlock()
			return nil, &budgetRefusal{wait: time.Duration(lockedFor)}
		}
		if bs.waiting == nil {
			bs.waiting = map[budgetKey]chan struct{}{}
		}
		ended, ok := bs.waiting[key]
		if !ok {
			ended = make(chan struct{})
			bs.waiting[key] = ended
		}
		bs.mu.Unlock()
		select {
		case <-ended:
		case <-ctx.Done():
			return nil, &budgetRefusal{wait: time.Second}
		}
	}
}

// entry returns key's budget, remembering a full one for a new key; see budgets for what it
// forgets to make room, and when it refuses instead.
func (bs *budgets) entry(key budgetKey, now int64, r rule) (*budget, error) {
	if b, ok := bs.entries[key]; ok {
		return b, nil
	}
	if bs.entries == nil {
		bs.entries = map[budgetKey]*budget{}
	}
	capacity := bs.max
	if capacity <= 0 {
		capacity = maxBudgets
	}
	if len(bs.entries) >= capacity {
		closest := bs.closest[0]
		if lockedFor := closest.full - now - (r.span() - r.interval()); lockedFor > 0 {
			return nil, &budgetRefusal{wait: time.Duration(lockedFor), crowded: true}
		}
		bs.forget(closest)
	}
	b := &budget{key: key, full: now}
	bs.entries[key] = b
	heap.Push(&bs.closest, b)
	return b, nil
}

// end ends an attempt that take allowed: a failed one leaves its token spent, any other gives
// it back.
func (bs *budgets) end(b *budget, failed bool, now time.Time, r rule) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b.inFlight--
	if ended, ok := bs.waiting[b.key]; ok {
		close(ended)
		delete(bs.waiting, b.key)
	}
	if b.index < 0 {
		return
	}
	if !failed {
		b.full -= r.interval()
	}
	if b.inFlight == 0 && b.full <= now.UnixNano() {
		bs.forget(b)
		return
	}
	heap.Fix(&bs.closest, int(b.index))
}

func (bs *budgets) forget(b *budget) {
	heap.Remove(&bs.closest, int(b.index))
	delete(bs.entries, b.key)
	b.index = -1
}

// len returns the number of keys remembered.
func (bs *budgets) len() int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return len(bs.entries)
}

// budgetHeap is a container/heap of budgets, the soonest full first.
type budgetHeap []*budget

func (h budgetHeap) Len() int           { return len(h) }
func (h budgetHeap) Less(i, j int) bool { return h[i].full < h[j].full }
func (h budgetHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = int32(i), int32(j)
}

func (h *budgetHeap) Push(x any) {
	b := x.(*budget)
	b.index = int32(len(*h))
	*h = append(*h, b)
}

func (h *budgetHeap) Pop() any {
	old := *h
	b := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return b
}
