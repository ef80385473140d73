package waymark_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// initJustification is how a comment above an init function says why it
// cannot be an explicit call.
const initJustification = "init is justified:"

// TestNothingIsWiredByInit: registries are built by the constructors that
// use them, so the system never depends on the order files are initialised
// in. An init function is allowed only with a comment saying why.
func TestNothingIsWiredByInit(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name != "init" {
				continue
			}
			if fn.Doc != nil && strings.Contains(fn.Doc.Text(), initJustification) {
				continue
			}
			t.Errorf("%s: func init() wires something by file order; build it in the constructor that uses it, or say why above it (%q)", fset.Position(fn.Pos()), initJustification)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
