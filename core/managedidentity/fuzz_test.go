package managedidentity

import (
	"strings"
	"testing"
)

// FuzzParseBasicRealm feeds WWW-Authenticate values, which come from whoever answers at the
// endpoint, to the realm parser.
func FuzzParseBasicRealm(f *testing.F) {
	for _, seed := range []string{
		"Basic realm=/var/opt/azcmagent/tokens/0f3c.key",
		`Basic realm="C:\ProgramData\AzureConnectedMachineAgent\Tokens\0f3c.key"`,
		`Basic realm="unterminated`,
		"Basic realm=",
		"basic REALM=x",
		"Bearer realm=\"x\", Basic realm=y",
		"Basic",
		"",
		"Basic\trealm=tab",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, challenge string) {
		realm, err := parseBasicRealm([]string{challenge})
		if err != nil {
			if realm != "" {
				t.Errorf("parseBasicRealm(%q) = %q with error %v", challenge, realm, err)
			}
			return
		}
		if realm == "" || strings.HasPrefix(realm, `"`) {
			t.Errorf("parseBasicRealm(%q) = %q", challenge, realm)
		}
		if !strings.Contains(challenge, realm) {
			t.Errorf("parseBasicRealm(%q) = %q, which is not part of the challenge", challenge, realm)
		}
	})
}
