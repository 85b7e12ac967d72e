package kubelogin

import (
	"errors"
	"fmt"
	"strings"
)

// ParsePoPClaims reads --pop-claims as kubelogin does: comma-separated key=value pairs, keys
// and values trimmed and not empty, among them u, the ARM ID of the cluster the token is for.
func ParsePoPClaims(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("--pop-claims is empty: give u=<ARM ID of the cluster>")
	}
	claims := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		key, value, ok := strings.Cut(pair, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" || value == "" {
			return nil, fmt.Errorf("--pop-claims %q: each claim is key=value, separated by commas", s)
		}
		claims[key] = value
	}
	if claims["u"] == "" {
		return nil, fmt.Errorf("--pop-claims %q has no u claim: give u=<ARM ID of the cluster>", s)
	}
	return claims, nil
}

// CheckPoP refuses --pop-enabled and --pop-claims apart, as kubelogin does, and claims without u.
func (o Options) CheckPoP() error {
	switch {
	case o.PoPEnabled && o.PoPClaims == "":
		return fmt.Errorf("--%s needs --%s with the cluster's ARM ID: --%s u=<ARM ID>", FlagPoPEnabled, FlagPoPClaims, FlagPoPClaims)
	case !o.PoPEnabled && o.PoPClaims != "":
		return fmt.Errorf("--%s needs --%s: give both for a proof-of-possession token, or neither", FlagPoPClaims, FlagPoPEnabled)
	case o.PoPEnabled:
		_, err := ParsePoPClaims(o.PoPClaims)
		return err
	}
	return nil
}
