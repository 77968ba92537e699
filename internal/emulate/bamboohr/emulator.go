// Package bamboohr is an in-memory emulator of the BambooHR REST endpoints hirestream's HRIS
// sync uses, with fault injection. It follows the facts in the project's research notes
// (shared/research/hris-and-alerts.md §1 and §5):
//
//   - both URL shapes: /api/gateway.php/<company>/v1/... and /api/v1/...;
//   - HTTP Basic auth with the API key as the user name (any password); missing or wrong → 401;
//   - GET answers XML unless the request sends Accept: application/json;
//   - POST /v1/employees: firstName and lastName required (400), duplicate workEmail (409),
//     list fields must be an existing option (409), employee limit (429); 201, empty body,
//     Location: .../v1/employees/<id>. No idempotency: a repeated POST creates a second employee;
//   - POST /v1/employees/<id>: update, 200 with an empty body; 404 for an unknown id;
//   - GET /v1/employees/<id>?fields=a,b&onlyCurrent=: "id" always, as a string; unknown fields
//     omitted; more than 400 fields → 400; jobTitle, department, division, location,
//     supervisor, supervisorEId (the manager's id), supervisorId (the manager's employeeNumber)
//     come from the newest effective jobInfo row, payRate/payType/payPer from compensation;
//     rows dated in the future count only with onlyCurrent=false;
//   - GET/POST /v1/employees/<id>/tables/{jobInfo,compensation}[/<rowId>]: rows unsorted, the
//     new row's id is not returned (200, empty body); reportsTo takes an employee id (or
//     "First Last") and reads back as the manager's display name; rate is
//     {"value":"85000.00","currency":"USD"}; unknown columns 406;
//   - POST /v1/reports/custom?format=JSON: Content-Type must be exactly application/json
//     (else 400 "Malformed XML"), active and inactive employees, unknown fields dropped;
//   - errors carry the reason in the X-BambooHR-Error-Message header, bodies are empty.
//
// Faults (Faults, switched by flags or POST /_admin/faults) hit /api requests only: 5xx,
// 503 + Retry-After, timeouts (the request is applied, then the answer never comes in time),
// slow answers, writes applied but answered 500, and writes that silently store a changed
// value (a salary with two digits transposed: 103000 → 130000).
//
// Admin endpoints (no auth; bind the emulator to loopback): GET/POST /_admin/faults,
// GET /_admin/employees (everything, including custom fields and rows), POST /_admin/employees
// (seed one), POST /_admin/reset, GET /_admin/stats.
package bamboohr

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures an emulator.
type Config struct {
	// APIKey is the only key accepted. Default: emulator-key.
	APIKey string
	// EmployeeLimit answers 429 to a create once this many employees exist; 0: no limit.
	EmployeeLimit int
	// Lists restricts list fields (department, location, division, jobTitle,
	// employmentHistoryStatus) to these options; a field not listed accepts any value.
	Lists map[string][]string
	// Seed makes fault injection reproducible. Default: 1.
	Seed uint64
	// Now is the clock for "current" rows. Default: time.Now.
	Now func() time.Time
}

// Duration is a time.Duration that reads JSON strings like "250ms".
type Duration time.Duration

// UnmarshalJSON accepts "1.5s" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration: want a string like \"250ms\": %w", err)
	}
	*d = Duration(n)
	return nil
}

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Faults to inject. Rates are probabilities per /api request, drawn in this order: error,
// throttle, timeout, slow, commit-then-error (writes only).
type Faults struct {
	// ErrorRate answers 500/502/504 without doing anything.
	ErrorRate float64 `json:"error_rate"`
	// ThrottleRate answers 503 with Retry-After: RetryAfterSeconds, without doing anything.
	ThrottleRate      float64 `json:"throttle_rate"`
	RetryAfterSeconds int     `json:"retry_after_seconds"`
	// TimeoutRate applies the request, then holds the answer for Timeout (default 30s), so the
	// client gives up not knowing whether its write happened.
	TimeoutRate float64  `json:"timeout_rate"`
	Timeout     Duration `json:"timeout"`
	// SlowRate applies the request and answers normally after Slow.
	SlowRate float64  `json:"slow_rate"`
	Slow     Duration `json:"slow"`
	// CommitThenErrorRate applies a write and answers 500 anyway.
	CommitThenErrorRate float64 `json:"commit_then_error_rate"`
	// SilentChange stores written values of one field changed, and answers success.
	SilentChange *SilentChange `json:"silent_change,omitempty"`
	// WritesOnly limits the rate faults to writes (POST, custom reports excepted).
	WritesOnly bool `json:"writes_only"`
}

