package entra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenResponse is a successful answer from a token endpoint, or from a managed-identity endpoint,
// which answers in the same shape.
type TokenResponse struct {
	AccessToken  string
	TokenType    string
	RefreshToken string // opaque; never parsed
	IDToken      string
	Scope        string // v2: the scopes granted
	Resource     string // v1 and managed identity: the resource the token is for
	ClientInfo   string // base64url {"uid","utid"} when client_info=1 was sent
	FOCI         bool   // the refresh token is a family refresh token

	// ExpiresOn is when the access token expires, from expires_in (authoritative) or expires_on,
	// or the token's own exp claim when the answer carries neither.
	ExpiresOn time.Time
	// RefreshOn is when the service suggests refreshing (refresh_in); zero when not given.
	RefreshOn time.Time

	// Extra keeps the fields this package does not interpret.
	Extra map[string]json.RawMessage
}

// ParseTokenResponse decodes a token-endpoint answer. Numbers may come as JSON numbers (v2) or
// strings (v1, managed identity). now anchors expires_in. The error never quotes the body: a
// truncated answer would otherwise put part of a token into a log.
func ParseTokenResponse(body []byte, now time.Time) (*TokenResponse, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("token response is not a JSON object (%s)", describeNotJSON(body, err))
	}
	if fields == nil {
		return nil, errors.New("token response is JSON null, not an object")
	}
	r := &TokenResponse{}
	strs := map[string]*string{
		"access_token":  &r.AccessToken,
		"token_type":    &r.TokenType,
		"refresh_token": &r.RefreshToken,
		"id_token":      &r.IDToken,
		"scope":         &r.Scope,
		"resource":      &r.Resource,
		"client_info":   &r.ClientInfo,
	}
	for name, dst := range strs {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		delete(fields, name)
		if string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, fmt.Errorf("token response field %q is not a string", name)
		}
	}
	if raw, ok := fields["foci"]; ok {
		delete(fields, "foci")
		s, err := scalar(raw)
		if err != nil {
			return nil, fmt.Errorf("token response field \"foci\": %w", err)
		}
		r.FOCI = s == "1" || strings.EqualFold(s, "true")
	}
	if r.AccessToken == "" {
		return nil, errors.New("token response has no access_token")
	}
	if r.TokenType == "" {
		r.TokenType = "Bearer"
	}
	var err error
	if r.ExpiresOn, err = expiry(fields, now, r.AccessToken); err != nil {
		return nil, err
	}
	if raw, ok := fields["refresh_in"]; ok {
		delete(fields, "refresh_in")
		if n, err := seconds(raw); err == nil && n > 0 {
			r.RefreshOn = now.Add(time.Duration(n) * time.Second)
		}
	}
	if len(fields) > 0 {
		r.Extra = fields
	}
	return r, nil
}

// expiry picks the access token's expiry: expires_in is authoritative (it is relative, so clock
// skew between us and the service does not matter), expires_on comes next, and the JWT's own exp
// is the last resort.
func expiry(fields map[string]json.RawMessage, now time.Time, accessToken string) (time.Time, error) {
	if raw, ok := fields["expires_in"]; ok {
		n, err := seconds(raw)
		if err != nil {
			return time.Time{}, fmt.Errorf("token response field \"expires_in\": %w", err)
		}
		delete(fields, "expires_in")
		return now.Add(time.Duration(n) * time.Second), nil
	}
	if raw, ok := fields["expires_on"]; ok {
		s, err := scalar(raw)
		if err != nil {
			return time.Time{}, fmt.Errorf("token response field \"expires_on\": %w", err)
		}
		t, err := ParseTimestamp(s, time.UTC)
		if err != nil {
			return time.Time{}, fmt.Errorf("token response field \"expires_on\": %w", err)
		}
		delete(fields, "expires_on")
		return t, nil
	}
	if c, err := DecodeClaims(accessToken); err == nil && !c.Expiry.IsZero() {
		return c.Expiry, nil
	}
	return time.Time{}, errors.New("token response has neither expires_in nor expires_on")
}

// describeNotJSON says what an answer that should be a JSON object is instead, without quoting
// it: empty, an HTML page (a proxy's), or where it stopped being JSON.
func describeNotJSON(body []byte, err error) string {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return "the body is empty"
	case trimmed[0] == '<':
		return fmt.Sprintf("an HTML page of %d bytes: a proxy or captive portal may have answered", len(body))
	}
	return fmt.Sprintf("%d bytes%s", len(body), describeJSONError(body, err))
}

// describeJSONError says where a body stopped being JSON without quoting it.
func describeJSONError(body []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax) && syntax.Offset >= int64(len(body)):
		return ", truncated"
	case errors.As(err, &syntax):
		return fmt.Sprintf(", invalid at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf(", a JSON %s", typ.Value)
	}
	return ""
}
