package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
	sqlitestore "github.com/graphc/graphc/store/sqlite"
)

// openSQLite opens a SQLite store in dir (a file threads.db there).
func openSQLite(dir string) (runtime.Store, error) {
	db, err := sql.Open("sqlite", filepath.Join(dir, "threads.db"))
	if err != nil {
		return nil, err
	}
	st, err := sqlitestore.Open(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return closing{st, db}, nil
}

// closing closes the store, then its database.
type closing struct {
	*sqlitestore.Store
	db *sql.DB
}

func (c closing) Close() error {
	err := c.Store.Close()
	if derr := c.db.Close(); err == nil {
		err = derr
	}
	return err
}

// approve gives every pause the verdict "approve", so a run goes
// research -> ... -> review -> publish whatever resumes it.
func approve(s *State) error { s.Verdict = "approve"; return nil }

func durable(g *Approval) casetest.Durable[State] {
	return casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{Topic: "graphs"}, opts...)
		},
		Resume: func(ctx context.Context, thread string, opts ...runtime.Option) (State, error) {
			// The reviewer approves at a pause; after a crash the thread
			// just goes on.
			if snap, err := g.Snapshot(ctx, thread, opts...); err == nil && snap.Status == runtime.ThreadPaused {
				opts = append(opts, WithApprovalUpdate(approve))
			}
			return g.Resume(ctx, thread, opts...)
		},
		FanIns: []string{"merge"},
	}
}

// TestCrashMatrixSQLite: the crash matrix (casetest.CrashMatrix) with the
// SQLite store under the failing one.
func TestCrashMatrixSQLite(t *testing.T) {
	d := durable(NewApproval(agent{}))
	d.NewStore = func(t *testing.T) runtime.Store {
		st, err := openSQLite(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.(closing).Close() })
		return st
	}
	casetest.CrashMatrix(t, d)
}

// TestKill9SQLite: a process running the approval graph on SQLite is killed
// with SIGKILL at random moments, and the thread resumed (casetest.Kill9).
func TestKill9SQLite(t *testing.T) {
	casetest.Kill9(t, durable(NewApproval(agent{latency: 2 * time.Millisecond})), openSQLite, 8, 15*time.Second)
}
