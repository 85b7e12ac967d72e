package azurecli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

// Token is an access token minted by the Azure CLI.
type Token struct {
	AccessToken  string
	TokenType    string // "Bearer"
	Tenant       string // the tenant the token was issued in
	Subscription string // az's current subscription
	ExpiresOn    time.Time
}

// Parse reads the JSON that `az account get-access-token` prints. The expiry comes from
// expires_on (Unix seconds, az 2.54 and later) or else from expiresOn, a date without a zone in
// az's local time, read in loc. Errors name fields but never quote the output, which holds the
// token.
func Parse(output []byte, loc *time.Location) (*Token, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(output, []byte("\uFEFF")), &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("the Azure CLI's output is not a JSON object (%d bytes)", len(output))
	}
	tok := &Token{}
	for name, dst := range map[string]*string{
		"accessToken":  &tok.AccessToken,
		"tokenType":    &tok.TokenType,
		"tenant":       &tok.Tenant,
		"subscription": &tok.Subscription,
	} {
		if raw, ok := fields[name]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, fmt.Errorf("the Azure CLI's %s is not a string", name)
			}
		}
	}
	if tok.AccessToken == "" {
		return nil, errors.New("the Azure CLI's output has no accessToken")
	}
	if tok.TokenType == "" {
		tok.TokenType = "Bearer"
	}
	var err error
	if tok.ExpiresOn, err = expiry(fields, loc); err != nil {
		return nil, err
	}
	return tok, nil
}

// expiry prefers expires_on, which is unambiguous, to expiresOn, whose zone is whatever az's was.
func expiry(fields map[string]json.RawMessage, loc *time.Location) (time.Time, error) {
	for _, name := range []string{"expires_on", "expiresOn"} {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			continue
		}
		s, err := scalar(raw)
		if err != nil {
			return time.Time{}, fmt.Errorf("the Azure CLI's %s is neither a number nor a string", name)
		}
		t, err := entra.ParseTimestamp(s, loc)
		if err != nil {
			// entra's error quotes the value; ours does not, as nothing from az's output is quoted.
			return time.Time{}, fmt.Errorf("the Azure CLI's %s is not a time this client knows", name)
		}
		return t, nil
	}
	return time.Time{}, errors.New("the Azure CLI's output has neither expires_on nor expiresOn")
}

// scalar returns a JSON string's contents or a JSON number's text.
func scalar(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}
