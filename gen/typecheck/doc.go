// Package typecheck loads the user's Go package with go/packages, resolves
// the state type that a spec names, and emits, with jennifer, the deep-copy
// helpers that generated code calls to give each parallel branch its own
// copy of the state. It also tells the driver which package-level
// identifiers the package declares, for collision checks.
//
// # Loading
//
// Load type-checks the package of a directory with an overlay (the driver
// blanks previous outputs to their package clause, so that stale generated
// code never blocks loading, and may add a file declaring an inline state).
// Type errors do not make it fail: they are kept in Package.Errors, and
// State reports them only when they hide or break the state type. See Load
// for how it avoids type-checking every dependency from source.
//
// # What the deep copy does
//
// Copier.Copy(t, src) returns an expression for a deep copy of src:
//
//   - Booleans, numbers, strings, and structs and arrays made only of them,
//     are copied by assignment: Copy returns src itself, no helper, no
//     allocation.
//   - Structs are copied field by field (unexported fields of the package's
//     own types included: the generated code lives in the same package);
//     embedded structs are fields like the others; blank (_) fields are
//     copied with the struct.
//   - Slices element by element (nil stays nil, length kept; slices.Clone
//     when elements need no more), arrays element by element, maps key by
//     key (nil stays nil; maps.Clone when values need no more). Map keys are
//     kept as they are: they are comparable values, and a pointer key is an
//     identity.
//   - Pointers: nil stays nil, otherwise a new value holding a copy of the
//     pointee. Each pointer is copied on its own: two pointers to one value
//     become pointers to two values (sharing, as in a DAG, is not
//     preserved), and a cycle of pointers makes the copy recurse forever, so
//     the state must hold trees, not graphs with cycles.
//   - Each named type that needs code gets one helper, shared by every use
//     (prefixCopyDoc(src Doc) Doc); a recursive type's helper calls itself.
//   - A named type with a method Clone() T, with a value or a pointer
//     receiver, is copied by calling it, and not looked into: that is how a
//     type opts out of the generated copy (for a func field, say), the state
//     included. Interface types are not asked for Clone.
//   - A type of another package is copied like the package's own when the
//     generated code can name it and reach all of it: exported, importable,
//     and, for a struct, with only exported fields. Otherwise (time.Time,
//     big.Int...) it is copied by value: what it points to is
//     shared (time.Time's *Location is meant to be; big.Int's digits would
//     be, so hold such values behind your own type with a Clone method if
//     branches modify them in place). A pointer to such a type gets a new
//     value holding a copy by value of the pointee.
//   - func, chan, unsafe.Pointer and interface types (error and any
//     included) cannot be deep-copied and are refused, with the path of the
//     field, unless a type on the way there has a Clone method.
//   - A lock held by value (sync.Mutex, sync.WaitGroup, atomic.Int64, any
//     type that go vet's copylocks forbids to copy) is refused; a pointer to
//     a type holding a lock is copied as a pointer (shared), since copying a
//     lock is a bug and sharing one is what it is for.
package typecheck
