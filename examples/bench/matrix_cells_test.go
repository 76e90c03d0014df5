package bench

import (
	"context"
	"fmt"
	"slices"

	"github.com/graphc/graphc/examples/bench/hand"
	"github.com/graphc/graphc/examples/bench/matrix/big100"
	"github.com/graphc/graphc/examples/bench/matrix/big1000"
	"github.com/graphc/graphc/examples/bench/matrix/big2"
	"github.com/graphc/graphc/examples/bench/matrix/big20"
	"github.com/graphc/graphc/examples/bench/matrix/ints100"
	"github.com/graphc/graphc/examples/bench/matrix/ints1000"
	"github.com/graphc/graphc/examples/bench/matrix/ints2"
	"github.com/graphc/graphc/examples/bench/matrix/ints20"
	"github.com/graphc/graphc/examples/bench/matrix/map100"
	"github.com/graphc/graphc/examples/bench/matrix/map1000"
	"github.com/graphc/graphc/examples/bench/matrix/map2"
	"github.com/graphc/graphc/examples/bench/matrix/map20"
	"github.com/graphc/graphc/examples/bench/matrix/slice100"
	"github.com/graphc/graphc/examples/bench/matrix/slice1000"
	"github.com/graphc/graphc/examples/bench/matrix/slice2"
	"github.com/graphc/graphc/examples/bench/matrix/slice20"
	"github.com/graphc/graphc/examples/bench/matrix/strings100"
	"github.com/graphc/graphc/examples/bench/matrix/strings1000"
	"github.com/graphc/graphc/examples/bench/matrix/strings2"
	"github.com/graphc/graphc/examples/bench/matrix/strings20"
	"github.com/graphc/graphc/examples/bench/model"
	"github.com/graphc/graphc/runtime"
)

// shape names one column of the matrix: a state shape and a fan-in width.
type shape struct {
	name string
	w    int
}

// matrixCell is one cell of the fan-in matrix, a shape, a width and a
// handler kind ("trivial" or "heavy"), with its two versions: the
// generated executor and the hand-written twin. Each returns the Sum the
// join found.
type matrixCell struct {
	shape
	handler      string
	graphc, hand func(ctx context.Context) (int, error)
}

func (c matrixCell) name() string { return fmt.Sprintf("%s/%s/W%d", c.shape.name, c.handler, c.w) }

// cells returns the trivial and the heavy cell of a shape and width, given
// the generated executor with each set of handlers and, for the twin, the
// same handlers' branch methods (the package's Branches).
func cells[S any, G interface {
	Invoke(context.Context, S, ...runtime.Option) (S, error)
}](sh shape, trivial, heavy G, trivialBranches, heavyBranches []hand.Of[S], sum func(S) int) []matrixCell {
	var out []matrixCell
	for _, k := range []struct {
		handler  string
		g        G
		branches []hand.Of[S]
	}{{"trivial", trivial, trivialBranches}, {"heavy", heavy, heavyBranches}} {
		f := hand.NewMatrix(sh.name, k.branches).(*hand.ForkOf[S])
		g := k.g
		out = append(out, matrixCell{sh, k.handler,
			func(ctx context.Context) (int, error) {
				var zero S
				s, err := g.Invoke(ctx, zero)
				return sum(s), err
			},
			func(ctx context.Context) (int, error) {
				var zero S
				s, err := f.Run(ctx, zero)
				return sum(s), err
			}})
	}
	return out
}

