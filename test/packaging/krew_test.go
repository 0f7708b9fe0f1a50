//go:build packaging

package packaging

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// These tests need `make dist` (the archives and krew-manifest.yaml) and
// `make cluster-build` (kubectl); `make packaging` runs both first. They
// build krew from its pinned module and use no network: every install takes
// its archive from dist/ with --archive.

const root = "../.."

// manifest is the part of krew-manifest.yaml that the tests read.
type manifest struct {
	Spec struct {
		Version   string `json:"version"`
		Platforms []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI string `json:"uri"`
			Bin string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

func TestKrewValidatesManifest(t *testing.T) {
	krewBin := buildKrew(t)
	// The validator takes the plugin's name from the file's, and installs
	// each platform from its uri unless told not to: TestKrewInstalls does
	// that from dist/.
	ship := filepath.Join(t.TempDir(), "ship.yaml")
	copyFile(t, filepath.Join(root, "dist", "krew-manifest.yaml"), ship)
	run(t, nil, filepath.Join(krewBin, "validate-krew-manifest"), "-manifest", ship, "-skip-install")
}

// TestKrewInstalls installs every platform's archive as krew would on that
// platform, checks what lands in the store, runs the plugin built for this
// machine (linux/amd64 in CI) through kubectl, and uninstalls.
func TestKrewInstalls(t *testing.T) {
	pathDir := kubectlWithKrew(t, buildKrew(t))
	kubectl := filepath.Join(pathDir, "kubectl")
	m := readManifest(t)
	if len(m.Spec.Platforms) != 6 {
		t.Errorf("krew-manifest.yaml has %d platforms, want 6", len(m.Spec.Platforms))
	}
	ran := false
	for _, p := range m.Spec.Platforms {
		goos, goarch := p.Selector.MatchLabels["os"], p.Selector.MatchLabels["arch"]
		t.Run(goos+"/"+goarch, func(t *testing.T) {
			krewRoot := newKrewRoot(t)
			env := []string{
				"HOME=" + t.TempDir(), "KREW_ROOT=" + krewRoot, "KREW_NO_UPGRADE_CHECK=1",
				"KREW_OS=" + goos, "KREW_ARCH=" + goarch,
				// /usr/bin and /bin only for the completion shim's sh.
				"PATH=" + strings.Join([]string{filepath.Join(krewRoot, "bin"), pathDir, "/usr/bin", "/bin"}, string(os.PathListSeparator)),
			}
			archive, err := filepath.Abs(filepath.Join(root, "dist", path.Base(p.URI)))
			if err != nil {
				t.Fatal(err)
			}
			run(t, env, kubectl, "krew", "install",
				"--manifest="+filepath.Join(root, "dist", "krew-manifest.yaml"), "--archive="+archive)

			// krew links the plugin as kubectl-ship(.exe), bin's own name; the
			// caveats tell users to link the completion shim from the store.
			link := filepath.Join(krewRoot, "bin", p.Bin)
			store := filepath.Join(krewRoot, "store", "ship", m.Spec.Version)
			for _, f := range []string{link, filepath.Join(store, "kubectl_complete-ship"), filepath.Join(store, "LICENSE")} {
				if _, err := os.Stat(f); err != nil {
					t.Errorf("after install: %v", err)
				}
			}
			if goos == runtime.GOOS && goarch == runtime.GOARCH {
				ran = true
				out := run(t, env, kubectl, "ship", "version", "--client")
				if want := "Client Version: " + m.Spec.Version; !strings.Contains(out, want) {
					t.Errorf("kubectl ship version --client printed %q, want %q", out, want)
				}
				// Completion as the caveats set it up: the shim linked into krew's bin.
				if err := os.Symlink(filepath.Join(store, "kubectl_complete-ship"), filepath.Join(krewRoot, "bin", "kubectl_complete-ship")); err != nil {
					t.Fatal(err)
				}
				if out := run(t, env, kubectl, "__complete", "ship", "pro"); !strings.Contains(out, "promote") {
					t.Errorf("kubectl __complete ship pro printed %q, want promote", out)
				}
			}

			run(t, env, kubectl, "krew", "uninstall", "ship")
			for _, gone := range []string{link, store} {
				if _, err := os.Lstat(gone); !os.IsNotExist(err) {
					t.Errorf("after uninstall %s is still there (%v)", gone, err)
				}
			}
		})
	}
	if !ran {
		t.Errorf("no platform for %s/%s: kubectl ship never ran", runtime.GOOS, runtime.GOARCH)
	}
}

// buildKrew returns the directory of krew and validate-krew-manifest, built
// from hack/tools/krew if they are not yet.
func buildKrew(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(run(t, nil, filepath.Join(root, "hack/tools/tool.sh"), "krew"))
}

// kubectlWithKrew returns a directory with the project's kubectl (from `make
// cluster-build`) and krew as its plugin kubectl-krew, and nothing else.
func kubectlWithKrew(t *testing.T, krewBin string) string {
	t.Helper()
	clusterBin := strings.TrimSpace(run(t, nil, "bash", "-c", "source "+root+"/hack/lib.sh && echo $CLUSTER_BIN"))
	dir := t.TempDir()
	for link, target := range map[string]string{
		"kubectl":      filepath.Join(clusterBin, "kubectl"),
		"kubectl-krew": filepath.Join(krewBin, "krew"),
	} {
		if _, err := os.Stat(target); err != nil {
			t.Fatalf("%v (make cluster-build builds kubectl)", err)
		}
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newKrewRoot returns an empty KREW_ROOT whose index looks initialized:
// `krew uninstall` refuses to run until `krew update` has cloned the index
// from GitHub, and only checks for a git directory.
func newKrewRoot(t *testing.T) string {
	t.Helper()
	krewRoot := t.TempDir()
	if err := os.MkdirAll(filepath.Join(krewRoot, "index", "default", ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return krewRoot
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "dist", "krew-manifest.yaml"))
	if err != nil {
		t.Fatalf("%v (make dist renders it)", err)
	}
	var m manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("krew-manifest.yaml: %v", err)
	}
	return m
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("%v (make dist renders it)", err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs a command with env (nil: this process's) and returns its stdout;
// it fails the test with the command's output if it fails.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}
