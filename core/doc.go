// Package core is the one path from a request to an Entra ID token, shared by git-credential-aad,
// docker-credential-aad and kubectl-aad and usable as a library.
//
// A Request says which authority, tenant, client and target a token is for, which method obtains
// it (a client secret, a certificate, a federated token, managed identity, the Azure CLI, a person
// in a browser or at a device-code prompt, …) and whether a person may be asked. Client.Acquire
// answers it: from the cache when a valid token is there, else by redeeming a refresh token, else
// by running the method.
//
// Web apps and custom user interfaces that drive the person themselves use the two-step forms:
// AuthCodeURL and RedeemCode for the authorization-code flow, StartDeviceCode and PollDeviceCode
// for the device-code flow.
package core
