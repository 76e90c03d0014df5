package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// Options adds optional checks to RunOptions.
type Options struct {
	// Tear, when set, damages thread in st as a crash in the middle of its
	// last Append would: that Append's records are partly written. The
	// suite then checks that Load returns the records before it and that
	// the next Append of the same Seqs succeeds. Leave it nil for a store
	// whose appends cannot tear (a transactional database).
	Tear func(t *testing.T, st runtime.Store, thread string)
	// Corrupt, when set, damages record seq of thread in st (not its last
	// record, always the first record of an Append) so that it no longer
	// decodes. The suite then checks that Load
	// fails with an error naming the thread and "record <seq>".
	Corrupt func(t *testing.T, st runtime.Store, thread string, seq uint64)
	// Threads is how many threads the listing test creates; 0 means 2000
	// (200 with -short).
	Threads int
}

// Run runs the conformance suite against the stores newStore returns: a
// new, empty store for each call, which the suite closes through
// t.Cleanup if it needs closing.
func Run(t *testing.T, newStore func(t *testing.T) runtime.Store) {
	RunOptions(t, newStore, Options{})
}

// RunOptions is Run with the optional checks of o.
func RunOptions(t *testing.T, newStore func(t *testing.T) runtime.Store, o Options) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("ThreadIDs", func(t *testing.T) { testThreadIDs(t, newStore(t)) })
	t.Run("SeqRules", func(t *testing.T) { testSeqRules(t, newStore(t)) })
	t.Run("RacingAppenders", func(t *testing.T) { testRacing(t, newStore(t)) })
	t.Run("NoThread", func(t *testing.T) { testNoThread(t, newStore(t)) })
	t.Run("ConcurrentThreads", func(t *testing.T) { testConcurrentThreads(t, newStore(t)) })
	t.Run("LargeState", func(t *testing.T) { testLargeState(t, newStore(t)) })
	t.Run("ManyThreads", func(t *testing.T) { testManyThreads(t, newStore(t), o.Threads) })
	t.Run("Cancelled", func(t *testing.T) { testCancelled(t, newStore(t)) })
	if o.Tear != nil {
		t.Run("TornAppend", func(t *testing.T) { testTorn(t, newStore(t), o.Tear) })
	}
	if o.Corrupt != nil {
		t.Run("CorruptRecord", func(t *testing.T) { testCorrupt(t, newStore(t), o.Corrupt) })
	}
}

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// record returns a record of kind k numbered seq with every field its kind
// uses set, the values derived from seq and tag.
func record(seq uint64, k runtime.RecordKind, tag string) runtime.Record {
	r := runtime.Record{
		Seq:   seq,
		Kind:  k,
		Time:  epoch.Add(time.Duration(seq) * time.Millisecond),
		Path:  fmt.Sprintf("main/fork@%d:%d", seq%3+1, seq%5),
		Node:  "node" + tag,
		State: json.RawMessage(fmt.Sprintf(`{"tag":%q,"seq":%d,"list":[1,2.5,"x",null,true],"nested":{"k":"v \" \\ \u00e9"}}`, tag, seq)),
	}
	switch k {
	case runtime.StartRecord:
		r.Path = ""
		r.Graph, r.Fingerprint, r.Format, r.Codec = "Research", "sha256:"+tag, runtime.FormatVersion, runtime.Codec
	case runtime.NodeRecord, runtime.RouteRecord:
		r.Next = "next" + tag
	case runtime.ForkRecord:
		r.Act, r.Count = int(seq%4)+1, 20
	case runtime.FailRecord:
		r.Err, r.Attempt = "boom: "+tag, 3
	case runtime.RetryRecord:
		r.Err, r.Attempt = "flaky: "+tag, int(seq%7)+1
	case runtime.InterruptRecord:
		r.Phase = runtime.Phase(seq%2) + runtime.Before
	case runtime.ResumeRecord:
		r.State = nil
	}
	return r
}

// chain returns records from..to of a thread, cycling through the kinds.
func chain(from, to uint64, tag string) []runtime.Record {
	var recs []runtime.Record
	for seq := from; seq <= to; seq++ {
		k := runtime.StartRecord
		if seq > 1 {
			k = runtime.RecordKind(2 + (seq-2)%uint64(runtime.EndRecord-1))
		}
		recs = append(recs, record(seq, k, tag))
	}
	return recs
}

func mustAppend(t *testing.T, st runtime.Store, thread string, recs ...runtime.Record) {
	t.Helper()
	if err := st.Append(context.Background(), thread, recs); err != nil {
		t.Fatalf("Append(%q, records %d..%d): %v", thread, recs[0].Seq, recs[len(recs)-1].Seq, err)
	}
}

