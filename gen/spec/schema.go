package spec

import (
	"bytes"
	_ "embed"
)

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the spec format, version
// 1, as `graphc schema` prints it. Editors that read JSON Schema (such as
// yaml-language-server) use it to complete and check *.graph.yaml files. It
// describes the shape of a spec only; what the graph means is checked by
// graphc itself. The caller owns the returned slice.
func Schema() []byte { return bytes.Clone(schema) }
