package fakeentra

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DeviceCodeInfo describes an issued device code, so that a test can approve it without
// reading the client's output.
type DeviceCodeInfo struct {
	UserCode        string
	ClientID        string
	Tenant          string // the tenant path segment the code was asked on
	Target          string // the scope (v2) or resource (v1)
	VerificationURI string
	ExpiresAt       time.Time
}

type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDeclined
	deviceRedeemed
)

// deviceAuthorization is the server side of one device code.
type deviceAuthorization struct {
	info       DeviceCodeInfo
	deviceCode string
	tenant     tenantRef
	target     target
	version    int
	interval   time.Duration
	lastPoll   time.Time
	state      deviceState
	upn        string
	tenantID   string
}

// v2DeviceCodeResponse is the v2 device authorization answer.
type v2DeviceCodeResponse struct {
	UserCode        string `json:"user_code"`
	DeviceCode      string `json:"device_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int64  `json:"expires_in"`
	Interval        int64  `json:"interval"`
	Message         string `json:"message"`
}

// v1DeviceCodeResponse is the v1 answer: verification_url, and numbers as strings.
type v1DeviceCodeResponse struct {
	UserCode        string `json:"user_code"`
	DeviceCode      string `json:"device_code"`
	VerificationURL string `json:"verification_url"`
	ExpiresIn       string `json:"expires_in"`
	Interval        string `json:"interval"`
	Message         string `json:"message"`
}

// OnDeviceCode registers f to be called for every device code issued, before the answer is
// sent (so f must not wait for the client). nil removes it.
func (s *Server) OnDeviceCode(f func(DeviceCodeInfo)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deviceHook = f
}

// AutoApproveDeviceCodes approves every device code as soon as it is issued, as upn. An
// empty upn stops it.
func (s *Server) AutoApproveDeviceCodes(upn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoApprove = upn
}

// ApproveDeviceCode completes a pending device code as the user upn.
func (s *Server) ApproveDeviceCode(userCode, upn string) error {
	user, ok := s.dir.user(upn)
	if !ok {
		return fmt.Errorf("no user %q is registered", upn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pendingDeviceLocked(userCode)
	if err != nil {
		return err
	}
	tenantID, err := userTenant(d.tenant, user)
	if err != nil {
		return fmt.Errorf("user %s cannot sign in to tenant %s", user.UPN, d.tenant.segment)
	}
	d.state, d.upn, d.tenantID = deviceApproved, user.UPN, tenantID
	return nil
}

// DeclineDeviceCode makes a pending device code fail as if the user refused.
func (s *Server) DeclineDeviceCode(userCode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pendingDeviceLocked(userCode)
	if err != nil {
		return err
	}
	d.state = deviceDeclined
	return nil
}

// pendingDeviceLocked finds a device code that is still waiting for the user.
func (s *Server) pendingDeviceLocked(userCode string) (*deviceAuthorization, error) {
	d, ok := s.userCodes[normalizeUserCode(userCode)]
	switch {
	case !ok:
		return nil, fmt.Errorf("no device code has user code %q", userCode)
	case s.now().After(d.info.ExpiresAt):
		return nil, fmt.Errorf("user code %q has expired", userCode)
	case d.state != devicePending:
		return nil, fmt.Errorf("user code %q was already approved or declined", userCode)
	}
	return d, nil
}

func normalizeUserCode(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
}

// handleDeviceCode serves /{tenant}/oauth2/devicecode (version 1) and /oauth2/v2.0/devicecode.
func (s *Server) handleDeviceCode(version int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		answer, err := s.deviceCode(r, version)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, answer)
	}
}

func (s *Server) deviceCode(r *http.Request, version int) (any, error) {
	if r.Method != http.MethodPost {
		return nil, errNotPost(r.Method)
	}
	ref, ok := s.dir.resolveTenant(r.PathValue("tenant"))
	if !ok {
		return nil, errTenantNotFound(r.PathValue("tenant"))
	}
	form := r.PostForm
	app, err := s.lookupClient(form.Get("client_id"), ref)
	if err != nil {
		return nil, err
	}
	var t target
	var requested string
	if version == 2 {
		if form.Get("resource") != "" {
			return nil, errResourceParameterOnV2()
		}
		requested = form.Get("scope")
		t, err = s.parseScope(requested, ref.segment)
	} else {
		requested = form.Get("resource")
		t, err = s.parseResource(requested, form.Get("scope"), ref.segment)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &deviceAuthorization{
		deviceCode: "DAQABAAEAAA" + randomToken(96),
		tenant:     ref,
		target:     t,
		version:    version,
		interval:   s.deviceCodeInterval,
		lastPoll:   now,
		info: DeviceCodeInfo{
			UserCode:        newUserCode(),
			ClientID:        app.ClientID,
			Tenant:          ref.segment,
			Target:          requested,
			VerificationURI: s.URL() + "/devicelogin",
			ExpiresAt:       now.Add(s.deviceCodeLifetime),
		},
	}
	s.issued.add(SecretDeviceCode, d.deviceCode)
	s.mu.Lock()
	s.devices[d.deviceCode] = d
	s.userCodes[d.info.UserCode] = d
	hook, auto := s.deviceHook, s.autoApprove
	s.mu.Unlock()
	if auto != "" {
		if err := s.ApproveDeviceCode(d.info.UserCode, auto); err != nil {
			s.logf("fakeentra: auto-approving device code: %v", err)
		}
	}
	if hook != nil {
		hook(d.info)
	}
	msg := fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", d.info.VerificationURI, d.info.UserCode)
	lifetime, interval := seconds(s.deviceCodeLifetime), seconds(d.interval)
	if version == 1 {
		return v1DeviceCodeResponse{UserCode: d.info.UserCode, DeviceCode: d.deviceCode, VerificationURL: d.info.VerificationURI,
			ExpiresIn: strconv.FormatInt(lifetime, 10), Interval: strconv.FormatInt(interval, 10), Message: msg}, nil
	}
	return v2DeviceCodeResponse{UserCode: d.info.UserCode, DeviceCode: d.deviceCode, VerificationURI: d.info.VerificationURI,
		ExpiresIn: lifetime, Interval: interval, Message: msg}, nil
}

// pollTolerance forgives a poll that comes this much before the interval is up.
const pollTolerance = 100 * time.Millisecond

// grantDeviceCode answers a device-code poll (REFERENCE.md §1.3). The v2 endpoint takes the
// code as device_code, the v1 endpoint as code; their terminal errors are named differently.
func (s *Server) grantDeviceCode(req *tokenRequest) (any, error) {
	param := "device_code"
	if req.version == 1 {
		param = "code"
	}
	raw := req.form.Get(param)
	if raw == "" {
		return nil, errMissingParameter(param)
	}
	app, auth, err := s.authenticateClient(req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	d, ok := s.devices[raw]
	var snapshot deviceAuthorization
	slowDown := false
	if ok {
		if s.strictDevicePolling && now.Sub(d.lastPoll) < d.interval-pollTolerance {
			slowDown = true
			d.interval += 5 * time.Second
		}
		d.lastPoll = now
		snapshot = *d
		if !slowDown && d.state == deviceApproved && now.Before(d.info.ExpiresAt) && strings.EqualFold(d.info.ClientID, app.ClientID) {
			d.state = deviceRedeemed
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, fail("bad_verification_code", 70018, "The provided value for the input parameter 'device_code' is not valid.")
	case !strings.EqualFold(snapshot.info.ClientID, app.ClientID):
		return nil, errGrantForOtherClient()
	case now.After(snapshot.info.ExpiresAt):
		if req.version == 1 {
			return nil, fail("code_expired", 70019, "Verification code expired.")
		}
		return nil, fail("expired_token", 70019, "Verification code expired.")
	case slowDown:
		return nil, fail("slow_down", 70016, "OAuth 2.0 device flow error. Polling too frequently; wait at least the interval between polls.")
	}
	switch snapshot.state {
	case devicePending:
		return nil, fail("authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
	case deviceDeclined:
		if req.version == 1 {
			return nil, fail("access_denied", 65004, "User declined to consent to access the app.")
		}
		return nil, fail("authorization_declined", 65004, "User declined to consent to access the app.")
	case deviceRedeemed:
		return nil, fail("invalid_grant", 70000, "Provided grant is invalid or malformed. The device code has already been redeemed.")
	}
	user, ok := s.dir.user(snapshot.upn)
	if !ok {
		return nil, errMalformedGrant()
	}
	return s.issueDelegated(req, app, auth, user, snapshot.tenantID, snapshot.target, delegatedOptions{amr: []string{"pwd", "mfa"}})
}

// handleDeviceLogin is the page a person opens to enter a user code and sign in.
func (s *Server) handleDeviceLogin(w http.ResponseWriter, r *http.Request) {
	type page struct{ UserCode, Message string }
	switch r.Method {
	case http.MethodGet:
		s.renderPage(w, http.StatusOK, "devicelogin", page{UserCode: r.Form.Get("otc")})
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := r.PostForm
	userCode := f.Get("otc")
	if f.Get("decision") == "decline" {
		if err := s.DeclineDeviceCode(userCode); err != nil {
			s.renderPage(w, http.StatusOK, "devicelogin", page{UserCode: userCode, Message: "That code didn't work. Check the code and try again."})
			return
		}
		s.renderPage(w, http.StatusOK, "devicedone", "You have declined to sign in.")
		return
	}
	user, ok := s.dir.user(f.Get("login"))
	if !ok || user.Password == "" || !constantTimeEqual(user.Password, f.Get("passwd")) {
		s.renderPage(w, http.StatusOK, "devicelogin", page{UserCode: userCode, Message: "Your account or password is incorrect."})
		return
	}
	if err := s.ApproveDeviceCode(userCode, user.UPN); err != nil {
		s.renderPage(w, http.StatusOK, "devicelogin", page{UserCode: userCode, Message: "That code didn't work. Check the code and try again."})
		return
	}
	s.renderPage(w, http.StatusOK, "devicedone", "You have signed in.")
}
