//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/websocket"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// dashboardContexts are the two clusters the dashboard is measured over,
// each with namespace bench-scale of 1,000 releases.
var dashboardContexts = []string{"bench-a", "bench-b"}

// dashboardRuns bounds the dashboards started: each lists and renders
// 2,000 releases, and then waits for its tabs to settle.
const dashboardRuns = 3

// dashboardOnly is dashboardBench over -kubeconfig's cluster (bench-a) and
// bench-b of fleetKubeconfig.
func dashboardOnly(kubeconfig, fleetKubeconfig, shipPath string, rounds int) (string, error) {
	config, err := ownConfig(kubeconfig, fleetKubeconfig, dashboardContexts[1:])
	if err != nil {
		return "", err
	}
	clusters, err := benchClusters(config, fleetKubeconfig, shipPath, dashboardContexts)
	if err != nil {
		return "", err
	}
	return dashboardBench(clusters, rounds)
}

// dashboardBench measures `kubectl ship dashboard` beside `list` over the
// same two contexts of 1,000 releases: the first view's requests per
// cluster, the time to the first page, the memory, and the requests that
// one tab of the overview and one of a release's page cost, then ten tabs.
func dashboardBench(clusters map[string]*cluster, rounds int) (string, error) {
	both := map[string]*cluster{}
	for _, name := range dashboardContexts {
		both[name] = clusters[name]
	}
	if err := fill(both, scaleNamespace, scaleReleases, scaleReplicas); err != nil {
		return "", err
	}
	c := clusters[dashboardContexts[0]]
	all := strings.Join(dashboardContexts, ",")
	list := fleetCommand(c, "list --contexts "+all, scaleNamespace, "list", "--contexts", all)
	results, err := interleave([]command{list}, rounds)
	if err != nil {
		return "", err
	}
	listed := summarize(results[list.name])
	listCounts, err := perCluster(list, scaleNamespace)
	if err != nil {
		return "", err
	}
	var runs []dashboardSample
	for range min(rounds, dashboardRuns) {
		s, err := runDashboard(c, all)
		if err != nil {
			return "", err
		}
		runs = append(runs, s)
	}
	last := runs[len(runs)-1]
	paint := median(runs, func(s dashboardSample) float64 { return float64(s.firstPaint) / 1e6 })
	peak := median(runs, func(s dashboardSample) float64 { return float64(s.peak) / (1 << 20) })
	rss := median(runs, func(s dashboardSample) float64 { return float64(s.rss) / (1 << 20) })

	var b strings.Builder
	fmt.Fprintf(&b, "### `dashboard` over two contexts of %d releases\n\n", scaleReleases)
	fmt.Fprintf(&b, "`kubectl ship dashboard --contexts %s -n %s` beside `list` with the same flags; requests per cluster from `-v=6`; "+
		"the tabs are HTTP clients that load a page and hold its WebSocket, as a browser's tab does (the e2e suite does it with Chromium). "+
		"Medians of %d dashboards and %d lists.\n\n", all, scaleNamespace, len(runs), rounds)
	fmt.Fprintln(&b, "| | `list` | `dashboard` |")
	fmt.Fprintln(&b, "|---|---|---|")
	fmt.Fprintf(&b, "| Requests per cluster, first view | %s | %s |\n", describeCounts(listCounts), describeCounts(last.first))
	fmt.Fprintf(&b, "| Requests per cluster, with one tab of the overview and one of a release's page | | %s |\n", describeCounts(last.oneTab))
	fmt.Fprintf(&b, "| Requests per cluster, with ten tabs (five of each) | | %s |\n", describeCounts(last.tenTabs))
	fmt.Fprintf(&b, "| Wall ms to the output, or to the overview's page | %.0f | %.0f (%.0f KB of HTML) |\n", listed.wall, paint, float64(last.pageBytes)/1024)
	fmt.Fprintf(&b, "| Peak RSS MiB | %.0f | %.0f (%.2fx); %.0f after the ten tabs settled |\n", listed.rss, peak, peak/listed.rss, rss)
	fmt.Fprintln(&b, "\nTargets: the first view's requests per cluster those of `list`; memory within 2x of `list`'s; ten tabs no request more than one. "+
		"Past the first view, each cluster's releases are followed by one watch per kind and the locks by one list and one watch more; a release's page adds a list and a watch of its pods, ReplicaSets and Events, once for every tab that shows it.")
	return b.String(), nil
}

// dashboardSample is one dashboard's run.
type dashboardSample struct {
	firstPaint      time.Duration
	pageBytes       int
	first           map[string]requestlog.Counts
	oneTab, tenTabs map[string]requestlog.Counts
	rss, peak       int64
}

