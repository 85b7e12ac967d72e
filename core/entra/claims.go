package entra

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Claims are the fields of an Entra access or ID token that a client needs to tell tokens and
// accounts apart. They are read without verifying the signature: a client has no business
// verifying a token meant for someone else, and uses these only to label and index what it holds.
type Claims struct {
	Audience  string
	Issuer    string
	TenantID  string // tid
	ObjectID  string // oid
	Subject   string
	UPN       string // upn, else preferred_username, unique_name or email
	Name      string
	AppID     string // appid (v1) or azp (v2)
	Scopes    string // scp
	Roles     []string
	IDType    string // idtyp: "user" or "app"
	Version   string // ver
	Expiry    time.Time
	NotBefore time.Time
	IssuedAt  time.Time
}

// DecodeClaims reads the payload of a JWT without verifying it. Tokens that are not JWTs (some
// first-party resources get encrypted tokens) give an error; callers treat claims as optional.
func DecodeClaims(token string) (*Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, errors.New("token payload is not base64url")
	}
	var raw struct {
		Aud               json.RawMessage `json:"aud"`
		Iss               string          `json:"iss"`
		Tid               string          `json:"tid"`
		Oid               string          `json:"oid"`
		Sub               string          `json:"sub"`
		UPN               string          `json:"upn"`
		PreferredUsername string          `json:"preferred_username"`
		UniqueName        string          `json:"unique_name"`
		Email             string          `json:"email"`
		Name              string          `json:"name"`
		AppID             string          `json:"appid"`
		Azp               string          `json:"azp"`
		Scp               string          `json:"scp"`
		Roles             []string        `json:"roles"`
		IDType            string          `json:"idtyp"`
		Ver               string          `json:"ver"`
		Exp               json.RawMessage `json:"exp"`
		Nbf               json.RawMessage `json:"nbf"`
		Iat               json.RawMessage `json:"iat"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, fmt.Errorf("token payload is not the JSON claims of an Entra token%s", describeJSONError(payload, err))
	}
	c := &Claims{
		Issuer: raw.Iss, TenantID: raw.Tid, ObjectID: raw.Oid, Subject: raw.Sub, Name: raw.Name,
		UPN:    cmp.Or(raw.UPN, raw.PreferredUsername, raw.UniqueName, raw.Email),
		AppID:  cmp.Or(raw.AppID, raw.Azp),
		Scopes: raw.Scp, Roles: raw.Roles, IDType: raw.IDType, Version: raw.Ver,
	}
	c.Audience = audience(raw.Aud)
	c.Expiry, c.NotBefore, c.IssuedAt = unixClaim(raw.Exp), unixClaim(raw.Nbf), unixClaim(raw.Iat)
	return c, nil
}

// unixClaim reads a NumericDate claim (a number, or a numeric string from lenient issuers); the
// zero time when it is absent or unreadable.
func unixClaim(raw json.RawMessage) time.Time {
	if len(raw) == 0 {
		return time.Time{}
	}
	if n, err := seconds(raw); err == nil && n > 0 {
		return time.Unix(n, 0)
	}
	return time.Time{}
}

// audience reads aud, which JWTs may send as a string or a list; Entra sends one string.
func audience(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		return many[0]
	}
	return ""
}

// ClientInfo is the home account the v2 endpoint reports when asked with client_info=1.
type ClientInfo struct {
	UID  string `json:"uid"`
	UTID string `json:"utid"`
}

// DecodeClientInfo decodes the base64url JSON client_info of a v2 token response.
func DecodeClientInfo(s string) (*ClientInfo, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, errors.New("client_info is not base64url")
	}
	var ci ClientInfo
	if err := json.Unmarshal(b, &ci); err != nil {
		return nil, errors.New("client_info is not a JSON object")
	}
	return &ci, nil
}
