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
	"strconv"
	"strings"
	"time"
)

// BambooHRConfig configures the BambooHR client.
type BambooHRConfig struct {
	// URL is the API host: https://api.bamboohr.com for the real service, or the emulator's
	// http://127.0.0.1:8091. Requests go to <URL>/api/gateway.php/<CompanyDomain>/v1/...
	URL string
	// CompanyDomain is the <company> of <company>.bamboohr.com.
	CompanyDomain string
	// APIKey is sent as the Basic-auth user name (the password is ignored: "x"). Secret.
	APIKey string
	// KeyField is the (custom) employee field holding the ATS candidate id.
	KeyField string
	// Timeout bounds one HTTP request. Default: 10s.
	Timeout time.Duration
	// Transport overrides the HTTP transport (tests). Default: http.DefaultTransport.
	Transport http.RoundTripper
	// ReadRetries is how often a read (GET, custom report) that failed temporarily is repeated
	// at once, with ReadBackoff doubling in between; reads change nothing, so this is safe.
	// Writes are never repeated here: the processor looks the employee up first. Default: 2.
	ReadRetries int
	// ReadBackoff is the first wait between read tries. Default: 100ms.
	ReadBackoff time.Duration
}

// BambooHR writes employees through BambooHR's documented REST API:
//
//   - find:   POST /v1/reports/custom?format=JSON (fields id + the key field), filtered here;
//   - create: POST /v1/employees (201 + Location: .../employees/<id>), then one jobInfo row and
//     one compensation row (POST /v1/employees/<id>/tables/<table>, 200 with an empty body);
//   - update: POST /v1/employees/<id> for employee fields; a table row with the same effective
//     date is updated in place (POST .../tables/<table>/<rowId>), else a row is added;
//   - read:   GET /v1/employees/<id>?fields=...&onlyCurrent=false and GET .../tables/<table>.
//
// Record fields named jobInfo.<column> and compensation.<column> go to those tables; the
// manager (jobInfo.reportsTo, an employee id) is read back from supervisorEId, since the table
// shows the manager's name. compensation.rate is "<amount> <currency>" and is sent as BambooHR's
// currency object {"value","currency"}. Every request sends Accept: application/json (BambooHR
// answers XML otherwise) and HTTP Basic auth with the API key.
//
// Errors: 5xx, 408 and 503 (throttling, with Retry-After) are temporary; 429 on create is the
// account's employee limit (permanent, ErrLimit); other 4xx are permanent. The reason comes from
// the X-BambooHR-Error-Message header.
type BambooHR struct {
	cfg  BambooHRConfig
	base string
	hc   *http.Client
}

// NewBambooHR validates cfg and builds the client.
func NewBambooHR(cfg BambooHRConfig) (*BambooHR, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bamboohr: URL %q is not an absolute http(s) URL", cfg.URL)
	}
	if cfg.CompanyDomain == "" || strings.ContainsAny(cfg.CompanyDomain, "/?#") {
		return nil, fmt.Errorf("bamboohr: company domain %q is empty or not a subdomain name", cfg.CompanyDomain)
	}
	if cfg.APIKey == "" {
		return nil, errors.New("bamboohr: API key is empty")
	}
	if cfg.KeyField == "" {
		return nil, errors.New("bamboohr: key field is empty")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.ReadRetries < 0 {
		cfg.ReadRetries = 0
	} else if cfg.ReadRetries == 0 {
		cfg.ReadRetries = 2
	}
	if cfg.ReadBackoff <= 0 {
		cfg.ReadBackoff = 100 * time.Millisecond
	}
	tr := cfg.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	return &BambooHR{cfg: cfg, hc: &http.Client{Timeout: cfg.Timeout, Transport: tr},
		base: strings.TrimRight(cfg.URL, "/") + "/api/gateway.php/" + url.PathEscape(cfg.CompanyDomain) + "/v1"}, nil
}

// Target is "bamboohr".
func (*BambooHR) Target() string { return "bamboohr" }

// tableOf splits "jobInfo.department" into ("jobInfo", "department"); employee fields give "".
func tableOf(field string) (table, column string) {
	t, c, ok := strings.Cut(field, ".")
	if !ok {
		return "", field
	}
	return t, c
}

// dateColumn is the effective-date column of a table.
var dateColumn = map[string]string{"jobInfo": "date", "compensation": "startDate"}

type bambooResp struct {
	header http.Header
	body   []byte
}

