package fakeentra

// The fake's default directory. Every Server starts with these registrations.
const (
	// DefaultTenant is the tenant every Server starts with.
	DefaultTenant = "aadc0de0-7e57-4e7a-9c1d-5f0c0de0fa4e"
	// DefaultTenantDomain is the verified domain of DefaultTenant.
	DefaultTenantDomain = "contoso.onmicrosoft.com"
	// DefaultUser is the UPN of the user every Server starts with.
	DefaultUser = "alice@contoso.onmicrosoft.com"
	// DefaultUserPassword is DefaultUser's password (a test credential).
	DefaultUserPassword = "fake-password-for-tests"
	// DefaultUserObjectID is DefaultUser's object ID.
	DefaultUserObjectID = "a11ce000-0000-4000-8000-000000000001"
	// SystemIdentityClientID is the client ID of the system-assigned managed identity.
	SystemIdentityClientID = "5ca1ab1e-0000-4000-8000-00000000c11d"
	// SystemIdentityObjectID is the object ID of the system-assigned managed identity.
	SystemIdentityObjectID = "5ca1ab1e-0000-4000-8000-00000000001d"
	// SystemIdentityResourceID is the ARM ID of the resource that owns the system identity.
	SystemIdentityResourceID = "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/fake-rg/providers/Microsoft.Compute/virtualMachines/fake-vm"
)

// Well-known IDs of first-party applications and resources (REFERENCE.md §1.14).
const (
	// AzureCLIClientID is the Azure CLI public client, a FOCI family member.
	AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	// VisualStudioClientID is the Visual Studio public client (used by GCM for Azure Repos).
	VisualStudioClientID = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1"
	// AKSClientID is the AKS AAD public client.
	AKSClientID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
	// AzureDevOpsResource is the Azure DevOps resource app ID.
	AzureDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798"
	// ARMAppID is the app ID of Azure Resource Manager.
	ARMAppID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
	// ManagementCoreResource is ARM's classic audience.
	ManagementCoreResource = "https://management.core.windows.net/"
	// ManagementResource is ARM's other audience.
	ManagementResource = "https://management.azure.com/"
	// ACRResource is the Azure Container Registry audience.
	ACRResource = "https://containerregistry.azure.net"
	// ACRAppID is the fake's app ID for the ACR resource (the real one is not documented).
	ACRAppID = "acc0de00-0000-4000-8000-0000000000ac"
	// AKSServerAppID is the AKS AAD server app, the audience of cluster tokens.
	AKSServerAppID = "6dae42f8-4368-4678-94ff-3960e28e3630"
	// GraphResource is Microsoft Graph's identifier URI.
	GraphResource = "https://graph.microsoft.com"
	// GraphAppID is Microsoft Graph's app ID.
	GraphAppID = "00000003-0000-0000-c000-000000000000"
	// KeyVaultResource is Azure Key Vault's identifier URI.
	KeyVaultResource = "https://vault.azure.net"
	// KeyVaultAppID is Azure Key Vault's app ID.
	KeyVaultAppID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
	// FederationAudience is the audience federated identity credentials expect.
	FederationAudience = "api://AzureADTokenExchange"
)

// defaultResources are the APIs every Server knows.
func defaultResources() []Resource {
	return []Resource{
		{AppID: AzureDevOpsResource, DisplayName: "Azure DevOps", IdentifierURIs: []string{"https://app.vssps.visualstudio.com"}, Scopes: []string{"user_impersonation"}},
		{AppID: ARMAppID, DisplayName: "Windows Azure Service Management API", IdentifierURIs: []string{ManagementCoreResource, ManagementResource}, Scopes: []string{"user_impersonation"}},
		{AppID: ACRAppID, DisplayName: "Azure Container Registry", IdentifierURIs: []string{ACRResource}, Scopes: []string{"user_impersonation"}},
		{AppID: AKSServerAppID, DisplayName: "Azure Kubernetes Service AAD Server", Scopes: []string{"user.read"}},
		{AppID: GraphAppID, DisplayName: "Microsoft Graph", IdentifierURIs: []string{GraphResource},
			Scopes: []string{"User.Read", "User.ReadBasic.All", "Directory.Read.All", "email", "profile", "openid"},
			Roles:  []string{"User.Read.All", "Directory.Read.All"}},
		{AppID: KeyVaultAppID, DisplayName: "Azure Key Vault", IdentifierURIs: []string{KeyVaultResource}, Scopes: []string{"user_impersonation"}},
	}
}

// defaultApps are the first-party public clients every Server knows; they exist in every tenant.
func defaultApps() []App {
	return []App{
		{ClientID: AzureCLIClientID, DisplayName: "Microsoft Azure CLI", Public: true, FOCI: true},
		{ClientID: VisualStudioClientID, DisplayName: "Visual Studio", Public: true},
		{ClientID: AKSClientID, DisplayName: "Azure Kubernetes Service AAD Client", Public: true},
	}
}
