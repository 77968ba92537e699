package schemas

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/linkedin/goavro/v2"
)

// avroType is a parsed schema with its named types resolved, walked in step with Go values.
// goavro works on "native" values (map[string]any, goavro.Union...); these helpers translate
// between those and the typed structs of this package by following the schema, so a field
// the writer's (older) schema lacks simply stays at its Go zero value.
type avroType struct {
	names map[string]map[string]any // full name -> record/enum/fixed definition
}

func newAvroType(schema any) *avroType {
	t := &avroType{names: map[string]map[string]any{}}
	t.collect(schema, "")
	return t
}

func fullName(name, ns string) string {
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			return name
		}
	}
	if ns == "" {
		return name
	}
	return ns + "." + name
}

// collect registers every named type, inheriting namespaces the way the Avro spec says.
func (t *avroType) collect(s any, ns string) {
	switch s := s.(type) {
	case []any:
		for _, b := range s {
			t.collect(b, ns)
		}
	case map[string]any:
		typ, _ := s["type"].(string)
		switch typ {
		case "record", "enum", "fixed":
			if n, ok := s["namespace"].(string); ok {
				ns = n
			}
			name := fullName(s["name"].(string), ns)
			t.names[name] = s
			ns = namespaceOf(name)
			if fields, ok := s["fields"].([]any); ok {
				for _, f := range fields {
					t.collect(f.(map[string]any)["type"], ns)
				}
			}
		case "array":
			t.collect(s["items"], ns)
		case "map":
			t.collect(s["values"], ns)
		default:
			t.collect(s["type"], ns)
		}
	}
}

func namespaceOf(full string) string {
	for i := len(full) - 1; i >= 0; i-- {
		if full[i] == '.' {
			return full[:i]
		}
	}
	return ""
}

// branchName is how goavro names a union branch: full name for named types,
// "type.logicalType" for logical types, else the primitive name.
func (t *avroType) branchName(s any, ns string) string {
	switch s := s.(type) {
	case string:
		if _, ok := t.names[fullName(s, ns)]; ok {
			return fullName(s, ns)
		}
		return s
	case map[string]any:
		typ, _ := s["type"].(string)
		switch typ {
		case "record", "enum", "fixed":
			if n, ok := s["namespace"].(string); ok {
				ns = n
			}
			return fullName(s["name"].(string), ns)
		}
		if lt, ok := s["logicalType"].(string); ok {
			return typ + "." + lt
		}
		return typ
	}
	return ""
}

// deref turns a reference to a named type into its definition.
func (t *avroType) deref(s any, ns string) (any, string) {
	if name, ok := s.(string); ok {
		if def, ok := t.names[fullName(name, ns)]; ok {
			return def, namespaceOf(fullName(name, ns))
		}
	}
	if m, ok := s.(map[string]any); ok {
		if typ, _ := m["type"].(string); typ == "record" {
			if n, ok := m["namespace"].(string); ok {
				ns = n
			}
			return m, namespaceOf(fullName(m["name"].(string), ns))
		}
	}
	return s, ns
}

var fieldIndexCache sync.Map // reflect.Type -> map[string]int

func fieldIndex(rt reflect.Type) map[string]int {
	if m, ok := fieldIndexCache.Load(rt); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < rt.NumField(); i++ {
		if tag := rt.Field(i).Tag.Get("avro"); tag != "" {
			m[tag] = i
		}
	}
	fieldIndexCache.Store(rt, m)
	return m
}

var payloadTypes = map[string]reflect.Type{}

func init() {
	for _, p := range []Payload{&RawDelivery{}, &ApplicationEvent{}, &CandidateEvent{}, &Unrecognized{},
		&HRISSync{}, &Alert{}, &DeadLetter{}} {
		payloadTypes[p.AvroName()] = reflect.TypeOf(p).Elem()
	}
}

func (t *avroType) toNative(s any, ns string, v reflect.Value) (any, error) {
	s, ns = t.deref(s, ns)
	switch s := s.(type) {
	case string:
		switch s {
		case "null":
			return nil, nil
		case "string":
			return v.String(), nil
		case "boolean":
			return v.Bool(), nil
		case "int":
			return int32(v.Int()), nil
		case "long":
			return v.Int(), nil
		case "bytes":
			if v.IsNil() {
				return []byte{}, nil
			}
			return v.Bytes(), nil
		}
		return nil, fmt.Errorf("unsupported avro type %q", s)
	case []any: // union
		if (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
			return nil, nil
		}
		var want string
		if v.Kind() == reflect.Interface {
			p, ok := v.Interface().(Payload)
			if !ok {
				return nil, fmt.Errorf("%s is not a Payload", v.Type())
			}
			want = p.AvroName()
		}
		for _, b := range s {
			name := t.branchName(b, ns)
			if name == "null" || (want != "" && name != want) {
				continue
			}
			inner := v
			if v.Kind() == reflect.Interface {
				inner = v.Elem()
			}
			if inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			n, err := t.toNative(b, ns, inner)
			if err != nil {
				return nil, err
			}
			return goavro.Union(name, n), nil
		}
		return nil, fmt.Errorf("no union branch for %s (%s)", v.Type(), want)
	case map[string]any:
		typ, _ := s["type"].(string)
		switch typ {
		case "record":
			rv := reflect.Indirect(v)
			idx := fieldIndex(rv.Type())
			out := make(map[string]any, len(idx))
			for _, f := range s["fields"].([]any) {
				fm := f.(map[string]any)
				name := fm["name"].(string)
				i, ok := idx[name]
				if !ok {
					continue // goavro fills in the field's default
				}
				n, err := t.toNative(fm["type"], ns, rv.Field(i))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				out[name] = n
			}
			return out, nil
		case "array":
			out := make([]any, v.Len())
			for i := range out {
				n, err := t.toNative(s["items"], ns, v.Index(i))
				if err != nil {
					return nil, err
				}
				out[i] = n
			}
			return out, nil
		case "map":
			out := make(map[string]any, v.Len())
			it := v.MapRange()
			for it.Next() {
				n, err := t.toNative(s["values"], ns, it.Value())
				if err != nil {
					return nil, err
				}
				out[it.Key().String()] = n
			}
			return out, nil
		}
		if lt, _ := s["logicalType"].(string); lt == "timestamp-millis" {
			return v.Interface().(time.Time).UTC(), nil
		}
		return t.toNative(s["type"], ns, v)
	}
	return nil, fmt.Errorf("unsupported schema %T", s)
}

