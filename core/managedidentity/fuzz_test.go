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
		`Basic realm=C:\ProgramData\AzureConnectedMachineAgent\Tokens\0f3c.key`,
		`Basic charset="UTF-8", realm="/var/opt/azcmagent/tokens/0f3c.key"`,
		`Basic realm="a\"b"`,
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
		if realm == "" {
			t.Errorf("parseBasicRealm(%q) = \"\" without an error", challenge)
		}
		for i := 0; i < len(realm); i++ {
			if c := realm[i]; c < ' ' && c != '\t' || c == 0x7f {
				t.Errorf("parseBasicRealm(%q) = %q, with a control character", challenge, realm)
			}
		}
		// Only a quoted-pair changes what is read; without one the realm is in the challenge as is.
		if !strings.Contains(challenge, `\`) && !strings.Contains(challenge, realm) {
			t.Errorf("parseBasicRealm(%q) = %q, which is not part of the challenge", challenge, realm)
		}
	})
}
