package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/graphc/graphc/gen"
	"github.com/graphc/graphc/gen/diag"
	"github.com/graphc/graphc/gen/spec"
	"github.com/graphc/graphc/templates"
)

// Exit codes.
const (
	exitOK    = 0
	exitSpec  = 1 // problems in a spec, or stale generated code
	exitUsage = 2
)

const usage = `graphc compiles state-graph specs (*.graph.yaml) into type-safe Go.

Usage:
  graphc generate [-tags list] [-tests=false] SPEC...  write <spec>_graph.go beside each spec
  graphc check [-tags list] [-tests=false] SPEC...     report every problem generate would, writing nothing
                                                       (a spec beside Go files is checked with its package
                                                       loaded; a spec alone, as a spec)
  graphc verify [-tags list] [-tests=false] [SPEC...]  exit 1 with a diff if generated files are stale
                                                       (default: every *.graph.yaml below ., and every
                                                       spec a //go:generate line runs graphc generate on)
  graphc diagram [-format mermaid|dot] SPEC            print the graph as a diagram
  graphc stubs SPEC                                    print a handler skeleton to start from
  graphc schema                                        print the JSON Schema of the spec format
  graphc version                                       print graphc's version

Flags may come before or after the specs; -h after a command describes it.
Exit codes: 0 success, 1 problems in a spec or stale output, 2 wrong usage.
`

// Main runs graphc with args (without the program name) and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "generate":
		return generate(args, stdout, stderr)
	case "check":
		return check(args, stdout, stderr)
	case "verify":
		return verify(args, stdout, stderr)
	case "diagram":
		return diagram(args, stdout, stderr)
	case "stubs":
		return stubs(args, stdout, stderr)
	case "schema":
		if exit, stop := noArgs("schema", args, stdout, stderr); stop {
			return exit
		}
		stdout.Write(spec.Schema())
		return exitOK
	case "version":
		if exit, stop := noArgs("version", args, stdout, stderr); stop {
			return exit
		}
		bi, _ := debug.ReadBuildInfo()
		fmt.Fprintln(stdout, "graphc", version(bi))
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "graphc: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// noArgs parses the arguments of a command that takes none (but -h).
func noArgs(cmd string, args []string, stdout, stderr io.Writer) (exit int, stop bool) {
	rest, exit, stop := flags(cmd, "", stdout, stderr, args, nil)
	if !stop && len(rest) > 0 {
		fmt.Fprintf(stderr, "graphc %s takes no arguments\n", cmd)
		return exitUsage, true
	}
	return exit, stop
}

// flags parses args for cmd. Flags may come before, between or after the
// spec paths, as with most Go tools; after "--" everything is a path. When
// exit is set, the command stops there with that code: usage printed for
// -h (exit 0), or a usage error already reported (exit 2).
func flags(cmd, synopsis string, stdout, stderr io.Writer, args []string, define func(*flag.FlagSet)) (rest []string, exit int, stop bool) {
	fs := flag.NewFlagSet("graphc "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	printUsage := func(w io.Writer) {
		fmt.Fprintln(w, strings.TrimSpace("usage: graphc "+cmd+" "+synopsis))
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	if define != nil {
		define(fs)
	}
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			printUsage(stdout)
			return nil, exitOK, true
		case err != nil:
			fmt.Fprintf(stderr, "graphc %s: %v\n", cmd, err)
			printUsage(stderr)
			return nil, exitUsage, true
		}
		// Parse stops at the first path, or just after a "--" that ends
		// the flags: a path is taken and parsing resumes after it.
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), exitOK, false
		}
		if len(left) == 0 {
			return rest, exitOK, false
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// report prints diagnostics, one per line, and returns the exit code.
func report(errs diag.List, stderr io.Writer) int {
	if len(errs) == 0 {
		return exitOK
	}
	for _, d := range errs.Sort() {
		fmt.Fprintln(stderr, d)
	}
	return exitSpec
}

func generate(args []string, stdout, stderr io.Writer) int {
	var tags string
	opts := gen.Options{Package: os.Getenv("GOPACKAGE"), Tests: true} // GOPACKAGE: under go generate
	specs, exit, stop := flags("generate", "[-tags list] [-tests=false] [-temporal] SPEC...", stdout, stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&tags, "tags", "", "comma-separated build tags to load the package with")
		fs.BoolVar(&opts.Tests, "tests", true, "also write <spec>_graph_test.go with the graph's stress test")
		fs.BoolVar(&opts.Temporal, "temporal", false, temporalUsage)
	})
	if stop {
		return exit
	}
	if len(specs) == 0 {
		fmt.Fprintln(stderr, "usage: graphc generate [-tags list] [-tests=false] [-temporal] SPEC...")
		return exitUsage
	}
	opts.Tags = splitTags(tags)
	files, errs := gen.Generate(specs, opts)
	if errs != nil {
		return report(errs, stderr)
	}
	if err := gen.Write(files); err != nil {
		fmt.Fprintln(stderr, "graphc:", err)
		return exitSpec
	}
	return exitOK
}

