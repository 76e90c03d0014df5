// Package storetest is the conformance suite of runtime.Store: Run checks
// that an implementation keeps the contract that durable runs rely on —
// records come back exactly as appended, in order; the Seq rule holds
// (gaps, duplicates and racing appenders get runtime.ErrConflict and write
// nothing); unknown threads give runtime.ErrNoThread; many threads, large
// states and concurrent appenders work; a cancelled context stops each
// method. RunOptions adds the checks that need the store damaged from
// outside (a torn last append, a corrupt record).
package storetest
