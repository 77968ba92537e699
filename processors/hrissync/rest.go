package hrissync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// REST is the generic JSON REST target, for an HRIS without a dedicated client. Everything is
// configuration (the mapping's "rest" object): the base URL, the paths, the update method, the
// id field, and the field names themselves — the mapping's HRIS field names are JSON paths, so
// "work.title" is sent and read as {"work": {"title": ...}}. Values are JSON strings.
//
//   - find:   GET <url><search_path> ({key} replaced); the answer is an array of employees, or
//     an object holding it under results_field; employees whose key field differs are ignored
//     (a server that ignores the filter cannot cause a wrong match);
//   - create: POST <url><create_path>; the id comes from the answer's id_field, else from the
//     Location header;
//   - update: <update_method> <url><employee_path> with the changed fields (PUT: all of them);
//   - read:   GET <url><employee_path>.
//
// The token (HRIS_REST_TOKEN) goes in auth_header as "Bearer <token>". 5xx, 408 and 429 are
// temporary (Retry-After honoured), other 4xx permanent.
type REST struct {
	t        RESTTarget
	keyField string
	token    string
	hc       *http.Client
}

// NewREST builds the client for target t; keyField is the mapping's key field.
func NewREST(t *RESTTarget, keyField, token string, timeout time.Duration, tr http.RoundTripper) (*REST, error) {
	if t == nil || t.URL == "" {
		return nil, errors.New("rest: the mapping has no rest.url")
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if tr == nil {
		tr = http.DefaultTransport
	}
	return &REST{t: *t, keyField: keyField, token: token, hc: &http.Client{Timeout: timeout, Transport: tr}}, nil
}

// Target is the configured name (default "rest").
func (r *REST) Target() string { return r.t.Name }

func (r *REST) do(ctx context.Context, method, p string, body any) (http.Header, []byte, error) {
	op := method + " " + p
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", op, err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.t.URL+p, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set(r.t.AuthHeader, "Bearer "+r.token)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, nil, &transportError{op: op, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, nil, &transportError{op: op, err: err}
	}
	if resp.StatusCode/100 == 2 {
		return resp.Header, data, nil
	}
	return nil, nil, &Error{Op: op, Status: resp.StatusCode, Message: strings.TrimSpace(string(data[:min(len(data), 300)])),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Temporary:  statusTemporary(resp.StatusCode) || resp.StatusCode == http.StatusTooManyRequests}
}

// nest turns {"work.title": "x"} into {"work": {"title": "x"}}.
func nest(rec Record) map[string]any {
	out := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(rec)) {
		parts := strings.Split(k, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = rec[k]
	}
	return out
}

// dig reads a dotted path from decoded JSON.
func dig(v any, p string) any {
	for _, part := range strings.Split(p, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

func (r *REST) employeePath(id string) string {
	return strings.ReplaceAll(r.t.EmployeePath, "{id}", url.PathEscape(id))
}

// Find searches by key and keeps exact matches.
func (r *REST) Find(ctx context.Context, key string) ([]string, error) {
	p := strings.ReplaceAll(r.t.SearchPath, "{key}", url.QueryEscape(key))
	_, data, err := r.do(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, err
	}
	var v any
	if err := decodeJSON("GET "+p, data, &v); err != nil {
		return nil, &transportError{op: "find", err: err}
	}
	if r.t.ResultsField != "" {
		v = dig(v, r.t.ResultsField)
	}
	list, ok := v.([]any)
	if !ok && v != nil {
		return nil, &Error{Op: "GET " + p, Status: 200, Message: "search answer is not an array (set rest.results_field?)"}
	}
	var ids []string
	for _, e := range list {
		if strings.TrimSpace(text(dig(e, r.keyField))) == key {
			ids = append(ids, text(dig(e, r.t.IDField)))
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Create posts the employee and returns its id.
func (r *REST) Create(ctx context.Context, rec Record) (string, error) {
	h, data, err := r.do(ctx, http.MethodPost, r.t.CreatePath, nest(rec))
	if err != nil {
		return "", err
	}
	var v any
	if len(bytes.TrimSpace(data)) > 0 && decodeJSON("POST "+r.t.CreatePath, data, &v) == nil {
		if id := text(dig(v, r.t.IDField)); id != "" {
			return id, nil
		}
	}
	if loc := h.Get("Location"); loc != "" {
		return path.Base(strings.TrimRight(loc, "/")), nil
	}
	// Created, but we cannot tell which: the next attempt finds it by key.
	return "", &transportError{op: "POST " + r.t.CreatePath, err: errors.New("no id in the answer and no Location header")}
}

// Update sends the changes (PUT: the whole desired record).
func (r *REST) Update(ctx context.Context, id string, changes, want Record) error {
	body := changes
	if r.t.UpdateMethod == http.MethodPut {
		body = want
	}
	_, _, err := r.do(ctx, r.t.UpdateMethod, r.employeePath(id), nest(body))
	return err
}

// Get reads the employee and picks the fields.
func (r *REST) Get(ctx context.Context, id string, fields []string) (Record, error) {
	p := r.employeePath(id)
	_, data, err := r.do(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, err
	}
	var v any
	if err := decodeJSON("GET "+p, data, &v); err != nil {
		return nil, &transportError{op: "GET " + p, err: err}
	}
	out := Record{}
	for _, f := range fields {
		out[f] = strings.TrimSpace(text(dig(v, f)))
	}
	return out, nil
}