// SilentChange corrupts writes of Field (an employee field, or a table column such as "rate").
type SilentChange struct {
	Field string `json:"field"`
	// Mode is transpose (swap the first two differing adjacent digits after the first one:
	// 103000.00 → 130000.00) or set (store Value). Default: transpose.
	Mode  string `json:"mode"`
	Value string `json:"value,omitempty"`
	// Count is how many writes to corrupt; 0 corrupts every write while set.
	Count int `json:"count"`
}

// Employee is one stored employee, as /_admin/employees shows it.
type Employee struct {
	ID           int                 `json:"id"`
	Fields       map[string]string   `json:"fields"`
	JobInfo      []map[string]string `json:"jobInfo"`
	Compensation []map[string]string `json:"compensation"`
	CreatedAt    time.Time           `json:"created_at"`
}

// Stats counts requests and injected faults.
type Stats struct {
	Requests int            `json:"requests"`
	ByStatus map[string]int `json:"by_status"`
	Faults   map[string]int `json:"faults"`
	Creates  int            `json:"creates"`
}

// Server is the emulator; it is an http.Handler and safe for concurrent use.
type Server struct {
	cfg     Config
	mu      sync.Mutex
	emps    map[int]*Employee
	nextID  int
	nextRow int
	faults  Faults
	rng     *rand.Rand
	stats   Stats
}

// New returns an emulator with no employees and no faults.
func New(cfg Config) *Server {
	if cfg.APIKey == "" {
		cfg.APIKey = "emulator-key"
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg}
	s.reset()
	return s
}

func (s *Server) reset() {
	s.emps = map[int]*Employee{}
	s.nextID, s.nextRow = 1, 1
	s.rng = rand.New(rand.NewPCG(s.cfg.Seed, 0xbabb00))
	s.stats = Stats{ByStatus: map[string]int{}, Faults: map[string]int{}}
}

// SetFaults replaces the faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Faults returns the current faults.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Employees returns a copy of every employee, by id.
func (s *Server) Employees() []Employee {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Employee, 0, len(s.emps))
	for _, id := range slices.Sorted(maps.Keys(s.emps)) {
		out = append(out, s.emps[id].copy())
	}
	return out
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByStatus, st.Faults = clone(s.stats.ByStatus), clone(s.stats.Faults)
	return st
}

// Seed adds an employee (e.g. the managers new hires report to) and returns its id; id 0
// picks the next free one.
func (s *Server) Seed(id int, fields map[string]string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == 0 {
		id = s.nextID
	}
	s.emps[id] = &Employee{ID: id, Fields: clone(fields), CreatedAt: s.cfg.Now()}
	if id >= s.nextID {
		s.nextID = id + 1
	}
	return id
}

func (e *Employee) copy() Employee {
	out := Employee{ID: e.ID, Fields: clone(e.Fields), CreatedAt: e.CreatedAt}
	for _, r := range e.JobInfo {
		out.JobInfo = append(out.JobInfo, clone(r))
	}
	for _, r := range e.Compensation {
		out.Compensation = append(out.Compensation, clone(r))
	}
	return out
}

func clone[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ServeHTTP routes admin and API requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_admin/") {
		s.admin(w, r)
		return
	}
	rest, ok := apiPath(r.URL.Path)
	if !ok {
		s.fail(w, http.StatusNotFound, "unknown URL")
		return
	}
	s.mu.Lock()
	s.stats.Requests++
	s.mu.Unlock()
	if user, _, ok := r.BasicAuth(); !ok || user != s.cfg.APIKey {
		s.fail(w, http.StatusUnauthorized, "API key missing or unknown")
		return
	}
	// A custom report is a POST but reads nothing but data: not a write.
	write := r.Method == http.MethodPost && !strings.HasPrefix(rest, "/reports/")
	fault := s.draw(write)
	switch fault {
	case "error":
		s.fail(w, []int{500, 502, 504}[s.intn(3)], "injected server error")
		return
	case "throttle":
		s.mu.Lock()
		ra := s.faults.RetryAfterSeconds
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(max(ra, 0)))
		s.fail(w, http.StatusServiceUnavailable, "Service temporarily unavailable (throttled)")
		return
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.route(rec, r, rest)
	switch fault {
	case "timeout":
		s.mu.Lock()
		d := time.Duration(s.faults.Timeout)
		s.mu.Unlock()
		if d <= 0 {
			d = 30 * time.Second
		}
		hold(r, d)
	case "slow":
		s.mu.Lock()
		d := time.Duration(s.faults.Slow)
		s.mu.Unlock()
		hold(r, d)
	case "commit_then_error":
		if rec.status/100 == 2 {
			s.fail(w, http.StatusInternalServerError, "injected error after the write was applied")
			return
		}
	}
	rec.flush(w)
	s.count(rec.status)
}

