// Package pgstore keeps the threads of durable graphc runs in PostgreSQL:
// a runtime.Store over a pgx v5 connection pool.
//
// Open migrates the schema (tables graphc_migrations, graphc_threads,
// graphc_records, in the pool's search_path) under an advisory lock, so
// many processes may open one database at once. Every Append is one
// statement: the Seq check and the insert commit together, so two
// processes racing for one Seq cannot both win; PostgreSQL's own group
// commit lets concurrent Appends share WAL flushes.
package pgstore
