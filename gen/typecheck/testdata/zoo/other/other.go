// Package other holds types of another package for the zoo.
package other

import (
	"slices"
	"time"
)

// Ext has only exported fields: the zoo copies it deeply.
type Ext struct {
	Tags  []string
	Inner *Inner
	When  time.Time
}

// Inner is reached through Ext.
type Inner struct {
	M map[string]int
}

// Opaque has unexported fields, which the generated copy cannot reach: its
// Clone method copies it.
type Opaque struct {
	list []int
	N    int
}

// Clone returns a copy of o that shares no memory with it.
func (o Opaque) Clone() Opaque { return Opaque{list: slices.Clone(o.list), N: o.N} }

// NewOpaque returns an Opaque holding list.
func NewOpaque(list ...int) Opaque { return Opaque{list: list, N: len(list)} }

// Box is generic.
type Box[T any] struct {
	V T
}

// Values is a named map of another package, like url.Values.
type Values map[string][]string
