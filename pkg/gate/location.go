package gate

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Location is where Prometheus answers, as `--prometheus` gives it: a URL
// the command reaches itself, or a Service in the cluster reached through
// the API server's service proxy, so a kubeconfig is all a user needs.
type Location struct {
	// URL is set for an http(s) URL.
	URL string
	// Service is set for service/NAMESPACE/NAME:PORT.
	Service *ServiceRef
}

// ServiceRef names a Service port: the port's number or name.
type ServiceRef struct {
	Namespace, Name, Port string
}

const locationForms = "want http(s)://HOST[:PORT][/PATH] or service/NAMESPACE/NAME:PORT"

// ParseLocation parses `--prometheus`. Errors quote the value and say which
// forms are accepted; the caller names the flag.
func ParseLocation(s string) (Location, error) {
	if rest, ok := strings.CutPrefix(s, "service/"); ok {
		ref, err := parseServiceRef(rest)
		if err != nil {
			return Location{}, fmt.Errorf("%q: %w (%s)", s, err, locationForms)
		}
		return Location{Service: &ref}, nil
	}
	if s == "" {
		return Location{}, fmt.Errorf("no prometheus location given: %s", locationForms)
	}
	u, err := parseHTTPURL(s)
	if err != nil {
		return Location{}, fmt.Errorf("%w: %s", err, locationForms)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Location{}, fmt.Errorf("%q has a query or fragment: %s", s, locationForms)
	}
	return Location{URL: strings.TrimSuffix(s, "/")}, nil
}

// parseHTTPURL accepts an absolute http(s) URL with a host and a valid port.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q is not a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q is not an http(s) URL", s)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host", s)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q: port %q is not between 1 and 65535", s, port)
		}
	}
	return u, nil
}

func parseServiceRef(s string) (ServiceRef, error) {
	ns, nameport, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(nameport, "/") {
		return ServiceRef{}, fmt.Errorf("want exactly service/NAMESPACE/NAME:PORT")
	}
	name, port, ok := strings.Cut(nameport, ":")
	if !ok || port == "" {
		return ServiceRef{}, fmt.Errorf("the service has no port: add :PORT, the port's number or name")
	}
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		return ServiceRef{}, fmt.Errorf("namespace %q is not a valid name", ns)
	}
	if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
		return ServiceRef{}, fmt.Errorf("service name %q is not a valid name", name)
	}
	if n, err := strconv.Atoi(port); err == nil {
		if len(validation.IsValidPortNum(n)) > 0 {
			return ServiceRef{}, fmt.Errorf("port %d is not between 1 and 65535", n)
		}
	} else if len(validation.IsValidPortName(port)) > 0 {
		return ServiceRef{}, fmt.Errorf("port %q is neither a number nor a valid port name", port)
	}
	return ServiceRef{Namespace: ns, Name: name, Port: port}, nil
}

// ProxyPath is the API server path that proxies to the Service's port,
// without a trailing slash: Prometheus's API is below it, at
// PATH/api/v1/query. The caller needs the services/proxy permission.
func (r ServiceRef) ProxyPath() string {
	return "/api/v1/namespaces/" + r.Namespace + "/services/" + r.Name + ":" + r.Port + "/proxy"
}

// BaseURL is what Prometheus.URL must be for l: the URL itself, or the
// service proxy path below apiServer (the API server's URL, as a rest
// config's Host gives it, e.g. "https://127.0.0.1:6443").
func (l Location) BaseURL(apiServer string) string {
	if l.Service != nil {
		return strings.TrimSuffix(apiServer, "/") + l.Service.ProxyPath()
	}
	return l.URL
}

// String is the location as the user wrote it, credentials left out.
func (l Location) String() string {
	if l.Service != nil {
		return "service/" + l.Service.Namespace + "/" + l.Service.Name + ":" + l.Service.Port
	}
	return redact(l.URL)
}
