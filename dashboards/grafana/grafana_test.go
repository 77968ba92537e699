package grafana

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hirestream/hirestream/dashboards"
	"go.yaml.in/yaml/v3"
)

// The committed JSON is what the generator makes from the SQL files today.
func TestDashboardIsGenerated(t *testing.T) {
	want, err := Dashboard(dashboards.Metrics())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(File)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with dashboards/queries/*.sql: run `go generate ./dashboards/grafana`", File)
	}
}

type dashboardJSON struct {
	UID           string      `json:"uid"`
	Title         string      `json:"title"`
	SchemaVersion int         `json:"schemaVersion"`
	Panels        []panelJSON `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string      `json:"name"`
			Type       string      `json:"type"`
			Query      any         `json:"query"`
			Datasource *datasrc    `json:"datasource"`
			AllValue   string      `json:"allValue"`
			IncludeAll bool        `json:"includeAll"`
			Current    interface{} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
}

type datasrc struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panelJSON struct {
	ID         int      `json:"id"`
	Type       string   `json:"type"`
	Title      string   `json:"title"`
	Datasource *datasrc `json:"datasource"`
	GridPos    struct{ H, W, X, Y int }
	Targets    []struct {
		RefID      string   `json:"refId"`
		Datasource *datasrc `json:"datasource"`
		RawSQL     string   `json:"rawSql"`
		Format     *int     `json:"format"`
		EditorType string   `json:"editorType"`
	} `json:"targets"`
}

func readDashboard(t *testing.T) dashboardJSON {
	t.Helper()
	b, err := os.ReadFile(File)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboardJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s is not valid JSON: %v", File, err)
	}
	return d
}

// untranslate is the translation rule backwards, written independently of Translate: if a
// panel's SQL turns back into its metric's file byte for byte, Translate changed nothing but
// the placeholders.
func untranslate(s string) string {
	return strings.NewReplacer(
		"${database}", "{db}",
		"$__fromTime", "@from",
		"$__toTime", "@to",
		"${job_id:singlequote}", "@job_id",
		"${department:singlequote}", "@department",
		"${source_channel:singlequote}", "@source_channel",
	).Replace(s)
}

// Every panel's SQL is exactly its metric's SQL file, translated by the documented rule.
func TestPanelsRunTheMetricFiles(t *testing.T) {
	d := readDashboard(t)
	byTitle := map[string]panelJSON{}
	for _, p := range d.Panels {
		if _, dup := byTitle[p.Title]; dup {
			t.Errorf("two panels titled %q", p.Title)
		}
		byTitle[p.Title] = p
	}
	metrics := dashboards.Metrics()
	if len(d.Panels) != len(metrics) {
		t.Errorf("%d panels for %d metrics", len(d.Panels), len(metrics))
	}
	for _, m := range metrics {
		p, ok := byTitle[m.Title]
		if !ok {
			t.Errorf("no panel for metric %s (%q)", m.Name, m.Title)
			continue
		}
		if len(p.Targets) != 1 {
			t.Errorf("panel %q has %d targets, want 1", p.Title, len(p.Targets))
			continue
		}
		file, err := os.ReadFile(filepath.Join("..", "queries", m.Name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		raw := p.Targets[0].RawSQL
		want, err := Translate(string(file))
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if raw != want {
			t.Errorf("panel %q: rawSql is not queries/%s.sql translated", p.Title, m.Name)
		}
		if back := untranslate(raw); back != string(file) {
			t.Errorf("panel %q: rawSql with the placeholders put back differs from queries/%s.sql", p.Title, m.Name)
		}
		if strings.Contains(raw, "{db}") || regexp.MustCompile(`@[a-z_]+`).MatchString(stripComments(raw)) {
			t.Errorf("panel %q: untranslated placeholder left in %q", p.Title, raw)
		}
	}
}

func stripComments(sql string) string {
	var out []string
	for _, l := range strings.Split(sql, "\n") {
		if i := strings.Index(l, "--"); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func TestTranslate(t *testing.T) {
	in := "SELECT '@from {db}' AS s, `@to` FROM {db}.t -- @job_id {db}\nWHERE t >= @from AND t < @to AND (@job_id = '' OR j = @job_id) AND d = @department AND c = @source_channel"
	want := "SELECT '@from {db}' AS s, `@to` FROM ${database}.t -- @job_id {db}\nWHERE t >= $__fromTime AND t < $__toTime AND " +
		"(${job_id:singlequote} = '' OR j = ${job_id:singlequote}) AND d = ${department:singlequote} AND c = ${source_channel:singlequote}"
	got, err := Translate(in)
	if err != nil || got != want {
		t.Fatalf("Translate:\n got %q, %v\nwant %q", got, err, want)
	}
	if _, err := Translate("SELECT @recruiter"); err == nil {
		t.Error("an unknown @parameter must be an error")
	}
}

// The JSON has what Grafana's file provisioning needs, and every variable the SQL uses exists.
func TestDashboardValidForProvisioning(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || len(d.UID) > 40 || d.Title == "" || d.SchemaVersion < 30 {
		t.Errorf("uid %q, title %q, schemaVersion %d", d.UID, d.Title, d.SchemaVersion)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
		if v.Type == "query" {
			if v.Datasource == nil || v.Datasource.Type != DatasourceType || v.Datasource.UID != DatasourceUID {
				t.Errorf("variable %s: datasource %+v", v.Name, v.Datasource)
			}
			// "All" must reach the SQL as '' (no filter), not as a list of every value.
			if !v.IncludeAll || v.AllValue != "''" {
				t.Errorf("variable %s: includeAll %v allValue %q, want the custom all value ''", v.Name, v.IncludeAll, v.AllValue)
			}
		}
	}
	for _, name := range []string{"database", "job_id", "department", "source_channel"} {
		if vars[name] == "" {
			t.Errorf("templating has no variable %s", name)
		}
	}
	ref := regexp.MustCompile(`\$\{([a-z_]+)(:[a-z]+)?\}`)
	ids := map[int]bool{}
	type cell struct{ x, y int }
	used := map[cell]int{}
	for _, p := range d.Panels {
		if ids[p.ID] || p.ID <= 0 {
			t.Errorf("panel %q: id %d not unique and positive", p.Title, p.ID)
		}
		ids[p.ID] = true
		if !slices.Contains([]string{"barchart", "stat", "table", "timeseries"}, p.Type) {
			t.Errorf("panel %q: type %q", p.Title, p.Type)
		}
		if p.Datasource == nil || p.Datasource.Type != DatasourceType || p.Datasource.UID != DatasourceUID {
			t.Errorf("panel %q: datasource %+v", p.Title, p.Datasource)
		}
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: gridPos %+v", p.Title, p.GridPos)
		}
		for x := p.GridPos.X; x < p.GridPos.X+p.GridPos.W; x++ {
			for y := p.GridPos.Y; y < p.GridPos.Y+p.GridPos.H; y++ {
				if other, taken := used[cell{x, y}]; taken {
					t.Errorf("panels %d and %d overlap", other, p.ID)
				}
				used[cell{x, y}] = p.ID
			}
		}
		for _, tg := range p.Targets {
			if tg.RefID == "" || tg.RawSQL == "" || tg.EditorType != "sql" || tg.Format == nil {
				t.Errorf("panel %q: target %+v", p.Title, tg)
			}
			if tg.Datasource == nil || *tg.Datasource != *p.Datasource {
				t.Errorf("panel %q: target datasource %+v", p.Title, tg.Datasource)
			}
			for _, m := range ref.FindAllStringSubmatch(tg.RawSQL, -1) {
				if vars[m[1]] == "" {
					t.Errorf("panel %q uses ${%s}, which is not a dashboard variable", p.Title, m[1])
				}
			}
		}
	}
}

// The provisioning files parse, point at the data source and dashboard this package makes, and
// docker-compose.yml mounts them where they say.
func TestProvisioning(t *testing.T) {
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, UID, Type string
			JSONData        map[string]any    `yaml:"jsonData"`
			SecureJSONData  map[string]string `yaml:"secureJsonData"`
		} `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources/clickhouse.yaml", &ds)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 {
		t.Fatalf("datasources file: %+v", ds)
	}
	src := ds.Datasources[0]
	if src.UID != DatasourceUID || src.Type != DatasourceType || src.JSONData["protocol"] != "native" ||
		src.JSONData["defaultDatabase"] != "hirestream" || src.SecureJSONData["password"] == "" {
		t.Errorf("datasource %+v", src)
	}

	var prov struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name, Type string
			Options    struct{ Path string } `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards/hirestream.yaml", &prov)
	if prov.APIVersion != 1 || len(prov.Providers) != 1 || prov.Providers[0].Type != "file" || prov.Providers[0].Options.Path == "" {
		t.Fatalf("dashboard provider: %+v", prov)
	}

	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Volumes     []string          `yaml:"volumes"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	readYAML(t, "../../docker-compose.yml", &compose)
	g, ok := compose.Services["grafana"]
	if !ok {
		t.Fatal("docker-compose.yml has no grafana service")
	}
	mounts := map[string]string{} // container path -> host path (relative to the repo)
	for _, v := range g.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			mounts[parts[1]] = parts[0]
		}
	}
	if mounts["/etc/grafana/provisioning"] != "./dashboards/grafana/provisioning" {
		t.Errorf("grafana does not mount dashboards/grafana/provisioning at /etc/grafana/provisioning: %v", g.Volumes)
	}
	host, ok := mounts[prov.Providers[0].Options.Path]
	if !ok {
		t.Fatalf("nothing is mounted at the provider path %s: %v", prov.Providers[0].Options.Path, g.Volumes)
	}
	mounted, _ := filepath.Abs(filepath.Join("..", "..", host, filepath.Base(File)))
	generated, _ := filepath.Abs(File)
	if mounted != generated {
		t.Errorf("the provider path %s is %s on the host, where %s is not", prov.Providers[0].Options.Path, host, File)
	}
	if !strings.Contains(g.Environment["GF_PLUGINS_PREINSTALL_SYNC"], DatasourceType) {
		t.Errorf("grafana does not install %s: %v", DatasourceType, g.Environment)
	}
	if g.Environment["GRAFANA_CLICKHOUSE_PASSWORD"] == "" {
		t.Error("grafana has no GRAFANA_CLICKHOUSE_PASSWORD for the provisioned data source")
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
