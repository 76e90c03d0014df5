package main

import (
	"fmt"
	"io"
	"os"

	"github.com/graphc/graphc/gen"
)

// stubs prints a handler skeleton for one spec (gen.Stubs).
func stubs(args []string, stdout, stderr io.Writer) int {
	specs, exit, stop := flags("stubs", "SPEC", stdout, stderr, args, nil)
	if stop {
		return exit
	}
	if len(specs) != 1 {
		fmt.Fprintln(stderr, "usage: graphc stubs SPEC")
		return exitUsage
	}
	out, errs := gen.Stubs(specs[0], gen.Options{Package: os.Getenv("GOPACKAGE")})
	if errs != nil {
		return report(errs, stderr)
	}
	stdout.Write(out)
	return exitOK
}
