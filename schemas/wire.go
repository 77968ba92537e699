package schemas

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"

	"github.com/linkedin/goavro/v2"
)

//go:embed avro/event.avsc
var currentSchema []byte

//go:embed registry/*.avsc registry/registry.json
var registryFS embed.FS

// Subject is the registry subject of the envelope schema.
const Subject = "hirestream.Event"

// magicByte opens every Confluent-framed message.
const magicByte = 0

// maxBlockCount caps the item count of one array or map block that Decode accepts. goavro
// preallocates a block's items before reading them and allows up to MaxInt32 by default, so a
// 27-byte message claiming 2^31 array items made the process die with "fatal error: runtime:
// out of memory", which no recover can catch: one poison message would crash-loop every
// consumer before it reached a DLQ. Every array and map item of the envelope takes at least one
// byte, so a block this large cannot fit in a Kafka message (1 MiB by default) anyway; goavro
// also splits what it encodes into blocks of at most this many items.
const maxBlockCount = 1 << 20

func init() {
	// goavro's limit is process-wide; only ever lower it.
	if goavro.MaxBlockCount > maxBlockCount {
		goavro.MaxBlockCount = maxBlockCount
	}
}

// Errors a decode can return; all are permanent: retrying the same bytes cannot help.
var (
	ErrNotFramed     = errors.New("not Confluent wire format (want magic byte 0 and a 4-byte schema id)")
	ErrUnknownSchema = errors.New("unknown schema id")
)

// DecodeError says which bytes could not be read and why.
type DecodeError struct {
	SchemaID uint32
	Err      error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("decode event (schema id %d): %v", e.SchemaID, e.Err)
}
func (e *DecodeError) Unwrap() error { return e.Err }

// RegisteredVersion is one frozen schema version from registry/registry.json.
type RegisteredVersion struct {
	ID          uint32 `json:"id"`
	Version     int    `json:"version"`
	File        string `json:"file"`
	Fingerprint string `json:"fingerprint"` // sha256 of the parsing canonical form
	Schema      string `json:"-"`
}

