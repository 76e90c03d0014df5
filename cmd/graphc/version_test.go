package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	const gov = "go1.26.8"
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3f2c1a9e0b7d5a4c3b2a1f0e9d8c7b6a5f4e3d2c"}, {Key: "vcs.modified", Value: "true"}}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, devVersion},
		{"published", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Path: "github.com/graphc/graphc", Version: "v1.2.3"}}, "v1.2.3 (go1.26.8)"},
		{"published commit", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "v1.2.4-0.20261126150700-3f2c1a9e0b7d"}}, "v1.2.4-0.20261126150700-3f2c1a9e0b7d (go1.26.8)"},
		{"replace to a checkout", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "v0.0.0", Replace: &debug.Module{Path: "/src/graphc", Version: "(devel)"}}}, devVersion + ", from /src/graphc (go1.26.8)"},
		{"replace, zero pseudo-version", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "v0.0.0-00010101000000-000000000000", Replace: &debug.Module{Path: "../graphc"}}}, devVersion + ", from ../graphc (go1.26.8)"},
		{"replace to a fork's release", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "v0.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.3.0"}}}, "v1.3.0 (go1.26.8)"},
		{"checkout, with VCS", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "v0.0.0-20261126150700-3f2c1a9e0b7d+dirty"}, Settings: vcs}, devVersion + "+3f2c1a9e0b7d, modified (go1.26.8)"},
		{"checkout, clean", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "(devel)"}, Settings: vcs[:2]}, devVersion + "+3f2c1a9e0b7d (go1.26.8)"},
		{"checkout, -buildvcs=false", &debug.BuildInfo{GoVersion: gov, Main: debug.Module{Version: "(devel)"}}, devVersion + " (go1.26.8)"},
	} {
		if got := version(tc.bi); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The command prints one line naming graphc and a version, never the
// placeholder v0.0.0 a replace directive puts in the build information.
func TestVersionCommand(t *testing.T) {
	code, stdout, stderr := run(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "graphc v") || strings.Count(stdout, "\n") != 1 || strings.Contains(stdout, "v0.0.0") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
