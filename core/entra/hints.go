package entra

// Hint is one line telling a person what to do about the error, or "" when there is nothing more
// useful to say than the error itself. The first AADSTS code Entra names decides; the OAuth error
// code is the fallback.
func (e *Error) Hint() string {
	for _, code := range e.Codes {
		if h := hintForCode(code); h != "" {
			return h
		}
	}
	switch e.Code {
	case "authorization_declined", "access_denied":
		return "The sign-in was declined. Run the sign-in again and approve it."
	case "expired_token", "code_expired":
		return "The device code expired before the sign-in finished. Run the sign-in again and complete it within the time shown."
	case "temporarily_unavailable":
		return "Entra ID is temporarily unavailable. Try again in a minute."
	case "bad_request_102":
		return "The managed-identity endpoint requires the Metadata header; this is a bug in the client."
	}
	if e.StatusCode == 429 {
		return "Entra ID is throttling requests from this machine. Wait a minute before trying again."
	}
	return ""
}

func hintForCode(code int) string {
	switch code {
	case 50126:
		return "Wrong username or password."
	case 50076, 50079, 50078, 50072, 50074:
		return "Multi-factor authentication is required: sign in interactively (browser or device code); password and silent sign-in cannot do MFA."
	case 65001:
		return "The app has not been granted consent for this resource: sign in interactively to consent, or ask an administrator to grant consent."
	case 65002:
		return "Microsoft does not pre-authorize this client ID for this resource: use a different --client-id (for example your own app registration)."
	case 50058, 16000:
		return "No usable sign-in session: run the sign-in command again."
	case 70008, 700082:
		return "The refresh token expired from inactivity: sign in again."
	case 50173:
		return "The sign-in was revoked (for example by a password change): sign in again."
	case 70043:
		return "Conditional Access sign-in frequency requires a fresh sign-in: sign in again."
	case 70000, 50089:
		return "The grant is no longer valid: sign in again."
	case 54005:
		return "The authorization code was already redeemed: run the sign-in again."
	case 70016:
		return "The device-code sign-in has not been completed yet."
	case 70018:
		return "The device code is not valid: start the sign-in again."
	case 70019:
		return "The device code expired: start the sign-in again and finish it within the time shown."
	case 7000215:
		return "The client secret is wrong: check the value (not the secret ID) in the app registration's Certificates & secrets."
	case 7000222:
		return "The client secret has expired: create a new one in the app registration."
	case 700027:
		return "The client assertion signature did not verify: check that the certificate uploaded to the app registration matches the private key used."
	case 50012:
		return "The certificate or assertion is not authorized for this app: upload the certificate to the app registration, or check its subject name and issuer."
	case 7000218:
		return "This app is a confidential client: give a client secret, certificate or federated token (or enable public client flows for it)."
	case 700025:
		return "This app is a public client: do not send a client secret or certificate for it."
	case 700016:
		return "The application (client ID) was not found in this tenant: check --client-id and --tenant."
	case 700011:
		return "The client ID was not found: check --client-id."
	case 90002:
		return "The tenant was not found: check --tenant (a tenant GUID or a verified domain)."
	case 500011:
		return "The resource is not registered in this tenant: check the resource or scope, and that the service is enabled in the tenant."
	case 50020, 50034:
		return "The account does not exist in this tenant: sign in with an account of the tenant, pick another tenant, or ask for a guest invitation."
	case 53000, 53001, 53002, 53003, 530003, 50097:
		return "Conditional Access blocked this sign-in: sign in with the browser on a compliant, managed device; device code will not help."
	case 901002:
		return "The v2 endpoint does not accept a resource: use --scope <resource>/.default (or the v1 endpoint)."
	case 90124, 90130, 9001023:
		return "This request cannot use the common or consumers tenant: give a tenant ID or domain with --tenant."
	case 50194:
		return "This app is single-tenant: give its tenant with --tenant instead of common or organizations."
	case 700022:
		return "Ask for one resource per request: all scopes must belong to the same resource."
	case 70021:
		return "No federated identity credential matches this token's issuer, subject and audience: check the app's federated credentials."
	case 700024:
		return "The federated token is expired or not yet valid: check the token file and the machine's clock."
	case 500133:
		return "The incoming user assertion has expired: get a fresh one."
	case 50011:
		return "The redirect URI is not registered for this app: register http://localhost for it, or use the device code."
	case 501481:
		return "The PKCE code verifier did not match: run the sign-in again."
	case 50196:
		return "Entra ID detected a request loop and refused this client for now: stop retrying and try again later."
	case 50001, 500014:
		return "The resource is unknown or disabled: check the resource or scope."
	case 9002332:
		return "This app accepts only work or school accounts: use --tenant organizations or your tenant."
	}
	return ""
}
