package storetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// Processes runs a store in child processes: the test binary re-executes
// itself, running only the test function named Child, which must call
// Processes.Child. Use it for stores that several processes share (files,
// databases):
//
//	var procs = storetest.Processes{Open: openStore, ChildTest: "TestStoreChild"}
//
//	func TestStoreChild(t *testing.T)  { procs.Child(t) }
//	func TestStoreKill9(t *testing.T)  { procs.Kill9(t) }
//	func TestStoreRacing(t *testing.T) { procs.Race(t) }
type Processes struct {
	// Open opens the store kept in dir, the same store from every process;
	// it registers whatever must be closed with t.Cleanup.
	Open func(t *testing.T, dir string) runtime.Store
	// ChildTest is the name of the test function that calls Child.
	ChildTest string
}

const processEnv = "GRAPHC_STORETEST_CHILD"

// crashRecord is record seq of thread in the process tests: its state's
// size (up to 48 KiB) and content follow from seq.
func crashRecord(thread string, seq uint64) runtime.Record {
	n := int(seq*7919%97) * 512
	state, _ := json.Marshal(map[string]any{"thread": thread, "seq": seq, "pad": strings.Repeat(strconv.FormatUint(seq%10, 10), n)})
	k := runtime.NodeRecord
	if seq == 1 {
		k = runtime.StartRecord
	}
	return runtime.Record{Seq: seq, Kind: k, Node: "n", Time: time.Unix(int64(seq), 0).UTC(), State: state}
}

// crashBatch is the batch starting at seq: 1 to 4 records.
func crashBatch(thread string, seq uint64) []runtime.Record {
	recs := []runtime.Record{crashRecord(thread, seq)}
	for i := uint64(1); i <= seq%4; i++ {
		recs = append(recs, crashRecord(thread, seq+i))
	}
	return recs
}

func (p Processes) command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+p.ChildTest+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), processEnv+"="+strings.Join(args, "\x1f"))
	cmd.Stderr = os.Stderr
	return cmd
}

// Child is the body of the child process; in a plain test run (not a
// child) it skips.
func (p Processes) Child(t *testing.T) {
	spec := os.Getenv(processEnv)
	if spec == "" {
		t.Skip("run as a child process by Processes.Kill9 and Processes.Race")
	}
	args := strings.Split(spec, "\x1f")
	st := p.Open(t, args[1])
	ctx := context.Background()
	var out sync.Mutex
	say := func(format string, a ...any) { // one write per line, unbuffered
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", a...)
	}
	last := func(thread string) uint64 {
		recs, err := st.Load(ctx, thread)
		if errors.Is(err, runtime.ErrNoThread) {
			return 0
		}
		if err != nil {
			say("error %v", err)
			os.Exit(3)
		}
		return recs[len(recs)-1].Seq
	}
	switch args[0] {
	case "append": // append batches to threads a, b, c until killed
		var wg sync.WaitGroup
		for _, th := range []string{"a", "b", "c"} {
			wg.Go(func() {
				for seq := last(th) + 1; ; {
					recs := crashBatch(th, seq)
					to := recs[len(recs)-1].Seq
					say("begin %s %d %d", th, seq, to)
					if err := st.Append(ctx, th, recs); err != nil {
						say("error %v", err)
						os.Exit(3)
					}
					say("ok %s %d", th, to)
					seq = to + 1
				}
			})
		}
		wg.Wait()
	case "race": // race the other children for each Seq of thread r
		name := args[2]
		for seq, n := last("r")+1, 0; n < 40; n++ {
			r := crashRecord("r", seq)
			r.Node = name
			err := st.Append(ctx, "r", []runtime.Record{r})
			switch {
			case err == nil:
				say("won %d", seq)
				seq++
			case errors.Is(err, runtime.ErrConflict):
				seq = last("r") + 1
			default:
				say("error %v", err)
				os.Exit(3)
			}
		}
	}
}

