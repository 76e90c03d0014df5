package pgstore_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
	pgstore "github.com/graphc/graphc/store/postgres"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// url returns the test server's connection string, or skips the test
// (fails it under CI=true, where PostgreSQL must be there).
func url(t testing.TB) string {
	u := os.Getenv("GRAPHC_TEST_POSTGRES")
	if u == "" {
		msg := "GRAPHC_TEST_POSTGRES is not set: run the PostgreSQL tests with scripts/with-postgres.sh go test ./... (or make test-postgres), which starts a throwaway server"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return u
}

var schemas atomic.Int64

// pool connects to a schema of its own on the test server, named after
// key (so that child processes find it), created if missing and dropped at
// the end of the test that made it.
func pool(t testing.TB, key string, drop bool) *pgxpool.Pool {
	ctx := context.Background()
	schema := fmt.Sprintf("graphc_test_%x", sha256.Sum256([]byte(key)))[:40]
	cfg, err := pgxpool.ParseConfig(url(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	admin, err := pgx.Connect(ctx, url(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil && !strings.Contains(err.Error(), "23505") {
		t.Fatal(err)
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		if drop {
			if c, err := pgx.Connect(ctx, url(t)); err == nil {
				_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
				c.Close(ctx)
			}
		}
	})
	return p
}

func open(t testing.TB, p *pgxpool.Pool) *pgstore.Store {
	st, err := pgstore.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var pools = map[runtime.Store]*pgxpool.Pool{}

func TestConformance(t *testing.T) {
	storetest.RunOptions(t, func(t *testing.T) runtime.Store {
		p := pool(t, fmt.Sprint(t.Name(), schemas.Add(1), time.Now().UnixNano()), true)
		st := open(t, p)
		pools[st] = p
		return st
	}, storetest.Options{
		Corrupt: func(t *testing.T, st runtime.Store, thread string, seq uint64) {
			_, err := pools[st].Exec(context.Background(),
				`UPDATE graphc_records SET record = '\x7b22736571223a'::bytea WHERE thread = $1 AND seq = $2`, []byte(thread), int64(seq))
			if err != nil {
				t.Fatal(err)
			}
		},
	})
}

var procs = storetest.Processes{
	Open: func(t *testing.T, dir string) runtime.Store {
		// The parent's test drops the schema; children leave it.
		return open(t, pool(t, dir, os.Getenv("GRAPHC_STORETEST_CHILD") == ""))
	},
	ChildTest: "TestProcessChild",
}

// TestProcessChild is the child process of the two tests below.
func TestProcessChild(t *testing.T) { procs.Child(t) }

// TestProcessesRace: four processes race for each Seq of one thread; the
// one-statement Seq check lets exactly one win.
func TestProcessesRace(t *testing.T) { url(t); procs.Race(t) }

// TestKill9: a client killed mid-append leaves whole appends only.
func TestKill9(t *testing.T) { url(t); procs.Kill9(t) }

func rec(seq uint64) runtime.Record {
	k := runtime.NodeRecord
	if seq == 1 {
		k = runtime.StartRecord
	}
	return runtime.Record{Seq: seq, Kind: k, Node: "n", Time: time.Unix(int64(seq), 0).UTC(), State: []byte(`{"a":1}`)}
}

func wantNamed(t *testing.T, err error, names ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", names)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("%v: does not name %s", err, n)
		}
	}
}

// TestConnectionLoss cuts the store's connections mid-run (the server
// ends them; then, with GRAPHC_TEST_POSTGRES_CTL, the server stops): an
// Append meanwhile fails with an error naming the store and the thread,
// and once the server is back the next Append and Load work, with
// nothing half-written.
func TestConnectionLoss(t *testing.T) {
	ctx := context.Background()
	p := pool(t, fmt.Sprint(t.Name(), time.Now().UnixNano()), true)
	st := open(t, p)
	if err := st.Append(ctx, "t", []runtime.Record{rec(1), rec(2)}); err != nil {
		t.Fatal(err)
	}
	// 1. The server terminates every connection of the pool.
	admin, err := pgx.Connect(ctx, url(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`)
	admin.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The first use of a dead connection may fail; the pool then replaces it.
	seq := uint64(3)
	for range 3 {
		err := st.Append(ctx, "t", []runtime.Record{rec(seq)})
		if err == nil {
			seq++
			break
		}
		wantNamed(t, err, "postgres store", `"t"`)
		t.Logf("after the connections were cut: %v", err)
	}
	if seq != 4 {
		t.Fatal("no Append worked after the connections were cut")
	}
	// 2. The server stops, then starts again.
	ctl := os.Getenv("GRAPHC_TEST_POSTGRES_CTL")
	if ctl == "" {
		t.Log("GRAPHC_TEST_POSTGRES_CTL is not set: the server is not stopped (scripts/with-postgres.sh sets it)")
	} else {
		if out, err := exec.Command(ctl, "stop").CombinedOutput(); err != nil {
			t.Fatalf("%s stop: %v: %s", ctl, err, out)
		}
		started := false
		defer func() {
			if !started {
				_ = exec.Command(ctl, "start").Run()
			}
		}()
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := st.Append(actx, "t", []runtime.Record{rec(seq)})
		cancel()
		wantNamed(t, err, "postgres store", `"t"`)
		t.Logf("with the server stopped: %v", err)
		_, err = st.Load(ctx, "t")
		wantNamed(t, err, "postgres store", `"t"`)
		if out, err := exec.Command(ctl, "start").CombinedOutput(); err != nil {
			t.Fatalf("%s start: %v: %s", ctl, err, out)
		}
		started = true
		for try := 0; ; try++ {
			err := st.Append(ctx, "t", []runtime.Record{rec(seq)})
			if err == nil {
				seq++
				break
			}
			if errors.Is(err, runtime.ErrConflict) || try == 5 {
				t.Fatalf("Append after the server restarted: %v", err)
			}
		}
	}
	recs, err := st.Load(ctx, "t")
	if err != nil || uint64(len(recs)) != seq-1 {
		t.Fatalf("Load after the connection loss: %d records, %v; want %d", len(recs), err, seq-1)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	p := pool(t, fmt.Sprint(t.Name(), time.Now().UnixNano()), true)
	open(t, p)
	open(t, p) // idempotent
	var n int
	if err := p.QueryRow(ctx, `SELECT count(*) FROM graphc_migrations`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("graphc_migrations has %d rows (%v), want 1", n, err)
	}
	if _, err := p.Exec(ctx, `INSERT INTO graphc_migrations (version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	_, err := pgstore.Open(ctx, p)
	wantNamed(t, err, "postgres store", "version 99")
}

// TestUnreachable: Open against a port nothing listens on fails with an
// error naming the store.
func TestUnreachable(t *testing.T) {
	url(t)
	cfg, err := pgxpool.ParseConfig("postgres://graphc@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = pgstore.Open(context.Background(), p)
	wantNamed(t, err, "postgres store 127.0.0.1:1/postgres")
}