func (b *BambooHR) do(ctx context.Context, method, p string, query url.Values, body any) (*bambooResp, error) {
	op := method + " /v1" + p
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s: encode body: %w", op, err)
		}
		rd = bytes.NewReader(js)
	}
	u := b.base + p
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.SetBasicAuth(b.cfg.APIKey, "x")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		// Exactly this: BambooHR parses "application/json; charset=UTF-8" as XML on some endpoints.
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return nil, &transportError{op: op, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, &transportError{op: op, err: fmt.Errorf("read answer: %w", err)}
	}
	if resp.StatusCode/100 == 2 {
		return &bambooResp{header: resp.Header, body: data}, nil
	}
	e := &Error{Op: op, Status: resp.StatusCode, Temporary: statusTemporary(resp.StatusCode),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	// The help center spells the header with three s; read both.
	e.Message = resp.Header.Get("X-BambooHR-Error-Message")
	if e.Message == "" {
		e.Message = resp.Header.Get("X-BambooHR-Error-Messsage")
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(data[:min(len(data), 300)]))
	}
	if resp.StatusCode == http.StatusTooManyRequests && !(method == http.MethodPost && p == "/employees/") && e.RetryAfter > 0 {
		e.Temporary = true // newer endpoints use 429 + Retry-After for rate limiting
	}
	return nil, e
}

// maxReadWait is the longest Retry-After a read honours itself; a longer one goes back to the
// processor.
const maxReadWait = 2 * time.Second

// read is do for requests that change nothing: temporary failures are tried again a few times.
func (b *BambooHR) read(ctx context.Context, method, p string, query url.Values, body any) (*bambooResp, error) {
	wait := b.cfg.ReadBackoff
	for try := 0; ; try++ {
		r, err := b.do(ctx, method, p, query, body)
		if err == nil || try >= b.cfg.ReadRetries || !Temporary(err) || ctx.Err() != nil {
			return r, err
		}
		d := wait
		if ra := RetryAfter(err); ra > 0 {
			if ra > maxReadWait {
				return r, err
			}
			d = ra
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return r, err
		case <-t.C:
		}
		wait *= 2
	}
}

func decodeJSON(op string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return nil
}

// text renders a JSON value as a field value.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case map[string]any:
		// BambooHR's currency type: {"value": "85000.00", "currency": "USD"}.
		if val, ok := v["value"]; ok {
			s := text(val)
			if c := text(v["currency"]); c != "" {
				s += " " + c
			}
			return s
		}
	}
	js, _ := json.Marshal(v)
	return string(js)
}

