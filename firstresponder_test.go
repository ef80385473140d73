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

// firstResponderFields are where the First Responder capability is held:
// the pathway's Actor, and the signed-in person's organisation.
var firstResponderFields = map[string]bool{"InFirstResponderOrg": true, "FirstResponder": true}

// TestFirstResponderStatusComesOnlyFromTheCatalogue: whether an
// organisation is a First Responder (§8.2, annex) is derived from its
// designation and the catalogue by casework.IsFirstResponder, and from
// nothing else. No code outside tests sets the capability to anything but
// that function's answer. (A LeadOrganisation is a command's answer about
// another organisation, which casework resolves the same way.)
func TestFirstResponderStatusComesOnlyFromTheCatalogue(t *testing.T) {
	fset := token.NewFileSet()
	derived := func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			return fn.Name == "IsFirstResponder"
		case *ast.SelectorExpr:
			return fn.Sel.Name == "IsFirstResponder"
		}
		return false
	}
	isLeadOrganisation := func(e ast.Expr) bool {
		switch t := e.(type) {
		case *ast.Ident:
			return t.Name == "LeadOrganisation"
		case *ast.SelectorExpr:
			return t.Sel.Name == "LeadOrganisation"
		}
		return false
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if isLeadOrganisation(n.Type) {
					return false
				}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && firstResponderFields[k.Name] && !derived(kv.Value) {
						t.Errorf("%s: %s is set by hand; only casework.IsFirstResponder decides it", fset.Position(kv.Pos()), k.Name)
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					sel, ok := lhs.(*ast.SelectorExpr)
					if !ok || !firstResponderFields[sel.Sel.Name] {
						continue
					}
					if len(n.Rhs) != len(n.Lhs) || !derived(n.Rhs[i]) {
						t.Errorf("%s: %s is set by hand; only casework.IsFirstResponder decides it", fset.Position(n.Pos()), sel.Sel.Name)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
