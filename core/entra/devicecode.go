package entra

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// DeviceCode is a started device-code flow (RFC 8628): a person visits VerificationURI, enters
// UserCode and signs in, while the client polls with the device code.
type DeviceCode struct {
	UserCode        string
	VerificationURI string
	// Message is Entra's own instruction text, already localised; show it as it is.
	Message   string
	ExpiresAt time.Time
	Interval  time.Duration

	deviceCode string // the polling secret; never shown or logged
}

// ParseDeviceCode decodes a device-authorization answer, v2 (numbers, verification_uri) or v1
// (string-typed numbers, verification_url).
func ParseDeviceCode(body []byte, now time.Time) (*DeviceCode, error) {
	var raw struct {
		DeviceCode      string          `json:"device_code"`
		UserCode        string          `json:"user_code"`
		VerificationURI string          `json:"verification_uri"`
		VerificationURL string          `json:"verification_url"`
		Message         string          `json:"message"`
		ExpiresIn       json.RawMessage `json:"expires_in"`
		Interval        json.RawMessage `json:"interval"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("device code response is not the expected JSON object (%s)", describeNotJSON(body, err))
	}
	dc := &DeviceCode{
		UserCode:        raw.UserCode,
		VerificationURI: cmp.Or(raw.VerificationURI, raw.VerificationURL),
		Message:         raw.Message,
		deviceCode:      raw.DeviceCode,
	}
	switch {
	case dc.deviceCode == "":
		return nil, errors.New("device code response has no device_code")
	case dc.UserCode == "":
		return nil, errors.New("device code response has no user_code")
	case dc.VerificationURI == "":
		return nil, errors.New("device code response has no verification_uri")
	}
	if u, err := url.Parse(dc.VerificationURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("device code response's verification_uri %s is not a web address", clip(dc.VerificationURI))
	}
	expiresIn := int64(900)
	if len(raw.ExpiresIn) > 0 {
		n, err := seconds(raw.ExpiresIn)
		if err != nil {
			return nil, fmt.Errorf("device code response field \"expires_in\": %w", err)
		}
		expiresIn = n
	}
	dc.ExpiresAt = now.Add(time.Duration(expiresIn) * time.Second)
	dc.Interval = 5 * time.Second
	if len(raw.Interval) > 0 {
		n, err := seconds(raw.Interval)
		if err != nil {
			return nil, fmt.Errorf("device code response field \"interval\": %w", err)
		}
		if n > 0 {
			dc.Interval = time.Duration(min(n, 60)) * time.Second
		}
	}
	if dc.Message == "" {
		dc.Message = fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", dc.VerificationURI, dc.UserCode)
	}
	return dc, nil
}

// StartDeviceCode asks ep for a device code. form carries client_id and the target (scope= for
// v2, resource= for v1).
func (c *Client) StartDeviceCode(ctx context.Context, ep Endpoint, form url.Values) (*DeviceCode, error) {
	if err := ep.Validate(); err != nil {
		return nil, err
	}
	target := ep.DeviceCodeURL()
	if ep.Version == V1 {
		target += "?api-version=1.0"
	}
	body, err := c.Do(ctx, Call{Method: http.MethodPost, URL: target, Form: form, Idempotent: true, What: "device code endpoint"})
	if err != nil {
		return nil, err
	}
	return ParseDeviceCode(body, c.now())
}

// PollDeviceCode waits for the person to finish signing in: it polls ep's token endpoint no faster
// than the interval, slows down by 5 s when asked, and stops when the code expires, the person
// declines, or ctx ends. form is the one given to StartDeviceCode.
func (c *Client) PollDeviceCode(ctx context.Context, ep Endpoint, dc *DeviceCode, form url.Values) (*TokenResponse, error) {
	poll := url.Values{}
	for k, v := range form {
		poll[k] = v
	}
	if ep.Version == V1 {
		poll.Set("grant_type", "device_code")
		poll.Set("code", dc.deviceCode)
	} else {
		poll.Set("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
		poll.Set("device_code", dc.deviceCode)
	}
	interval := dc.Interval
	for {
		if c.now().Add(interval).After(dc.ExpiresAt) {
			return nil, &Error{Code: "expired_token", Description: "the device code expired before the sign-in was completed"}
		}
		if err := c.sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("waiting for the device code sign-in: %w", err)
		}
		tok, err := c.Token(ctx, ep, poll)
		var e *Error
		switch {
		case err == nil:
			return tok, nil
		case !errors.As(err, &e):
			return nil, err
		// The error name decides before the code: Entra has been seen to send slow_down with
		// 70016, the pending code, and slowing down is what it asks for then.
		case e.Code == "slow_down":
			interval += 5 * time.Second
		case e.Code == "authorization_pending" || e.Has(70016):
		default:
			return nil, err
		}
	}
}