// Find lists employees (active and inactive) with the key field through a custom report and
// keeps those whose key equals key. BambooHR cannot filter reports by a field's value, so the
// filtering happens here; the report holds two fields per employee.
func (b *BambooHR) Find(ctx context.Context, key string) ([]string, error) {
	body := map[string]any{"title": "hirestream: employees by ATS candidate id", "fields": []string{"id", b.cfg.KeyField}}
	r, err := b.read(ctx, http.MethodPost, "/reports/custom", url.Values{"format": {"JSON"}, "onlyCurrent": {"false"}}, body)
	if err != nil {
		return nil, err
	}
	var rep struct {
		Employees []map[string]any `json:"employees"`
	}
	if err := decodeJSON("POST /v1/reports/custom", r.body, &rep); err != nil {
		return nil, &transportError{op: "find", err: err}
	}
	var ids []string
	for _, e := range rep.Employees {
		if strings.TrimSpace(text(e[b.cfg.KeyField])) == key {
			ids = append(ids, text(e["id"]))
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// split sorts rec's fields into employee fields and table rows.
func split(rec Record) (emp map[string]any, tables map[string]map[string]any) {
	emp = map[string]any{}
	tables = map[string]map[string]any{}
	for k, v := range rec {
		t, c := tableOf(k)
		if t == "" {
			emp[k] = v
			continue
		}
		if tables[t] == nil {
			tables[t] = map[string]any{}
		}
		if t == "compensation" && c == "rate" {
			if amount, cur, ok := strings.Cut(v, " "); ok {
				tables[t][c] = map[string]string{"value": amount, "currency": cur}
				continue
			}
		}
		tables[t][c] = v
	}
	return emp, tables
}

// rowDate is the effective date of want's row in table: its own date column, else hireDate.
func rowDate(table string, want Record) (string, error) {
	if d := want[table+"."+dateColumn[table]]; d != "" {
		return d, nil
	}
	if d := want["hireDate"]; d != "" {
		return d, nil
	}
	return "", fmt.Errorf("a %s row needs a date: map %s.%s or hireDate", table, table, dateColumn[table])
}

// row is the full desired row of table (every mapped column plus the effective date).
func row(table string, want Record) (map[string]any, error) {
	_, tables := split(want)
	r := tables[table]
	if r == nil {
		r = map[string]any{}
	}
	d, err := rowDate(table, want)
	if err != nil {
		return nil, err
	}
	r[dateColumn[table]] = d
	return r, nil
}

// Create adds the employee, then its jobInfo and compensation rows.
func (b *BambooHR) Create(ctx context.Context, rec Record) (string, error) {
	emp, tables := split(rec)
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		if _, ok := dateColumn[t]; !ok {
			return "", &Error{Op: "create", Status: 0, Message: fmt.Sprintf("table %q is not supported (jobInfo, compensation)", t)}
		}
	}
	r, err := b.do(ctx, http.MethodPost, "/employees/", nil, emp)
	if err != nil {
		return "", err
	}
	loc := r.header.Get("Location")
	id := path.Base(strings.TrimRight(loc, "/"))
	if loc == "" || id == "" || !allDigits(id) {
		// The employee exists but we cannot tell which: the next attempt finds it by key.
		return "", &transportError{op: "POST /v1/employees", err: fmt.Errorf("201 without a usable Location header (%q)", loc)}
	}
	for _, t := range []string{"jobInfo", "compensation"} {
		if tables[t] == nil {
			continue
		}
		desired, err := row(t, rec)
		if err != nil {
			return id, &Error{Op: "create " + t, Message: err.Error()}
		}
		if _, err := b.do(ctx, http.MethodPost, "/employees/"+id+"/tables/"+t, nil, desired); err != nil {
			return id, err
		}
	}
	return id, nil
}

// Update writes the changed employee fields, and the whole desired row of every table with a
// changed column.
func (b *BambooHR) Update(ctx context.Context, id string, changes, want Record) error {
	emp, tables := split(changes)
	if len(emp) > 0 {
		if _, err := b.do(ctx, http.MethodPost, "/employees/"+id, nil, emp); err != nil {
			return err
		}
	}
	for _, t := range []string{"jobInfo", "compensation"} {
		if tables[t] == nil {
			continue
		}
		desired, err := row(t, want)
		if err != nil {
			return &Error{Op: "update " + t, Message: err.Error()}
		}
		rows, err := b.rows(ctx, id, t)
		if err != nil {
			return err
		}
		p := "/employees/" + id + "/tables/" + t
		for _, r := range rows {
			if text(r[dateColumn[t]]) == desired[dateColumn[t]] {
				p += "/" + text(r["id"])
				break
			}
		}
		if _, err := b.do(ctx, http.MethodPost, p, nil, desired); err != nil {
			return err
		}
	}
	return nil
}

func (b *BambooHR) rows(ctx context.Context, id, table string) ([]map[string]any, error) {
	op := "GET /v1/employees/" + id + "/tables/" + table
	r, err := b.read(ctx, http.MethodGet, "/employees/"+id+"/tables/"+table, nil, nil)
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil, nil
	}
	if err := decodeJSON(op, r.body, &rows); err != nil {
		return nil, &transportError{op: op, err: err}
	}
	return rows, nil
}

// latest is the row with the newest effective date (rows come unsorted); ties go to the
// higher row id.
func latest(rows []map[string]any, dateCol string) map[string]any {
	var best map[string]any
	for _, r := range rows {
		if best == nil {
			best = r
			continue
		}
		d, bd := text(r[dateCol]), text(best[dateCol])
		id, _ := strconv.Atoi(text(r["id"]))
		bid, _ := strconv.Atoi(text(best["id"]))
		if d > bd || d == bd && id > bid {
			best = r
		}
	}
	return best
}

// Get reads the employee fields and the newest jobInfo and compensation rows.
func (b *BambooHR) Get(ctx context.Context, id string, fields []string) (Record, error) {
	var empFields []string
	need := map[string]bool{}
	for _, f := range fields {
		t, _ := tableOf(f)
		switch {
		case t == "":
			empFields = append(empFields, f)
		case f == "jobInfo.reportsTo":
			empFields = append(empFields, "supervisorEId")
			need[t] = true
		default:
			need[t] = true
		}
	}
	out := Record{}
	op := "GET /v1/employees/" + id
	// onlyCurrent=false: a new hire's rows are dated in the future, and must still be seen.
	q := url.Values{"fields": {strings.Join(append([]string{"id"}, empFields...), ",")}, "onlyCurrent": {"false"}}
	r, err := b.read(ctx, http.MethodGet, "/employees/"+id, q, nil)
	if err != nil {
		return nil, err
	}
	var emp map[string]any
	if err := decodeJSON(op, r.body, &emp); err != nil {
		return nil, &transportError{op: op, err: err}
	}
	for _, f := range empFields {
		out[f] = strings.TrimSpace(text(emp[f]))
	}
	for _, t := range []string{"jobInfo", "compensation"} {
		if !need[t] {
			continue
		}
		rows, err := b.rows(ctx, id, t)
		if err != nil {
			return nil, err
		}
		row := latest(rows, dateColumn[t])
		for _, f := range fields {
			ft, c := tableOf(f)
			if ft != t {
				continue
			}
			if row != nil {
				out[f] = strings.TrimSpace(text(row[c]))
			} else {
				out[f] = ""
			}
		}
	}
	if _, ok := out["supervisorEId"]; ok && slices.Contains(fields, "jobInfo.reportsTo") {
		out["jobInfo.reportsTo"] = out["supervisorEId"]
		if !slices.Contains(fields, "supervisorEId") {
			delete(out, "supervisorEId")
		}
	}
	return out, nil
}