// hold waits d, or until the client goes away.
func hold(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (s *Server) intn(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.IntN(n)
}

// draw picks the fault for one request, or "".
func (s *Server) draw(write bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	if f.WritesOnly && !write {
		return ""
	}
	pick := ""
	for _, c := range []struct {
		name string
		rate float64
	}{{"error", f.ErrorRate}, {"throttle", f.ThrottleRate}, {"timeout", f.TimeoutRate}, {"slow", f.SlowRate}, {"commit_then_error", f.CommitThenErrorRate}} {
		if c.name == "commit_then_error" && !write {
			continue
		}
		if c.rate > 0 && s.rng.Float64() < c.rate {
			pick = c.name
			break
		}
	}
	if pick != "" {
		s.stats.Faults[pick]++
	}
	return pick
}

func (s *Server) count(status int) {
	s.mu.Lock()
	s.stats.ByStatus[strconv.Itoa(status)]++
	s.mu.Unlock()
}

// recorder buffers an answer so a fault can still replace it.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.status = code }
func (r *recorder) Write(b []byte) (int, error) { r.body = append(r.body, b...); return len(b), nil }
func (r *recorder) flush(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// fail answers an error the BambooHR way: empty body, reason in a header.
func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("X-BambooHR-Error-Message", msg)
	w.WriteHeader(status)
	if _, ok := w.(*recorder); !ok {
		s.count(status)
	}
}

// apiPath strips /api/gateway.php/<company>/v1 or /api/v1.
func apiPath(p string) (string, bool) {
	if rest, ok := strings.CutPrefix(p, "/api/v1/"); ok {
		return "/" + rest, true
	}
	if rest, ok := strings.CutPrefix(p, "/api/gateway.php/"); ok {
		_, tail, ok := strings.Cut(rest, "/")
		if !ok {
			return "", false
		}
		if after, ok := strings.CutPrefix(tail, "v1/"); ok {
			return "/" + after, true
		}
	}
	return "", false
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, p string) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "employees" && r.Method == http.MethodPost:
		s.create(w, r)
	case len(parts) == 2 && parts[0] == "reports" && parts[1] == "custom" && r.Method == http.MethodPost:
		s.report(w, r)
	case len(parts) == 2 && parts[0] == "employees" && r.Method == http.MethodGet:
		s.get(w, r, parts[1])
	case len(parts) == 2 && parts[0] == "employees" && r.Method == http.MethodPost:
		s.update(w, r, parts[1])
	case len(parts) == 4 && parts[0] == "employees" && parts[2] == "tables" && r.Method == http.MethodGet:
		s.getRows(w, r, parts[1], parts[3])
	case (len(parts) == 4 || len(parts) == 5) && parts[0] == "employees" && parts[2] == "tables" && r.Method == http.MethodPost:
		rowID := ""
		if len(parts) == 5 {
			rowID = parts[4]
		}
		s.writeRow(w, r, parts[1], parts[3], rowID)
	default:
		s.fail(w, http.StatusNotFound, "unknown URL or method")
	}
}

// writable employee fields (besides custom* aliases); read-only ones are ignored on write.
var employeeFields = map[string]bool{
	"firstName": true, "lastName": true, "middleName": true, "preferredName": true, "workEmail": true,
	"homeEmail": true, "hireDate": true, "originalHireDate": true, "employmentHistoryStatus": true,
	"employeeNumber": true, "status": true, "jobTitle": true, "department": true, "division": true,
	"location": true, "gender": true, "dateOfBirth": true, "address1": true, "city": true, "state": true,
	"zipcode": true, "country": true, "mobilePhone": true, "workPhone": true, "exempt": true,
}

