package fleet

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// TableOptions are how a fleet table prints.
type TableOptions struct {
	// Wide shows the columns of priority above 0 (-o wide).
	Wide bool
	// WithNamespace adds a NAMESPACE column after CONTEXT (-A).
	WithNamespace bool
	NoHeaders     bool
	// Hide names columns to leave out.
	Hide []string
}

// PrintTable writes the rows each cluster answered as one table, a CONTEXT
// column first, clusters in the order of results. A cluster that failed is
// one row: its context, then its error, which is left out of the column
// widths so that a long message does not push the other columns apart.
func PrintTable(w io.Writer, columns []metav1.TableColumnDefinition, results []Result[[]metav1.TableRow], o TableOptions) error {
	var shown []int
	for i, c := range columns {
		if (c.Priority == 0 || o.Wide) && !slices.Contains(o.Hide, c.Name) {
			shown = append(shown, i)
		}
	}
	var lines []line
	if !o.NoHeaders {
		header := []string{"CONTEXT"}
		if o.WithNamespace {
			header = append(header, "NAMESPACE")
		}
		for _, i := range shown {
			header = append(header, strings.ToUpper(columns[i].Name))
		}
		lines = append(lines, line{cells: header})
	}
	for _, r := range results {
		if r.Err != nil {
			lines = append(lines, line{cells: []string{r.Context, "error: " + oneLine(r.Err.Error())}, runOn: true})
			continue
		}
		for _, row := range r.Value {
			cells := []string{r.Context}
			if o.WithNamespace {
				cells = append(cells, namespaceOf(row))
			}
			for _, i := range shown {
				cell := ""
				if i < len(row.Cells) && row.Cells[i] != nil {
					cell = fmt.Sprint(row.Cells[i])
				}
				cells = append(cells, cell)
			}
			lines = append(lines, line{cells: cells})
		}
	}
	return writeAligned(w, lines)
}

// line is one row of text; the last cell of a runOn line runs on past the
// columns and widens none of them (an error).
type line struct {
	cells []string
	runOn bool
}

// writeAligned writes lines as columns three spaces apart, as kubectl does,
// every cell escaped for the terminal: errors and records hold text the
// servers sent.
func writeAligned(w io.Writer, lines []line) error {
	for _, l := range lines {
		for i, cell := range l.cells {
			l.cells[i] = release.EscapeTerminal(cell)
		}
	}
	var widths []int
	for _, l := range lines {
		for i, cell := range l.cells {
			if l.runOn && i == len(l.cells)-1 {
				break
			}
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, l := range lines {
		for i, cell := range l.cells {
			b.WriteString(cell)
			if i < len(l.cells)-1 {
				// kubectl's tabwriter: 3 spaces of padding, 6 at least in all
				b.WriteString(strings.Repeat(" ", max(widths[i]+3, 6)-utf8.RuneCountInString(cell)))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func namespaceOf(row metav1.TableRow) string {
	if row.Object.Object == nil {
		return ""
	}
	m, err := meta.Accessor(row.Object.Object)
	if err != nil {
		return ""
	}
	return m.GetNamespace()
}

// oneLine keeps an error on its row.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
