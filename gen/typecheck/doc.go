// Package typecheck loads the user's Go package with go/packages, resolves
// the state type that a spec names, and emits, with jennifer, the deep-copy
// helpers that generated code calls to give each parallel branch its own
// copy of the state. It also tells the driver which package-level
// identifiers the package declares, for collision checks, and, with
// Package.CheckCodec, which parts of the state encoding/json would not
// bring back from a checkpoint as they were.
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
//     pointee. A pointer type whose element can reach the pointer type
//     again (a cyclic type: parent pointers, linked lists) is copied by a
//     helper that keeps a memo for one copy of the value (see memo.go):
//     cycles end and are reproduced, and two pointers to one value stay one
//     value. Every helper of a type that reaches such a pointer takes the
//     memo; the others stay plain. Other pointers are copied one by one.
//   - Each named type that needs code gets one helper, shared by every use
//     (prefixCopyDoc(src Doc) Doc); a recursive type's helper calls itself.
//   - A named type with a method Clone() T, with a value or a pointer
//     receiver, is copied by calling it, and not looked into: that is how a
//     type opts out of the generated copy (for a func field, say), the state
//     included. Interface types are not asked for Clone.
//   - A type of another package is copied like the package's own when the
//     generated code can name it and reach all of it: exported, importable,
//     and, for a struct, with only exported fields. Otherwise (known.go):
//     copied by value when it is immutable by contract (time.Time,
//     netip.Addr...) or holds no pointer, slice, map, chan, func or
//     interface down to its unexported fields; copied through its own API
//     for big.Int, big.Rat, big.Float and bytes.Buffer; refused otherwise
//     (Reason "opaque"), the error naming the innermost of the user's types
//     that holds it, where a Clone method would fix it. A pointer to
//     time.Location or regexp.Regexp is shared.
//   - func, chan, unsafe.Pointer and interface types (error and any
//     included) cannot be deep-copied and are refused, with the path of the
//     field, unless a type on the way there has a Clone method.
//   - A lock held by value (sync.Mutex, sync.WaitGroup, atomic.Int64, any
//     type that go vet's copylocks forbids to copy) is refused; a pointer to
//     a type holding a lock is copied as a pointer (shared), since copying a
//     lock is a bug and sharing one is what it is for.
package typecheck
