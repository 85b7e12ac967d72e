package fakeentra

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// principal is who a token is about and who asked for it.
type principal struct {
	tenantID string
	clientID string // appid / azp
	auth     string // appidacr / azpacr
	// user is set for delegated tokens.
	user *User
	// objectID is the oid of app-only tokens: the service principal or managed identity.
	objectID string
	roles    []string
	// miResourceID is the xms_mirid of managed-identity tokens.
	miResourceID string
	amr          []string
	// popKeyID binds the token to a proof-of-possession key (its cnf claim).
	popKeyID string
}

// accessToken is a minted access token and its times.
type accessToken struct {
	raw       string
	notBefore time.Time
	expires   time.Time
	lifetime  time.Duration
}

// mintAccessToken signs an access token of the given version (1 or 2) for p on t.
func (s *Server) mintAccessToken(p principal, t target, version int) (accessToken, error) {
	now := s.now().Truncate(time.Second)
	lifetime := s.accessTokenLifetime()
	issuedAt := now.Add(-5 * time.Minute) // Entra back-dates iat and nbf by five minutes
	exp := now.Add(lifetime)
	c := map[string]any{
		"iat": issuedAt.Unix(),
		"nbf": issuedAt.Unix(),
		"exp": exp.Unix(),
		"tid": p.tenantID,
		"uti": randomToken(16),
		"rh":  "0." + randomToken(24),
	}
	if version == 2 {
		c["aud"] = t.resource.AppID
		c["iss"] = s.URL() + "/" + p.tenantID + "/v2.0"
		c["ver"] = "2.0"
		c["azp"] = p.clientID
		c["azpacr"] = p.auth
	} else {
		c["aud"] = t.audience
		c["iss"] = v1Issuer(p.tenantID)
		c["ver"] = "1.0"
		c["appid"] = p.clientID
		c["appidacr"] = p.auth
	}
	if p.popKeyID != "" {
		c["cnf"] = cnfClaim(p.popKeyID)
	}
	if u := p.user; u != nil {
		c["idtyp"] = "user"
		c["oid"] = u.ObjectID
		c["sub"] = pairwiseSubject(u.ObjectID, p.clientID)
		c["scp"] = strings.Join(t.scopes, " ")
		c["name"] = u.Name
		c["amr"] = p.amrOrPassword()
		if version == 2 {
			c["preferred_username"] = u.UPN
		} else {
			c["upn"] = u.UPN
			c["unique_name"] = u.UPN
			c["acr"] = "1"
		}
	} else {
		c["idtyp"] = "app"
		c["oid"] = p.objectID
		c["sub"] = p.objectID
		if len(p.roles) > 0 {
			c["roles"] = p.roles
		}
		if p.miResourceID != "" {
			c["xms_mirid"] = p.miResourceID
			c["idp"] = v1Issuer(p.tenantID)
		}
	}
	raw, err := s.signer.sign(c)
	if err != nil {
		return accessToken{}, err
	}
	s.issued.add(SecretAccessToken, raw)
	return accessToken{raw: raw, notBefore: issuedAt, expires: exp, lifetime: lifetime}, nil
}

// v1Issuer is the issuer of v1 tokens; it is always Entra's STS host, never the login host.
func v1Issuer(tenantID string) string { return "https://sts.windows.net/" + tenantID + "/" }