// Registry lists the registered versions of Subject, oldest first. The checked-in file stands in
// for a schema registry until one is configured; ids never change once committed.
func Registry() ([]RegisteredVersion, error) {
	raw, err := registryFS.ReadFile("registry/registry.json")
	if err != nil {
		return nil, err
	}
	var file struct {
		Subject  string              `json:"subject"`
		Versions []RegisteredVersion `json:"versions"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("parse registry.json: %w", err)
	}
	for i, v := range file.Versions {
		b, err := registryFS.ReadFile("registry/" + v.File)
		if err != nil {
			return nil, fmt.Errorf("registry version %d: %w", v.Version, err)
		}
		file.Versions[i].Schema = string(b)
	}
	sort.Slice(file.Versions, func(i, j int) bool { return file.Versions[i].Version < file.Versions[j].Version })
	return file.Versions, nil
}

// CurrentSchema is the envelope schema this build writes with (avro/event.avsc).
func CurrentSchema() string { return string(currentSchema) }

// Fingerprint is the sha256 of the schema's Avro parsing canonical form.
func Fingerprint(schema string) (string, error) {
	c, err := goavro.NewCodec(schema)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(c.CanonicalSchema()))
	return hex.EncodeToString(sum[:]), nil
}

type schemaCodec struct {
	id     uint32
	codec  *goavro.Codec
	parsed any
	walk   *avroType
}

// Codec encodes events with the current schema and decodes any registered version.
// It is safe for concurrent use.
type Codec struct {
	writer  *schemaCodec
	readers map[uint32]*schemaCodec
}

// NewCodec loads the registry. It fails when avro/event.avsc is not a registered version: a
// changed schema must be registered (registry/N.avsc + registry.json) before anything writes it.
func NewCodec() (*Codec, error) {
	versions, err := Registry()
	if err != nil {
		return nil, err
	}
	current, err := Fingerprint(string(currentSchema))
	if err != nil {
		return nil, fmt.Errorf("parse avro/event.avsc: %w", err)
	}
	c := &Codec{readers: map[uint32]*schemaCodec{}}
	for _, v := range versions {
		sc, err := newSchemaCodec(v.ID, v.Schema)
		if err != nil {
			return nil, fmt.Errorf("registry version %d: %w", v.Version, err)
		}
		c.readers[v.ID] = sc
		if fp, _ := Fingerprint(v.Schema); fp == current {
			c.writer = sc
		}
	}
	if c.writer == nil {
		return nil, notRegisteredError(current, versions)
	}
	return c, nil
}

// notRegisteredError gives the exact steps to register avro/event.avsc as the next version.
func notRegisteredError(fingerprint string, versions []RegisteredVersion) error {
	return fmt.Errorf("avro/event.avsc (fingerprint %s) is not registered: %s", fingerprint, registerSteps(fingerprint, versions))
}

// registerSteps says how to add avro/event.avsc, with the given fingerprint, as the next version.
func registerSteps(fingerprint string, versions []RegisteredVersion) string {
	next := RegisteredVersion{ID: 1, Version: 1}
	for _, v := range versions {
		next.ID = max(next.ID, v.ID+1)
		next.Version = max(next.Version, v.Version+1)
	}
	return fmt.Sprintf("copy it to registry/%d.avsc and append "+
		`{"id": %d, "version": %d, "file": "%d.avsc", "fingerprint": "%s"} to the versions in registry/registry.json `+
		"(the compatibility test checks it against the previous version)",
		next.Version, next.ID, next.Version, next.Version, fingerprint)
}

// MustCodec is NewCodec for package-level use in tests and commands; the embedded registry is
// checked by this package's tests, so a failure here is a build defect.
func MustCodec() *Codec {
	c, err := NewCodec()
	if err != nil {
		panic(err)
	}
	return c
}

func newSchemaCodec(id uint32, schema string) (*schemaCodec, error) {
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		return nil, err
	}
	var parsed any
	if err := json.Unmarshal([]byte(schema), &parsed); err != nil {
		return nil, err
	}
	return &schemaCodec{id: id, codec: codec, parsed: parsed, walk: newAvroType(parsed)}, nil
}

// SchemaID is the id written in front of every encoded event.
func (c *Codec) SchemaID() uint32 { return c.writer.id }

// Encode returns ev in the Confluent wire format: magic byte 0, the 4-byte big-endian schema id,
// then the Avro binary body.
func (c *Codec) Encode(ev Event) ([]byte, error) {
	native, err := c.writer.walk.toNative(c.writer.parsed, "", reflect.ValueOf(ev))
	if err != nil {
		return nil, fmt.Errorf("encode event %s (%s): %w", ev.ID, ev.Type, err)
	}
	buf := make([]byte, 5, 256)
	buf[0] = magicByte
	binary.BigEndian.PutUint32(buf[1:5], c.writer.id)
	out, err := c.writer.codec.BinaryFromNative(buf, native)
	if err != nil {
		return nil, fmt.Errorf("encode event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return out, nil
}

// Decode reads one Confluent-framed event written with any registered schema version.
func (c *Codec) Decode(b []byte) (Event, error) {
	var ev Event
	if len(b) < 5 || b[0] != magicByte {
		return ev, ErrNotFramed
	}
	id := binary.BigEndian.Uint32(b[1:5])
	sc, ok := c.readers[id]
	if !ok {
		return ev, &DecodeError{SchemaID: id, Err: ErrUnknownSchema}
	}
	native, rest, err := sc.codec.NativeFromBinary(b[5:])
	if err != nil {
		return ev, &DecodeError{SchemaID: id, Err: err}
	}
	if len(rest) != 0 {
		return ev, &DecodeError{SchemaID: id, Err: fmt.Errorf("%d trailing bytes after the event", len(rest))}
	}
	if err := sc.walk.fromNative(sc.parsed, "", native, reflect.ValueOf(&ev).Elem()); err != nil {
		return ev, &DecodeError{SchemaID: id, Err: err}
	}
	return ev, nil
}
