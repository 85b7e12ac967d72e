// Package config reads the configuration file that git-credential-aad,
// docker-credential-aad and kubectl-aad share, and says where each setting
// came from.
//
// The file is YAML, at $AADCRED_CONFIG or else at
// <user config dir>/aadcred/config.yaml (see Path). Every key is optional:
//
//	tenant: 11111111-2222-3333-4444-555555555555  # or a domain, organizations, common
//	client_id: 04b07795-8ddb-461a-bbee-02f9e1bf7b46
//	method: auto              # auto, browser, devicecode, clientsecret, clientcert,
//	                          # workloadidentity, password, onbehalfof, managedidentity, azurecli
//	authority_host: https://login.microsoftonline.com  # or, instead, cloud:
//	cloud: public             # public, china, usgovernment
//	login_hint: alice@contoso.com
//	redirect_port: 0          # fixed loopback port for the browser flow (0 = random)
//	profile: work             # the profile used when none is named
//	profiles:
//	  work: {tenant: contoso.com, client_id: ..., method: browser}
//	git:
//	  hosts: [git.contoso.com, "*.contoso-git.example"]
//	docker:
//	  registries: [registry.contoso.example, "*.contoso-acr.example"]
//	  audience: https://containerregistry.azure.net  # or arm
//	  identity_token: false
//	keystore:
//	  backend: auto           # auto, keychain, wincred, secret-service, kwallet, pass,
//	                          # keyctl, passphrase, file
//	  dir: /path/to/tokens
//	  encrypt_access_tokens: false
//
// The file holds no secrets, by design: it is often shared, copied into
// dotfile repositories and read by every tool. There is no client_secret or
// password key, and Parse refuses such keys with a pointer to the
// alternatives: client secrets, certificate passwords and the like come from
// the environment (for example AZURE_CLIENT_SECRET) or are saved in the
// keystore.
//
// Settings are resolved with the precedence flag > environment > config file >
// built-in default; Resolve applies it and records the winning Source so that
// --debug and status can say where a value came from.
//
// Every problem with the file is reported as an *Error naming the file, the
// line and the key.
package config