// matrix is every cell of the fan-in matrix: a line per generated package
// of matrix/ (gen_specs.go's shapes and widths), in the table's order:
// by shape, then handler, then width.
var matrix = sortCells(slices.Concat(
	cells(shape{"ints", 2}, ints2.NewInts2(ints2.Handlers{}), ints2.NewInts2(ints2.Heavy{}), ints2.Branches(ints2.Handlers{}), ints2.Branches(ints2.Heavy{}), func(s model.State) int { return s.Sum }),
	cells(shape{"ints", 20}, ints20.NewInts20(ints20.Handlers{}), ints20.NewInts20(ints20.Heavy{}), ints20.Branches(ints20.Handlers{}), ints20.Branches(ints20.Heavy{}), func(s model.State) int { return s.Sum }),
	cells(shape{"ints", 100}, ints100.NewInts100(ints100.Handlers{}), ints100.NewInts100(ints100.Heavy{}), ints100.Branches(ints100.Handlers{}), ints100.Branches(ints100.Heavy{}), func(s model.State) int { return s.Sum }),
	cells(shape{"ints", 1000}, ints1000.NewInts1000(ints1000.Handlers{}), ints1000.NewInts1000(ints1000.Heavy{}), ints1000.Branches(ints1000.Handlers{}), ints1000.Branches(ints1000.Heavy{}), func(s model.State) int { return s.Sum }),
	cells(shape{"slice", 2}, slice2.NewSlice2(slice2.Handlers{}), slice2.NewSlice2(slice2.Heavy{}), slice2.Branches(slice2.Handlers{}), slice2.Branches(slice2.Heavy{}), func(s model.Slice) int { return s.Sum }),
	cells(shape{"slice", 20}, slice20.NewSlice20(slice20.Handlers{}), slice20.NewSlice20(slice20.Heavy{}), slice20.Branches(slice20.Handlers{}), slice20.Branches(slice20.Heavy{}), func(s model.Slice) int { return s.Sum }),
	cells(shape{"slice", 100}, slice100.NewSlice100(slice100.Handlers{}), slice100.NewSlice100(slice100.Heavy{}), slice100.Branches(slice100.Handlers{}), slice100.Branches(slice100.Heavy{}), func(s model.Slice) int { return s.Sum }),
	cells(shape{"slice", 1000}, slice1000.NewSlice1000(slice1000.Handlers{}), slice1000.NewSlice1000(slice1000.Heavy{}), slice1000.Branches(slice1000.Handlers{}), slice1000.Branches(slice1000.Heavy{}), func(s model.Slice) int { return s.Sum }),
	cells(shape{"map", 2}, map2.NewMap2(map2.Handlers{}), map2.NewMap2(map2.Heavy{}), map2.Branches(map2.Handlers{}), map2.Branches(map2.Heavy{}), func(s model.Map) int { return s.Sum }),
	cells(shape{"map", 20}, map20.NewMap20(map20.Handlers{}), map20.NewMap20(map20.Heavy{}), map20.Branches(map20.Handlers{}), map20.Branches(map20.Heavy{}), func(s model.Map) int { return s.Sum }),
	cells(shape{"map", 100}, map100.NewMap100(map100.Handlers{}), map100.NewMap100(map100.Heavy{}), map100.Branches(map100.Handlers{}), map100.Branches(map100.Heavy{}), func(s model.Map) int { return s.Sum }),
	cells(shape{"map", 1000}, map1000.NewMap1000(map1000.Handlers{}), map1000.NewMap1000(map1000.Heavy{}), map1000.Branches(map1000.Handlers{}), map1000.Branches(map1000.Heavy{}), func(s model.Map) int { return s.Sum }),
	cells(shape{"big", 2}, big2.NewBig2(big2.Handlers{}), big2.NewBig2(big2.Heavy{}), big2.Branches(big2.Handlers{}), big2.Branches(big2.Heavy{}), func(s model.Big) int { return s.Sum }),
	cells(shape{"big", 20}, big20.NewBig20(big20.Handlers{}), big20.NewBig20(big20.Heavy{}), big20.Branches(big20.Handlers{}), big20.Branches(big20.Heavy{}), func(s model.Big) int { return s.Sum }),
	cells(shape{"big", 100}, big100.NewBig100(big100.Handlers{}), big100.NewBig100(big100.Heavy{}), big100.Branches(big100.Handlers{}), big100.Branches(big100.Heavy{}), func(s model.Big) int { return s.Sum }),
	cells(shape{"big", 1000}, big1000.NewBig1000(big1000.Handlers{}), big1000.NewBig1000(big1000.Heavy{}), big1000.Branches(big1000.Handlers{}), big1000.Branches(big1000.Heavy{}), func(s model.Big) int { return s.Sum }),
	cells(shape{"strings", 2}, strings2.NewStrings2(strings2.Handlers{}), strings2.NewStrings2(strings2.Heavy{}), strings2.Branches(strings2.Handlers{}), strings2.Branches(strings2.Heavy{}), func(s model.Strings) int { return s.Sum }),
	cells(shape{"strings", 20}, strings20.NewStrings20(strings20.Handlers{}), strings20.NewStrings20(strings20.Heavy{}), strings20.Branches(strings20.Handlers{}), strings20.Branches(strings20.Heavy{}), func(s model.Strings) int { return s.Sum }),
	cells(shape{"strings", 100}, strings100.NewStrings100(strings100.Handlers{}), strings100.NewStrings100(strings100.Heavy{}), strings100.Branches(strings100.Handlers{}), strings100.Branches(strings100.Heavy{}), func(s model.Strings) int { return s.Sum }),
	cells(shape{"strings", 1000}, strings1000.NewStrings1000(strings1000.Handlers{}), strings1000.NewStrings1000(strings1000.Heavy{}), strings1000.Branches(strings1000.Handlers{}), strings1000.Branches(strings1000.Heavy{}), func(s model.Strings) int { return s.Sum }),
))

func sortCells(cs []matrixCell) []matrixCell {
	slices.SortStableFunc(cs, func(a, b matrixCell) int {
		if a.shape.name != b.shape.name || a.handler == b.handler {
			return 0 // shapes keep their order; a shape's widths are in order
		}
		if a.handler == "trivial" {
			return -1
		}
		return 1
	})
	return cs
}