func mustLoad(t *testing.T, st runtime.Store, thread string) []runtime.Record {
	t.Helper()
	recs, err := st.Load(context.Background(), thread)
	if err != nil {
		t.Fatalf("Load(%q): %v", thread, err)
	}
	return recs
}

// same reports how got differs from want, or "": states compare as JSON
// values (a store may keep them re-encoded), times as instants, the rest
// exactly.
func same(got, want []runtime.Record) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d records, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) {
			return fmt.Sprintf("record %d: time %v, want %v", w.Seq, g.Time, w.Time)
		}
		if !sameJSON(g.State, w.State) {
			return fmt.Sprintf("record %d: state %.200s, want %.200s", w.Seq, g.State, w.State)
		}
		g.Time, w.Time, g.State, w.State = time.Time{}, time.Time{}, nil, nil
		if !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("record %d: got %+v, want %+v", w.Seq, g, w)
		}
	}
	return ""
}

func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func wantRecords(t *testing.T, st runtime.Store, thread string, want []runtime.Record) {
	t.Helper()
	if d := same(mustLoad(t, st, thread), want); d != "" {
		t.Fatalf("Load(%q): %s", thread, d)
	}
}

func testRoundTrip(t *testing.T, st runtime.Store) {
	// One append per record, then batches of 1, 2, 3... records.
	want := chain(1, 12, "single")
	for _, r := range want {
		mustAppend(t, st, "single", r)
		wantRecords(t, st, "single", want[:r.Seq])
	}
	want = chain(1, 40, "batch")
	for from, n := 0, 1; from < len(want); from, n = from+n, n+1 {
		to := min(from+n, len(want))
		mustAppend(t, st, "batch", want[from:to]...)
		wantRecords(t, st, "batch", want[:to])
	}
	wantRecords(t, st, "single", chain(1, 12, "single"))
}

func testThreadIDs(t *testing.T, st runtime.Store) {
	ids := []string{
		"a", "A", "%41", "%2e", ".", "..", "../escape", "a/b", `a\b`, "/abs", "x y",
		"con", "NUL", "nul.txt", "x\x00y", "\xff\xfe", "ünïcödé", "Ünïcödé", "日本",
		"trailing.", "trailing ", "-dash", "_under", strings.Repeat("long", 250),
		strings.Repeat("Z", 401), strings.Repeat("é", 300),
	}
	for i, id := range ids {
		mustAppend(t, st, id, chain(1, uint64(i%3)+1, fmt.Sprint(i))...)
	}
	for i, id := range ids {
		wantRecords(t, st, id, chain(1, uint64(i%3)+1, fmt.Sprint(i)))
	}
	listed := map[string]int{}
	for id, err := range st.Threads(context.Background()) {
		if err != nil {
			t.Fatalf("Threads: %v", err)
		}
		listed[id]++
	}
	for _, id := range ids {
		if listed[id] != 1 {
			t.Errorf("Threads listed %q %d times, want once", id, listed[id])
		}
	}
	if len(listed) != len(ids) {
		t.Errorf("Threads listed %d threads, want %d: %v", len(listed), len(ids), listed)
	}
}

func wantConflict(t *testing.T, st runtime.Store, thread, what string, recs ...runtime.Record) {
	t.Helper()
	err := st.Append(context.Background(), thread, recs)
	if !errors.Is(err, runtime.ErrConflict) {
		t.Fatalf("Append(%q) of %s: got %v, want an error wrapping ErrConflict", thread, what, err)
	}
}

func testSeqRules(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	wantConflict(t, st, "t", "record 2 to a new thread", record(2, runtime.NodeRecord, "x"))
	wantConflict(t, st, "t", "record 0 to a new thread", record(0, runtime.StartRecord, "x"))
	if _, err := st.Load(ctx, "t"); !errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("Load after refused appends to a new thread: got %v, want ErrNoThread (nothing written)", err)
	}
	want := chain(1, 3, "t")
	mustAppend(t, st, "t", want...)
	wantConflict(t, st, "t", "a duplicate record 3", record(3, runtime.NodeRecord, "dup"))
	wantConflict(t, st, "t", "a duplicate record 1", record(1, runtime.StartRecord, "dup"))
	wantConflict(t, st, "t", "record 5 after 3 (a gap)", record(5, runtime.NodeRecord, "gap"))
	wantConflict(t, st, "t", "a batch 4, 6 (a gap inside)", record(4, runtime.NodeRecord, "g"), record(6, runtime.NodeRecord, "g"))
	wantConflict(t, st, "t", "a batch 4, 4 (a duplicate inside)", record(4, runtime.NodeRecord, "g"), record(4, runtime.NodeRecord, "g"))
	wantConflict(t, st, "t", "a batch 3, 4 (overlapping)", record(3, runtime.NodeRecord, "o"), record(4, runtime.NodeRecord, "o"))
	wantConflict(t, st, "t", "a batch 2..4 (overlapping)", chain(2, 4, "o")...)
	wantRecords(t, st, "t", want) // nothing of the refused appends
	more := chain(4, 6, "t")
	mustAppend(t, st, "t", more...)
	wantRecords(t, st, "t", append(want, more...))
	for id, err := range st.Threads(ctx) {
		if err != nil || id != "t" {
			t.Fatalf("Threads yielded (%q, %v), want only \"t\"", id, err)
		}
	}
}

