package entra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// seconds decodes a count of seconds sent either as a JSON number (v2) or as a numeric string
// (v1, managed identity).
func seconds(raw json.RawMessage) (int64, error) {
	s, err := scalar(raw)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 1e10 {
		return 0, fmt.Errorf("%s is not a number of seconds", clip(string(raw)))
	}
	return int64(n), nil
}

// scalar returns a JSON number or string as text.
func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("%s is neither a number nor a string", clip(string(raw)))
	}
	return n.String(), nil
}

// timestampLayouts are the date forms Azure services have used for expires_on: the legacy App
// Service MSI API, Cloud Shell and the Azure CLI among them.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"01/02/2006 15:04:05 -07:00",
	"01/02/2006 03:04:05 PM -07:00",
	"01/02/2006 15:04:05",
	"1/2/2006 3:04:05 PM -07:00",
	"1/2/2006 3:04:05 PM",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02T15:04:05.999999999",
}

// ParseTimestamp reads an expiry sent as Unix seconds (number or string) or as one of the date
// forms Azure services use. A date without a zone is read in loc, which is UTC for every Entra
// and managed-identity answer and the local zone for the Azure CLI's expiresOn.
func ParseTimestamp(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n <= 0 || n > 1e11 {
			return time.Time{}, fmt.Errorf("timestamp %s is out of range", clip(s))
		}
		return time.Unix(int64(n), 0), nil
	}
	for _, layout := range timestampLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %s is not Unix seconds or a known date form", clip(s))
}

// clip keeps a value short enough for an error message. It is only ever used on values that are
// not secret (numbers, dates, field names).
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
