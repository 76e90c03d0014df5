package typecheck

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
)

// How each common type whose insides the generated copy cannot reach is
// handled, one state type per row: copied by value (immutable by contract,
// or holding nothing that could be shared), shared by pointer (immutable, or
// made for concurrent use), copied through its own API, or refused with the
// field named and the Clone fix on the innermost user type. A row whose
// want starts with "code:" is accepted, and the copy's code holds that text.
func TestKnownTypes(t *testing.T) {
	rows := []struct{ typ, want string }{
		// Immutable by contract: a copy by value.
		{"time.Time", "flat"},
		{"netip.Addr", "flat"},
		{"netip.AddrPort", "flat"},
		{"netip.Prefix", "flat"},
		{"url.Userinfo", "flat"},
		{"regexp.Regexp", "flat"},
		{"MyTime", "flat"}, // type MyTime time.Time: values and a *time.Location
		{"*time.Time", "code:v := *src.F"},
		{"[]time.Time", "code:slices.Clone(src.F)"},
		// Shared by pointer.
		{"*time.Location", "flat"},
		{"*regexp.Regexp", "flat"},
		{"*sync.Mutex", "flat"},
		// Copied through their API.
		{"big.Int", "code:dst.Set(&src)"},
		{"*big.Int", "code:dst.Set(&src)"},
		{"big.Rat", "code:dst.Set(&src)"},
		{"*big.Float", "code:dst.Copy(&src)"},
		{"bytes.Buffer", "code:dst.Write(src.Bytes())"},
		{"map[string]*big.Int", "code:dst.Set(&src)"},
		// Exported fields only: copied like the package's own types.
		{"url.URL", "code:v := *src.User"},
		{"json.RawMessage", "code:slices.Clone(src.F)"},
		// Refused: unexported fields that hold memory a copy by value shares.
		{"strings.Builder", "S.F has type strings.Builder, whose unexported fields hold pointers, slices or maps that the generated copy cannot reach, so branches would share them: add a method Clone() S to S that copies it through its own API"},
		{"*bufio.Reader", "S.F has type bufio.Reader, whose unexported fields"},
		{"[]*list.List", "S.F[] has type list.List, whose unexported fields"},
		{"map[string]reflect.Value", "S.F[key] has type reflect.Value, whose unexported fields"},
		{"time.Timer", "S.F has type time.Timer, whose unexported fields"},
		{"other.Opaque", "S.F has type other.Opaque, whose unexported fields hold pointers, slices or maps that the generated copy cannot reach, so branches would share them: add a method Clone() other.Opaque to other.Opaque that copies it through its own API"},
		{"Holder", "S.F.B has type bytes.Reader, whose unexported fields hold pointers, slices or maps that the generated copy cannot reach, so branches would share them: add a method Clone() Holder to Holder that copies it through its own API"},
		{"other.Flat", "flat"}, // unexported fields of values only
		{"other.Cloned", "code:.Clone()"},
		{"sync.WaitGroup", "S.F has type sync.WaitGroup, which holds a lock"},
	}
	var src strings.Builder
	src.WriteString(`package x

import (
	"bufio"
	"bytes"
	"container/list"
	"encoding/json"
	"math/big"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"example.com/m/other"
)

var (
	_ bufio.Reader
	_ bytes.Buffer
	_ list.List
	_ json.RawMessage
	_ big.Int
	_ netip.Addr
	_ url.URL
	_ reflect.Value
	_ regexp.Regexp
	_ strings.Builder
	_ sync.Mutex
	_ time.Time
	_ other.Flat
)

type MyTime time.Time

type Holder struct {
	A int
	B bytes.Reader
}
`)
	for i, r := range rows {
		fmt.Fprintf(&src, "\ntype S%d struct{ F %s }\n", i, r.typ)
	}
	dir := writeModule(t, map[string]string{
		"x/x.go": src.String(),
		"other/other.go": `package other

type Opaque struct{ list []int }

type Flat struct{ a, b int }

type Cloned struct{ m map[string]int }

func (c Cloned) Clone() Cloned { return c }
`,
	})
	p, err := Load(Config{Dir: filepath.Join(dir, "x")})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 {
		t.Fatal(p.Errors)
	}
	for i, r := range rows {
		name := fmt.Sprintf("S%d", i)
		st, err := p.State(name)
		want := strings.ReplaceAll(r.want, "S.F", name+".F")
		want = strings.ReplaceAll(want, "Clone() S to S ", "Clone() "+name+" to "+name+" ")
		switch {
		case r.want == "flat" || strings.HasPrefix(r.want, "code:"):
			if err != nil {
				t.Errorf("%s: %v", r.typ, err)
				continue
			}
			if st.Flat != (r.want == "flat") {
				t.Errorf("%s: Flat = %v", r.typ, st.Flat)
			}
			if code, ok := strings.CutPrefix(r.want, "code:"); ok {
				c := NewCopier("x", p.Types)
				e := c.Copy(st.Named, jen.Id("s"))
				var b bytes.Buffer
				f := jen.NewFile("x")
				for _, d := range append(c.Decls(), jen.Var().Id("_").Op("=").Add(e)) {
					f.Add(d)
				}
				if err := f.Render(&b); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(b.String(), code) {
					t.Errorf("%s: the copy lacks %q:\n%s", r.typ, code, b.String())
				}
			}
		case err == nil:
			t.Errorf("%s: accepted, want %s", r.typ, want)
		case !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n"):
			t.Errorf("%s:\n got %v\nwant %s", r.typ, err, want)
		}
	}
}
