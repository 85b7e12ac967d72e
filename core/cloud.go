package core

import (
	"fmt"
	"strings"
)

// Cloud is one Azure cloud: where its users sign in and what its resources are called
// (REFERENCE.md 1.13).
type Cloud struct {
	Name          string // public, china, usgovernment
	AuthorityHost string
	ARMEndpoint   string
	ARMAudience   string // the v1 resource of Azure Resource Manager
	ACRSuffix     string // login-server suffix of its container registries
}

// Clouds lists the Azure clouds aadcred knows.
func Clouds() []Cloud {
	return []Cloud{
		{
			Name:          "public",
			AuthorityHost: "https://login.microsoftonline.com",
			ARMEndpoint:   "https://management.azure.com/",
			ARMAudience:   "https://management.core.windows.net/",
			ACRSuffix:     ".azurecr.io",
		},
		{
			Name:          "china",
			AuthorityHost: "https://login.chinacloudapi.cn",
			ARMEndpoint:   "https://management.chinacloudapi.cn/",
			ARMAudience:   "https://management.core.chinacloudapi.cn/",
			ACRSuffix:     ".azurecr.cn",
		},
		{
			Name:          "usgovernment",
			AuthorityHost: "https://login.microsoftonline.us",
			ARMEndpoint:   "https://management.usgovcloudapi.net/",
			ARMAudience:   "https://management.core.usgovcloudapi.net/",
			ACRSuffix:     ".azurecr.us",
		},
	}
}

// CloudOfAuthority finds the cloud whose users sign in at authorityHost; a host of no known
// cloud (a test's, Azure Stack's) finds none.
func CloudOfAuthority(authorityHost string) (Cloud, bool) {
	for _, c := range Clouds() {
		if strings.EqualFold(strings.TrimRight(c.AuthorityHost, "/"), strings.TrimRight(authorityHost, "/")) {
			return c, true
		}
	}
	return Cloud{}, false
}

// PublicAuthorityHost is where users of the public cloud sign in, the default authority.
const PublicAuthorityHost = "https://login.microsoftonline.com"

// LookupCloud finds a cloud by name. It accepts aadcred's short names and the names the Azure CLI
// and kubelogin use (AzureCloud, AzurePublicCloud, AzureChinaCloud, AzureUSGovernment, …), in any
// case. An unknown name is an error: silently falling back to the public cloud sent US Government
// users to the wrong authority (Azure/kubelogin#507).
func LookupCloud(name string) (Cloud, error) {
	clouds := Clouds()
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "public", "azurecloud", "azurepubliccloud", "azurepublic":
		return clouds[0], nil
	case "china", "azurechinacloud", "azurechina":
		return clouds[1], nil
	case "usgovernment", "usgov", "azureusgovernment", "azureusgovernmentcloud":
		return clouds[2], nil
	}
	return Cloud{}, fmt.Errorf("unknown cloud %q: use public (AzureCloud), china (AzureChinaCloud) or usgovernment (AzureUSGovernment), or give an authority host", name)
}
