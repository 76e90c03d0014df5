package typecheck

import (
	"path/filepath"
	"strings"
	"testing"
)

// CheckCodec names every part that encoding/json would not bring back, at
// the Go field that holds it, and trusts types with their own codec.
func TestCheckCodec(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"x/x.go": `package x

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net/netip"
	"time"
)

type Good struct {
	Name   string
	When   time.Time
	Total  *big.Int
	Addr   netip.Addr
	ByID   map[int]string
	ByAddr map[netip.Addr]int
	Raw    json.RawMessage
	Own    Own
	Inner
	Skip   int ` + "`json:\"-,\"`" + `
	List   []*Good
}

type Inner struct{ A []int }

// Own encodes and copies itself: not looked into.
type Own struct{ secret func() }

func (o Own) Clone() Own { return o }

func (Own) MarshalJSON() ([]byte, error) { return []byte("{}"), nil }
func (*Own) UnmarshalJSON([]byte) error  { return nil }

type Bad struct {
	hidden  int
	Dropped string ` + "`json:\"-\"`" + `
	Keys    map[[2]int]string
	Any     any
	Fn      func()
	Ch      chan int
	Z       complex128
	Buf     bytes.Buffer
	Deep    []Sub
}

// Clone lets Bad pass the copy check, so that the codec check sees it.
func (b Bad) Clone() Bad { return b }

type Sub struct {
	OK   string
	nope []int
}
`,
	})
	p, err := Load(Config{Dir: filepath.Join(dir, "x")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.State("Good")
	if err != nil {
		t.Fatal(err)
	}
	if errs := p.CheckCodec(st); len(errs) > 0 {
		t.Errorf("Good: %v", errs)
	}
	st, err = p.State("Bad")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.CheckCodec(st) {
		if filepath.Base(e.Pos.Filename) != "x.go" || e.Pos.Line == 0 {
			t.Errorf("%s: position %v", e.Path, e.Pos)
		}
		got = append(got, e.Path+" "+e.Reason+" "+e.Owner)
	}
	want := []string{
		"Bad.hidden unexported Bad",
		`Bad.Dropped json:"-" Bad`,
		"Bad.Keys map key Bad",
		"Bad.Any interface Bad",
		"Bad.Fn func Bad",
		"Bad.Ch chan Bad",
		"Bad.Z complex Bad",
		"Bad.Buf opaque Bad",
		"Bad.Deep[].nope unexported Sub",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	e := p.CheckCodec(st)[0]
	if msg := e.Error(); msg != "Bad.hidden is unexported, so encoding/json leaves it out of checkpoints: a resumed run would see it zero: export it, or add methods MarshalJSON and UnmarshalJSON to Bad, or set checkpoints: false in the spec's config if the graph never runs with a store" {
		t.Errorf("message: %s", msg)
	}
}