var readOnlyFields = map[string]bool{
	"id": true, "supervisor": true, "supervisorEId": true, "supervisorId": true, "supervisorEmail": true,
	"age": true, "payRate": true, "payType": true, "payPer": true, "displayName": true, "photoUrl": true, "photo": true,
}

var listFields = []string{"department", "location", "division", "jobTitle", "employmentHistoryStatus"}

// decodeFields reads a JSON object of field → value (strings, numbers, booleans).
func decodeFields(r *http.Request) (map[string]string, error) {
	var raw map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	out := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = v
		case json.Number:
			out[k] = v.String()
		case bool:
			out[k] = strconv.FormatBool(v)
		case nil:
			out[k] = ""
		default:
			return nil, fmt.Errorf("field %s: value must be a string", k)
		}
	}
	return out, nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// checkFields validates written employee fields; the caller holds s.mu. self is the employee
// being updated (0 on create).
func (s *Server) checkFields(f map[string]string, self int) (int, string) {
	for k, v := range f {
		switch {
		case readOnlyFields[k]:
			delete(f, k) // silently ignored, as BambooHR ignores photo keys
		case strings.HasPrefix(k, "custom"):
		case !employeeFields[k]:
			return http.StatusBadRequest, "Invalid field: " + k
		case (k == "hireDate" || k == "originalHireDate" || k == "dateOfBirth") && v != "" && !isDate(v):
			return http.StatusBadRequest, fmt.Sprintf("Invalid date for %s: %q (want YYYY-MM-DD)", k, v)
		}
	}
	for _, lf := range listFields {
		if v, ok := f[lf]; ok && v != "" && !s.listOK(lf, v) {
			return http.StatusConflict, fmt.Sprintf("Invalid value for %s: %q is not an option of the list", lf, v)
		}
	}
	if e := strings.TrimSpace(f["workEmail"]); e != "" {
		for id, other := range s.emps {
			if id != self && strings.EqualFold(other.Fields["workEmail"], e) {
				return http.StatusConflict, "Duplicate email: another employee already has this work email"
			}
		}
	}
	return 0, ""
}

func (s *Server) listOK(field, v string) bool {
	opts, ok := s.cfg.Lists[field]
	if !ok {
		return true
	}
	return slices.ContainsFunc(opts, func(o string) bool { return strings.EqualFold(o, v) })
}

// corrupt applies the silent-change fault to value v of field; the caller holds s.mu.
func (s *Server) corrupt(field, v string) string {
	sc := s.faults.SilentChange
	if sc == nil || sc.Field != field || v == "" {
		return v
	}
	if sc.Count > 0 {
		sc.Count--
		if sc.Count == 0 {
			s.faults.SilentChange = nil
		}
	}
	s.stats.Faults["silent_change"]++
	if sc.Mode == "set" {
		return sc.Value
	}
	return Transpose(v)
}

