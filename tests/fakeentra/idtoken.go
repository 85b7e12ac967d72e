package fakeentra

import "time"

// idTokenLifetime is how long an ID token is valid.
const idTokenLifetime = time.Hour

// mintIDToken signs the ID token of a user sign-in, addressed to the client
// (entra-docs id-token-claims-reference.md). The v1 endpoint's names the user with upn and
// unique_name and carries amr; the v2 endpoint's carries oid, name and preferred_username only
// when the request asked for profile, which MSAL always does.
func (s *Server) mintIDToken(p principal, t target, version int, nonce string) (string, error) {
	now := s.now().Truncate(time.Second)
	u := p.user
	c := map[string]any{
		"aud": p.clientID,
		"iat": now.Add(-5 * time.Minute).Unix(),
		"nbf": now.Add(-5 * time.Minute).Unix(),
		"exp": now.Add(idTokenLifetime).Unix(),
		"tid": p.tenantID,
		"sub": pairwiseSubject(u.ObjectID, p.clientID),
		"uti": randomToken(16),
		"rh":  "0." + randomToken(24),
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if version == 1 {
		c["iss"] = v1Issuer(p.tenantID)
		c["ver"] = "1.0"
		c["oid"] = u.ObjectID
		c["upn"] = u.UPN
		c["unique_name"] = u.UPN
		c["name"] = u.Name
		c["amr"] = p.amrOrPassword()
		return s.signIDToken(c)
	}
	c["iss"] = s.URL() + "/" + p.tenantID + "/v2.0"
	c["ver"] = "2.0"
	if t.profile {
		c["oid"] = u.ObjectID
		c["preferred_username"] = u.UPN
		c["name"] = u.Name
	}
	return s.signIDToken(c)
}

// signIDToken signs an ID token's claims and records the token.
func (s *Server) signIDToken(c map[string]any) (string, error) {
	raw, err := s.signer.sign(c)
	if err == nil {
		s.issued.add(SecretIDToken, raw)
	}
	return raw, err
}

// amrOrPassword is how the user authenticated, a password when nothing says otherwise.
func (p principal) amrOrPassword() []string {
	if len(p.amr) == 0 {
		return []string{"pwd"}
	}
	return p.amr
}
