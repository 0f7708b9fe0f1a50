package version

import (
	"encoding/json"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd/internal/cmdtest"
	shipversion "github.com/kubectl-ship/kubectl-ship/pkg/version"
)

// --client prints the client's version in each format, with no request.
func TestClientVersion(t *testing.T) {
	want := shipversion.Get()
	tests := []struct {
		output string
		read   func(string) (Versions, error)
	}{
		{"json", func(s string) (v Versions, err error) { return v, json.Unmarshal([]byte(s), &v) }},
		{"yaml", func(s string) (v Versions, err error) { return v, yaml.Unmarshal([]byte(s), &v) }},
	}
	for _, tc := range tests {
		t.Run(tc.output, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdVersion, "", "--client", "-o", tc.output)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			v, err := tc.read(r.Out)
			if err != nil || v.ClientVersion != want || v.ServerVersion != nil {
				t.Errorf("-o %s printed %q: %+v, %v", tc.output, r.Out, v, err)
			}
		})
	}
	if r := cmdtest.Run(t, NewCmdVersion, "", "--client"); r.Err != nil || r.Out != "Client Version: "+want.GitVersion+"\n" {
		t.Errorf("got %q, %v", r.Out, r.Err)
	}
}

// A server that cannot be reached: the client's version still prints, the
// error follows it, as kubectl version does.
func TestServerUnreachable(t *testing.T) {
	r := cmdtest.Run(t, NewCmdVersion, "")
	if r.Err == nil || !strings.Contains(r.Err.Error(), "127.0.0.1:1") {
		t.Errorf("err = %v, want the server's address", r.Err)
	}
	if !strings.HasPrefix(r.Out, "Client Version: ") || strings.Contains(r.Out, "Server Version") {
		t.Errorf("printed %q", r.Out)
	}
}

func TestVersionRefusesBadInput(t *testing.T) {
	for args, want := range map[string]string{
		"-o toml":  `--output must be 'yaml' or 'json', not "toml"`,
		"extra":    `unknown command "extra" for "version"`,
		"--nope=1": "unknown flag: --nope",
	} {
		r := cmdtest.Run(t, NewCmdVersion, "", strings.Fields(args)...)
		if r.Err == nil || r.Err.Error() != want || r.Out != "" {
			t.Errorf("%s: %v, printed %q; want %q", args, r.Err, r.Out, want)
		}
	}
}
