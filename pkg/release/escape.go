package release

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EscapeTerminal makes a string that came from the cluster safe to print on
// a terminal, on one line. Anyone who may write an annotation, a Lease or an
// image can put escape sequences there (an OSC 52 clipboard write, a cursor
// move that hides a line) or newlines that forge a line of output. Like
// kubectl's printers.EscapeTerminal, ESC becomes "^[" and a carriage return
// `\r`; beyond it, every other control character (C0, DEL, C1), every byte
// that is not UTF-8, and the bidirectional overrides that reorder what a
// line shows become visible escapes. Printable text, UTF-8 included, is left
// as it is. Output for scripts (-o json|yaml) keeps the exact strings.
func EscapeTerminal(s string) string {
	if plain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\x1b':
			b.WriteString("^[")
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029':
			// C1 controls (U+009B is CSI, U+009D OSC on terminals that
			// read them), bidi overrides, and line separators.
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// plain is the fast path: printable ASCII needs no escaping.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
