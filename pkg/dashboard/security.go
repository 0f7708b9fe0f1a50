package dashboard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// The headers of every answer: the page runs only its own script and
// style, loads nothing from elsewhere, cannot be framed, and sends no
// Referer (its first address carries the token). No CORS header is ever
// sent, so no other origin may read an answer.
var securityHeaders = [][2]string{
	{"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
}

// csrfHeader carries the page's token on every request that changes
// something.
const csrfHeader = "X-Ship-Csrf"

// newToken is 128 random bits, in hex.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// hosts is who may be named in a request's Host header: the address the
// dashboard listens on, by IP or as localhost, never another name. A web
// page whose name an attacker points at 127.0.0.1 (DNS rebinding) sends
// its own name, and is refused.
type hosts struct {
	port string
	// ip is the address listened on; any is set for 0.0.0.0 or ::, where
	// every address of the machine is the dashboard's.
	ip  net.IP
	any bool
}

func hostsOf(addr net.Addr) hosts {
	tcp, _ := addr.(*net.TCPAddr)
	if tcp == nil {
		return hosts{}
	}
	return hosts{port: strconv.Itoa(tcp.Port), ip: tcp.IP, any: tcp.IP.IsUnspecified()}
}

func (h hosts) allow(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port != h.port {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return false
	case h.any, ip.IsLoopback():
		return true
	}
	return ip.Equal(h.ip)
}

// guard is what every request passes before its handler: the Host header
// and the Origin, then the session (the cookie the token of the printed
// address set), then for a request that changes something the CSRF token
// and its JSON body. The assets alone need no session: they hold nothing of the
// clusters.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range securityHeaders {
			w.Header().Set(h[0], h[1])
		}
		w.Header().Set("Cache-Control", "no-store")
		if !s.hosts.allow(r.Host) {
			http.Error(w, "forbidden: this dashboard answers to its own address only, not to Host "+strconv.Quote(r.Host), http.StatusForbidden)
			return
		}
		// A request that names its origin (a script's, a WebSocket's)
		// must come from the page: the browser sends a WebSocket's
		// handshake from any site, with no same-origin check.
		if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
			http.Error(w, "forbidden: a request from another origin, "+strconv.Quote(origin), http.StatusForbidden)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			next.ServeHTTP(w, r)
			return
		}
		if token := r.URL.Query().Get("token"); token != "" && r.Method == http.MethodGet {
			s.logIn(w, r, token)
			return
		}
		if !s.session(r) {
			w.WriteHeader(http.StatusForbidden)
			_ = s.templates.ExecuteTemplate(w, "denied", nil)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if reason := s.refuseChange(r); reason != "" {
				http.Error(w, "forbidden: "+reason, http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// logIn trades the printed address's token for a session cookie, and
// sends the browser to the same page without the token.
func (s *Server) logIn(w http.ResponseWriter, r *http.Request, token string) {
	if !equal(token, s.token) {
		w.WriteHeader(http.StatusForbidden)
		_ = s.templates.ExecuteTemplate(w, "denied", nil)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	q := r.URL.Query()
	q.Del("token")
	target := r.URL.Path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) session(r *http.Request) bool {
	c, err := r.Cookie(s.cookie)
	return err == nil && equal(c.Value, s.token)
}

// refuseChange says why a request that changes something is refused, or
// "": it must carry the page's CSRF token and send JSON (which no plain
// HTML form can); guard checked its origin.
func (s *Server) refuseChange(r *http.Request) string {
	if !equal(r.Header.Get(csrfHeader), s.csrf) {
		return "missing or wrong " + csrfHeader + " token"
	}
	if media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || media != "application/json" {
		return "the body must be application/json"
	}
	return ""
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
