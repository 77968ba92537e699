package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// The vendored ECharts is exactly the file vendor/refresh.sh recorded from the npm package.
func TestVendoredEChartsMatchesChecksum(t *testing.T) {
	sums, err := os.Open("vendor/echarts/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	sc := bufio.NewScanner(sums)
	n := 0
	for sc.Scan() {
		want, name, ok := strings.Cut(strings.TrimSpace(sc.Text()), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", sc.Text())
		}
		b, err := fs.ReadFile(FS(), "vendor/echarts/"+name)
		if err != nil {
			t.Fatalf("%s is not embedded: %v", name, err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s; run dashboards/web/vendor/refresh.sh", name, got, want)
		}
		n++
	}
	if n == 0 {
		t.Fatal("SHA256SUMS lists no file")
	}
}

// The page loads only what is embedded: no http(s) URL in the page or its script.
func TestNoExternalResources(t *testing.T) {
	for _, name := range []string{"index.html", "app.js", "style.css"} {
		b, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://", "https://", "//cdn"} {
			if i := strings.Index(string(b), bad); i >= 0 && !strings.Contains(string(b[max(0, i-20):i]), "xmlns") {
				t.Errorf("%s refers to %q: %.60s", name, bad, b[max(0, i-20):])
			}
		}
	}
	for _, name := range []string{"vendor/echarts/LICENSE", "vendor/echarts/NOTICE"} {
		if _, err := fs.Stat(FS(), name); err != nil {
			t.Errorf("%s must ship with the library: %v", name, err)
		}
	}
}