// listedMark is the dashboard's mark, in its -v=6 log, of a cluster's first
// lists done: every request to that server before it is the first view's.
var listedMark = regexp.MustCompile(`"Releases listed" server="https://127\.0\.0\.1:(\d+)"`)

// runDashboard starts a dashboard over contexts, loads its overview, then
// opens one tab of the overview and one of a release's page, then four more
// of each, counting the requests after each step.
func runDashboard(c *cluster, contexts string) (dashboardSample, error) {
	cmd := exec.Command(c.ship, "--kubeconfig", c.kubeconfig, "-n", scaleNamespace, "dashboard", "--contexts", contexts, "--port", "0", "-v=6")
	var log lockedBuffer
	cmd.Stderr = &log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return dashboardSample{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return dashboardSample{}, err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGINT); _ = cmd.Wait() }()
	address, err := printedAddress(stdout)
	if err != nil {
		return dashboardSample{}, fmt.Errorf("%w\n%s", err, lastLines(log.String(), 5))
	}
	u, err := url.Parse(address)
	if err != nil {
		return dashboardSample{}, err
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page, err := get(client, address)
	if err != nil {
		return dashboardSample{}, err
	}
	s := dashboardSample{firstPaint: time.Since(start), pageBytes: len(page), first: firstView(log.String())}
	base := "http://" + u.Host
	release := "/release?" + url.Values{"context": {dashboardContexts[0]}, "namespace": {scaleNamespace}, "name": {"app-0500"}}.Encode()
	open := func(n int) error {
		for range n {
			for _, path := range []string{"/", release} {
				if err := openTab(client, base, path); err != nil {
					return err
				}
			}
		}
		time.Sleep(3 * time.Second) // what a tab set off would show by now
		return nil
	}
	if err := open(1); err != nil {
		return s, err
	}
	s.oneTab = countsByServer(log.String())
	if err := open(4); err != nil {
		return s, err
	}
	s.tenTabs = countsByServer(log.String())
	s.rss, s.peak, err = memory(cmd.Process.Pid)
	return s, err
}

func printedAddress(stdout io.Reader) (string, error) {
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if address, ok := strings.CutPrefix(lines.Text(), "Serving the dashboard at "); ok {
				found <- address
			}
		}
	}()
	select {
	case address := <-found:
		return address, nil
	case <-time.After(time.Minute):
		return "", fmt.Errorf("the dashboard printed no address within a minute")
	}
}

func get(client *http.Client, address string) (string, error) {
	res, err := client.Get(address)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", address, res.Status)
	}
	return string(body), err
}

var (
	pageStream = regexp.MustCompile(`data-stream="([^"]+)" data-version="(\d+)"`)
	htmlEntity = strings.NewReplacer("&amp;", "&")
)

// openTab loads a page and holds its WebSocket open, reading what it is
// sent, as a browser's tab does.
func openTab(client *http.Client, base, path string) error {
	page, err := get(client, base+path)
	if err != nil {
		return err
	}
	m := pageStream.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("%s: no stream in the page", path)
	}
	config, err := websocket.NewConfig("ws"+strings.TrimPrefix(base, "http")+htmlEntity.Replace(m[1])+"&v="+m[2], base)
	if err != nil {
		return err
	}
	u, _ := url.Parse(base)
	for _, c := range client.Jar.Cookies(u) {
		config.Header.Add("Cookie", c.String())
	}
	ws, err := websocket.DialConfig(config)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	go func() {
		var discard string
		for {
			if err := websocket.Message.Receive(ws, &discard); err != nil {
				return
			}
		}
	}()
	return nil
}

// firstView counts, per server, the requests before the dashboard's mark
// that its first lists of that server were done.
func firstView(log string) map[string]requestlog.Counts {
	out := map[string]requestlog.Counts{}
	for _, mark := range listedMark.FindAllStringSubmatchIndex(log, -1) {
		port := log[mark[2]:mark[3]]
		out[port] = requestlog.Count(requestlog.Parse(byServer(log[:mark[0]])[port], scaleNamespace))
	}
	return out
}

func countsByServer(log string) map[string]requestlog.Counts {
	out := map[string]requestlog.Counts{}
	for port, lines := range byServer(log) {
		out[port] = requestlog.Count(requestlog.Parse(lines, scaleNamespace))
	}
	return out
}

// memory reads a process's resident memory now and at its peak, in bytes.
func memory(pid int) (rss, peak int64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kib, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kib * 1024
		case "VmHWM:":
			peak = kib * 1024
		}
	}
	return rss, peak, nil
}

// lockedBuffer is a buffer a process writes while it is read.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
