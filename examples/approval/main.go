package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver

	"github.com/graphc/graphc/runtime"
	sqlitestore "github.com/graphc/graphc/store/sqlite"
)

const usage = `usage: approval [-store file:DIR|sqlite:PATH] start  -thread ID -topic TEXT
       approval [-store ...]                   status -thread ID
       approval [-store ...]                   resume -thread ID -verdict approve|revise [-note TEXT]`

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "approval:", err)
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, out io.Writer) error {
	top := flag.NewFlagSet("approval", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	where := top.String("store", "file:approval-threads", "where threads are kept: file:DIR or sqlite:PATH")
	latency := top.Duration("latency", 0, "how long each search takes (a stand-in for a real one)")
	if err := top.Parse(args); err != nil || top.NArg() == 0 {
		return usageError{"a command is needed"}
	}
	cmd := flag.NewFlagSet(top.Arg(0), flag.ContinueOnError)
	cmd.SetOutput(io.Discard)
	thread := cmd.String("thread", "", "the thread id")
	topic := cmd.String("topic", "", "start: what to research")
	verdict := cmd.String("verdict", "", "resume: approve or revise")
	note := cmd.String("note", "", "resume: the reviewer's note")
	if err := cmd.Parse(top.Args()[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *thread == "" {
		return usageError{"-thread is required"}
	}
	st, closeStore, err := openStore(*where)
	if err != nil {
		return err
	}
	defer closeStore()
	ctx := context.Background()
	g := NewApproval(agent{latency: *latency}, runtime.WithStore(st))

	switch cmd.Name() {
	case "start":
		if *topic == "" {
			return usageError{"start needs -topic"}
		}
		return show(out, g.Stream(ctx, State{Topic: *topic}, runtime.WithThread(*thread)))
	case "resume":
		if *verdict != "approve" && *verdict != "revise" {
			return usageError{"resume needs -verdict approve or -verdict revise"}
		}
		edit := WithApprovalUpdate(func(s *State) error {
			s.Verdict = *verdict
			if *note != "" {
				s.Notes = append(s.Notes, *note)
			}
			return nil
		})
		return show(out, g.ResumeStream(ctx, *thread, edit))
	case "status":
		snap, err := g.Snapshot(ctx, *thread)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "thread %s: %s after %d steps (%d records)\n", snap.Thread, snap.Status, snap.Steps, snap.Records)
		if snap.Interrupt != nil {
			fmt.Fprintf(out, "  paused %s %s\n", snap.Interrupt.Phase, snap.Interrupt.Node)
		}
		if snap.Next != "" {
			fmt.Fprintf(out, "  next: %s\n", snap.Next)
		}
		fmt.Fprintf(out, "  draft: %q\n", snap.State.Draft)
		if snap.State.Final != "" {
			fmt.Fprintf(out, "  final: %q\n", snap.State.Final)
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd.Name())}
}

// show prints a run's events, one a line, and what it ended with.
func show(out io.Writer, events iter.Seq2[runtime.Event[State], error]) error {
	for e := range events {
		switch e.Kind {
		case runtime.NodeFinished, runtime.Forked, runtime.Joined, runtime.Resumed:
			fmt.Fprintf(out, "  %v\n", e)
		case runtime.Paused:
			fmt.Fprintf(out, "  %v\n", e)
			fmt.Fprintf(out, "paused for review. Draft: %q\n", e.State.Draft)
			fmt.Fprintf(out, "resume with: approval resume -thread %s -verdict approve|revise [-note TEXT]\n", e.Err.(*runtime.Interrupted).Thread)
			return nil
		case runtime.Done:
			if e.Err != nil {
				return e.Err
			}
			fmt.Fprintf(out, "done: %s\n", e.State.Final)
		}
	}
	return nil
}

// openStore opens file:DIR or sqlite:PATH.
func openStore(where string) (runtime.Store, func(), error) {
	kind, path, ok := strings.Cut(where, ":")
	if !ok || path == "" {
		return nil, nil, usageError{fmt.Sprintf("-store %q: want file:DIR or sqlite:PATH", where)}
	}
	switch kind {
	case "file":
		st, err := runtime.NewFileStore(path)
		return st, func() {}, err
	case "sqlite":
		db, err := sql.Open("sqlite", path)
		if err != nil {
			return nil, nil, err
		}
		st, err := sqlitestore.Open(db)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return st, func() { st.Close(); db.Close() }, nil
	}
	return nil, nil, usageError{fmt.Sprintf("-store %q: want file:DIR or sqlite:PATH", where)}
}
