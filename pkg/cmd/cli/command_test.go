package cli

import (
	"testing"

	"github.com/spf13/cobra"
)

// newRoot is a command tree with a connection flag and a verb's own flags.
func newRoot() *cobra.Command {
	root := &cobra.Command{Use: "kubectl-ship", Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ship"}}
	root.PersistentFlags().String("token", "", "")
	canary := &cobra.Command{Use: "canary", RunE: func(*cobra.Command, []string) error { return nil }}
	canary.Flags().StringArray("image", nil, "")
	canary.Flags().Int32("weight", 0, "")
	canary.Flags().Bool("replace", false, "")
	canary.Flags().Bool("exact", false, "")
	canary.Flags().String("selector", "", "")
	canary.Flags().StringArray("webhook", nil, "")
	canary.Flags().String("dry-run", "none", "")
	canary.Flags().Lookup("dry-run").NoOptDefVal = "client"
	root.AddCommand(canary)
	return root
}

func TestCommandLineIsAsTyped(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"canary", "web", "--image", "a=example/a:2", "--image", "b=example/b:2", "--weight", "25"},
			"kubectl ship canary web --image a=example/a:2 --image b=example/b:2 --weight 25"},
		{[]string{"canary", "web", "--replace", "--token", "secret"}, "kubectl ship canary web --replace"},
		{[]string{"canary", "--selector", "app in (a, b)"}, "kubectl ship canary --selector 'app in (a, b)'"},
		{[]string{"canary", "it's"}, `kubectl ship canary 'it'\''s'`},
		// What a URL carries of credentials stays out of the record.
		{[]string{"canary", "web", "--webhook", "http://alice:pw@127.0.0.1:8080/x?token=T&team=a#frag"},
			"kubectl ship canary web --webhook 'http://127.0.0.1:8080/x?team=xxxxx&token=xxxxx'"},
		// A flag whose value may be left out takes it with "=", or it
		// would be read back as an argument.
		{[]string{"canary", "web", "--replace=false", "--dry-run=server"}, "kubectl ship canary web --dry-run=server --replace=false"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			root := newRoot()
			root.SetArgs(tt.args)
			cmd, err := root.ExecuteC()
			if err != nil {
				t.Fatal(err)
			}
			if got := CommandLine(cmd, cmd.Flags().Args()); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
