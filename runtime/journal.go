package runtime

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// StoreError is the error of a durable run whose store failed: the run
// stops at the first record that could not be written.
type StoreError struct {
	Thread string
	Err    error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("graphc: store, thread %q: %v", e.Thread, e.Err)
}

// Unwrap returns the store's error (errors.Is(err, ErrConflict) holds when
// another run wrote the thread).
func (e *StoreError) Unwrap() error { return e.Err }

// journal numbers a run's records and writes them to its store according
// to the durability mode. It is shared by the run's branches.
//
// Sync uses group commit: the first writer to find no write in progress
// becomes the leader and writes everything queued so far in one Append;
// the others wait for the write that carries their record. Concurrent
// branches of a wide fork thus share store round trips (and fsyncs) instead
// of queueing one each.
type journal struct {
	store  Store
	thread string
	mode   Durability
	ctx    context.Context // the run's context without its cancellation: records of a cancelled run are still written

	mu       sync.Mutex
	cond     sync.Cond
	seq      uint64   // the last Seq handed out
	written  uint64   // the last Seq the store holds
	pending  []Record // handed out, not yet written, in Seq order
	writing  bool     // a leader is writing
	err      error    // the first write error: every later add returns it
	flushers sync.WaitGroup
}

func newJournal(ctx context.Context, st Store, thread string, mode Durability, last uint64) *journal {
	j := &journal{store: st, thread: thread, mode: mode, ctx: context.WithoutCancel(ctx), seq: last, written: last}
	j.cond.L = &j.mu
	return j
}

// add numbers r and hands it to the store as the durability mode says: it
// returns once r is durable under Sync, at once otherwise. It returns the
// run's first store error, if any.
func (j *journal) add(r Record) error {
	return j.addMode(r, j.mode)
}

// addSync adds r and waits until it is durable, whatever the mode (thread
// start and resume records claim the thread).
func (j *journal) addSync(r Record) error {
	return j.addMode(r, Sync)
}

func (j *journal) addMode(r Record, mode Durability) error {
	return j.addAll(mode, r)
}

// addAll adds recs as addMode does, in one batch: they reach the store in
// one write, all or none.
func (j *journal) addAll(mode Durability, recs ...Record) error {
	now := time.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	for _, r := range recs {
		j.seq++
		r.Seq, r.Time = j.seq, now
		j.pending = append(j.pending, r)
	}
	switch mode {
	case Sync:
		return j.waitLocked(j.seq)
	case Async:
		if !j.writing {
			j.writing = true
			j.flushers.Add(1)
			go j.drain()
		}
	}
	return nil
}

// waitLocked returns once record seq is written (or the store failed),
// writing queued records itself when no other writer is. j.mu is held.
func (j *journal) waitLocked(seq uint64) error {
	for j.written < seq && j.err == nil {
		if j.writing {
			j.cond.Wait()
			continue
		}
		j.writeLocked()
	}
	return j.err
}

// writeLocked writes every pending record in one Append, releasing j.mu
// meanwhile. j.mu is held and no write is in progress.
func (j *journal) writeLocked() {
	batch := j.pending
	j.pending = nil
	j.writing = true
	j.mu.Unlock()
	err := j.store.Append(j.ctx, j.thread, batch)
	j.mu.Lock()
	j.writing = false
	if err != nil {
		if j.err == nil {
			j.err = &StoreError{Thread: j.thread, Err: err}
		}
	} else {
		j.written = batch[len(batch)-1].Seq
	}
	j.cond.Broadcast()
}

// drain is the Async writer: it writes until nothing is pending.
func (j *journal) drain() {
	defer j.flushers.Done()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.writing = false // the flag only reserved this goroutine's start
	for len(j.pending) > 0 && j.err == nil {
		j.writeLocked()
	}
	j.cond.Broadcast()
}

// flush writes everything pending and waits for the Async writer: all
// records are in the store (or the first store error is returned) when it
// returns, and no goroutine of the journal is left.
func (j *journal) flush() error {
	j.mu.Lock()
	for j.err == nil && (len(j.pending) > 0 || j.writing) {
		if j.writing {
			j.cond.Wait()
			continue
		}
		j.writeLocked()
	}
	err := j.err
	j.mu.Unlock()
	j.flushers.Wait()
	return err
}