// Kill9 kills a child process with SIGKILL at random moments while it
// appends batches to three threads of the store in dir, then checks that
// every append the child saw return is there, nothing it had not started
// is, no batch is there in part, Load never fails on what the kill left,
// and the next append goes on from there. At most 12 kills, about 15 s.
func (p Processes) Kill9(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	deadline := time.Now().Add(15 * time.Second)
	kills := 0
	begun := map[string]map[uint64]bool{} // thread -> ends of the appends started
	done := map[string]uint64{}           // thread -> the last record seen committed
	for round := 0; round < 12 && time.Now().Before(deadline); round++ {
		cmd := p.command("append", dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill the child a random moment after its first committed append.
		var kill sync.Once
		killAfter := time.Duration(rng.IntN(300_000)) * time.Microsecond
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch f[0] {
			case "begin":
				to, _ := strconv.ParseUint(f[3], 10, 64)
				if begun[f[1]] == nil {
					begun[f[1]] = map[uint64]bool{}
				}
				begun[f[1]][to] = true
			case "ok":
				to, _ := strconv.ParseUint(f[2], 10, 64)
				done[f[1]] = to
				kill.Do(func() {
					kills++
					time.AfterFunc(killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
				})
			default:
				t.Fatalf("child: %s", sc.Text())
			}
		}
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: child: %v, want killed", round, err)
		}
		st := p.Open(t, dir)
		for _, th := range []string{"a", "b", "c"} {
			recs, err := st.Load(context.Background(), th)
			if errors.Is(err, runtime.ErrNoThread) && done[th] == 0 {
				continue
			}
			if err != nil {
				t.Fatalf("round %d: Load(%q) after kill -9: %v", round, th, err)
			}
			last := uint64(len(recs))
			if last < done[th] {
				t.Fatalf("round %d: thread %q has %d records after kill -9, but the child saw record %d committed", round, th, last, done[th])
			}
			if last > done[th] && !begun[th][last] {
				t.Fatalf("round %d: thread %q has %d records after kill -9: not the end of an append the child started (it saw %d committed)", round, th, last, done[th])
			}
			if d := same(recs, crashChain(th, last)); d != "" {
				t.Fatalf("round %d: thread %q: %s", round, th, d)
			}
		}
	}
	t.Logf("%d kills", kills)
	// What the kills left is appended to and read back.
	st := p.Open(t, dir)
	for _, th := range []string{"a", "b", "c"} {
		recs, _ := st.Load(context.Background(), th)
		next := crashBatch(th, uint64(len(recs))+1)
		if err := st.Append(context.Background(), th, next); err != nil {
			t.Fatalf("Append(%q) after the kills: %v", th, err)
		}
		if got, _ := st.Load(context.Background(), th); len(got) != len(recs)+len(next) {
			t.Fatalf("Load(%q) after the kills and an append: %d records, want %d", th, len(got), len(recs)+len(next))
		}
	}
}

func crashChain(thread string, n uint64) []runtime.Record {
	recs := make([]runtime.Record, n)
	for i := range recs {
		recs[i] = crashRecord(thread, uint64(i+1))
	}
	return recs
}

// Race has four processes race for every Seq of one thread of the store
// in dir, 40 appends each: each Seq is won by exactly one of them, and the
// thread holds the winner's record.
func (p Processes) Race(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	const procs = 4
	winners := map[uint64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range procs {
		name := fmt.Sprintf("proc%d", i)
		cmd := p.command("race", dir, name)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			data, _ := io.ReadAll(out)
			if err := cmd.Wait(); err != nil {
				t.Errorf("%s: %v: %s", name, err, data)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var seq uint64
				if _, err := fmt.Sscanf(l, "won %d", &seq); err != nil {
					continue // the test binary's own output
				}
				if w, ok := winners[seq]; ok {
					t.Errorf("record %d appended by both %s and %s", seq, w, name)
				}
				winners[seq] = name
			}
		})
	}
	wg.Wait()
	recs, err := p.Open(t, dir).Load(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(winners) {
		t.Fatalf("the thread has %d records, the processes won %d", len(recs), len(winners))
	}
	for _, r := range recs {
		if r.Node != winners[r.Seq] {
			t.Errorf("record %d is %s's, but %s won it", r.Seq, r.Node, winners[r.Seq])
		}
	}
	t.Logf("%d records won in %d appends", len(recs), procs*40)
}
