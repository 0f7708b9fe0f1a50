package gate

import (
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"
	"time"
)

// Vars are the fields an analysis's query may use: {{.Name}} and so on.
type Vars struct {
	Name      string // the release, i.e. its stable Deployment
	Namespace string
	Canary    string // the canary Deployment
	Stable    string // the stable Deployment
	Service   string // the Service routing to both
	Interval  string // the step's hold time as a PromQL duration ("2m"): see PromDuration
}

// varNames are Vars' fields, as an error lists them.
const varNames = ".Name, .Namespace, .Canary, .Stable, .Service, .Interval"

// PromDuration formats d as a PromQL duration: "2m", "1m30s", "1500ms".
// Go's own "2m0s" would work but "1.5s" would not.
func PromDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	if d%time.Second != 0 {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// checkFields fails on the first field that Vars lacks, such as {{.Release}},
// with the list of those it has: text/template would only say so when run,
// in its own words.
func checkFields(node parse.Node) error {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkFields(c); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return checkFields(n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			for _, arg := range c.Args {
				if err := checkFields(arg); err != nil {
					return err
				}
			}
		}
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.RangeNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.FieldNode:
		return checkField(n.Ident[0])
	case *parse.TemplateNode:
		return checkFields(n.Pipe)
	case *parse.ChainNode:
		return checkFields(n.Node)
	case *parse.VariableNode:
		// $ is the top-level dot: $.Name is a field of Vars.
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			return checkField(n.Ident[1])
		}
	}
	return nil
}

func checkBranch(b *parse.BranchNode) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := checkFields(n); err != nil {
			return err
		}
	}
	return nil
}

func checkField(name string) error {
	switch name {
	case "Name", "Namespace", "Canary", "Stable", "Service", "Interval":
		return nil
	}
	return fmt.Errorf("unknown template field .%s: the fields are %s", name, varNames)
}
