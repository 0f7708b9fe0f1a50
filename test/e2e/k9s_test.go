//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-ship/kubectl-ship/test/terminal"
)

// k9sPlugin is what the test reads of an entry of plugins.yaml.
type k9sPlugin struct {
	ShortCut    string   `json:"shortCut"`
	Description string   `json:"description"`
	Confirm     bool     `json:"confirm"`
	Command     string   `json:"command"`
	Args        []string `json:"args"`
}

// k9sWait bounds every wait for the screen: k9s draws within a second or
// two, but the machine may be busy.
const k9sWait = 30 * time.Second

// TestK9sPlugins loads the project's plugins.yaml into the real k9s (pinned
// in hack/tools/k9s) on a pseudo-terminal, on the deployments view of a
// release: k9s must accept every plugin and list its key in the menu; each
// plugin that changes the cluster must ask first, showing its command; the
// status plugin must run the kubectl ship on PATH and show its output.
func TestK9sPlugins(t *testing.T) {
	ns := namespace(t)
	apply(t, ns, deploymentAndService("web", v1, 1))
	plugins := readK9sPlugins(t)
	k9s, logFile := startK9s(t, ns)

	waitForMenu(t, k9s, plugins, "the release's namespace", "web")

	context := strings.TrimSpace(mustKubectl(t, "config", "current-context"))
	vars := map[string]string{"NAME": "web", "NAMESPACE": ns, "CONTEXT": context}
	for _, name := range slices.Sorted(maps.Keys(plugins)) {
		p := plugins[name]
		if !p.Confirm {
			continue
		}
		// k9s asks before running: the dialog names the plugin and shows
		// the command with k9s's variables filled in. Escape declines.
		press(t, k9s, p.ShortCut)
		command := p.Command + " " + os.Expand(strings.Join(p.Args, " "), func(v string) string { return vars[v] })
		if _, err := k9s.WaitForText(k9sWait, "Confirm "+p.Description, command); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := k9s.Type("\x1b"); err != nil {
			t.Fatal(err)
		}
		if _, err := k9s.Wait(k9sWait, "the dialog closed", func(s string) bool { return !strings.Contains(s, "Confirm ") }); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	// status --watch takes over the terminal until interrupted, as in a
	// shell; then k9s draws its view again.
	press(t, k9s, plugins["ship-status"].ShortCut)
	if _, err := k9s.WaitForText(k9sWait, "Release web (namespace "+ns+")", "stable 100.0%"); err != nil {
		t.Fatalf("ship-status: %v", err)
	}
	if err := k9s.Type("\x03"); err != nil {
		t.Fatal(err)
	}
	if _, err := k9s.WaitForText(k9sWait, "<shift-s>"); err != nil {
		t.Fatalf("back to k9s after Ctrl-C: %v", err)
	}

	// With all namespaces shown k9s binds more keys of its own (Shift-P
	// sorts by namespace) and loads the plugins again.
	if err := k9s.Type("0"); err != nil {
		t.Fatal(err)
	}
	waitForMenu(t, k9s, plugins, "all namespaces", "NAMESPACE")

	// Any warning but the one for the metrics server, which the local
	// cluster has not: a refused plugins.yaml or config.yaml shows here.
	for _, line := range strings.Split(readK9sLog(t, logFile), "\n") {
		if k9sProblem.MatchString(line) && !strings.Contains(line, "Fail to locate metrics-server") {
			t.Errorf("k9s logged: %s", line)
		}
	}
}

// k9sProblem matches the lines of k9s's log at level warning or error.
var k9sProblem = regexp.MustCompile(`^\S+ (WRN|ERR) `)

// readK9sLog returns k9s's log without its colours.
func readK9sLog(t *testing.T, path string) string {
	t.Helper()
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(string(log), "")
}

// waitForMenu waits until k9s shows the text of a view and its menu lists
// every plugin, and fails the test if it does not; view names it.
func waitForMenu(t *testing.T, k9s *terminal.Terminal, plugins map[string]k9sPlugin, view, text string) {
	t.Helper()
	var hints []*regexp.Regexp
	for _, name := range slices.Sorted(maps.Keys(plugins)) {
		p := plugins[name]
		// The menu pads keys to a column: any run of blanks between.
		hints = append(hints, regexp.MustCompile(regexp.QuoteMeta(keyHint(p.ShortCut))+` +`+regexp.QuoteMeta(p.Description)))
	}
	listed := func(screen string) bool {
		return !slices.ContainsFunc(hints, func(h *regexp.Regexp) bool { return !h.MatchString(screen) })
	}
	// k9s's logo turns into a warning when it refuses the file: no need
	// to wait longer then.
	screen, err := k9s.Wait(k9sWait, "the menu listing every plugin in "+view, func(screen string) bool {
		return strings.Contains(screen, text) && (listed(screen) || strings.Contains(screen, "Plugins load failed"))
	})
	if err == nil && !listed(screen) {
		err = fmt.Errorf("in %s k9s refused the plugins (see its log below):\n%s", view, screen)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// press types a plugin's shortCut as k9s names it: Shift-X is X.
func press(t *testing.T, k9s *terminal.Terminal, shortCut string) {
	t.Helper()
	key, ok := strings.CutPrefix(shortCut, "Shift-")
	if !ok || len(key) != 1 {
		t.Fatalf("shortCut %q: the test types only Shift-LETTER keys", shortCut)
	}
	if err := k9s.Type(key); err != nil {
		t.Fatal(err)
	}
}

// keyHint is how k9s's menu shows a key: Shift-S as <shift-s>.
func keyHint(shortCut string) string {
	return "<" + strings.ToLower(shortCut) + ">"
}

// startK9s runs k9s on the deployments view of namespace ns, with a home
// of its own holding only a config and the project's plugins.yaml, and
// returns its terminal and the path of its log.
func startK9s(t *testing.T, ns string) (*terminal.Terminal, string) {
	t.Helper()
	home := t.TempDir()
	configDir := filepath.Join(home, "config", "k9s")
	if err := os.MkdirAll(configDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// No look-up of k9s's latest release on GitHub; no splash screen to
	// wait through.
	config := "k9s:\n  skipLatestRevCheck: true\n  ui:\n    splashless: true\n    noIcons: true\n"
	if err := os.WriteFile(filepath.Join(configDir, "config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	copyTo(t, "../../plugins.yaml", filepath.Join(configDir, "plugins.yaml"))

	logFile := filepath.Join(home, "k9s.log")
	cmd := exec.Command(filepath.Join(k9sBin(t), "k9s"),
		"-n", ns, "-c", "deployments", "--logFile", logFile)
	cmd.Env = []string{
		"PATH=" + env.path, "KUBECONFIG=" + env.kubeconfig, "HOME=" + home,
		"TERM=xterm-256color", "LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"XDG_DATA_DIRS=" + filepath.Join(home, "data"), // else /usr/share/k9s/plugins too
		// Anything but the local cluster goes to a closed port and fails
		// at once, should k9s or a plugin try to reach the internet.
		"HTTPS_PROXY=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1", "NO_PROXY=127.0.0.1,localhost",
	}
	// Wide enough for k9s's menu to show every column of keys.
	k9s, err := terminal.Start(cmd, 300, 50)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k9s.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("k9s log:\n%s", readK9sLog(t, logFile))
		}
	})
	return k9s, logFile
}

// k9sBin returns the folder of k9s, built from hack/tools/k9s the first
// time (a few minutes), then kept in ~/.cache/kubectl-ship/tools.
func k9sBin(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("hack/tools/tool.sh", "k9s")
	cmd.Dir = "../.."
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("building k9s: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func readK9sPlugins(t *testing.T) map[string]k9sPlugin {
	t.Helper()
	data, err := os.ReadFile("../../plugins.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Plugins map[string]k9sPlugin `json:"plugins"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatalf("plugins.yaml: %v", err)
	}
	if _, ok := file.Plugins["ship-status"]; !ok {
		t.Fatalf("plugins.yaml has no ship-status plugin: %v", slices.Sorted(maps.Keys(file.Plugins)))
	}
	return file.Plugins
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
