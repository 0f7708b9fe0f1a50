//go:build linux

package main

import (
	"io"
	"net"
	"net/url"
	"time"
)

// farServer puts a TCP proxy on 127.0.0.1 in front of server (an
// https://127.0.0.1:PORT URL) that holds every byte the server sends for
// delay before passing it on: a cluster one round trip of delay away, as a
// fleet's clusters in other regions are. TLS goes through it untouched (the
// server's certificate names 127.0.0.1, not a port). It returns the proxy's
// URL; it stops with the process.
func farServer(server string, delay time.Duration) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			go relay(client, u.Host, delay)
		}
	}()
	return "https://" + l.Addr().String(), nil
}

// relay joins client to target, the answers held back by delay.
func relay(client net.Conn, target string, delay time.Duration) {
	defer client.Close()
	upstream, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer upstream.Close()
	go func() {
		_, _ = io.Copy(upstream, client)
		upstream.Close() // the client is gone: end the answers too
	}()
	type chunk struct {
		data []byte
		due  time.Time
	}
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := upstream.Read(buf)
			if n > 0 {
				chunks <- chunk{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		time.Sleep(time.Until(c.due))
		if _, err := client.Write(c.data); err != nil {
			return
		}
	}
}
