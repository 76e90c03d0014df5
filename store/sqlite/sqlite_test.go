package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
	sqlitestore "github.com/graphc/graphc/store/sqlite"
)

func rec(seq uint64, state string) runtime.Record {
	k := runtime.NodeRecord
	if seq == 1 {
		k = runtime.StartRecord
	}
	return runtime.Record{Seq: seq, Kind: k, Node: "n", Time: time.Unix(int64(seq), 0).UTC(), State: []byte(state)}
}

// TestGroupCommit has 64 goroutines append to their own threads at once,
// 10 records each: they must share transactions (fewer commits than
// appends), and every append must be there.
func TestGroupCommit(t *testing.T) {
	st := open(t, openDB(t, filepath.Join(t.TempDir(), "g.db")))
	const goroutines, records = 64, 10
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-start
			for seq := uint64(1); seq <= records; seq++ {
				if err := st.Append(context.Background(), fmt.Sprint("g", g), []runtime.Record{rec(seq, `{}`)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	commits := sqlitestore.Commits(st)
	t.Logf("%d appends in %d transactions", goroutines*records, commits)
	if commits >= goroutines*records/2 {
		t.Errorf("%d appends took %d transactions: no group commit", goroutines*records, commits)
	}
	for g := range goroutines {
		if recs, err := st.Load(context.Background(), fmt.Sprint("g", g)); err != nil || len(recs) != records {
			t.Errorf("thread g%d: %d records, %v", g, len(recs), err)
		}
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db := openDB(t, path)
	st := open(t, db)
	if err := st.Append(context.Background(), "t", []runtime.Record{rec(1, `{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	st2 := open(t, db) // a second Open migrates nothing and sees the thread
	if recs, err := st2.Load(context.Background(), "t"); err != nil || len(recs) != 1 {
		t.Fatalf("Load after reopening: %d records, %v", len(recs), err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM graphc_migrations`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("graphc_migrations has %d rows (%v), want 1", n, err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v), want wal", mode, err)
	}
	if _, err := db.Exec(`INSERT INTO graphc_migrations (version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.Open(db); err == nil || !strings.Contains(err.Error(), "version 99") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a database migrated by a newer graphc: %v, want an error naming the version and the database", err)
	}
}

// TestBadDatabases: a read-only, a full and an unreachable database give
// errors naming the store and the thread, and write nothing half.
func TestBadDatabases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	{
		db, _ := sql.Open("sqlite", dsn(path))
		st, err := sqlitestore.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Append(ctx, "t", []runtime.Record{rec(1, `{}`)}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		db.Close()
	}
	t.Run("ReadOnly", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st := open(t, db)
		if recs, err := st.Load(ctx, "t"); err != nil || len(recs) != 1 {
			t.Fatalf("Load from a read-only database: %d records, %v", len(recs), err)
		}
		err = st.Append(ctx, "t", []runtime.Record{rec(2, `{}`)})
		wantNamed(t, err, path, `"t"`)
	})
	t.Run("Full", func(t *testing.T) {
		path := filepath.Join(dir, "full.db")
		st := open(t, openDB(t, path, "max_page_count(40)"))
		big := `"` + strings.Repeat("x", 20000) + `"`
		var err error
		seq := uint64(1)
		for ; seq < 100 && err == nil; seq++ {
			if err = st.Append(ctx, "full", []runtime.Record{rec(seq, big)}); err == nil {
				continue
			}
			wantNamed(t, err, path, `"full"`)
			if !strings.Contains(err.Error(), "full") {
				t.Errorf("the error does not say the database is full: %v", err)
			}
		}
		if err == nil {
			t.Fatal("a 40-page database never filled up")
		}
		recs, lerr := st.Load(ctx, "full")
		if lerr != nil || uint64(len(recs)) != seq-2 {
			t.Fatalf("Load after the database filled: %d records, %v; want the %d committed", len(recs), lerr, seq-2)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		path := filepath.Join(dir, "no", "such", "dir", "x.db")
		db := openDB(t, path)
		_, err := sqlitestore.Open(db)
		wantNamed(t, err, "sqlite store")
	})
}

func wantNamed(t *testing.T, err error, names ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", names)
	}
	if errors.Is(err, runtime.ErrConflict) || errors.Is(err, runtime.ErrNoThread) {
		t.Fatalf("%v: not a conflict nor an unknown thread", err)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("%v: does not name %s", err, n)
		}
	}
}

var procs = storetest.Processes{
	Open: func(t *testing.T, dir string) runtime.Store {
		return open(t, openDB(t, filepath.Join(dir, "graphc.db")))
	},
	ChildTest: "TestProcessChild",
}

// TestProcessChild is the child process of the two tests below.
func TestProcessChild(t *testing.T) { procs.Child(t) }

// TestKill9: a kill -9 during a SQLite write never loses a committed
// record nor resurrects an uncommitted one (see storetest.Processes.Kill9).
func TestKill9(t *testing.T) { procs.Kill9(t) }

// TestProcessesRace: four processes race for each Seq of one thread.
func TestProcessesRace(t *testing.T) { procs.Race(t) }
