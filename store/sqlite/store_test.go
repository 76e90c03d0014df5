package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
	_ "modernc.org/sqlite" // the pure-Go driver, registered as "sqlite"

	"github.com/graphc/graphc/runtime"
	"github.com/graphc/graphc/runtime/storetest"
	sqlitestore "github.com/graphc/graphc/store/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// dsn is how the tests open a database file: every connection waits for
// locks instead of failing with SQLITE_BUSY.
func dsn(path string, pragmas ...string) string {
	s := "file:" + path + "?_pragma=busy_timeout(10000)"
	for _, p := range pragmas {
		s += "&_pragma=" + p
	}
	return s
}

func openDB(t testing.TB, path string, pragmas ...string) *sql.DB {
	db, err := sql.Open("sqlite", dsn(path, pragmas...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func open(t testing.TB, db *sql.DB) *sqlitestore.Store {
	st, err := sqlitestore.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st
}

// dbs remembers each store's database for the damage hook.
var dbs = map[runtime.Store]*sql.DB{}

func TestConformance(t *testing.T) {
	storetest.RunOptions(t, func(t *testing.T) runtime.Store {
		db := openDB(t, filepath.Join(t.TempDir(), "graphc.db"))
		st := open(t, db)
		dbs[st] = db
		return st
	}, storetest.Options{
		Corrupt: func(t *testing.T, st runtime.Store, thread string, seq uint64) {
			_, err := dbs[st].ExecContext(context.Background(),
				`UPDATE graphc_records SET record = CAST('{"seq":' AS BLOB) WHERE thread = ? AND seq = ?`, []byte(thread), seq)
			if err != nil {
				t.Fatal(err)
			}
		},
	})
}
