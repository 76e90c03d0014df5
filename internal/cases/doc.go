// Package cases holds graphs whose generated code is committed, compiled and
// run by go test: each subdirectory is one spec with its generated executor
// and tests of its behaviour. TestGolden in package gen checks that the
// committed code is what the spec produces (go test ./gen -update rewrites it).
package cases