// temporalUsage is the -temporal flag's help.
const temporalUsage = "also the graph as a Temporal workflow, <spec>_temporal.go (and <spec>_temporal_test.go); a spec whose _temporal.go graphc wrote gets it without the flag (docs/temporal.md)"

func splitTags(s string) []string {
	var tags []string
	for t := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		tags = append(tags, t)
	}
	return tags
}

func check(args []string, stdout, stderr io.Writer) int {
	var tags string
	opts := gen.Options{Package: os.Getenv("GOPACKAGE"), Tests: true}
	specs, exit, stop := flags("check", "[-tags list] [-tests=false] [-temporal] SPEC...", stdout, stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&tags, "tags", "", "comma-separated build tags to load the package with")
		fs.BoolVar(&opts.Tests, "tests", true, "check the names of <spec>_graph_test.go too")
		fs.BoolVar(&opts.Temporal, "temporal", false, temporalUsage)
	})
	if stop {
		return exit
	}
	if len(specs) == 0 {
		fmt.Fprintln(stderr, "usage: graphc check [-tags list] [-tests=false] [-temporal] SPEC...")
		return exitUsage
	}
	opts.Tags = splitTags(tags)
	return report(gen.CheckAll(specs, opts), stderr)
}

func verify(args []string, stdout, stderr io.Writer) int {
	var tags string
	opts := gen.Options{Tests: true}
	specs, exit, stop := flags("verify", "[-tags list] [-tests=false] [-temporal] [SPEC...]", stdout, stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&tags, "tags", "", "comma-separated build tags to load the package with")
		fs.BoolVar(&opts.Tests, "tests", true, "also check <spec>_graph_test.go")
		fs.BoolVar(&opts.Temporal, "temporal", false, temporalUsage)
	})
	if stop {
		return exit
	}
	opts.Tags = splitTags(tags)
	if len(specs) == 0 {
		found, err := gen.FindSpecs(".")
		if err != nil {
			fmt.Fprintln(stderr, "graphc:", err)
			return exitSpec
		}
		specs = found
	}
	drift, errs := gen.Verify(specs, opts)
	if errs != nil {
		return report(errs, stderr)
	}
	for _, d := range drift {
		if d.Missing {
			fmt.Fprintf(stderr, "%s: missing: run go generate (or graphc generate) to write it\n", d.Path)
			continue
		}
		fmt.Fprint(stdout, d.Diff)
	}
	if len(drift) > 0 {
		fmt.Fprintf(stderr, "graphc: %d generated file(s) differ from their spec: run go generate (or graphc generate) and commit the result\n", len(drift))
		return exitSpec
	}
	return exitOK
}

func diagram(args []string, stdout, stderr io.Writer) int {
	format := "mermaid"
	specs, exit, stop := flags("diagram", "[-format mermaid|dot] SPEC", stdout, stderr, args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", format, "diagram format: "+strings.Join(templates.Formats, " or "))
	})
	if stop {
		return exit
	}
	if len(specs) != 1 {
		fmt.Fprintln(stderr, "usage: graphc diagram [-format mermaid|dot] SPEC")
		return exitUsage
	}
	known := false
	for _, f := range templates.Formats {
		known = known || f == format
	}
	if !known {
		fmt.Fprintf(stderr, "graphc diagram: unknown format %q: use %s\n", format, strings.Join(templates.Formats, " or "))
		return exitUsage
	}
	g, errs := gen.Load(specs[0])
	if errs != nil {
		return report(errs, stderr)
	}
	out, err := templates.Diagram(g, format)
	if err != nil {
		fmt.Fprintln(stderr, "graphc:", err)
		return exitSpec
	}
	stdout.Write(out)
	return exitOK
}
