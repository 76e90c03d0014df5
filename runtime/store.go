package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"
)

// A durable run writes a thread: the ordered list of records of everything
// that happened in it, one record per node completion per flow path plus
// the fork, failure, retry, interrupt, update, resume and end records.
// Resume rebuilds where every flow of the run stood from these records (see
// Resume in generated code); Snapshot reads them.
//
// Records are numbered from 1 within a thread, without gaps. A Store
// appends them under optimistic concurrency: an append must start right
// after the thread's last record, so two runs that race to continue one
// thread cannot both succeed (the loser gets ErrConflict, and nothing of it
// is written). Paths name flows deterministically (see Branch.Path), never
// by scheduling order.

// FormatVersion is the version of the record format this runtime writes
// and reads; the start record of every thread carries it.
const FormatVersion = 1

// Codec names how states are encoded in records: encoding/json.
const Codec = "json"

// RecordKind says what a Record reports.
type RecordKind uint8

const (
	// StartRecord opens a thread (always record 1): Graph, Fingerprint,
	// Format and Codec identify what wrote it; Node is the entry node and
	// State the input state.
	StartRecord RecordKind = iota + 1
	// NodeRecord: node Node completed on flow Path, returning State; Next is
	// the node its edge leads to: a node name, "__end__" at the end of the
	// main flow, the fan-in's name at the end of a branch, or "" when the
	// node was not routed yet (it interrupts after itself; a RouteRecord
	// follows at resume). The route a conditional node took is this Next.
	NodeRecord
	// RouteRecord: after an interrupt after Node, the edge out of Node led
	// to Next (routed on the updated state).
	RouteRecord
	// ForkRecord: node Node on flow Path forked for the Act-th time on that
	// path (from 1) into Count branches, on the fork-time State. Branch i of
	// it runs on flow path Path/Node@Act:i (see Branch.Path). A branch has
	// delivered when its last NodeRecord's Next is the fork's fan-in: that
	// record is the delivery (no record of its own, one write less per
	// branch).
	ForkRecord
	// FailRecord: the run failed in node Node on flow Path with Err (the
	// run's error as text); the node's completion was not recorded.
	FailRecord
	// RetryRecord: attempt Attempt of node Node on flow Path failed with Err
	// and will be retried (node policies); a resume keeps the budget.
	RetryRecord
	// InterruptRecord: the run paused at Node, in Phase (before or after it
	// ran), with the main flow's state as the last record left it.
	InterruptRecord
	// UpdateRecord: an update given to Resume changed the main flow's state
	// to State.
	UpdateRecord
	// ResumeRecord: a Resume took the thread over; it is written before
	// anything else of that resume, and synchronously whatever the
	// durability, so two racing resumes cannot both continue.
	ResumeRecord
	// EndRecord: the run reached __end__ with State.
	EndRecord
)

var recordKindNames = [...]string{"", "start", "node", "route", "fork", "fail", "retry", "interrupt", "update", "resume", "end"}

func (k RecordKind) String() string {
	if k > 0 && int(k) < len(recordKindNames) {
		return recordKindNames[k]
	}
	return fmt.Sprintf("RecordKind(%d)", uint8(k))
}

// MarshalText encodes k by name, so that stored records read as words.
func (k RecordKind) MarshalText() ([]byte, error) {
	if k == 0 || int(k) >= len(recordKindNames) {
		return nil, fmt.Errorf("graphc: record kind %d is not known", uint8(k))
	}
	return []byte(recordKindNames[k]), nil
}

// UnmarshalText decodes a name written by MarshalText; an unknown name is
// an error (a thread written by a newer graphc, or corrupt).
func (k *RecordKind) UnmarshalText(b []byte) error {
	for i, n := range recordKindNames {
		if i > 0 && n == string(b) {
			*k = RecordKind(i)
			return nil
		}
	}
	return fmt.Errorf("graphc: record kind %q is not known", b)
}

// Phase says whether an interrupt happened before or after its node ran.
type Phase uint8

const (
	// Before: the node has not run; Resume runs it.
	Before Phase = iota + 1
	// After: the node has run; Resume applies the update, then routes on
	// the updated state.
	After
)

func (p Phase) String() string {
	switch p {
	case Before:
		return "before"
	case After:
		return "after"
	}
	return fmt.Sprintf("Phase(%d)", uint8(p))
}

