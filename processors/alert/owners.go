package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strings"
)

// Route is who owns an automation and how to reach them.
type Route struct {
	Automation string
	// Owner is the responsible person, named in every alert.
	Owner string
	// SlackWebhookURL is a Slack incoming-webhook URL (a credential: never logged).
	SlackWebhookURL string
	// Email is the owner's address, reached over SMTP.
	Email string
}

// Channels lists the route's channels: slack, email.
func (r Route) Channels() []string {
	var out []string
	if r.SlackWebhookURL != "" {
		out = append(out, "slack")
	}
	if r.Email != "" {
		out = append(out, "email")
	}
	return out
}

// Owners is the ownership config (OWNERS_FILE, example deploy/hris/owners.json): per
// automation, the responsible person and their channels; "default" covers automations not
// listed.
type Owners struct {
	Source   string
	routes   map[string]Route
	fallback *Route
}

// For returns the route of automation (or the default route).
func (o *Owners) For(automation string) (Route, bool) {
	if r, ok := o.routes[automation]; ok {
		return r, true
	}
	if o.fallback != nil {
		r := *o.fallback
		r.Automation = automation
		return r, true
	}
	return Route{}, false
}

// NeedsEmail reports whether any route sends email (then SMTP must be configured).
func (o *Owners) NeedsEmail() bool {
	for _, r := range o.routes {
		if r.Email != "" {
			return true
		}
	}
	return o.fallback != nil && o.fallback.Email != ""
}

// Automations lists the automations with a route of their own.
func (o *Owners) Automations() []string {
	out := make([]string, 0, len(o.routes))
	for k := range o.routes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type rawRoute struct {
	Owner              string `json:"owner"`
	SlackWebhookURL    string `json:"slack_webhook_url"`
	SlackWebhookURLEnv string `json:"slack_webhook_url_env"`
	Email              string `json:"email"`
	Comment            any    `json:"_comment"`
}

type rawOwners struct {
	Automations map[string]json.RawMessage `json:"automations"`
	Default     json.RawMessage            `json:"default"`
	Comment     any                        `json:"_comment"`
}

// LoadOwners reads the ownership config at path; getenv resolves slack_webhook_url_env.
func LoadOwners(path string, getenv func(string) (string, bool)) (*Owners, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read owners file: %w", err)
	}
	return ParseOwners(path, b, getenv)
}

// ParseOwners parses and checks an ownership config; errors name the line, column and reason.
func ParseOwners(name string, data []byte, getenv func(string) (string, bool)) (*Owners, error) {
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	at := func(off int, reason string) error {
		off = min(max(off, 0), len(data))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		col := off - bytes.LastIndexByte(data[:off], '\n')
		return fmt.Errorf("%s:%d:%d: %s", name, line, col, reason)
	}
	keyAt := func(key string, from int) int {
		i := bytes.Index(data[from:], []byte(`"`+key+`"`))
		if i < 0 {
			return from
		}
		return from + i
	}
	var raw rawOwners
	if err := strictDecode(data, &raw); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, at(int(syn.Offset)-1, "invalid JSON: "+syn.Error())
		case errors.As(err, &typ):
			return nil, at(int(typ.Offset), fmt.Sprintf("%s: expected %s, got JSON %s", typ.Field, typ.Type, typ.Value))
		}
		if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, at(keyAt(strings.Trim(k, `"`), 0), "unknown key "+k)
		}
		return nil, at(len(data), err.Error())
	}
	o := &Owners{Source: name, routes: map[string]Route{}}
	var errs []error
	route := func(auto string, rr json.RawMessage, off int) (Route, bool) {
		var r rawRoute
		if err := strictDecode(rr, &r); err != nil {
			if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				errs = append(errs, at(keyAt(strings.Trim(k, `"`), off), fmt.Sprintf("%s: unknown key %s (use owner, slack_webhook_url, slack_webhook_url_env, email)", auto, k)))
			} else {
				errs = append(errs, at(off, fmt.Sprintf("%s: %v", auto, err)))
			}
			return Route{}, false
		}
		out := Route{Automation: auto, Owner: strings.TrimSpace(r.Owner), SlackWebhookURL: strings.TrimSpace(r.SlackWebhookURL), Email: strings.TrimSpace(r.Email)}
		ok := true
		bad := func(key, reason string) {
			errs = append(errs, at(keyAt(key, off), auto+": "+reason))
			ok = false
		}
		if out.Owner == "" {
			bad(auto, `"owner" is missing: name the person responsible for this automation`)
		}
		if r.SlackWebhookURLEnv != "" {
			if out.SlackWebhookURL != "" {
				bad("slack_webhook_url_env", "give slack_webhook_url or slack_webhook_url_env, not both")
			}
			v, set := getenv(r.SlackWebhookURLEnv)
			if !set || strings.TrimSpace(v) == "" {
				bad("slack_webhook_url_env", fmt.Sprintf("slack_webhook_url_env names %s, which is not set", r.SlackWebhookURLEnv))
			}
			out.SlackWebhookURL = strings.TrimSpace(v)
		}
		if out.SlackWebhookURL != "" {
			u, err := url.Parse(out.SlackWebhookURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				bad("slack_webhook_url", "the Slack webhook URL is not an absolute http(s) URL (https://hooks.slack.com/services/...)")
			}
		}
		if out.Email != "" {
			a, err := mail.ParseAddress(out.Email)
			if err != nil || a.Address != out.Email {
				bad("email", fmt.Sprintf("email %q is not a plain address like dana@acme.example", out.Email))
			}
		}
		if out.SlackWebhookURL == "" && out.Email == "" && r.SlackWebhookURLEnv == "" {
			bad(auto, "no channel: give slack_webhook_url (or slack_webhook_url_env) and/or email")
		}
		return out, ok
	}
	if len(raw.Automations) == 0 && len(raw.Default) == 0 {
		errs = append(errs, at(0, `no "automations" and no "default": name at least one owner`))
	}
	for _, auto := range slices.Sorted(maps.Keys(raw.Automations)) {
		if strings.TrimSpace(auto) == "" {
			errs = append(errs, at(keyAt("automations", 0), "an automation name is empty"))
			continue
		}
		off := keyAt(auto, keyAt("automations", 0))
		if r, ok := route(auto, raw.Automations[auto], off); ok {
			o.routes[auto] = r
		}
	}
	if len(raw.Default) > 0 && string(raw.Default) != "null" {
		if r, ok := route("default", raw.Default, keyAt("default", 0)); ok {
			o.fallback = &r
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o, nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
