// Package requestlog reads the API requests a kubectl-ship command made from
// its -v=6 log. The e2e request budgets and the benchmark both count them.
package requestlog

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Request is one request, as client-go logged its response.
type Request struct {
	// Kind is GET, LIST or WATCH (all three HTTP GETs), POST, PUT, PATCH
	// or DELETE.
	Kind, Path, Status string
}

// responseLine is what client-go logs at -v=6 for every request, once the
// response (for a watch, its headers) arrives.
var responseLine = regexp.MustCompile(`"Response" verb="([A-Z]+)" url="([^"]+)" status="([^"]*)"`)

// Parse reads the requests of a -v=6 log. Paths are shown without the server
// and with namespace as NS, so they compare across runs. A request the API
// server's priority and fairness turned away (429) is left out: client-go
// sends it again by itself, and the command made it once.
func Parse(log, namespace string) []Request {
	var requests []Request
	for _, m := range responseLine.FindAllStringSubmatch(log, -1) {
		u, err := url.Parse(m[2])
		if err != nil || strings.HasPrefix(m[3], "429") {
			continue
		}
		path := strings.Replace(u.RequestURI(), "/namespaces/"+namespace+"/", "/namespaces/NS/", 1)
		requests = append(requests, Request{Kind: kind(m[1], u), Path: path, Status: m[3]})
	}
	return requests
}

// kind tells the three kinds of HTTP GET apart: a watch asks for watch=true,
// a list names a collection, a get names one object (or a non-resource path
// such as /version).
func kind(method string, u *url.URL) string {
	if method != "GET" {
		return method
	}
	if u.Query().Get("watch") == "true" {
		return "WATCH"
	}
	segments := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case len(segments) >= 2 && segments[0] == "api": // /api/v1/...
		segments = segments[2:]
	case len(segments) >= 3 && segments[0] == "apis": // /apis/GROUP/VERSION/...
		segments = segments[3:]
	default: // a non-resource path
		return "GET"
	}
	if len(segments) >= 2 && segments[0] == "namespaces" {
		segments = segments[2:]
	}
	if len(segments) == 1 {
		return "LIST"
	}
	return "GET"
}

// Counts is a number of requests per kind.
type Counts map[string]int

// Count counts requests by kind.
func Count(requests []Request) Counts {
	counts := Counts{}
	for _, r := range requests {
		counts[r.Kind]++
	}
	return counts
}

// Total is the number of requests of every kind.
func (c Counts) Total() int {
	total := 0
	for _, n := range c {
		total += n
	}
	return total
}

// String lists the counts by kind, as "GET 2, LIST 2, POST 1".
func (c Counts) String() string {
	var parts []string
	for _, k := range Kinds(c) {
		if c[k] != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, c[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Kinds returns the kinds that any of counts has, sorted.
func Kinds(counts ...Counts) []string {
	seen := map[string]bool{}
	var kinds []string
	for _, c := range counts {
		for k := range c {
			if !seen[k] {
				seen[k] = true
				kinds = append(kinds, k)
			}
		}
	}
	sort.Strings(kinds)
	return kinds
}

// Format lists requests one per line, for a failure message.
func Format(requests []Request) string {
	if len(requests) == 0 {
		return "  (none)"
	}
	lines := make([]string, len(requests))
	for i, r := range requests {
		lines[i] = fmt.Sprintf("  %-6s %s (%s)", r.Kind, r.Path, r.Status)
	}
	return strings.Join(lines, "\n")
}
