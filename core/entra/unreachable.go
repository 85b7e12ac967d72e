package entra

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
)

// UnreachableError is a request that got no answer: the host's name did not resolve, the
// connection was refused, reset or timed out, the proxy failed, or the server's certificate was
// not trusted. Its message is one line a person can act on, not the dial error; the dial error
// stays reachable with errors.As and is logged at debug level.
type UnreachableError struct {
	Host  string // the host (and port, when the URL had one) that was called
	Proxy string // the proxy the request went through, if any
	What  string // the endpoint, e.g. "token endpoint"
	URL   string // without its query
	Err   error
}

// Unreachable describes err, the failure of req through transport (nil: the default one), for a
// request of something other than Entra ID's that got no answer: what names it in the error, e.g.
// "the organisation". Its message is the same one line as for Entra ID's endpoints.
func Unreachable(what string, req *http.Request, err error, transport http.RoundTripper) *UnreachableError {
	return newUnreachable(Call{What: what, URL: req.URL.String()}, req, err, transport)
}

// newUnreachable describes err, the failure of req through transport (nil: the default one).
func newUnreachable(call Call, req *http.Request, err error, transport http.RoundTripper) *UnreachableError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its "Post <url>:" prefix would repeat the URL, query included
	}
	e := &UnreachableError{Host: req.URL.Host, What: call.What, URL: redactURL(call.URL), Err: err}
	proxyFor := http.ProxyFromEnvironment
	if t, ok := transport.(*http.Transport); ok {
		proxyFor = t.Proxy
	}
	if proxyFor != nil {
		if proxy, perr := proxyFor(req); perr == nil && proxy != nil {
			e.Proxy = proxy.Host
		}
	}
	return e
}

func (e *UnreachableError) Error() string {
	if certificateError(e.Err) {
		return fmt.Sprintf("%s's certificate is not trusted (%s): a proxy that inspects TLS needs its CA in SSL_CERT_FILE", e.Host, e.reason())
	}
	if e.Proxy != "" && proxyFailed(e.Err) {
		return fmt.Sprintf("cannot reach %s through the proxy %s (%s): check the proxy (HTTPS_PROXY)", e.Host, e.Proxy, e.reason())
	}
	return fmt.Sprintf("cannot reach %s (%s): check the network or proxy (HTTPS_PROXY)", e.Host, e.reason())
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// reason says in a few words why there was no answer.
func (e *UnreachableError) reason() string {
	var dns *net.DNSError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(e.Err, &dns) && dns.IsNotFound:
		return "its name does not resolve"
	case errors.As(e.Err, &dns):
		return "its name could not be looked up"
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(e.Err, syscall.ECONNRESET), errors.Is(e.Err, io.ErrUnexpectedEOF), errors.Is(e.Err, io.EOF):
		return "the connection was closed before an answer came"
	case errors.Is(e.Err, syscall.ENETUNREACH), errors.Is(e.Err, syscall.EHOSTUNREACH):
		return "no route to it"
	case errors.Is(e.Err, context.DeadlineExceeded), errors.Is(e.Err, os.ErrDeadlineExceeded),
		errors.As(e.Err, &timeout) && timeout.Timeout():
		return "no answer in time"
	case certificateError(e.Err):
		var unknown x509.UnknownAuthorityError
		var hostname x509.HostnameError
		switch {
		case errors.As(e.Err, &unknown):
			return "signed by an unknown authority"
		case errors.As(e.Err, &hostname):
			return "issued for another name"
		}
		return "it does not verify"
	}
	return e.Err.Error()
}

// certificateError reports whether the server's certificate was refused: trying again would only
// send the request to the same impostor.
func certificateError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// proxyFailed reports whether the failure was in reaching the proxy itself.
func proxyFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "proxyconnect"
}
