// Package web is the dashboard's page: index.html, app.js, style.css and the vendored Apache
// ECharts (vendor/echarts, refreshed from npm by vendor/refresh.sh or `make vendor-echarts`),
// embedded so the binary serves everything itself: no CDN, nothing fetched at run time.
package web

import (
	"embed"
	"io/fs"
)

//go:embed index.html app.js style.css favicon.svg vendor/echarts/echarts.min.js vendor/echarts/LICENSE vendor/echarts/NOTICE vendor/echarts/LICENSE-d3 vendor/echarts/VERSION
var files embed.FS

// FS is the page's files, index.html at the root.
func FS() fs.FS { return files }