// MarshalText encodes p as "before" or "after".
func (p Phase) MarshalText() ([]byte, error) {
	if p != Before && p != After {
		return nil, fmt.Errorf("graphc: phase %d is not known", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes "before" or "after".
func (p *Phase) UnmarshalText(b []byte) error {
	switch string(b) {
	case "before":
		*p = Before
	case "after":
		*p = After
	default:
		return fmt.Errorf("graphc: phase %q is not known", b)
	}
	return nil
}

// Record is one entry of a thread. Which fields are set depends on Kind
// (see the RecordKind constants); the others are zero.
type Record struct {
	Seq   uint64     `json:"seq"`  // 1, 2, ... within the thread
	Kind  RecordKind `json:"kind"` // what happened
	Time  time.Time  `json:"time"` // when it was recorded (wall clock, for people)
	Path  string     `json:"path,omitempty"`
	Node  string     `json:"node,omitempty"`
	Next  string     `json:"next,omitempty"`
	Act   int        `json:"act,omitempty"`   // ForkRecord
	Count int        `json:"count,omitempty"` // ForkRecord: the branches, or a map's items
	// Items is a map's ForkRecord: its items, encoded with Codec.
	Items json.RawMessage `json:"items,omitempty"`
	// Selected is a select fork's ForkRecord: the branches it runs (bit i: branch i).
	Selected uint64          `json:"selected,omitempty"`
	Attempt  int             `json:"attempt,omitempty"` // RetryRecord, FailRecord
	Phase    Phase           `json:"phase,omitempty"`   // InterruptRecord
	State    json.RawMessage `json:"state,omitempty"`   // the state, encoded with Codec
	Err      string          `json:"err,omitempty"`

	// StartRecord only.
	Graph       string `json:"graph,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Format      int    `json:"format,omitempty"`
	Codec       string `json:"codec,omitempty"`
}

// EncodeRecord returns r as one line of JSON, without the newline: the form
// every store in this module writes. Stores may keep records in any form
// that Load gives back exactly.
func EncodeRecord(r Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("graphc: encoding record %d (%s): %w", r.Seq, r.Kind, err)
	}
	return b, nil
}

// DecodeRecord decodes what EncodeRecord returned. It fails on anything
// else: malformed or truncated JSON, unknown fields or kinds, a record
// without a sequence number.
func DecodeRecord(b []byte) (Record, error) {
	var r Record
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("graphc: decoding a record: %w", err)
	}
	if d.More() {
		return Record{}, errors.New("graphc: decoding a record: data after the record")
	}
	if r.Seq == 0 || r.Kind == 0 {
		return Record{}, errors.New("graphc: decoding a record: no seq or kind")
	}
	return r, nil
}

// Store keeps threads of records. Implementations must be safe for
// concurrent use by many runs (of one thread or several) and, for stores
// shared between processes, by many processes.
//
// The stores of this module: NewMemoryStore, NewFileStore; in nested
// modules: github.com/graphc/graphc/store/sqlite and .../store/postgres.
// The conformance suite github.com/graphc/graphc/runtime/storetest checks
// an implementation.
type Store interface {
	// Append adds recs to the end of thread, in order, atomically: all of
	// them are durable when it returns nil, and none is visible to Load
	// when it fails. recs[0].Seq must be one more than the Seq of the
	// thread's last record (1 for a thread the store does not hold, which
	// Append creates) and the Seqs of recs consecutive; otherwise Append
	// writes nothing and returns an error wrapping ErrConflict.
	Append(ctx context.Context, thread string, recs []Record) error

	// Load returns every record of thread in Seq order, or an error
	// wrapping ErrNoThread when the store holds none. A record that was
	// not completely written (a torn tail after a crash) is not returned;
	// any other damage is an error naming the thread and the record.
	Load(ctx context.Context, thread string) ([]Record, error)

	// Threads yields the id of every thread the store holds, each once, in
	// no particular order.
	Threads(ctx context.Context) iter.Seq2[string, error]
}

// ErrNoThread is wrapped by the error of Load, Resume and Snapshot for a
// thread the store does not hold.
var ErrNoThread = errors.New("graphc: no such thread")

// ErrConflict is wrapped by the error of an Append that did not start
// right after the thread's last record: another run appended to the thread
// first (two Resume calls raced, or Invoke was given a thread id in use).
var ErrConflict = errors.New("graphc: the thread was written by another run")

// Durability says when a run's records reach its store.
type Durability uint8

const (
	// Sync: a node's record is durable before the next node on its flow
	// path starts. Records of concurrent branches are committed together
	// (group commit). The default with a store.
	Sync Durability = iota
	// Async: records are queued and written in the background, and all are
	// written before Invoke or Resume returns. A crash may lose the last
	// records: those nodes run again on resume.
	Async
	// Exit: records are written only when the run interrupts, fails or
	// ends. A crash loses the whole run since its last start or resume.
	Exit
)

func (d Durability) String() string {
	switch d {
	case Sync:
		return "sync"
	case Async:
		return "async"
	case Exit:
		return "exit"
	}
	return fmt.Sprintf("Durability(%d)", uint8(d))
}
