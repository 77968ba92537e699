package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/linkedin/goavro/v2"
)

// ErrIncompatible marks every problem CheckBackward reports; errors.Is(err, ErrIncompatible)
// holds for its result, and errors.As finds each *IncompatibleError.
var ErrIncompatible = errors.New("schema incompatible")

// IncompatibleError is one place where data written with the writer schema cannot be read with
// the reader schema. Path names the location: record fields by name, union branches by their
// short name (payload.ApplicationEvent.offer.Offer.salary), array items as [] and map values as {}.
type IncompatibleError struct {
	Path   string
	Reason string
}

func (e *IncompatibleError) Error() string { return e.Path + ": " + e.Reason }
func (e *IncompatibleError) Unwrap() error { return ErrIncompatible }

// CheckBackward reports whether data written with writer can be read with reader under the
// Avro 1.11 schema-resolution rules, i.e. whether reader is a backward-compatible evolution of
// writer ("the new reader reads the old data"). It returns nil, or every problem found joined
// with errors.Join. A schema that does not parse is an error of its own.
//
// The rules checked:
//   - records: fields match by name; a reader field the writer lacks needs a default;
//     writer-only fields are skipped by readers and always fine;
//   - named types (record, enum, fixed) match by full name. The spec compares unqualified
//     names, but the Apache Avro Python library compares full names, so a namespace change is
//     rejected here;
//   - aliases are not honoured, although the spec allows renames through them: the Apache Avro
//     Python library (1.12) ignores them, failing on a renamed type and silently reading a
//     renamed field as its default. A field renamed through an alias is reported even when it
//     has a default, since that default would replace the data without an error;
//   - promotions: int to long, float or double; long to float or double; float to double.
//     The spec also promotes string to bytes and bytes to string, and they are checked as such
//     (a union branch is picked through them), but reported: the Apache Avro Python library
//     (1.12) cannot resolve either and fails to read the data;
//   - unions: every writer branch must resolve to some reader branch; a non-union writer must
//     match some reader branch; a union writer against a non-union reader needs every writer
//     branch to resolve to the reader. The check is static: a branch that would only fail for
//     the data that uses it is still reported;
//   - enums: every writer symbol must be a reader symbol unless the reader enum has a default;
//   - fixed: same full name and size; arrays and maps: items and values recursively;
//   - logical types are checked as their underlying type (timestamp-millis as long).
func CheckBackward(writer, reader string) error {
	w, err := parseForCompat(writer)
	if err != nil {
		return fmt.Errorf("parse writer schema: %w", err)
	}
	r, err := parseForCompat(reader)
	if err != nil {
		return fmt.Errorf("parse reader schema: %w", err)
	}
	c := &compatChecker{seen: map[[2]*compatNode]bool{}}
	c.check("", w, r)
	return errors.Join(c.errs...)
}

// compatNode is a parsed schema with references to named types resolved to their definition,
// so a recursive type is a cycle of pointers.
type compatNode struct {
	kind     string // a primitive name, or record, enum, fixed, array, map, union
	name     string // full name of a named type
	aliases  []string
	fields   []compatField
	symbols  []string
	hasDflt  bool // enums: a default symbol is declared
	size     int
	items    *compatNode // array items, map values
	branches []*compatNode
}

type compatField struct {
	name    string
	aliases []string
	typ     *compatNode
	hasDflt bool
}

var avroPrimitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

func parseForCompat(schema string) (*compatNode, error) {
	// goavro validates what this parser takes for granted (names, defaults, union rules).
	if _, err := goavro.NewCodec(schema); err != nil {
		return nil, err
	}
	var raw any
	if err := json.Unmarshal([]byte(schema), &raw); err != nil {
		return nil, err
	}
	p := compatParser{names: map[string]*compatNode{}}
	return p.parse(raw, "")
}

type compatParser struct {
	names map[string]*compatNode
}

