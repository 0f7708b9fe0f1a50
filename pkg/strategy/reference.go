package strategy

import (
	"fmt"
	"regexp"
	"sync"
)

// imageReference matches an image reference as container runtimes read it:
// [DOMAIN[:PORT]/]PATH[:TAG][@DIGEST], with lowercase path components. It is
// compiled on first use: a regexp compiled at start-up would cost every
// command, most of which never parse an image.
var imageReference = sync.OnceValue(func() *regexp.Regexp {
	const (
		alnum           = `[a-z0-9]+`
		separator       = `(?:[._]|__|-+)`
		pathComponent   = alnum + `(?:` + separator + alnum + `)*`
		domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		host            = `(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[0-9a-fA-F:.]+\])`
		domain          = host + `(?::[0-9]+)?`
		tag             = `[\w][\w.-]{0,127}`
		digest          = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
	)
	return regexp.MustCompile(`^((?:` + domain + `/)?` + pathComponent + `(?:/` + pathComponent + `)*)(?::(` + tag + `))?(?:@(` + digest + `))?$`)
})

// maxNameLength is the longest repository name registries accept.
const maxNameLength = 255

// parseReference checks image and returns its tag ("" when it has none).
func parseReference(image string) (tag string, err error) {
	m := imageReference().FindStringSubmatch(image)
	switch {
	case m == nil:
		return "", fmt.Errorf("want [REGISTRY/]REPOSITORY[:TAG][@DIGEST], the repository in lowercase")
	case len(m[1]) > maxNameLength:
		return "", fmt.Errorf("the repository name is longer than %d characters", maxNameLength)
	}
	return m[2], nil
}
