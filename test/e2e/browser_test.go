//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// dashboardRun is a `kubectl ship dashboard` the test started through the
// real kubectl, stopped with Ctrl-C when the test ends.
type dashboardRun struct {
	// url is the address it printed, with the run's token; base the same
	// without path and token.
	url, base string

	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr strings.Builder
}

// startDashboard runs `kubectl ship dashboard --port 0 -v=6 ARGS` with
// kubeconfig and returns once it printed its address. When the test ends it
// is interrupted, and must exit 0.
func startDashboard(t *testing.T, kubeconfig string, args ...string) *dashboardRun {
	t.Helper()
	d := &dashboardRun{cmd: exec.Command("kubectl", append([]string{"ship", "dashboard", "--port", "0", "-v=6"}, args...)...)}
	d.cmd.Env = append(os.Environ(), "PATH="+env.path, "KUBECONFIG="+kubeconfig)
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.stderr.Write(p)
	})
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop(t) })
	printed := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if u, ok := strings.CutPrefix(lines.Text(), "Serving the dashboard at "); ok {
				printed <- u
			}
		}
	}()
	select {
	case d.url = <-printed:
	case <-time.After(30 * time.Second):
		t.Fatalf("the dashboard printed no address in 30s:\n%s", d.log())
	}
	u, err := url.Parse(d.url)
	if err != nil || u.Query().Get("token") == "" || u.Hostname() != "127.0.0.1" {
		t.Fatalf("the dashboard's address %q: want http://127.0.0.1:PORT/?token=...", d.url)
	}
	d.base = "http://" + u.Host
	return d
}

// stop interrupts the dashboard as Ctrl-C does: it must exit 0, at once.
func (d *dashboardRun) stop(t *testing.T) {
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the dashboard, interrupted: %v\n%s", err, tail(d.log(), 2000))
		}
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		t.Errorf("the dashboard did not stop within 15s of Ctrl-C")
	}
}

// at is the address of path (with a query) on the dashboard, with the
// run's token, which the dashboard trades for its session cookie.
func (d *dashboardRun) at(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return d.base + path + sep + "token=" + strings.SplitN(d.url, "token=", 2)[1]
}

// log is what the dashboard wrote on stderr so far: its -v=6 request log.
func (d *dashboardRun) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

var _ io.Writer = writerFunc(nil)

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// browser is a headless Chromium (Debian's chromium, which .ci/run
// installs) driven through the DevTools protocol, and what its pages did
// that a page of the dashboard must never do: open a dialog (alert), throw,
// or log an error (a script or style the Content-Security-Policy blocked
// is one).
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// newBrowser starts the browser; it fails the test, never skips it, when
// there is none.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("no chromium on PATH (.ci/run installs Debian's chromium with apt): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1440, 900), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &browser{ctx: ctx}
}

// tab is a tab of the browser: the chromedp context that drives it.
type tab struct{ ctx context.Context }

// open opens address in a new tab, watched for dialogs, exceptions and
// errors, and returns the tab once the page has loaded.
func (b *browser) open(t *testing.T, address string) tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	b.watch(ctx)
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(address)); err != nil {
		t.Fatalf("opening %s: %v", address, err)
	}
	return tab{ctx}
}

func (b *browser) watch(tab context.Context) {
	note := func(format string, args ...any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.problems = append(b.problems, fmt.Sprintf(format, args...))
	}
	dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(tab, runtime.ExceptionThrown)
	console := chromedp.Events(tab, runtime.ConsoleAPICalled)
	entries := chromedp.Events(tab, cdplog.EntryAdded)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			note("a %s dialog opened: %q", ev.Type, ev.Message)
			_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			note("an exception: %s", ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				note("console.error: %v", ev.Args)
			}
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if ev.Entry.Level == cdplog.EntryLevelError {
				note("%s error: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
	}()
}

// checkClean fails the test if a page did what it must not.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("in the browser: %s", p)
	}
}

// js evaluates expression in the tab.
func js[T any](t *testing.T, p tab, expression string) T {
	t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expression, err)
	}
	return v
}

// waitJS waits until expression is true in the tab, at most within; it
// says how long it took.
func waitJS(t *testing.T, p tab, within time.Duration, what, expression string) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(p.ctx, within)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expression, chromedp.WithPollingInterval(25*time.Millisecond))); err != nil {
		text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s: not within %s (%v); the page shows:\n%s", what, within, err, tail(text, 3000))
	}
	return time.Since(start)
}

// click clicks the element css selects. A live update may replace the
// element between the lookup and the click: then it looks it up again.
func click(t *testing.T, p tab, css string) {
	t.Helper()
	var err error
	for range 3 {
		if err = chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(css))); err == nil || !strings.Contains(err.Error(), "Could not find node") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("clicking %s: %v", css, err)
	}
}

// follow clicks the link css selects and waits for the page it opens.
func follow(t *testing.T, p tab, css string) {
	t.Helper()
	if _, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		t.Fatalf("following %s: %v", css, err)
	}
}

// screenshot writes the whole page as _output/name, where a person can look
// at what the dashboard shows.
func screenshot(t *testing.T, p tab, name string) {
	t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join("..", "..", "_output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