func (p *compatParser) parse(s any, ns string) (*compatNode, error) {
	switch s := s.(type) {
	case string:
		if avroPrimitives[s] {
			return &compatNode{kind: s}, nil
		}
		if n, ok := p.names[fullName(s, ns)]; ok {
			return n, nil
		}
		if n, ok := p.names[s]; ok { // a name in the null namespace
			return n, nil
		}
		return nil, fmt.Errorf("unknown type %q", s)
	case []any:
		u := &compatNode{kind: "union"}
		for _, b := range s {
			bn, err := p.parse(b, ns)
			if err != nil {
				return nil, err
			}
			u.branches = append(u.branches, bn)
		}
		return u, nil
	case map[string]any:
		typ, ok := s["type"].(string)
		if !ok { // {"type": {...}} or {"type": [...]}: a wrapped schema
			return p.parse(s["type"], ns)
		}
		switch typ {
		case "record", "error", "enum", "fixed":
			name, _ := s["name"].(string)
			if n, ok := s["namespace"].(string); ok && !strings.Contains(name, ".") {
				ns = n
			}
			n := &compatNode{kind: typ, name: fullName(name, ns)}
			if typ == "error" {
				n.kind = "record"
			}
			ns = namespaceOf(n.name)
			n.aliases = qualify(s["aliases"], ns)
			p.names[n.name] = n // before the fields: a record may refer to itself
			switch typ {
			case "enum":
				for _, sym := range asSlice(s["symbols"]) {
					str, _ := sym.(string)
					n.symbols = append(n.symbols, str)
				}
				_, n.hasDflt = s["default"]
			case "fixed":
				size, _ := s["size"].(float64)
				n.size = int(size)
			default:
				for _, f := range asSlice(s["fields"]) {
					fm, _ := f.(map[string]any)
					fname, _ := fm["name"].(string)
					ft, err := p.parse(fm["type"], ns)
					if err != nil {
						return nil, fmt.Errorf("field %s.%s: %w", n.name, fname, err)
					}
					_, hasDflt := fm["default"]
					n.fields = append(n.fields, compatField{name: fname, aliases: qualify(fm["aliases"], ""), typ: ft, hasDflt: hasDflt})
				}
			}
			return n, nil
		case "array":
			items, err := p.parse(s["items"], ns)
			if err != nil {
				return nil, err
			}
			return &compatNode{kind: "array", items: items}, nil
		case "map":
			values, err := p.parse(s["values"], ns)
			if err != nil {
				return nil, err
			}
			return &compatNode{kind: "map", items: values}, nil
		default:
			// A primitive in object form, possibly with a logicalType: checked as the
			// underlying type.
			return p.parse(typ, ns)
		}
	}
	return nil, fmt.Errorf("unexpected schema element %T", s)
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// qualify returns alias names; type aliases are made full in namespace ns, field aliases
// (ns == "") are kept as they are.
func qualify(v any, ns string) []string {
	var out []string
	for _, a := range asSlice(v) {
		if s, ok := a.(string); ok {
			if ns != "" {
				s = fullName(s, ns)
			}
			out = append(out, s)
		}
	}
	return out
}

type compatChecker struct {
	seen map[[2]*compatNode]bool // (writer, reader) pairs of named types already checked
	errs []error
}

func (c *compatChecker) fail(path string, r *compatNode, format string, args ...any) {
	if path == "" {
		path = r.name
		if path == "" {
			path = "(root)"
		}
	}
	c.errs = append(c.errs, &IncompatibleError{Path: path, Reason: fmt.Sprintf(format, args...)})
}

func join(path, seg string) string {
	if path == "" {
		return seg
	}
	return path + "." + seg
}

// label names a union branch in a path: the short name of a named type, else its kind.
func label(n *compatNode) string {
	if n.name != "" {
		return n.name[strings.LastIndexByte(n.name, '.')+1:]
	}
	return n.kind
}

// describe names a type in a message.
func describe(n *compatNode) string {
	switch n.kind {
	case "record", "enum", "fixed":
		return fmt.Sprintf("%s %q", n.kind, n.name)
	case "array":
		return "array of " + describe(n.items)
	case "map":
		return "map of " + describe(n.items)
	case "union":
		parts := make([]string, len(n.branches))
		for i, b := range n.branches {
			parts[i] = label(b)
		}
		return "union [" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("%q", n.kind)
}

var promotions = map[string][]string{
	"int":    {"long", "float", "double"},
	"long":   {"float", "double"},
	"float":  {"double"},
	"string": {"bytes"},
	"bytes":  {"string"},
}

// pythonUnresolvable are spec promotions the Apache Avro Python library (1.12.2) rejects with
// "Schemas do not match"; fastavro and Java accept them.
var pythonUnresolvable = map[[2]string]bool{{"string", "bytes"}: true, {"bytes", "string"}: true}

// sameName reports whether a reader named type accepts the writer's name. Aliases are not
// consulted: see CheckBackward.
func sameName(w, r *compatNode) bool { return w.name == r.name }

// matches is the spec's "match" used to pick a union branch: same kind and name, or a
// promotion; arrays and maps by their items' match.
func matches(w, r *compatNode, exact bool) bool {
	if w.kind != r.kind {
		return !exact && slices.Contains(promotions[w.kind], r.kind)
	}
	switch w.kind {
	case "record", "enum":
		return sameName(w, r)
	case "fixed":
		return sameName(w, r) && w.size == r.size
	case "array", "map":
		return matches(w.items, r.items, exact)
	}
	return true
}

// pick returns the reader branch a writer schema resolves to: an exact match first, then a
// promotion (the order Java and fastavro use; the result is the same either way).
func pick(w *compatNode, branches []*compatNode) *compatNode {
	for _, exact := range []bool{true, false} {
		for _, b := range branches {
			if b.kind != "union" && matches(w, b, exact) {
				return b
			}
		}
	}
	return nil
}

func (c *compatChecker) check(path string, w, r *compatNode) {
	switch {
	case w.kind == "union" && r.kind == "union":
		for _, wb := range w.branches {
			rb := pick(wb, r.branches)
			if rb == nil {
				c.fail(path, r, "writer union branch %s has no matching branch in reader %s", describe(wb), describe(r))
				continue
			}
			c.check(join(path, label(rb)), wb, rb)
		}
		return
	case w.kind == "union":
		for _, wb := range w.branches {
			if !matches(wb, r, false) {
				c.fail(path, r, "writer union branch %s cannot be read as reader %s", describe(wb), describe(r))
				continue
			}
			c.check(join(path, label(wb)), wb, r)
		}
		return
	case r.kind == "union":
		rb := pick(w, r.branches)
		if rb == nil {
			c.fail(path, r, "writer %s matches no branch of reader %s", describe(w), describe(r))
			return
		}
		c.check(join(path, label(rb)), w, rb)
		return
	}

	if w.kind != r.kind {
		switch {
		case !slices.Contains(promotions[w.kind], r.kind):
			c.fail(path, r, "writer %s cannot be read as reader %s", describe(w), describe(r))
		case pythonUnresolvable[[2]string{w.kind, r.kind}]:
			c.fail(path, r, "writer %s to reader %s is a promotion the Avro spec allows, but the Apache Avro "+
				"Python library cannot resolve it; keep the type", describe(w), describe(r))
		}
		return
	}
	if w.name != "" {
		if !sameName(w, r) {
			hint := ""
			if slices.Contains(r.aliases, w.name) {
				hint = "; the alias does not help, the Apache Avro Python library ignores aliases"
			}
			c.fail(path, r, "writer %s cannot be read as reader %s: names differ (keep the name%s)", describe(w), describe(r), hint)
			return
		}
		pair := [2]*compatNode{w, r}
		if c.seen[pair] {
			return // recursive type, or the same named type used again: checked once
		}
		c.seen[pair] = true
	}
	switch w.kind {
	case "record":
		for _, rf := range r.fields {
			wf := writerField(w, rf.name)
			if wf == nil {
				if old := aliasedField(w, rf); old != "" {
					outcome := "nothing and fail"
					if rf.hasDflt {
						outcome = "the default instead of the data"
					}
					c.fail(path, r, "reader field %q renames writer field %q through an alias, which the Apache Avro "+
						"Python library ignores (it would read %s); keep the name or add a new field", rf.name, old, outcome)
				} else if !rf.hasDflt {
					c.fail(path, r, "reader field %q has no default and writer lacks it", rf.name)
				}
				continue
			}
			c.check(join(path, rf.name), wf.typ, rf.typ)
		}
	case "enum":
		if r.hasDflt {
			return
		}
		var missing []string
		for _, s := range w.symbols {
			if !slices.Contains(r.symbols, s) {
				missing = append(missing, fmt.Sprintf("%q", s))
			}
		}
		if len(missing) > 0 {
			c.fail(path, r, "writer enum symbol(s) %s missing from reader %s, which has no default", strings.Join(missing, ", "), describe(r))
		}
	case "fixed":
		if w.size != r.size {
			c.fail(path, r, "writer %s has size %d, reader size %d", describe(w), w.size, r.size)
		}
	case "array":
		c.check(path+"[]", w.items, r.items)
	case "map":
		c.check(path+"{}", w.items, r.items)
	}
}

func writerField(w *compatNode, name string) *compatField {
	for i := range w.fields {
		if w.fields[i].name == name {
			return &w.fields[i]
		}
	}
	return nil
}

// aliasedField is the writer field a reader field claims through an alias, if any.
func aliasedField(w *compatNode, rf compatField) string {
	for _, a := range rf.aliases {
		if writerField(w, a) != nil {
			return a
		}
	}
	return ""
}
