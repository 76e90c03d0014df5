package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlock matches a fenced code block of the README that an HTML
// comment marks: <!-- install: ... --> or <!-- file: NAME -->.
var readmeBlock = regexp.MustCompile("(?s)<!-- (install|file): ?([^ ]*)[^>]*-->\n```[a-z]*\n(.*?)```\n")

// TestInstallFromCheckout follows the README literally in a fresh module:
// the install recipe (with the checkout's path for /path/to/graphc), then
// the first graph's files, go generate, go vet, go run and go test. The
// module is built the way a user's is, through the module proxy settings
// of the environment and the go.mod the recipe writes, not a prepared one.
func TestInstallFromCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module from the README")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var recipe string
	files := map[string]string{}
	for _, m := range readmeBlock.FindAllStringSubmatch(string(readme), -1) {
		if m[1] == "install" {
			recipe = m[3]
		} else {
			files[m[2]] = m[3]
		}
	}
	if recipe == "" || files["research.graph.yaml"] == "" || files["main.go"] == "" {
		t.Fatalf("the README lacks the marked install recipe or first-graph files (found %d files)", len(files))
	}
	dir := t.TempDir()
	sh := func(script string) string {
		t.Helper()
		cmd := exec.Command("sh", "-e", "-x", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false") // no GOFLAGS=-mod=mod: go.mod must be right
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return string(out)
	}
	sh("go mod init example.com/app")
	out := sh(strings.ReplaceAll(recipe, "/path/to/graphc", root))
	if want := "graphc v0.2.0-dev, from " + root + " ("; !strings.Contains(out, want) {
		t.Errorf("go tool graphc version: want %q in\n%s", want, out)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sh("go tool graphc check research.graph.yaml")
	sh("go generate ./...")
	sh("go vet ./...")
	out = sh("go run .")
	for _, want := range []string{"4 sources in 2 rounds\n", "review -> plan\n", "review -> __end__\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("go run .: want %q in\n%s", want, out)
		}
	}
	sh("go test -count=1 ./...")
	sh("go tool graphc verify")
}