// Transpose swaps the first two differing adjacent digits after the first digit:
// "103000.00" → "130000.00", "85000" → "80500". A value with no such pair gets its last digit
// changed.
func Transpose(v string) string {
	b := []byte(v)
	var digits []int
	for i, c := range b {
		if c >= '0' && c <= '9' {
			digits = append(digits, i)
		}
	}
	for k := 1; k+1 < len(digits); k++ {
		i, j := digits[k], digits[k+1]
		if b[i] != b[j] {
			b[i], b[j] = b[j], b[i]
			return string(b)
		}
	}
	if len(digits) > 0 {
		i := digits[len(digits)-1]
		b[i] = '0' + (b[i]-'0'+1)%10
	}
	return string(b)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	f, err := decodeFields(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if strings.TrimSpace(f["firstName"]) == "" || strings.TrimSpace(f["lastName"]) == "" {
		s.fail(w, http.StatusBadRequest, "firstName and lastName are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code, msg := s.checkFields(f, 0); code != 0 {
		s.fail(w, code, msg)
		return
	}
	if s.cfg.EmployeeLimit > 0 && len(s.emps) >= s.cfg.EmployeeLimit {
		s.fail(w, http.StatusTooManyRequests, "Limit Exceeded: the account has reached its employee limit")
		return
	}
	for k, v := range f {
		f[k] = s.corrupt(k, v)
	}
	if _, ok := f["status"]; !ok {
		f["status"] = "Active"
	}
	id := s.nextID
	s.nextID++
	s.emps[id] = &Employee{ID: id, Fields: f, CreatedAt: s.cfg.Now()}
	s.stats.Creates++
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	w.Header().Set("Location", fmt.Sprintf("%s://%s/api/gateway.php/%s/v1/employees/%d", scheme, r.Host, companyOf(r.URL.Path), id))
	w.WriteHeader(http.StatusCreated)
}

func companyOf(p string) string {
	if rest, ok := strings.CutPrefix(p, "/api/gateway.php/"); ok {
		c, _, _ := strings.Cut(rest, "/")
		return c
	}
	return "emulator"
}

func (s *Server) employee(w http.ResponseWriter, idText string) (*Employee, bool) {
	id, err := strconv.Atoi(idText)
	if err != nil {
		s.fail(w, http.StatusNotFound, "Invalid employee id")
		return nil, false
	}
	e, ok := s.emps[id]
	if !ok {
		s.fail(w, http.StatusNotFound, "Employee not found")
		return nil, false
	}
	return e, true
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, idText string) {
	f, err := decodeFields(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.employee(w, idText)
	if !ok {
		return
	}
	if code, msg := s.checkFields(f, e.ID); code != 0 {
		s.fail(w, code, msg)
		return
	}
	for k, v := range f {
		e.Fields[k] = s.corrupt(k, v)
	}
	w.WriteHeader(http.StatusOK)
}

// current is the newest row effective by today (or at all, when !onlyCurrent).
func current(rows []map[string]string, dateCol string, today string, onlyCurrent bool) map[string]string {
	var best map[string]string
	for _, r := range rows {
		if onlyCurrent && r[dateCol] > today {
			continue
		}
		if best == nil || r[dateCol] > best[dateCol] || r[dateCol] == best[dateCol] && atoi(r["id"]) > atoi(best["id"]) {
			best = r
		}
	}
	return best
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// view is the employee as GET shows it: stored fields plus the derived ones. The caller holds s.mu.
func (s *Server) view(e *Employee, onlyCurrent bool) map[string]string {
	v := clone(e.Fields)
	v["id"] = strconv.Itoa(e.ID)
	today := s.cfg.Now().UTC().Format(time.DateOnly)
	if j := current(e.JobInfo, "date", today, onlyCurrent); j != nil {
		for _, c := range []string{"jobTitle", "department", "division", "location"} {
			v[c] = j[c]
		}
		if m, ok := s.emps[atoi(j["reportsTo"])]; ok {
			v["supervisorEId"] = strconv.Itoa(m.ID)
			v["supervisorId"] = m.Fields["employeeNumber"]
			v["supervisor"] = m.Fields["lastName"] + ", " + m.Fields["firstName"]
			v["supervisorEmail"] = m.Fields["workEmail"]
		} else {
			v["supervisorEId"], v["supervisorId"], v["supervisor"], v["supervisorEmail"] = "", "", "", ""
		}
	}
	if c := current(e.Compensation, "startDate", today, onlyCurrent); c != nil {
		v["payRate"] = strings.TrimSpace(c["rate.value"] + " " + c["rate.currency"])
		v["payType"] = c["type"]
		v["payPer"] = c["paidPer"]
	}
	return v
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, idText string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.employee(w, idText)
	if !ok {
		return
	}
	q := r.URL.Query()
	var fields []string
	if fs := q.Get("fields"); fs != "" {
		fields = strings.Split(fs, ",")
	}
	if len(fields) > 400 {
		s.fail(w, http.StatusBadRequest, "Too many fields requested (max 400)")
		return
	}
	v := s.view(e, q.Get("onlyCurrent") != "false")
	out := map[string]string{"id": v["id"]}
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if val, ok := v[f]; ok {
			out[f] = val
		} else if employeeFields[f] || readOnlyFields[f] {
			out[f] = ""
		}
	}
	if !wantsJSON(r) {
		writeXML(w, out)
		return
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeXML(w http.ResponseWriter, fields map[string]string) {
	type field struct {
		ID    string `xml:"id,attr"`
		Value string `xml:",chardata"`
	}
	type emp struct {
		XMLName xml.Name `xml:"employee"`
		ID      string   `xml:"id,attr"`
		Fields  []field  `xml:"field"`
	}
	e := emp{ID: fields["id"]}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if k != "id" {
			e.Fields = append(e.Fields, field{ID: k, Value: fields[k]})
		}
	}
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(e)
}

var tableColumns = map[string]map[string]bool{
	"jobInfo":      {"date": true, "location": true, "division": true, "department": true, "jobTitle": true, "reportsTo": true, "teams": true},
	"compensation": {"startDate": true, "endDate": true, "rate": true, "type": true, "reason": true, "comment": true, "paidPer": true, "payPeriod": true, "exempt": true},
}

var dateColumns = map[string]string{"jobInfo": "date", "compensation": "startDate"}

func (s *Server) getRows(w http.ResponseWriter, r *http.Request, idText, table string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.employee(w, idText)
	if !ok {
		return
	}
	var rows []map[string]string
	switch table {
	case "jobInfo":
		rows = e.JobInfo
	case "compensation":
		rows = e.Compensation
	default:
		s.fail(w, http.StatusNotFound, "Unknown table")
		return
	}
	// Unsorted, as documented: newest first here, so a client that takes the last row is wrong.
	out := []map[string]any{}
	for i := len(rows) - 1; i >= 0; i-- {
		row := rows[i]
		o := map[string]any{"id": row["id"], "employeeId": strconv.Itoa(e.ID)}
		for k, v := range row {
			switch {
			case k == "id", strings.HasPrefix(k, "rate."):
			case k == "reportsTo":
				name := ""
				if m, ok := s.emps[atoi(v)]; ok {
					name = m.Fields["firstName"] + " " + m.Fields["lastName"]
				}
				o[k] = name
			default:
				o[k] = v
			}
		}
		if table == "compensation" {
			o["rate"] = map[string]string{"value": row["rate.value"], "currency": row["rate.currency"]}
		}
		out = append(out, o)
	}
	writeJSON(w, out)
}

func (s *Server) writeRow(w http.ResponseWriter, r *http.Request, idText, table, rowID string) {
	cols, ok := tableColumns[table]
	if !ok {
		s.fail(w, http.StatusNotFound, "Unknown table")
		return
	}
	var raw map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		s.fail(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.employee(w, idText)
	if !ok {
		return
	}
	row := map[string]string{}
	for k, v := range raw {
		if !cols[k] {
			s.fail(w, http.StatusNotAcceptable, "Invalid field: "+k)
			return
		}
		if k == "rate" {
			value, currency, err := rateOf(v)
			if err != nil {
				s.fail(w, http.StatusNotAcceptable, err.Error())
				return
			}
			row["rate.value"], row["rate.currency"] = s.corrupt("rate", value), currency
			continue
		}
		val := fmt.Sprint(v)
		if v == nil {
			val = ""
		}
		row[k] = s.corrupt(k, val)
	}
	dc := dateColumns[table]
	if rowID == "" && !isDate(row[dc]) {
		s.fail(w, http.StatusBadRequest, fmt.Sprintf("%s is required as YYYY-MM-DD", dc))
		return
	}
	if d, ok := row[dc]; ok && !isDate(d) {
		s.fail(w, http.StatusNotAcceptable, fmt.Sprintf("Invalid value for %s: %q", dc, d))
		return
	}
	if table == "jobInfo" {
		for _, lf := range []string{"department", "location", "division", "jobTitle"} {
			if v := row[lf]; v != "" && !s.listOK(lf, v) {
				s.fail(w, http.StatusNotAcceptable, fmt.Sprintf("Invalid value for %s: %q is not an option of the list", lf, v))
				return
			}
		}
		if m, ok := row["reportsTo"]; ok && m != "" {
			id, found := s.resolveEmployee(m)
			if !found || id == e.ID {
				s.fail(w, http.StatusNotAcceptable, fmt.Sprintf("Invalid value for reportsTo: no employee %q", m))
				return
			}
			row["reportsTo"] = strconv.Itoa(id)
		}
	}
	rows := &e.JobInfo
	if table == "compensation" {
		rows = &e.Compensation
	}
	if rowID == "" {
		row["id"] = strconv.Itoa(s.nextRow)
		s.nextRow++
		*rows = append(*rows, row)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		return
	}
	for _, existing := range *rows {
		if existing["id"] == rowID {
			for k, v := range row {
				existing[k] = v
			}
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	s.fail(w, http.StatusNotFound, "Row not found")
}

// rateOf reads a currency value: {"value":"85000.00","currency":"USD"}, "85000.00 USD" or a
// bare amount (USD).
func rateOf(v any) (string, string, error) {
	switch v := v.(type) {
	case map[string]any:
		value := strings.TrimSpace(fmt.Sprint(v["value"]))
		cur, _ := v["currency"].(string)
		if cur == "" {
			cur = "USD"
		}
		if value == "" || value == "<nil>" {
			return "", "", fmt.Errorf("Invalid value for rate: no value")
		}
		return value, strings.ToUpper(cur), nil
	case string:
		f := strings.Fields(v)
		switch len(f) {
		case 1:
			return f[0], "USD", nil
		case 2:
			return f[0], strings.ToUpper(f[1]), nil
		}
	case json.Number:
		return v.String(), "USD", nil
	}
	return "", "", fmt.Errorf("Invalid value for rate: %v", v)
}

// resolveEmployee finds an employee by id or by "First Last"; the caller holds s.mu.
func (s *Server) resolveEmployee(ref string) (int, bool) {
	if id, err := strconv.Atoi(ref); err == nil {
		_, ok := s.emps[id]
		return id, ok
	}
	for id, e := range s.emps {
		if strings.EqualFold(e.Fields["firstName"]+" "+e.Fields["lastName"], ref) {
			return id, true
		}
	}
	return 0, false
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		s.fail(w, http.StatusBadRequest, "Malformed XML")
		return
	}
	if f := r.URL.Query().Get("format"); !strings.EqualFold(f, "json") {
		s.fail(w, http.StatusNotFound, "unsupported format")
		return
	}
	var req struct {
		Title  string   `json:"title"`
		Fields []string `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.fail(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	if len(req.Fields) > 400 {
		s.fail(w, http.StatusBadRequest, "Too many fields requested (max 400)")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type fieldMeta struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Name string `json:"name"`
	}
	var metas []fieldMeta
	for _, f := range req.Fields {
		if f == "id" || employeeFields[f] || readOnlyFields[f] || strings.HasPrefix(f, "custom") {
			metas = append(metas, fieldMeta{ID: f, Type: "text", Name: f})
		}
	}
	emps := []map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(s.emps)) {
		v := s.view(s.emps[id], r.URL.Query().Get("onlyCurrent") != "false")
		row := map[string]string{"id": v["id"]}
		for _, m := range metas {
			row[m.ID] = v[m.ID]
		}
		emps = append(emps, row)
	}
	writeJSON(w, map[string]any{"title": req.Title, "fields": metas, "employees": emps})
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.URL.Path {
	case "GET /_admin/faults":
		writeJSON(w, s.Faults())
	case "POST /_admin/faults":
		var f Faults
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := f.Validate(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.SetFaults(f)
		writeJSON(w, f)
	case "GET /_admin/employees":
		writeJSON(w, s.Employees())
	case "POST /_admin/employees":
		var e struct {
			ID     int               `json:"id"`
			Fields map[string]string `json:"fields"`
		}
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]int{"id": s.Seed(e.ID, e.Fields)})
	case "POST /_admin/reset":
		s.mu.Lock()
		s.reset()
		s.faults = Faults{}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case "GET /_admin/stats":
		writeJSON(w, s.Stats())
	default:
		http.Error(w, "unknown admin endpoint", http.StatusNotFound)
	}
}

// Validate checks rates are probabilities and durations non-negative.
func (f Faults) Validate() error {
	for name, r := range map[string]float64{"error_rate": f.ErrorRate, "throttle_rate": f.ThrottleRate, "timeout_rate": f.TimeoutRate,
		"slow_rate": f.SlowRate, "commit_then_error_rate": f.CommitThenErrorRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("%s: %g must be within [0, 1]", name, r)
		}
	}
	if f.Timeout < 0 || f.Slow < 0 || f.RetryAfterSeconds < 0 {
		return fmt.Errorf("timeout, slow and retry_after_seconds must be >= 0")
	}
	if sc := f.SilentChange; sc != nil {
		if sc.Field == "" {
			return fmt.Errorf("silent_change.field is required (e.g. \"rate\")")
		}
		if sc.Mode != "" && sc.Mode != "transpose" && sc.Mode != "set" {
			return fmt.Errorf("silent_change.mode %q: use transpose or set", sc.Mode)
		}
	}
	return nil
}
