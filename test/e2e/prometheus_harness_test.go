//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// prometheusServer is a real Prometheus, built from the pinned module
// (hack/tools/prometheus), running on a free 127.0.0.1 port and scraping
// its targets every second.
type prometheusServer struct {
	URL string // http://127.0.0.1:PORT

	cmd      *exec.Cmd
	log      string
	exited   chan struct{}
	stopOnce sync.Once
}

// prometheusBinary is the binary that PROMETHEUS names (make e2e sets it),
// else the one hack/tools/tool.sh builds or has built. The test fails,
// never skips, when there is none.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("PROMETHEUS"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("PROMETHEUS names no binary: %v", err)
		}
		return bin
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := output(root, nil, "hack/tools/tool.sh", "prometheus")
	if err != nil {
		t.Fatalf("PROMETHEUS is not set and hack/tools/tool.sh prometheus failed: %v\n%s", err, dir)
	}
	// tool.sh may print its build line first: the directory is the last.
	return filepath.Join(dir[strings.LastIndexByte(dir, '\n')+1:], "prometheus")
}

// startPrometheus starts Prometheus scraping targets (host:port, on
// 127.0.0.1) every second, with an empty storage of its own, and returns
// once it answers. It is stopped when the test ends, if not before.
func startPrometheus(t *testing.T, targets ...string) *prometheusServer {
	t.Helper()
	bin := prometheusBinary(t)
	dir := t.TempDir()
	config := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
- job_name: exporter
  static_configs: [{targets: ['%s']}]
`, strings.Join(targets, "', '"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + freePort(t)
	p := &prometheusServer{URL: "http://" + addr, log: filepath.Join(dir, "prometheus.log"), exited: make(chan struct{})}
	logFile, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	p.cmd = exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.stop)
	p.waitReady(t)
	return p
}

// waitReady polls /-/ready until Prometheus answers 200, failing with its
// log if it exits or takes more than 30 s.
func (p *prometheusServer) waitReady(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(p.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("prometheus exited during start: %s\n%s", p.cmd.ProcessState, p.logTail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30s (last: %v)\n%s", err, p.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends Prometheus (SIGTERM, then SIGKILL after 10 s) and waits for it:
// for the "Prometheus down mid-run" cases, and at cleanup.
func (p *prometheusServer) stop() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
}

// logTail is the end of Prometheus's log, for failure messages.
func (p *prometheusServer) logTail() string {
	raw, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
