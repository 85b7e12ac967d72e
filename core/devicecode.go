package core

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

// DeviceCodeFlow is a device-code sign-in in progress: show Message (or VerificationURI and
// UserCode) to the person, then call PollDeviceCode.
type DeviceCodeFlow struct {
	UserCode        string
	VerificationURI string
	Message         string
	ExpiresAt       time.Time

	code *entra.DeviceCode
	r    *settled
	form url.Values
}

// StartDeviceCode begins a device-code sign-in for req. The sign-in happens on any device with a
// browser, which suits machines without one (SSH sessions, containers). Conditional Access often
// blocks it; prefer the browser where one exists.
func (c *Client) StartDeviceCode(ctx context.Context, req Request) (*DeviceCodeFlow, error) {
	req.Method = DeviceCode
	r, err := settle(req, c.getenv)
	if err != nil {
		return nil, err
	}
	return c.startDeviceCode(ctx, r)
}

// PollDeviceCode waits until the person has signed in, declined, or the code expired, and
// returns the token. With a Store, the signed-in account is kept for later calls to Acquire.
func (c *Client) PollDeviceCode(ctx context.Context, flow *DeviceCodeFlow) (*Token, error) {
	tok, err := c.pollDeviceCode(ctx, flow)
	if err != nil {
		return nil, err
	}
	return tok, c.remember(ctx, flow.r, tok)
}

func (c *Client) startDeviceCode(ctx context.Context, r *settled) (*DeviceCodeFlow, error) {
	form := url.Values{"client_id": {r.ClientID}}
	if err := r.Target.apply(form, r.Version, true, c.log()); err != nil {
		return nil, err
	}
	start := maps.Clone(form)
	if r.Claims != "" {
		start.Set("claims", r.Claims)
	}
	dc, err := c.entra().StartDeviceCode(ctx, r.endpoint, start)
	if err != nil {
		return nil, fmt.Errorf("starting the device code sign-in: %w", err)
	}
	return &DeviceCodeFlow{
		UserCode: dc.UserCode, VerificationURI: dc.VerificationURI, Message: dc.Message, ExpiresAt: dc.ExpiresAt,
		code: dc, r: r, form: form,
	}, nil
}

func (c *Client) pollDeviceCode(ctx context.Context, flow *DeviceCodeFlow) (*Token, error) {
	if flow == nil || flow.code == nil || flow.r == nil {
		return nil, errors.New("no device code sign-in in progress to wait for: start one with StartDeviceCode")
	}
	poll := maps.Clone(flow.form)
	if flow.r.Version == entra.V2 {
		poll.Set("client_info", "1")
	}
	flow.r.bindKey(poll)
	tr, err := c.entra().PollDeviceCode(ctx, flow.r.endpoint, flow.code, poll)
	if err != nil {
		return nil, fmt.Errorf("device code sign-in: %w", err)
	}
	tok := newToken(tr)
	return tok, flow.r.checkBound(tok)
}

// deviceCode runs the whole flow for Acquire: the instructions go to the prompt writer, never to
// the tool's protocol stream.
func (c *Client) deviceCode(ctx context.Context, r *settled) (*Token, error) {
	if !r.Interaction.Allowed {
		return nil, r.needPerson()
	}
	ctx, cancel := context.WithTimeout(ctx, r.Interaction.Timeout)
	defer cancel()
	flow, err := c.startDeviceCode(ctx, r)
	if err != nil {
		return nil, err
	}
	// Our own instructions rather than the service's message: they say who asks and for
	// what, and keep the code on a line of its own.
	fmt.Fprint(r.Interaction.Prompt, deviceCodeInstructions(r.Interaction.Purpose, flow, c.now()))
	return c.waitForPerson(ctx, r, flow.ExpiresAt, func() (*Token, error) { return c.pollDeviceCode(ctx, flow) })
}
