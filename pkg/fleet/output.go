package fleet

import (
	"bytes"
	"io"
	"sync"
)

// Lines lets the clusters of a wave print to the same streams at once:
// each writer it hands out prefixes every line with its context
// ("[prod-us-east] deployment.apps/ctwoc-canary created") and writes whole
// lines only, so that lines of two clusters never mix.
type Lines struct {
	mu sync.Mutex
}

// Prefixed returns a writer to w whose lines start with "[context] ".
func (l *Lines) Prefixed(w io.Writer, context string) *PrefixWriter {
	return &PrefixWriter{lines: l, w: w, prefix: []byte("[" + context + "] ")}
}

// PrefixWriter is one cluster's stream; see Lines.
type PrefixWriter struct {
	lines   *Lines
	w       io.Writer
	prefix  []byte
	partial []byte
}

// Write prints the complete lines of p, keeping an unfinished last line
// until it ends (or Flush).
func (p *PrefixWriter) Write(b []byte) (int, error) {
	p.partial = append(p.partial, b...)
	end := bytes.LastIndexByte(p.partial, '\n')
	if end < 0 {
		return len(b), nil
	}
	err := p.print(p.partial[:end+1])
	p.partial = append(p.partial[:0], p.partial[end+1:]...)
	return len(b), err
}

// Flush prints an unfinished last line, ending it.
func (p *PrefixWriter) Flush() error {
	if len(p.partial) == 0 {
		return nil
	}
	err := p.print(append(p.partial, '\n'))
	p.partial = p.partial[:0]
	return err
}

func (p *PrefixWriter) print(text []byte) error {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(text, []byte("\n")) {
		if len(line) > 0 {
			out.Write(p.prefix)
			out.Write(line)
		}
	}
	p.lines.mu.Lock()
	defer p.lines.mu.Unlock()
	_, err := p.w.Write(out.Bytes())
	return err
}

// Println prints a line of the fleet's own (a wave starts, ends) between
// the clusters' lines.
func (l *Lines) Println(w io.Writer, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(w, line+"\n")
}
