package runtime_test

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
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// The tests below re-execute the test binary as child processes that use
// a file store (TestFileStoreChild, selected by GRAPHC_FILESTORE_CHILD).

const childEnv = "GRAPHC_FILESTORE_CHILD"

// crashRecord is record seq of thread in the crash tests: its state's size
// (up to 48 KiB) and content follow from seq. (A kill rarely tears a
// write on Linux, which finishes a write to the page cache first; torn
// tails are tested with storetest's Tear hook.)
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

func child(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileStoreChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	cmd.Stderr = os.Stderr
	return cmd
}

// TestFileStoreChild is the child process of the tests below; it does
// nothing in a plain test run.
func TestFileStoreChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("run as a child process by TestFileStoreKill9 and TestFileStoreProcessesRace")
	}
	args := strings.Split(spec, "\x1f")
	st, err := runtime.NewFileStore(args[1])
	if err != nil {
		t.Fatal(err)
	}
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
		name, n := args[2], 0
		for seq := last("r") + 1; n < 40; n++ {
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

// TestFileStoreKill9 kills a child process with SIGKILL at random points
// while it appends to three threads of a file store, then checks that
// every append the child saw return is there, nothing it had not started
// is, no batch is there in part, Load never fails on what the kill left,
// and the next append goes on from there.
func TestFileStoreKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	deadline := time.Now().Add(15 * time.Second)
	kills, torn := 0, 0
	begun := map[string]map[uint64]bool{} // thread -> ends of the appends started
	done := map[string]uint64{}           // thread -> the last record seen committed
	for round := 0; round < 12 && time.Now().Before(deadline); round++ {
		cmd := child(t, "append", dir)
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
		st, err := runtime.NewFileStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range []string{"a", "b", "c"} {
			if data, _ := os.ReadFile(filepath.Join(dir, th+".jsonl")); len(data) > 0 && data[len(data)-1] != '\n' {
				torn++
			}
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
			for i, r := range recs {
				if d := diffRecord(r, crashRecord(th, uint64(i+1))); d != "" {
					t.Fatalf("round %d: thread %q record %d: %s", round, th, i+1, d)
				}
			}
		}
	}
	t.Logf("%d kills, %d torn tails left", kills, torn)
	// What the kills left is appended to and read by a fresh store.
	st, _ := runtime.NewFileStore(dir)
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

func diffRecord(got, want runtime.Record) string {
	g, _ := runtime.EncodeRecord(got)
	w, _ := runtime.EncodeRecord(want)
	if string(g) != string(w) {
		return fmt.Sprintf("got %.120s..., want %.120s...", g, w)
	}
	return ""
}

// TestFileStoreProcessesRace has four processes race for every Seq of one
// thread: each Seq is won by exactly one of them (flock makes the check
// and the write one step across processes), and the thread holds the
// winner's record.
func TestFileStoreProcessesRace(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	const procs = 4
	winners := map[uint64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for p := range procs {
		// The children race from their start: the store is shared, not
		// their timing, so each Seq is contended while they overlap.
		name := fmt.Sprintf("proc%d", p)
		cmd := child(t, "race", dir, name)
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
	st, _ := runtime.NewFileStore(dir)
	recs, err := st.Load(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(winners) {
		t.Fatalf("thread has %d records, the processes won %d", len(recs), len(winners))
	}
	for _, r := range recs {
		if r.Node != winners[r.Seq] {
			t.Errorf("record %d is %s's, but %s won it", r.Seq, r.Node, winners[r.Seq])
		}
	}
	t.Logf("%d records, %d appends", len(recs), procs*40)
}

// TestFileStoreFiles checks what the store leaves on disk: file names stay
// inside its directory and are lower case, and a thread file is JSON lines
// that another tool can read.
func TestFileStoreFiles(t *testing.T) {
	dir := t.TempDir()
	st, err := runtime.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{"../up", "/abs", "Mixed", "mixed", strings.Repeat("x", 450)} {
		if err := st.Append(ctx, id, []runtime.Record{crashRecord(id, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"%2e%2e%2fup.jsonl", "%2fabs.jsonl", "%4dixed.jsonl", "mixed.jsonl",
		strings.Repeat("x", 200) + "/" + strings.Repeat("x", 200) + "/" + strings.Repeat("x", 50) + ".jsonl"}
	if fmt.Sprint(files) != fmt.Sprint(want) {
		t.Errorf("files %q, want %q", files, want)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "mixed.jsonl"))
	if r, err := runtime.DecodeRecord([]byte(strings.TrimSuffix(string(data), "\n"))); err != nil || r.Seq != 1 {
		t.Errorf("mixed.jsonl is not one JSON line of record 1: %q (%v)", data, err)
	}
	// A last line that ends in a newline but does not decode (its blocks
	// were not written before a crash) is torn too; earlier, it is damage.
	path := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(path, append(data, "{\"seq\":2,\x00\x00\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if recs, err := st.Load(ctx, "mixed"); err != nil || len(recs) != 1 {
		t.Fatalf("Load with an undecodable last line: %d records, %v; want 1, nil", len(recs), err)
	}
	if err := os.WriteFile(path, append(data, "{\"seq\":2,\x00\x00\n{\"seq\":3,"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, "mixed"); err == nil || !strings.Contains(err.Error(), `"mixed"`) || !strings.Contains(err.Error(), "line 2 (record 2)") {
		t.Fatalf("Load with an undecodable line before a torn one: %v, want an error naming thread and line", err)
	}
	if err := st.Append(ctx, "mixed", []runtime.Record{crashRecord("mixed", 2)}); err == nil || !strings.Contains(err.Error(), "line 2 (record 2)") {
		t.Fatalf("Append after damage: %v, want an error naming the line", err)
	}
}
