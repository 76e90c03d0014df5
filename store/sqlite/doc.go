// Package sqlitestore keeps the threads of durable graphc runs in SQLite:
// a runtime.Store over a *sql.DB from any SQLite driver (the tests use the
// pure-Go modernc.org/sqlite, no cgo).
//
// Open switches the database to WAL and migrates its schema (tables
// graphc_migrations, graphc_threads, graphc_records). Appends go through
// one writer connection with group commit: concurrent Appends, to one
// thread or many, share one transaction and so one fsync, and each returns
// once the transaction holding its records committed.
package sqlitestore
