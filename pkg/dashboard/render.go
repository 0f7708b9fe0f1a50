package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"strings"
)

// The page's templates, style and script, in the binary.
//
//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// parseTemplates reads the templates; html/template escapes every value
// for where it lands (text, attribute, URL), which is what keeps a
// release's strings from being read as markup.
func parseTemplates() (*template.Template, error) {
	return template.New("").Funcs(template.FuncMap{
		"pct":  pct,
		"join": strings.Join,
	}).ParseFS(templateFiles, "templates/*.html")
}

// render executes one template into a string.
func render(t *template.Template, name string, data any) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
