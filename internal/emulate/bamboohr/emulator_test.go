package bamboohr

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, srv *httptest.Server, method, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.SetBasicAuth("emulator-key", "x")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var jsonHdr = map[string]string{"Accept": "application/json", "Content-Type": "application/json"}

func TestEmulator_DocumentedBehaviour(t *testing.T) {
	t.Parallel()
	emu := New(Config{Lists: map[string][]string{"department": {"Engineering"}}, Now: func() time.Time { return time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) }})
	emu.Seed(101, map[string]string{"firstName": "Ingrid", "lastName": "Solberg", "employeeNumber": "E-0907"})
	srv := httptest.NewServer(emu)
	defer srv.Close()

	// Create: 201, empty body, Location with the gateway.php shape, whichever URL shape was used.
	resp, body := do(t, srv, "POST", "/api/v1/employees/", `{"firstName":"Zoë","lastName":"N","workEmail":"z@acme.example","customAtsCandidateId":"7"}`, jsonHdr)
	if resp.StatusCode != 201 || body != "" || !strings.HasSuffix(resp.Header.Get("Location"), "/api/gateway.php/emulator/v1/employees/102") {
		t.Fatalf("create: %d %q Location %q", resp.StatusCode, body, resp.Header.Get("Location"))
	}
	// Missing names → 400 with the reason in the header.
	resp, _ = do(t, srv, "POST", "/api/gateway.php/acme/v1/employees/", `{"firstName":"A"}`, jsonHdr)
	if resp.StatusCode != 400 || resp.Header.Get("X-BambooHR-Error-Message") == "" {
		t.Fatalf("create without lastName: %d %q", resp.StatusCode, resp.Header.Get("X-BambooHR-Error-Message"))
	}
	// Duplicate work email → 409; list value that is not an option → 409; unknown field → 400.
	for _, tc := range []struct {
		body string
		code int
	}{
		{`{"firstName":"B","lastName":"C","workEmail":"Z@acme.example"}`, 409},
		{`{"firstName":"B","lastName":"C","department":"Sales"}`, 409},
		{`{"firstName":"B","lastName":"C","shoeSize":"42"}`, 400},
		{`{"firstName":"B","lastName":"C","hireDate":"05/04/2026"}`, 400},
	} {
		if resp, _ := do(t, srv, "POST", "/api/gateway.php/acme/v1/employees/", tc.body, jsonHdr); resp.StatusCode != tc.code {
			t.Errorf("create %s: %d, want %d", tc.body, resp.StatusCode, tc.code)
		}
	}
	// Table rows: reportsTo by id reads back as a name; a future row is current only with
	// onlyCurrent=false; an unknown column is 406; rows come newest first (unsorted).
	if resp, _ := do(t, srv, "POST", "/api/gateway.php/acme/v1/employees/102/tables/jobInfo", `{"date":"2026-05-04","jobTitle":"Engineer","department":"Engineering","reportsTo":"101"}`, jsonHdr); resp.StatusCode != 200 {
		t.Fatalf("add jobInfo row: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, "POST", "/api/gateway.php/acme/v1/employees/102/tables/jobInfo", `{"date":"2026-05-04","grade":"L5"}`, jsonHdr); resp.StatusCode != 406 {
		t.Fatalf("unknown column: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, "POST", "/api/gateway.php/acme/v1/employees/102/tables/compensation", `{"startDate":"2026-05-04","rate":{"value":"103000.00","currency":"USD"},"type":"Salary","paidPer":"Year"}`, jsonHdr); resp.StatusCode != 200 {
		t.Fatalf("add compensation row: %d", resp.StatusCode)
	}
	_, body = do(t, srv, "GET", "/api/gateway.php/acme/v1/employees/102/tables/jobInfo", "", jsonHdr)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(body), &rows); err != nil || len(rows) != 1 || rows[0]["reportsTo"] != "Ingrid Solberg" || rows[0]["employeeId"] != "102" {
		t.Fatalf("jobInfo rows %s", body)
	}
	_, body = do(t, srv, "GET", "/api/gateway.php/acme/v1/employees/102?fields=firstName,jobTitle,supervisorEId,supervisorId,payRate,nope", "", jsonHdr)
	var e map[string]string
	_ = json.Unmarshal([]byte(body), &e)
	if e["id"] != "102" || e["jobTitle"] != "" || e["supervisorEId"] != "" {
		t.Fatalf("onlyCurrent (default) shows a future row: %s", body)
	}
	if _, ok := e["nope"]; ok {
		t.Fatalf("unknown field returned: %s", body)
	}
	_, body = do(t, srv, "GET", "/api/gateway.php/acme/v1/employees/102?fields=firstName,jobTitle,supervisorEId,supervisorId,payRate&onlyCurrent=false", "", jsonHdr)
	_ = json.Unmarshal([]byte(body), &e)
	if e["jobTitle"] != "Engineer" || e["supervisorEId"] != "101" || e["supervisorId"] != "E-0907" || e["payRate"] != "103000.00 USD" || e["firstName"] != "Zoë" {
		t.Fatalf("onlyCurrent=false: %s", body)
	}
	// Without Accept: application/json the answer is XML.
	resp, body = do(t, srv, "GET", "/api/gateway.php/acme/v1/employees/102?fields=firstName", "", map[string]string{"Accept": ""})
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") || !strings.Contains(body, `<employee id="102"><field id="firstName">Zoë</field></employee>`) {
		t.Fatalf("GET without Accept: %s %s", resp.Header.Get("Content-Type"), body)
	}
	// Custom report: exactly application/json, else "Malformed XML".
	resp, _ = do(t, srv, "POST", "/api/gateway.php/acme/v1/reports/custom?format=JSON", `{"fields":["id"]}`,
		map[string]string{"Accept": "application/json", "Content-Type": "application/json; charset=UTF-8"})
	if resp.StatusCode != 400 || resp.Header.Get("X-BambooHR-Error-Message") != "Malformed XML" {
		t.Fatalf("report with charset: %d %q", resp.StatusCode, resp.Header.Get("X-BambooHR-Error-Message"))
	}
	_, body = do(t, srv, "POST", "/api/gateway.php/acme/v1/reports/custom?format=JSON", `{"fields":["id","customAtsCandidateId","bogus"]}`, jsonHdr)
	if !strings.Contains(body, `{"customAtsCandidateId":"7","id":"102"}`) || strings.Contains(body, "bogus") {
		t.Fatalf("report: %s", body)
	}
	// Auth.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/employees/102", nil)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Fatalf("no auth: %d", resp.StatusCode)
	}
}

