package main

import (
	"runtime/debug"
	"strings"
)

// devVersion is the version this source tree will be released as. It is
// printed when the build carries no release version of its own: a build
// from a checkout (go run, go build, or go tool through a replace
// directive).
const devVersion = "v0.2.0-dev"

// version describes, on one line, the graphc that bi describes (nil when
// the binary has no build information):
//
//   - built as a published module: its version, "v1.2.3 (go1.26.8)";
//   - through a replace directive to a directory: devVersion and the
//     directory, "v0.2.0-dev, from /src/graphc (go1.26.8)";
//   - in a checkout: devVersion with the VCS revision and whether the tree
//     had uncommitted changes, "v0.2.0-dev+3f2c1a9e0b7d, modified (go1.26.8)"
//     (without them when built with -buildvcs=false).
func version(bi *debug.BuildInfo) string {
	if bi == nil {
		return devVersion
	}
	goVersion := " (" + bi.GoVersion + ")"
	m := bi.Main
	if r := m.Replace; r != nil {
		if released(r.Version) {
			return r.Version + goVersion
		}
		if r.Version == "" || r.Version == "(devel)" { // a directory
			return devVersion + ", from " + r.Path + goVersion
		}
	} else if released(m.Version) {
		return m.Version + goVersion
	}
	v := devVersion
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += "+" + s.Value[:min(12, len(s.Value))]
		}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += ", modified"
		}
	}
	return v + goVersion
}

// released reports whether v is a version a release of graphc carries: not
// empty, not the "(devel)" of a main module built without VCS information,
// and not v0.0.0 or a pseudo-version based on it (a require of a module
// only a replace directive provides, or a commit after no tag at all).
func released(v string) bool {
	return v != "" && v != "(devel)" && v != "v0.0.0" && !strings.HasPrefix(v, "v0.0.0-")
}
