package fleet

import (
	"fmt"
	"regexp"
	"strings"
)

// ParseList splits a comma-separated list of context names and globs; an
// empty element ("a,,b") stays, for Select to refuse.
func ParseList(list string) []string {
	parts := strings.Split(list, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Select returns the contexts the patterns name, in the order given. A
// pattern is a context's name or a shell-style glob (*, ?, [abc], [!a-c];
// * also matches "/", which context names such as EKS's carry), whose
// matches come in name order; a context named twice keeps its first place.
// contexts are the kubeconfig's, sorted. A name that is not a context, a
// glob that matches none or does not parse is an error naming flag.
func Select(flag string, patterns, contexts []string) ([]string, error) {
	if len(patterns) == 0 {
		return nil, fmt.Errorf("%s: give context names or globs", flag)
	}
	known := map[string]bool{}
	for _, c := range contexts {
		known[c] = true
	}
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, p := range patterns {
		switch {
		case p == "":
			return nil, fmt.Errorf("%s: an empty context name in the list", flag)
		case !isGlob(p):
			if !known[p] {
				return nil, fmt.Errorf("%s: context %q is not in the kubeconfig (%s)", flag, p, listContexts(contexts))
			}
			add(p)
			continue
		}
		re, err := globRegexp(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		matched := false
		for _, c := range contexts {
			if re.MatchString(c) {
				add(c)
				matched = true
			}
		}
		if !matched {
			return nil, fmt.Errorf("%s: %q matches no context of the kubeconfig (%s)", flag, p, listContexts(contexts))
		}
	}
	return out, nil
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// globRegexp compiles a shell-style glob into an anchored regular
// expression.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := strings.IndexByte(glob[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("glob %q: [ without a closing ]", glob)
			}
			class := glob[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			if class == "" || class == "^" {
				return nil, fmt.Errorf("glob %q: an empty [] class", glob)
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("glob %q does not parse", glob)
	}
	return re, nil
}

// listContexts names the kubeconfig's contexts for an error, at most ten.
func listContexts(contexts []string) string {
	switch {
	case len(contexts) == 0:
		return "it has no contexts"
	case len(contexts) > 10:
		return fmt.Sprintf("its contexts: %s and %d more", strings.Join(contexts[:10], ", "), len(contexts)-10)
	}
	return "its contexts: " + strings.Join(contexts, ", ")
}
