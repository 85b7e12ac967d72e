package core

import (
	"errors"
	"net/url"
)

// addClientSecret authenticates the application with its client secret, in the form body:
// Entra does not accept HTTP Basic client authentication.
func addClientSecret(form url.Values, cred Credential) error {
	if cred.ClientSecret == "" {
		return errors.New("the clientsecret method needs a client secret: set AZURE_CLIENT_SECRET (or give --client-secret)")
	}
	form.Set("client_secret", cred.ClientSecret)
	return nil
}
