package gitcred

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Answer is a helper's reply to get.
//
// With a Credential it is the git 2.46 form (capability[]=authtype, authtype, credential): git
// sends "Authorization: <AuthType> <Credential>" and ignores Username and Password. Only give
// one to a git that listed the authtype capability.
type Answer struct {
	Protocol string
	Host     string
	Username string
	Password string
	// PasswordExpiry is sent as password_expiry_utc (git 2.40 and later drop an expired
	// password); zero sends nothing.
	PasswordExpiry time.Time
	AuthType       string
	Credential     string
	// Ephemeral asks git not to hand the credential to storage helpers (git 2.46 and later).
	Ephemeral bool
}

// CapabilityAuthType is the capability that lets a helper answer with AuthType and Credential.
const CapabilityAuthType = "authtype"

// Write writes the answer in one piece. A value that would break its line is an error, and then
// nothing is written: half an answer on git's stdin would be worse than none.
func (a *Answer) Write(w io.Writer) error {
	var b bytes.Buffer
	var errs []error
	put := func(key, value string) {
		if value == "" {
			return
		}
		if strings.ContainsAny(value, "\n\r\x00") {
			errs = append(errs, fmt.Errorf("the %s to send to git contains a line break or a NUL byte", key))
			return
		}
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(value)
		b.WriteByte('\n')
	}
	put("protocol", a.Protocol)
	put("host", a.Host)
	if a.Credential != "" {
		// A capability must come before the attributes that depend on it.
		put("capability[]", CapabilityAuthType)
		put("authtype", a.AuthType)
		put("credential", a.Credential)
	} else {
		put("username", a.Username)
		put("password", a.Password)
	}
	if a.Ephemeral {
		put("ephemeral", "1")
	}
	if !a.PasswordExpiry.IsZero() {
		put("password_expiry_utc", strconv.FormatInt(a.PasswordExpiry.Unix(), 10))
	}
	if a.Credential != "" && a.AuthType == "" {
		errs = append(errs, errors.New("a credential needs its authtype"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
