package managedidentity

import (
	"fmt"
	"net/url"
)

// endpointURL builds a request URL from an endpoint named by the environment variable name,
// keeping any query the platform put in it.
func endpointURL(name, raw string, query url.Values) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("%s is not set", name)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s=%q is not an http or https URL", name, raw)
	}
	q := u.Query()
	for k, vs := range query {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