func TestEmulator_Faults(t *testing.T) {
	t.Parallel()
	emu := New(Config{})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	emu.SetFaults(Faults{ThrottleRate: 1, RetryAfterSeconds: 4})
	if resp, _ := do(t, srv, "GET", "/api/v1/employees/1", "", jsonHdr); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "4" {
		t.Fatalf("throttle: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	emu.SetFaults(Faults{CommitThenErrorRate: 1})
	if resp, _ := do(t, srv, "POST", "/api/v1/employees/", `{"firstName":"A","lastName":"B"}`, jsonHdr); resp.StatusCode != 500 || len(emu.Employees()) != 1 {
		t.Fatalf("commit then error: %d, %d employees", resp.StatusCode, len(emu.Employees()))
	}
	emu.SetFaults(Faults{SilentChange: &SilentChange{Field: "rate", Count: 1}})
	do(t, srv, "POST", "/api/v1/employees/1/tables/compensation", `{"startDate":"2026-05-04","rate":"103000.00 USD"}`, jsonHdr)
	do(t, srv, "POST", "/api/v1/employees/1/tables/compensation", `{"startDate":"2026-06-01","rate":"103000.00 USD"}`, jsonHdr)
	c := emu.Employees()[0].Compensation
	if c[0]["rate.value"] != "130000.00" || c[1]["rate.value"] != "103000.00" || emu.Faults().SilentChange != nil {
		t.Fatalf("silent change (count 1): %v, faults %+v", c, emu.Faults())
	}
	// The admin endpoint takes the same JSON, and refuses nonsense.
	resp, _ := do(t, srv, "POST", "/_admin/faults", `{"error_rate": 1.5}`, nil)
	if resp.StatusCode != 400 {
		t.Fatalf("bad faults accepted: %d", resp.StatusCode)
	}
	resp, _ = do(t, srv, "POST", "/_admin/faults", `{"error_rate": 1, "writes_only": true, "timeout": "250ms"}`, nil)
	if f := emu.Faults(); resp.StatusCode != 200 || f.ErrorRate != 1 || !f.WritesOnly || time.Duration(f.Timeout) != 250*time.Millisecond {
		t.Fatalf("faults via admin: %d %+v", resp.StatusCode, f)
	}
	if resp, _ := do(t, srv, "GET", "/api/v1/employees/1?fields=firstName", "", jsonHdr); resp.StatusCode != 200 {
		t.Fatalf("a read failed under writes_only: %d", resp.StatusCode)
	}
	if st := emu.Stats(); st.Faults["throttle"] != 1 || st.Faults["commit_then_error"] != 1 || st.Faults["silent_change"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTranspose(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"103000.00": "130000.00", "103000": "130000", "85000": "80500", "1000": "1001", "111": "112", "": ""} {
		if got := Transpose(in); got != want {
			t.Errorf("Transpose(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadSeed_Example(t *testing.T) {
	t.Parallel()
	s, err := LoadSeed("../../../deploy/hris/bamboohr-seed.json")
	if err != nil {
		t.Fatal(err)
	}
	emu := New(Config{Lists: s.Lists})
	s.Apply(emu)
	if n := len(emu.Employees()); n != 12 || emu.Employees()[0].ID != 101 {
		t.Fatalf("%d seeded employees", n)
	}
}
