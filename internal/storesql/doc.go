// Package storesql reads a thread's records, and the list of threads, from
// the rows of a SQL query, the same way for every SQL store (store/sqlite
// over database/sql, store/postgres over pgx): one decoding and one
// sequence check, with errors naming the store, the thread and the record.
package storesql
