// Package stress is the stress-test harness of graphc: it runs a graph many
// times in parallel, perturbs the scheduling of every node, and checks from
// the run's events that no fan-in lost a branch, joined early or ran twice,
// that every run ended, and that no goroutine of the graph outlived it.
//
// Every generated graph gets a test that calls Run with probe handlers,
// in essence
//
//	func TestResearchStress(t *testing.T) {
//		g := NewResearch(researchProbe{})
//		stress.Run(t, func(ctx context.Context, observe runtime.Option) (State, error) {
//			return g.Invoke(ctx, State{}, observe)
//		})
//	}
//
// and users can call it the same way with their own handlers. The probe
// route handlers call Choose, which draws the label to take from the run's
// seeded source and is biased to leave loops, so runs stay short.
//
// # What is checked
//
// The observer that Run passes to each run records the run's events under a
// mutex. The order in which events take that mutex respects the order in
// which they happened: an event that happened before another (in the sense
// of the Go memory model) is recorded before it. So every check below is
// about a real ordering, not about scheduling noise:
//
//  1. every fork activation (Forked) received exactly one BranchArrived from
//     each of its branches; deliveries may be missing only when the run
//     failed, duplicates never;
//  2. its fan-in joined once, after all of its branches arrived, and the
//     next event where it joined is NodeStarted of the fan-in node;
//  3. nothing ran in a branch of an activation (or in any activation nested
//     in it) after that activation joined;
//  4. the run ended: Invoke returned, Done was observed exactly once and
//     was the last event; no event came after Invoke returned;
//  5. no goroutine started during the runs is still alive after them (see
//     Goroutine leaks);
//  6. the fork-time state (what the fork node returned) is the same when its
//     fork joins as when it began, compared value by value down every
//     pointer, slice and map: a branch whose copy shares memory with it
//     changed it.
//
// # Isolation
//
// The generated probe handlers prove that each branch works on its own copy
// of the graph's real state type: fork nodes fill the state with something
// in every part (Fill, from the run's seed), and every other node changes,
// in place, every mutable part it can reach (Mutate). Memory that a copy
// shares between two branches is then written by both at once, which -race
// reports; memory shared with the fork-time state breaks check 6.
//
// Ordering the events has a price: the observer's lock is a synchronisation
// the race detector sees, so two nodes of a run are ordered for it whenever
// an event of the one took the lock before an event of the other. A data
// race between nodes (branches sharing a map through a shallow copy, say) is
// still reported whenever the two overlap, which the jitter makes frequent,
// but not in every run.
//
// It also checks that every NodeFinished follows a NodeStarted of the same
// node in the same branch, that the nodes of a successful run all finished,
// and that Invoke returned no error (unless AllowErrors). Report.Lost counts
// the deliveries a fan-in should have had but did not: branches that arrived
// after their join, and, in runs that succeeded, branches that never did.
//
// # Scheduling perturbation and reproduction
//
// On NodeStarted and NodeFinished, after recording the event and outside of
// its lock, the observer pauses for a random time up to Jitter, or yields
// the processor (runtime.Gosched), or does nothing. This runs on the
// goroutine that is about to run the node (or to deliver its branch), so it
// reorders branches against each other and against their join. Pauses
// shorter than a millisecond yield the processor in a loop until they are
// over instead of sleeping: timers are coarse on many machines (a 10µs
// time.Sleep takes a whole millisecond on some virtual machines).
//
// The decision is not drawn from a shared sequential random source, whose
// draws would be handed out in whatever order the goroutines reach it.
// It is a hash of the base seed, the run number, the event kind, the node's
// name, the branch index (In.Index) and how many events the branch (In.Fork,
// In.Index) has had so far. All of these depend only on the path the run
// takes, not on how its goroutines interleave (activation ids do, so they
// are not hashed). Choose likewise hashes the seed, the run number, the node
// and how often the run has visited that node. So a given seed makes the same
// decisions, at the same places, every time; each failure report prints the
// seed and the command that replays it:
//
//	go test -run '^TestResearchStress$' -stress.seed=12345 example.com/m/research
//
// The scheduler itself is not replayed, so a replay makes a failure likelier,
// not certain. When a node is visited concurrently from several branches,
// the visits are numbered in the order they take Choose's lock, so which
// branch gets which of those (identical) decisions may vary.
//
// # Goroutine leaks
//
// Each run is invoked under a runtime/pprof label that names the Run call
// and the run; goroutines inherit the labels of the goroutine that starts
// them, so every goroutine started while a run was in progress, directly or
// not, carries its label. After the runs, Run polls the goroutine profile
// (runtime/pprof's "goroutine" profile, which unlike runtime.Stack prints
// labels) for goroutines that carry one of its labels and whose stack has a
// frame in github.com/graphc/graphc/runtime (or a package below it), in the
// package of the function that called Run, or in the package of invoke: the
// graphc runtime, the generated code and the probe handlers. It polls for up
// to a second, since a goroutine is still alive for a moment after it
// signalled that it is done; whatever is left fails the test, with its stack.
// Goroutines that only run code of other packages (an HTTP client's
// connection pool, say) are not counted, and neither are goroutines of other
// tests running in parallel.
//
// # Flags
//
// The package registers flags for go test that override the options given
// in code: -stress.runs, -stress.parallel, -stress.seed, -stress.jitter,
// -stress.procs and -stress.timeout.
package stress
