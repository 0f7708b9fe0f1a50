package dashboard

import (
	"net"
	"strconv"
	"testing"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
)

func TestDashboardRefusesBadInput(t *testing.T) {
	cmdtest.Refuses(t, NewCmdDashboard, []cmdtest.Refusal{
		{Args: []string{"--port", "70000"}, Want: "--port must be between 0 and 65535, not 70000"},
		{Args: []string{"--address", "example.com"}, Want: `--address must be an IP address of this machine (127.0.0.1, 0.0.0.0, ...), not "example.com"`},
		{Args: []string{"--contexts", "ctx", "--all-contexts"}, Want: "give --contexts or --all-contexts, not both"},
		{Args: []string{"--contexts", "staging-*"}, Want: `--contexts: "staging-*" matches no context of the kubeconfig (its contexts: ctx)`},
		{Args: []string{"web"}, Want: `unknown command "web" for "dashboard"`},
	})
}

// A port in use is refused before anything is served, naming the flag
// that chooses another.
func TestDashboardPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	for _, args := range [][]string{{"--port", port}, {"--port", port, "--address", "localhost", "--all-contexts"}} {
		cmdtest.Refuses(t, NewCmdDashboard, []cmdtest.Refusal{
			{Args: args, Want: "cannot listen on 127.0.0.1:" + port + ": "},
		})
	}
}
