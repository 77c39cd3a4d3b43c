// Package static embeds the portal's CSS and JavaScript (vendored files
// record their version and licence in vendor/VERSIONS.md).
package static

import "embed"

// FS holds every static file.
//
//go:embed app.css app.js vendor
var FS embed.FS