// pairwiseSubject derives a per-application subject, as Entra's sub claim is.
func pairwiseSubject(objectID, clientID string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(objectID) + "|" + strings.ToLower(clientID)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// clientInfo is the base64url {"uid","utid"} MSAL asks for with client_info=1.
func clientInfo(objectID, tenantID string) string {
	b, _ := json.Marshal(map[string]string{"uid": objectID, "utid": tenantID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// v2TokenResponse is a v2 token answer: numbers are JSON numbers.
type v2TokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"` // absent from client-credentials answers
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	RefreshIn    int64  `json:"refresh_in,omitempty"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	ClientInfo   string `json:"client_info,omitempty"`
	FOCI         string `json:"foci,omitempty"`
}

// v1TokenResponse is a v1 token answer: numbers are strings, and the resource is echoed.
type v1TokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    string `json:"expires_in"`
	ExtExpiresIn string `json:"ext_expires_in"`
	ExpiresOn    string `json:"expires_on"`
	NotBefore    string `json:"not_before"`
	Resource     string `json:"resource"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	FOCI         string `json:"foci,omitempty"`
}

// delegatedOptions vary a delegated answer by grant.
type delegatedOptions struct {
	nonce string   // echoed in the ID token (authorization code flow)
	amr   []string // how the user authenticated
	// alwaysRefresh returns a new refresh token even without offline_access, as a refresh
	// token redemption does.
	alwaysRefresh bool
}

// issueDelegated answers a user grant: an access token, plus a refresh token (v1 always, v2
// with offline_access), an ID token (with openid), client_info and foci.
func (s *Server) issueDelegated(req *tokenRequest, app *App, auth string, user *User, tenantID string, t target, opts delegatedOptions) (any, error) {
	p := principal{tenantID: tenantID, clientID: app.ClientID, auth: auth, user: user, amr: opts.amr, popKeyID: req.popKeyID}
	at, err := s.mintAccessToken(p, t, req.tokenVersion(t))
	if err != nil {
		return nil, err
	}
	var rt, idt string
	if req.version == 1 || t.offline || opts.alwaysRefresh {
		rt = s.storeRefreshToken(app, user, tenantID, req.version)
	}
	if t.openid {
		if idt, err = s.mintIDToken(p, t, req.version, opts.nonce); err != nil {
			return nil, err
		}
	}
	foci := ""
	if app.FOCI {
		foci = "1"
	}
	if req.version == 1 {
		return v1Answer(at, t, strings.Join(t.scopes, " "), rt, idt, foci), nil
	}
	info := ""
	if req.form.Get("client_info") == "1" {
		info = clientInfo(user.ObjectID, user.Tenant) // the home account, in a guest tenant too
	}
	return v2TokenResponse{
		TokenType: req.tokenType(), Scope: t.grantedScope(),
		ExpiresIn: seconds(at.lifetime), ExtExpiresIn: seconds(at.lifetime), RefreshIn: refreshIn(at.lifetime),
		AccessToken: at.raw, RefreshToken: rt, IDToken: idt, ClientInfo: info, FOCI: foci,
	}, nil
}

// issueAppOnly answers an app grant: an access token only, with the app's roles that the
// resource defines.
func (s *Server) issueAppOnly(req *tokenRequest, app *App, auth, tenantID string, t target) (any, error) {
	var roles []string
	for _, r := range app.Roles {
		for _, defined := range t.resource.Roles {
			if strings.EqualFold(r, defined) {
				roles = append(roles, defined)
			}
		}
	}
	p := principal{tenantID: tenantID, clientID: app.ClientID, auth: auth, objectID: app.ObjectID, roles: roles, popKeyID: req.popKeyID}
	at, err := s.mintAccessToken(p, t, req.tokenVersion(t))
	if err != nil {
		return nil, err
	}
	if req.version == 1 {
		return v1Answer(at, t, "", "", "", ""), nil
	}
	// No scope, no client_info even when asked for: Azure SDK recordings of live client-credentials
	// answers hold token_type, expires_in, ext_expires_in and access_token only.
	return v2TokenResponse{
		TokenType: req.tokenType(), ExpiresIn: seconds(at.lifetime), ExtExpiresIn: seconds(at.lifetime),
		RefreshIn: refreshIn(at.lifetime), AccessToken: at.raw,
	}, nil
}

func v1Answer(at accessToken, t target, scope, rt, idt, foci string) v1TokenResponse {
	in := strconv.FormatInt(seconds(at.lifetime), 10)
	return v1TokenResponse{
		TokenType: "Bearer", Scope: scope, ExpiresIn: in, ExtExpiresIn: in,
		ExpiresOn: strconv.FormatInt(at.expires.Unix(), 10), NotBefore: strconv.FormatInt(at.notBefore.Unix(), 10),
		Resource: t.audience, AccessToken: at.raw, RefreshToken: rt, IDToken: idt, FOCI: foci,
	}
}

// longLivedToken is the lifetime beyond which an answer suggests refreshing at half-time.
const longLivedToken = 2 * time.Hour

// refreshIn is the refresh_in of a v2 answer: half the lifetime of a long-lived token (CAE
// tokens live 20-28 h), nothing for the usual hour. MSAL Go's managed-identity client assumes
// the same point when the field is absent and the token lives longer than two hours.
func refreshIn(lifetime time.Duration) int64 {
	if lifetime <= longLivedToken {
		return 0
	}
	return seconds(lifetime / 2)
}

// seconds is d in whole seconds, never negative.
func seconds(d time.Duration) int64 { return max(int64(d/time.Second), 0) }