func (t *avroType) fromNative(s any, ns string, n any, v reflect.Value) error {
	s, ns = t.deref(s, ns)
	switch s := s.(type) {
	case string:
		switch s {
		case "null":
			return nil
		case "string":
			str, ok := n.(string)
			if !ok {
				return fmt.Errorf("want string, got %T", n)
			}
			v.SetString(str)
		case "boolean":
			b, ok := n.(bool)
			if !ok {
				return fmt.Errorf("want boolean, got %T", n)
			}
			v.SetBool(b)
		case "int":
			i, ok := n.(int32)
			if !ok {
				return fmt.Errorf("want int, got %T", n)
			}
			v.SetInt(int64(i))
		case "long":
			i, ok := n.(int64)
			if !ok {
				return fmt.Errorf("want long, got %T", n)
			}
			v.SetInt(i)
		case "bytes":
			b, ok := n.([]byte)
			if !ok {
				return fmt.Errorf("want bytes, got %T", n)
			}
			v.SetBytes(append([]byte(nil), b...))
		default:
			return fmt.Errorf("unsupported avro type %q", s)
		}
		return nil
	case []any:
		if n == nil {
			v.SetZero()
			return nil
		}
		m, ok := n.(map[string]any)
		if !ok || len(m) != 1 {
			return fmt.Errorf("want union value, got %T", n)
		}
		for name, inner := range m {
			var branch any
			for _, b := range s {
				if t.branchName(b, ns) == name {
					branch = b
				}
			}
			if branch == nil {
				return fmt.Errorf("unknown union branch %q", name)
			}
			var target reflect.Value
			switch v.Kind() {
			case reflect.Interface:
				pt, ok := payloadTypes[name]
				if !ok {
					return fmt.Errorf("no Go type for payload %q", name)
				}
				target = reflect.New(pt)
			case reflect.Pointer:
				target = reflect.New(v.Type().Elem())
			default:
				return fmt.Errorf("union into %s", v.Type())
			}
			if err := t.fromNative(branch, ns, inner, target.Elem()); err != nil {
				return err
			}
			v.Set(target)
		}
		return nil
	case map[string]any:
		typ, _ := s["type"].(string)
		switch typ {
		case "record":
			m, ok := n.(map[string]any)
			if !ok {
				return fmt.Errorf("want record, got %T", n)
			}
			idx := fieldIndex(v.Type())
			for _, f := range s["fields"].([]any) {
				fm := f.(map[string]any)
				name := fm["name"].(string)
				i, ok := idx[name]
				if !ok {
					continue // a field this Go version does not know: ignored, as Avro readers do
				}
				if err := t.fromNative(fm["type"], ns, m[name], v.Field(i)); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			return nil
		case "array":
			items, ok := n.([]any)
			if !ok {
				return fmt.Errorf("want array, got %T", n)
			}
			if len(items) == 0 {
				v.SetZero()
				return nil
			}
			sl := reflect.MakeSlice(v.Type(), len(items), len(items))
			for i, it := range items {
				if err := t.fromNative(s["items"], ns, it, sl.Index(i)); err != nil {
					return err
				}
			}
			v.Set(sl)
			return nil
		case "map":
			m, ok := n.(map[string]any)
			if !ok {
				return fmt.Errorf("want map, got %T", n)
			}
			if len(m) == 0 {
				v.SetZero()
				return nil
			}
			mv := reflect.MakeMapWithSize(v.Type(), len(m))
			for k, it := range m {
				ev := reflect.New(v.Type().Elem()).Elem()
				if err := t.fromNative(s["values"], ns, it, ev); err != nil {
					return err
				}
				mv.SetMapIndex(reflect.ValueOf(k), ev)
			}
			v.Set(mv)
			return nil
		}
		if lt, _ := s["logicalType"].(string); lt == "timestamp-millis" {
			ts, ok := n.(time.Time)
			if !ok {
				return fmt.Errorf("want timestamp, got %T", n)
			}
			v.Set(reflect.ValueOf(ts.UTC()))
			return nil
		}
		return t.fromNative(s["type"], ns, n, v)
	}
	return fmt.Errorf("unsupported schema %T", s)
}
