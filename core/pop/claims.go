package pop

import (
	"errors"
	"fmt"
	"strings"
)

// ParseClaims reads the claims of a signed request as kubelogin's --pop-claims gives them:
// comma-separated key=value pairs, keys and values trimmed and not empty, among them u, the host
// the request is for (for an Azure Arc cluster, its ARM ID). The get-token flags and the
// kubeconfig converter read them alike.
func ParseClaims(s string) (map[string]string, error) {
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
