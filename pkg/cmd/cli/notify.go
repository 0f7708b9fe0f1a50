package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// NewNotifier reads the URL of each receiver of a policy (a Secret's key
// through r, with the user's own credentials, or an environment variable)
// and returns what sends them notifications, warnings going to warnings;
// nil for none. A URL that cannot be read refuses the command before any
// write; no error quotes a URL, which is a secret.
func NewNotifier(ctx context.Context, receivers []policy.Notify, r ship.Reader, warnings io.Writer) (ship.Notifier, error) {
	if len(receivers) == 0 {
		return nil, nil
	}
	out := make([]notify.Receiver, len(receivers))
	for i, n := range receivers {
		name := n.NameOr(i)
		var value, from string
		if ref := n.URLFrom.SecretKeyRef; ref != nil {
			from = fmt.Sprintf("secret %s key %s", ref.Name, ref.Key)
			var err error
			if value, err = r.SecretValue(ctx, ref.Name, ref.Key); err != nil {
				return nil, fmt.Errorf("notify %s: %w", name, err)
			}
		} else {
			from = "environment variable " + n.URLFrom.Env
			if value = os.Getenv(n.URLFrom.Env); value == "" {
				return nil, fmt.Errorf("notify %s: the %s is not set: it holds the receiver's URL", name, from)
			}
		}
		if u, err := url.Parse(value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("notify %s: the %s does not hold an http(s) URL", name, from)
		}
		out[i] = notify.Receiver{Name: name, Format: n.Format, URL: value}
		if len(n.Events) > 0 {
			out[i].Events = map[notify.Type]bool{}
			for _, e := range n.Events {
				out[i].Events[notify.Type(e)] = true
			}
		}
	}
	return notify.NewSender(out, nil, warnings), nil
}