// testRacing has appenders race for the same Seq of one thread, round
// after round: exactly one wins each round, the others get ErrConflict,
// and the thread holds the winners' records.
func testRacing(t *testing.T, st runtime.Store) {
	const appenders, rounds = 8, 25
	ctx := context.Background()
	var want []runtime.Record
	for seq := uint64(1); seq <= rounds; seq++ {
		// Half the appenders write a batch of two, so racers of different
		// lengths are covered; a batch's second record is its first + 1.
		errs := make([]error, appenders)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range appenders {
			wg.Go(func() {
				recs := chain(seq, seq+uint64(i%2), fmt.Sprintf("racer%d", i))
				<-start
				errs[i] = st.Append(ctx, "race", recs)
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: appenders %d and %d both appended record %d", seq, winner, i, seq)
			case err == nil:
				winner = i
			case !errors.Is(err, runtime.ErrConflict):
				t.Fatalf("round %d: appender %d: %v, want nil or ErrConflict", seq, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no appender won", seq)
		}
		want = append(want, chain(seq, seq+uint64(winner%2), fmt.Sprintf("racer%d", winner))...)
		wantRecords(t, st, "race", want)
		seq = want[len(want)-1].Seq
	}
}

func testNoThread(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	_, err := st.Load(ctx, "no-such-thread")
	if !errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("Load of an unknown thread: got %v, want an error wrapping ErrNoThread", err)
	}
	if !strings.Contains(err.Error(), "no-such-thread") {
		t.Errorf("Load of an unknown thread: %q does not name the thread", err)
	}
	for id, err := range st.Threads(ctx) {
		t.Fatalf("Threads of an empty store yielded (%q, %v)", id, err)
	}
	mustAppend(t, st, "other", chain(1, 1, "o")...)
	if _, err := st.Load(ctx, "no-such-thread"); !errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("Load of an unknown thread beside another: got %v, want ErrNoThread", err)
	}
}

// testConcurrentThreads appends to many threads from many goroutines at
// once, several goroutines per thread taking turns by Seq.
func testConcurrentThreads(t *testing.T, st runtime.Store) {
	const threads, perThread, records = 12, 3, 30
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, threads*perThread)
	for th := range threads {
		id := fmt.Sprintf("thread-%d", th)
		var mu sync.Mutex // the next Seq of the thread
		next := uint64(1)
		for range perThread {
			wg.Go(func() {
				for {
					mu.Lock()
					seq := next
					if seq > records {
						mu.Unlock()
						return
					}
					to := min(seq+seq%3, records) // batches of 1 to 3
					if err := st.Append(ctx, id, chain(seq, to, id)); err != nil {
						mu.Unlock()
						errs <- fmt.Errorf("Append(%q, %d..%d): %w", id, seq, to, err)
						return
					}
					next = to + 1
					mu.Unlock()
				}
			})
		}
	}
	// Readers load while the writers append: what they see is a prefix.
	for th := range threads {
		wg.Go(func() {
			id := fmt.Sprintf("thread-%d", th)
			for range 10 {
				recs, err := st.Load(ctx, id)
				if errors.Is(err, runtime.ErrNoThread) {
					continue
				}
				if err != nil {
					errs <- fmt.Errorf("Load(%q) during appends: %w", id, err)
					return
				}
				if d := same(recs, chain(1, uint64(len(recs)), id)); d != "" {
					errs <- fmt.Errorf("Load(%q) during appends: %s", id, d)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for th := range threads {
		id := fmt.Sprintf("thread-%d", th)
		wantRecords(t, st, id, chain(1, records, id))
	}
}

func testLargeState(t *testing.T, st runtime.Store) {
	big := func(seq uint64, n int) json.RawMessage {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "%d:%c", i, rune('a'+(i+int(seq))%26))
		}
		return json.RawMessage(fmt.Sprintf(`{"seq":%d,"text":%q}`, seq, b.String()))
	}
	want := chain(1, 4, "large")
	want[0].State = big(1, 1<<20)
	mustAppend(t, st, "large", want[0])
	for i := 1; i < len(want); i++ {
		want[i].State = big(uint64(i+1), 1<<20)
	}
	mustAppend(t, st, "large", want[1:]...) // a batch of 3 MB
	wantRecords(t, st, "large", want)
	// Every byte value in a string survives the codec and the store.
	var all strings.Builder
	for c := range 128 {
		all.WriteRune(rune(c))
	}
	all.WriteString("\u2028\u2029\ufffd é 日本 😀")
	s, _ := json.Marshal(map[string]string{"s": all.String()})
	r := record(5, runtime.NodeRecord, "bytes")
	r.State = s
	mustAppend(t, st, "large", r)
	wantRecords(t, st, "large", append(want, r))
}

func testManyThreads(t *testing.T, st runtime.Store, n int) {
	if n == 0 {
		n = 2000
		if testing.Short() {
			n = 200
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				id := fmt.Sprintf("many/%05d", i)
				if err := st.Append(ctx, id, chain(1, 1, id)); err != nil {
					errs <- fmt.Errorf("Append(%q): %w", id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := make(map[string]int, n)
	for id, err := range st.Threads(ctx) {
		if err != nil {
			t.Fatalf("Threads: %v", err)
		}
		seen[id]++
	}
	if len(seen) != n {
		t.Errorf("Threads yielded %d distinct threads, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("Threads yielded %q %d times", id, c)
		}
	}
	// Stopping early is allowed, and the store still works after it.
	k := 0
	for range st.Threads(ctx) {
		if k++; k == 5 {
			break
		}
	}
	wantRecords(t, st, "many/00007", chain(1, 1, "many/00007"))
}

func testCancelled(t *testing.T, st runtime.Store) {
	mustAppend(t, st, "c", chain(1, 2, "c")...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.Append(ctx, "c", chain(3, 3, "c")); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
	if err := st.Append(ctx, "new", chain(1, 1, "new")); !errors.Is(err, context.Canceled) {
		t.Errorf("Append to a new thread with a cancelled context: got %v, want context.Canceled", err)
	}
	if _, err := st.Load(ctx, "c"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
	var got error
	for _, err := range st.Threads(ctx) {
		if err != nil {
			got = err
			break
		}
	}
	if !errors.Is(got, context.Canceled) {
		t.Errorf("Threads with a cancelled context: yielded error %v, want one wrapping context.Canceled", got)
	}
	wantRecords(t, st, "c", chain(1, 2, "c")) // nothing of the cancelled appends
	if _, err := st.Load(context.Background(), "new"); !errors.Is(err, runtime.ErrNoThread) {
		t.Errorf("Load of a thread whose only append was cancelled: got %v, want ErrNoThread", err)
	}
}

func testTorn(t *testing.T, st runtime.Store, tear func(*testing.T, runtime.Store, string)) {
	ctx := context.Background()
	recs := chain(1, 6, "torn")
	mustAppend(t, st, "torn", recs[0])
	mustAppend(t, st, "torn", recs[1:3]...) // a batch, torn below: all of it goes
	tear(t, st, "torn")
	wantRecords(t, st, "torn", recs[:1])
	mustAppend(t, st, "torn", recs[1:3]...) // overwrites the torn batch
	wantRecords(t, st, "torn", recs[:3])
	mustAppend(t, st, "torn", recs[3])
	tear(t, st, "torn")
	wantRecords(t, st, "torn", recs[:3])
	wantConflict(t, st, "torn", "record 5 after a torn record 4", recs[4])
	mustAppend(t, st, "torn", recs[3:]...)
	wantRecords(t, st, "torn", recs)

	// A thread whose only append tore holds nothing.
	mustAppend(t, st, "only", chain(1, 2, "only")...)
	tear(t, st, "only")
	if _, err := st.Load(ctx, "only"); !errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("Load of a thread whose only append tore: got %v, want ErrNoThread", err)
	}
	mustAppend(t, st, "only", chain(1, 1, "only")...)
	wantRecords(t, st, "only", chain(1, 1, "only"))
}

func testCorrupt(t *testing.T, st runtime.Store, corrupt func(*testing.T, runtime.Store, string, uint64)) {
	for _, seq := range []uint64{1, 3} {
		id := fmt.Sprintf("corrupt-%d", seq)
		mustAppend(t, st, id, chain(1, 2, id)...)
		mustAppend(t, st, id, chain(3, 3, id)...)
		mustAppend(t, st, id, chain(4, 5, id)...)
		corrupt(t, st, id, seq)
		_, err := st.Load(context.Background(), id)
		switch {
		case err == nil:
			t.Errorf("Load of %q with record %d corrupt: no error", id, seq)
		case errors.Is(err, runtime.ErrNoThread):
			t.Errorf("Load of %q with record %d corrupt: %v, want damage, not ErrNoThread", id, seq, err)
		case !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), fmt.Sprintf("record %d", seq)):
			t.Errorf("Load of %q with record %d corrupt: %q does not name the thread and the record", id, seq, err)
		}
	}
}
